"""The page an invitation's link opens, where the invited person joins the shop's staff.

Open to visitors, like the login: without the token of a pending invitation it shows
nothing. Who may accept is decided here, from the session and the database, never from the
form: the account the invitation was sent to (logged in, or logging in on this page), or a
new person when that email has no account yet."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from admin import bp
from admin.forms import InvitationJoinForm, InvitationLoginForm
from core.auth import current_staff
from core.extensions import db, limit_from_config, limiter
from core.forms import EmptyForm, show_error
from core.sessions import start_session
from models import utcnow
from services import ServiceError
from services.invitations import (
    accept_invitation,
    find_invitation,
    invited_account,
    join_with_new_account,
)
from services.shops import authenticate_staff


def invitation_account_key():
    """Password tries on this page count per invited account, however many links it got."""
    invitation = find_invitation(shop=g.shop, token=(request.view_args or {}).get("token"))
    return "staff-invitation:" + (invitation.email if invitation is not None else "")


def page(invitation, state, form=None, status=200):
    return render_template(
        "admin/invitation.html", invitation=invitation, state=state, form=form
    ), status


def joined(invitation, staff):
    """The accepted invitation's person, now logged in, lands in the shop's admin."""
    if current_staff() is None:
        staff.last_login_at = utcnow()
        start_session(staff)
    db.session.commit()
    flash(_("Welcome to the staff of %(shop)s.", shop=g.shop.name), "success")
    return redirect(url_for("admin.dashboard"))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit(limit_from_config("LOGIN_RATE_LIMIT"), methods=["POST"])
@limiter.limit(
    limit_from_config("LOGIN_ACCOUNT_RATE_LIMIT"),
    methods=["POST"],
    key_func=invitation_account_key,
)
def invitation(token):
    invitation = find_invitation(shop=g.shop, token=token, lock=request.method == "POST")
    if invitation is None:
        return render_template("admin/invitation_invalid.html"), 404
    staff = current_staff()
    if staff is not None:
        if staff.email != invitation.email:
            return page(invitation, "wrong_account", status=403)
        form = EmptyForm()
        if form.validate_on_submit():
            accept_invitation(invitation=invitation, staff=staff)
            return joined(invitation, staff)
        return page(invitation, "accept", form)
    if invited_account(invitation) is not None:
        form = InvitationLoginForm()
        if form.validate_on_submit():
            account = authenticate_staff(email=invitation.email, password=form.password.data)
            if account is not None:
                accept_invitation(invitation=invitation, staff=account)
                return joined(invitation, account)
            flash(_("Email or password is incorrect."), "danger")
        return page(invitation, "login", form)
    form = InvitationJoinForm(data={"name": invitation.name})
    if form.validate_on_submit():
        try:
            account = join_with_new_account(
                invitation=invitation, name=form.name.data, password=form.password.data
            )
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error, form.password)
        else:
            return joined(invitation, account)
    return page(invitation, "join", form)
