from flask import (
    abort,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from admin import bp
from admin.forms import EmptyForm, StaffInviteForm, StaffLoginForm
from core.auth import current_membership, current_staff, safe_next, staff_required
from core.extensions import db, limiter
from core.forms import show_error
from core.inputs import paginate
from core.outbox import html_for_staff, text_for_staff
from core.passwords import burn_password_check
from core.sessions import end_session, start_session
from core.tenancy import get_for_shop_or_404, shop_query
from models import (
    Customer,
    CustomerStatus,
    Job,
    MailStatus,
    OutboxMessage,
    Role,
    ShopMembership,
    StaffInvitation,
    StaffUser,
    utcnow,
)
from services import ServiceError
from services.invitations import invite_staff, pending_invitations, withdraw_invitation
from services.shops import find_staff, remove_staff, shops_of

ROLE_ORDER = db.case({"owner": 0, "manager": 1}, value=ShopMembership.role, else_=2)


@bp.context_processor
def inject_membership():
    """The signed-in person's role here, so pages offer only what they may do."""
    return {"current_membership": current_membership()}


def login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def account_limit():
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def login_account_key():
    return "staff-login:" + request.form.get("email", "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(account_limit, methods=["POST"], key_func=login_account_key)
def login():
    prefix = url_for("admin.dashboard")
    if current_membership() is not None:
        return redirect(prefix)
    form = StaffLoginForm()
    if form.validate_on_submit():
        staff = find_staff(form.email.data.strip().lower())
        if staff is None:
            burn_password_check(form.password.data)
        ok = (
            staff is not None
            and staff.check_password(form.password.data)
            and staff.active
            and staff.membership_in(g.shop) is not None
        )
        if ok:
            staff.last_login_at = utcnow()
            start_session(staff, remember=form.remember.data)
            db.session.commit()
            return redirect(safe_next(request.args.get("next"), prefix) or prefix)
        flash(_("Email or password is incorrect."), "danger")
    return render_template("admin/login.html", form=form)


@bp.post("/logout")
def logout():
    form = EmptyForm()
    if form.validate_on_submit() and current_staff() is not None:
        end_session()
        db.session.commit()
        flash(_("You have logged out."), "info")
    # An invitation page sends a person logged in as another account back to it.
    target = safe_next(request.form.get("next"), url_for("admin.dashboard"))
    return redirect(target or url_for("admin.login"))


@bp.get("/")
@staff_required()
def dashboard():
    queued = db.session.scalar(
        shop_query(OutboxMessage)
        .where(OutboxMessage.status == MailStatus.QUEUED)
        .with_only_columns(db.func.count())
    )
    staff_count = db.session.scalar(shop_query(ShopMembership).with_only_columns(db.func.count()))
    waiting_members = db.session.scalar(
        shop_query(Customer)
        .where(Customer.status == CustomerStatus.TEMPORARY)
        .with_only_columns(db.func.count())
    )
    return render_template(
        "admin/dashboard.html",
        queued_mail=queued,
        staff_count=staff_count,
        waiting_members=waiting_members,
        my_shops=shops_of(current_staff()),
    )


@bp.get("/emails")
@staff_required()
def emails():
    status = request.args.get("status", "")
    query = shop_query(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in set(MailStatus):
        query = query.where(OutboxMessage.status == status)
    page = paginate(query, per_page=50)
    return render_template("admin/emails.html", page=page, status=status, statuses=MailStatus)


@bp.get("/emails/<int:message_id>")
@staff_required()
def email_detail(message_id):
    message = get_for_shop_or_404(OutboxMessage, message_id)
    return render_template(
        "admin/email_detail.html", message=message, text=text_for_staff(message.body_text)
    )


@bp.get("/emails/<int:message_id>/preview")
@staff_required()
def email_preview(message_id):
    """The HTML body alone, for the framed preview: no script runs, nothing is fetched, and
    secret links show as a marker."""
    message = get_for_shop_or_404(OutboxMessage, message_id)
    response = make_response(html_for_staff(message.body_html))
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "frame-ancestors 'self'; sandbox"
    )
    return response


@bp.get("/jobs/<int:job_id>.json")
@staff_required()
def job_status(job_id):
    job = get_for_shop_or_404(Job, job_id)
    return jsonify(
        id=job.id,
        kind=job.kind,
        status=job.status,
        progress={"done": job.progress_done, "total": job.progress_total, "percent": job.percent},
        result=job.result,
        error=job.error,
        created_at=job.created_at.isoformat(),
        started_at=job.started_at.isoformat() if job.started_at else None,
        finished_at=job.finished_at.isoformat() if job.finished_at else None,
    )


@bp.route("/staff", methods=["GET", "POST"])
@staff_required("manager")
def staff():
    form = StaffInviteForm()
    can_edit = current_membership().allows(Role.OWNER)
    if form.validate_on_submit():
        if not can_edit:
            abort(403)
        try:
            invite_staff(
                shop=g.shop,
                email=form.email.data,
                role=form.role.data,
                name=form.name.data or "",
                invited_by=current_staff(),
            )
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error, form.email)
        else:
            db.session.commit()
            # The same page whether the person is new, has an account elsewhere or is already
            # on this shop's staff: the staff form tells nothing about other shops.
            return render_template("admin/staff_invited.html", email=form.email.data.strip())
    members = db.session.scalars(
        shop_query(ShopMembership)
        .join(StaffUser)
        .order_by(ROLE_ORDER, StaffUser.email)
        .options(db.contains_eager(ShopMembership.staff))
    ).all()
    return render_template(
        "admin/staff.html",
        form=form,
        members=members,
        invitations=pending_invitations(shop=g.shop),
        can_edit=can_edit,
        action_form=EmptyForm(),
    )


@bp.post("/staff/<int:membership_id>/remove")
@staff_required("owner")
def staff_remove(membership_id):
    membership = get_for_shop_or_404(ShopMembership, membership_id)
    if EmptyForm().validate_on_submit():
        email = membership.staff.email  # the row is gone after the commit
        try:
            remove_staff(shop=g.shop, membership=membership)
        except ServiceError as error:
            db.session.rollback()
            flash(str(error.message), "danger")
        else:
            db.session.commit()
            flash(_("%(email)s was removed from the staff.", email=email), "info")
    return redirect(url_for("admin.staff"))


@bp.post("/staff/invitations/<int:invitation_id>/withdraw")
@staff_required("owner")
def invitation_withdraw(invitation_id):
    invitation = get_for_shop_or_404(StaffInvitation, invitation_id)
    if EmptyForm().validate_on_submit():
        withdraw_invitation(invitation=invitation)
        db.session.commit()
        flash(
            _(
                "The invitation to %(email)s is withdrawn: its link opens nothing now.",
                email=invitation.email,
            ),
            "info",
        )
    return redirect(url_for("admin.staff"))
