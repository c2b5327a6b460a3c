"""The shopper's member account under ``/<shop>/account``: registering, logging in and out,
passwords, the profile with its phones and email, and the address book.

Views parse the form, call a service, commit, flash and redirect; the services decide."""

from flask import (
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from core.auth import current_customer, customer_required, safe_next
from core.extensions import db, limit_from_config, limiter
from core.forms import EmptyForm, show_error
from core.sessions import current_session_id, end_session, start_session
from core.tenancy import get_for_shop
from models import Address, CustomerPhone, CustomerStatus
from services import ServiceError
from services import addresses as address_service
from services import customers as customer_service
from services.emails import normalise_email
from services.phones import display_phone, normalise_phone
from storefront import bp
from storefront.forms import (
    AddressForm,
    EmailChangeForm,
    MemberLoginForm,
    MemberRegisterForm,
    PasswordChangeForm,
    PasswordForgotForm,
    PasswordResetForm,
    PhoneAddForm,
    ProfileForm,
    RegistrationConfirmForm,
)


@bp.context_processor
def inject_member():
    return {"current_member": current_customer(), "display_phone": display_phone}


def account_home():
    return url_for("storefront.account")


# --- Rate limits ----------------------------------------------------------------------


login_limit = limit_from_config("LOGIN_RATE_LIMIT")
account_limit = limit_from_config("LOGIN_ACCOUNT_RATE_LIMIT")
register_limit = limit_from_config("MEMBER_REGISTER_RATE_LIMIT")
phone_limit = limit_from_config("MEMBER_PHONE_RATE_LIMIT")


def _login_name(value):
    """One key per account however it is written: ``0912 345 678`` is ``+84912345678``."""
    value = (value or "").strip()
    try:
        return normalise_email(value) if "@" in value else normalise_phone(value)
    except ServiceError:
        return value.lower()


def login_account_key():
    return f"customer-login:{g.shop.id}:{_login_name(request.form.get('login'))}"


def forgot_account_key():
    return f"customer-forgot:{g.shop.id}:{_login_name(request.form.get('email'))}"


def register_key():
    return f"customer-register:{g.shop.id}:{request.remote_addr}"


def phone_key():
    return f"customer-phones:{g.shop.id}:{current_user.get_id()}"


# --- Registering ----------------------------------------------------------------------


@bp.route("/account/register", methods=["GET", "POST"])
@limiter.limit(register_limit, methods=["POST"], key_func=register_key)
def register():
    if current_customer() is not None:
        return redirect(account_home())
    form = MemberRegisterForm()
    if form.validate_on_submit():
        try:
            # None when the email is a member's already: they get a notice by email, and
            # this visitor the same page as everyone, so the answer tells nobody anything.
            customer_service.register_member(
                shop=g.shop,
                first_name=form.first_name.data,
                last_name=form.last_name.data,
                email=form.email.data,
                phone=form.phone.data,
                password=form.password.data,
                accepts_marketing=form.accepts_marketing.data,
            )
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error, form.email)
        else:
            db.session.commit()
            return redirect(url_for("storefront.register_done"))
    return render_template("storefront/account/register.html", form=form)


@bp.get("/account/register/done")
def register_done():
    return render_template("storefront/account/register_done.html")


@bp.route("/account/register/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def confirm_registration(token):
    """The link sent to a guest's email when someone registered with it: whoever reads that
    mailbox and knows the registration's password joins the guest's history to the account."""
    try:
        claim = customer_service.claim_for_token(shop=g.shop, token=token)
    except customer_service.BadToken as error:
        return render_template(
            "storefront/account/link_invalid.html",
            message=str(error.message),
            hint=_("Links to finish a registration work once, for 7 days."),
            action_url=url_for("storefront.login"),
            action_label=_("Log in"),
        )
    form = RegistrationConfirmForm()
    if form.validate_on_submit():
        try:
            customer = customer_service.complete_registration(
                shop=g.shop, token=token, password=form.password.data
            )
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error, form.password)
        else:
            db.session.commit()
            if customer.status == CustomerStatus.OFFICIAL:
                flash(
                    _("Your email is confirmed and your account is ready: please log in."),
                    "success",
                )
            else:
                flash(
                    _(
                        "Your email is confirmed. %(shop)s will check your registration and "
                        "email you when your account is approved.",
                        shop=g.shop.name,
                    ),
                    "success",
                )
            return redirect(url_for("storefront.login"))
    return render_template(
        "storefront/account/register_confirm.html", form=form, email=claim.customer.email
    )


# --- Logging in and out ---------------------------------------------------------------


@bp.route("/account/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(account_limit, methods=["POST"], key_func=login_account_key)
def login():
    target = safe_next(request.args.get("next"), url_for("storefront.home")) or account_home()
    if current_customer() is not None:
        return redirect(target)
    form = MemberLoginForm()
    refusal = None
    if form.validate_on_submit():
        try:
            customer = customer_service.check_login(
                shop=g.shop, login=form.login.data, password=form.password.data
            )
        except customer_service.LoginRefused as error:
            db.session.rollback()
            # A plain str: a lazy string would reach the page unescaped (it has __html__).
            refusal = {"reason": error.reason, "message": str(error.message)}
        else:
            start_session(customer, remember=form.remember.data)
            db.session.commit()
            flash(_("Welcome back, %(name)s!", name=customer.display_name), "success")
            return redirect(target)
    return render_template("storefront/account/login.html", form=form, refusal=refusal)


@bp.post("/account/logout")
def logout():
    user = current_user
    ours = (
        user.is_authenticated
        and getattr(user, "kind", None) == "customer"
        and user.shop_id == g.shop.id
    )
    if EmptyForm().validate_on_submit() and ours:
        end_session()
        db.session.commit()
        flash(_("You have logged out."), "info")
    return redirect(url_for("storefront.home"))


# --- Passwords and email confirmation -------------------------------------------------


@bp.route("/account/password/forgot", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(account_limit, methods=["POST"], key_func=forgot_account_key)
def forgot_password():
    form = PasswordForgotForm()
    if form.validate_on_submit():
        # The same answer, and the same work, whether or not the address has an account.
        customer_service.queue_password_reset(shop=g.shop, email=form.email.data)
        db.session.commit()
        return render_template("storefront/account/forgot_sent.html")
    return render_template("storefront/account/forgot.html", form=form)


@bp.route("/account/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def reset_password(token):
    try:
        customer = customer_service.customer_for_reset(shop=g.shop, token=token)
    except customer_service.BadToken as error:
        return render_template(
            "storefront/account/link_invalid.html",
            message=str(error.message),
            hint=_("A link to reset a password works once, for one hour, and only the newest one."),
            action_url=url_for("storefront.forgot_password"),
            action_label=_("Ask for a new link"),
        )
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            customer_service.reset_password(shop=g.shop, token=token, password=form.password.data)
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error, form.password)
        else:
            db.session.commit()
            flash(_("Your new password is saved. Please log in with it."), "success")
            return redirect(url_for("storefront.login"))
    return render_template("storefront/account/reset.html", form=form, customer=customer)


@bp.get("/account/confirm/<token>")
def confirm_email(token):
    try:
        customer_service.confirm_email(shop=g.shop, token=token)
    except customer_service.BadToken as error:
        flash(str(error.message), "danger")
    else:
        db.session.commit()
        flash(_("Thank you: your email address is confirmed."), "success")
    if current_customer() is not None:
        return redirect(account_home())
    return redirect(url_for("storefront.login"))


@bp.post("/account/confirm/resend")
@customer_required
@limiter.limit(
    account_limit, key_func=lambda: f"customer-confirm:{getattr(current_user, 'id', None)}"
)
def resend_confirmation():
    customer = current_customer()
    if EmptyForm().validate_on_submit() and customer.email_verified_at is None:
        customer_service.send_email_confirmation(shop=g.shop, customer=customer)
        db.session.commit()
        flash(_("We have sent a new confirmation link to %(email)s.", email=customer.email), "info")
    return redirect(account_home())


# --- Overview and profile -------------------------------------------------------------


@bp.get("/account/")
@customer_required
def account():
    return render_template("storefront/account/overview.html", customer=current_customer())


def render_profile(customer, profile_form=None, phone_form=None):
    if profile_form is None:
        profile_form = ProfileForm(
            formdata=None,
            data={
                "last_name": customer.last_name,
                "first_name": customer.first_name,
                "gender": customer.gender or "",
                "birthday": customer.birthday,
                "accepts_marketing": customer.accepts_marketing,
            },
        )
    return render_template(
        "storefront/account/profile.html",
        customer=customer,
        form=profile_form,
        phone_form=phone_form or PhoneAddForm(formdata=None),
        action_form=EmptyForm(),
    )


@bp.route("/account/profile", methods=["GET", "POST"])
@customer_required
def profile():
    customer = current_customer()
    if request.method == "GET":
        return render_profile(customer)
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            customer_service.update_profile(
                customer=customer,
                first_name=form.first_name.data,
                last_name=form.last_name.data,
                gender=form.gender.data or None,
                birthday=form.birthday.data,
                accepts_marketing=form.accepts_marketing.data,
            )
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error, form.first_name)
        else:
            db.session.commit()
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("storefront.profile"))
    return render_profile(customer, profile_form=form)


def own_phone_or_404(customer, phone_id):
    phone = get_for_shop(CustomerPhone, phone_id, g.shop)
    if phone is None or phone.customer_id != customer.id:
        abort(404)
    return phone


@bp.post("/account/profile/phones/add")
@customer_required
@limiter.limit(phone_limit, key_func=phone_key)
def phone_add():
    customer = current_customer()
    form = PhoneAddForm()
    if form.validate_on_submit():
        try:
            customer_service.add_member_phone(customer=customer, number=form.new_phone.data)
            db.session.flush()
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error, form.new_phone)
        else:
            db.session.commit()
            flash(_("Phone number added."), "success")
            return redirect(url_for("storefront.profile") + "#phones")
    return render_profile(customer, phone_form=form)


@bp.post("/account/profile/phones/<int:phone_id>/delete")
@customer_required
@limiter.limit(phone_limit, key_func=phone_key)
def phone_delete(phone_id):
    customer = current_customer()
    phone = own_phone_or_404(customer, phone_id)
    if EmptyForm().validate_on_submit():
        customer_service.remove_member_phone(customer=customer, phone=phone)
        db.session.commit()
        flash(_("Phone number removed."), "info")
    return redirect(url_for("storefront.profile") + "#phones")


@bp.post("/account/profile/phones/<int:phone_id>/primary")
@customer_required
@limiter.limit(phone_limit, key_func=phone_key)
def phone_primary(phone_id):
    customer = current_customer()
    phone = own_phone_or_404(customer, phone_id)
    if EmptyForm().validate_on_submit():
        customer_service.make_primary_phone(customer=customer, phone=phone)
        db.session.commit()
        flash(_("%(phone)s is now your main phone number.", phone=display_phone(phone.number)))
    return redirect(url_for("storefront.profile") + "#phones")


@bp.route("/account/profile/email", methods=["GET", "POST"])
@customer_required
def change_email():
    customer = current_customer()
    form = EmailChangeForm()
    if form.validate_on_submit():
        try:
            customer_service.change_email(
                shop=g.shop,
                customer=customer,
                new_email=form.email.data,
                password=form.current_password.data,
            )
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error, form.email)
        else:
            db.session.commit()
            flash(
                _(
                    "Your email address is now %(email)s. We have sent it a link to confirm it.",
                    email=customer.email,
                ),
                "success",
            )
            return redirect(url_for("storefront.profile"))
    return render_template("storefront/account/email.html", form=form, customer=customer)


@bp.route("/account/profile/password", methods=["GET", "POST"])
@customer_required
def change_password():
    customer = current_customer()
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            customer_service.change_password(
                customer=customer,
                current_password=form.current_password.data,
                new_password=form.password.data,
                keep_session=current_session_id(),
            )
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error, form.current_password)
        else:
            db.session.commit()
            flash(_("Your password is changed. Other devices have been logged out."), "success")
            return redirect(url_for("storefront.profile"))
    return render_template("storefront/account/password.html", form=form)


# --- Addresses ------------------------------------------------------------------------


def own_address_or_404(customer, address_id):
    address = get_for_shop(Address, address_id, g.shop)
    if address is None or address.customer_id != customer.id:
        abort(404)
    return address


def address_values(form):
    return {
        "full_name": form.full_name.data,
        "phone": form.phone.data,
        "line1": form.line1.data,
        "ward": form.ward.data,
        "district": form.district.data,
        "province": form.province.data,
        "country": form.country.data,
    }


@bp.get("/account/addresses")
@customer_required
def addresses():
    return render_template(
        "storefront/account/addresses.html", customer=current_customer(), action_form=EmptyForm()
    )


@bp.route("/account/addresses/new", methods=["GET", "POST"])
@customer_required
def address_new():
    customer = current_customer()
    initial = {
        "full_name": customer.full_name,
        "phone": display_phone(customer.primary_phone),
        "is_default": not customer.addresses,
    }
    return address_page(customer, None, initial)


@bp.route("/account/addresses/<int:address_id>/edit", methods=["GET", "POST"])
@customer_required
def address_edit(address_id):
    customer = current_customer()
    address = own_address_or_404(customer, address_id)
    initial = address_service.form_values(address)
    initial["phone"] = display_phone(address.phone)
    return address_page(customer, address, initial)


def address_page(customer, address, initial):
    """The address form: a new address when ``address`` is None, else that one edited."""
    if request.method == "GET":
        form = AddressForm(formdata=None, data=initial)
    else:
        form = AddressForm()
    if form.validate_on_submit():
        values = {"shop": g.shop, "customer": customer, "is_default": form.is_default.data}
        values.update(address_values(form))
        try:
            if address is None:
                address_service.create_address(**values)
            else:
                address_service.update_address(address=address, **values)
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error, form.province)
        else:
            db.session.commit()
            flash(_("Address saved."), "success")
            return redirect(url_for("storefront.addresses"))
    return render_template("storefront/account/address_form.html", form=form, address=address)


@bp.post("/account/addresses/<int:address_id>/delete")
@customer_required
def address_delete(address_id):
    customer = current_customer()
    address = own_address_or_404(customer, address_id)
    if EmptyForm().validate_on_submit():
        address_service.delete_address(shop=g.shop, customer=customer, address=address)
        db.session.commit()
        flash(_("Address deleted."), "info")
    return redirect(url_for("storefront.addresses"))


@bp.post("/account/addresses/<int:address_id>/default")
@customer_required
def address_default(address_id):
    customer = current_customer()
    address = own_address_or_404(customer, address_id)
    if EmptyForm().validate_on_submit():
        address_service.set_default_address(shop=g.shop, customer=customer, address=address)
        db.session.commit()
        flash(_("This is now your default address."), "success")
    return redirect(url_for("storefront.addresses"))
