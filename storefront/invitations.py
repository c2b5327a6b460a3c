"""The link a shop emails a customer it invites to become a member: the customer chooses a
password, and the account is theirs (``services.customers.accept_invitation``)."""

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from core.extensions import db, limit_from_config, limiter
from core.forms import show_error
from core.sessions import start_session
from models import CustomerStatus
from services import ServiceError
from services import customers as customer_service
from storefront import bp
from storefront.forms import PasswordResetForm

login_limit = limit_from_config("LOGIN_RATE_LIMIT")


def link_invalid(error):
    return render_template(
        "storefront/account/link_invalid.html",
        message=str(error.message),
        hint=_("An invitation link works once, for 7 days, and only the newest one."),
        action_url=url_for("storefront.login"),
        action_label=_("Log in"),
    )


@bp.route("/account/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def accept_invitation(token):
    try:
        customer = customer_service.customer_for_invitation(shop=g.shop, token=token)
    except customer_service.BadToken as error:
        return link_invalid(error)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            customer = customer_service.accept_invitation(
                shop=g.shop, token=token, password=form.password.data
            )
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error, form.password)
        else:
            return welcome(customer)
    return render_template("storefront/account/invitation.html", form=form, customer=customer)


def welcome(customer):
    """An official member is logged in; a member waiting for approval is told to wait."""
    if customer.status == CustomerStatus.OFFICIAL:
        start_session(customer)
        db.session.commit()
        flash(_("Welcome, %(name)s: your account is ready.", name=customer.display_name), "success")
        return redirect(url_for("storefront.account"))
    db.session.commit()
    flash(
        _(
            "Your password is saved. %(shop)s will check your account and email you when "
            "it is approved.",
            shop=g.shop.name,
        ),
        "success",
    )
    return redirect(url_for("storefront.login"))
