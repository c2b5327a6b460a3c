"""The staff login and logout of one shop's admin."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from admin import bp
from admin.forms import StaffLoginForm
from core.auth import current_membership, current_staff, safe_next, staff_login_key
from core.extensions import db, limit_from_config, limiter
from core.forms import EmptyForm
from core.sessions import end_session, start_session
from models import utcnow
from services.shops import authenticate_staff


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(limit_from_config("LOGIN_RATE_LIMIT"), methods=["POST"])
@limiter.limit(
    limit_from_config("LOGIN_ACCOUNT_RATE_LIMIT"), methods=["POST"], key_func=staff_login_key
)
def login():
    prefix = url_for("admin.dashboard")
    if current_membership() is not None:
        return redirect(prefix)
    form = StaffLoginForm()
    if form.validate_on_submit():
        staff = authenticate_staff(email=form.email.data, password=form.password.data, shop=g.shop)
        if staff is not None:
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
