"""The member's signed-in devices under ``/<shop>/account/sessions``: where the account is
open now, and a button to sign out one of them or all the others. A session that is not
this member's (another member's, another shop's, a staff user's) is a page that does not
exist."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from core.auth import current_customer, customer_required
from core.extensions import db
from core.forms import EmptyForm
from core.sessions import (
    current_session_id,
    end_one_session,
    end_other_sessions,
    session_of,
    sessions_of,
)
from storefront import bp


@bp.get("/account/sessions")
@customer_required
def account_sessions():
    return render_template(
        "storefront/account/sessions.html",
        sessions=sessions_of(current_customer()),
        current_id=current_session_id(),
    )


@bp.post("/account/sessions/<int:session_id>/end")
@customer_required
def account_session_end(session_id):
    row = session_of(current_customer(), session_id)
    if row is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        if end_one_session(row):
            db.session.commit()
            flash(_("You have logged out."), "info")
            return redirect(url_for("storefront.home"))
        db.session.commit()
        flash(_("That device is signed out."), "success")
    return redirect(url_for("storefront.account_sessions"))


@bp.post("/account/sessions/end-others")
@customer_required
def account_sessions_end_others():
    if EmptyForm().validate_on_submit():
        end_other_sessions(current_customer(), keep=current_session_id())
        db.session.commit()
        flash(_("Every other device is signed out."), "success")
    return redirect(url_for("storefront.account_sessions"))
