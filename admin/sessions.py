"""The staff user's signed-in devices under ``/<shop>/admin/sessions``. A staff login opens
the admin of every shop the person works for, so the page lists all of the person's
sessions, whichever shop's login page opened them; anyone else's session is a page that
does not exist."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from admin import bp
from core.auth import current_staff, staff_required
from core.extensions import db
from core.forms import EmptyForm
from core.sessions import (
    current_session_id,
    end_one_session,
    end_other_sessions,
    session_of,
    sessions_of,
)


@bp.get("/sessions")
@staff_required()
def sessions():
    return render_template(
        "admin/sessions.html",
        sessions=sessions_of(current_staff()),
        current_id=current_session_id(),
    )


@bp.post("/sessions/<int:session_id>/end")
@staff_required()
def session_end(session_id):
    row = session_of(current_staff(), session_id)
    if row is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        if end_one_session(row):
            db.session.commit()
            flash(_("You have logged out."), "info")
            return redirect(url_for("admin.login"))
        db.session.commit()
        flash(_("That device is signed out."), "success")
    return redirect(url_for("admin.sessions"))


@bp.post("/sessions/end-others")
@staff_required()
def sessions_end_others():
    if EmptyForm().validate_on_submit():
        end_other_sessions(current_staff(), keep=current_session_id())
        db.session.commit()
        flash(_("Every other device is signed out."), "success")
    return redirect(url_for("admin.sessions"))
