"""The platform's pages outside any shop: the landing page, shop sign-up, the staff login,
opening another shop, health and language."""

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import text

from core.auth import current_staff, safe_next, staff_login_key
from core.extensions import db, limit_from_config, limiter
from core.forms import show_error
from core.sessions import start_session
from landing import bp
from landing.forms import PlatformLoginForm, ShopOpenForm, ShopSignupForm
from models import utcnow
from services import ServiceError
from services.shops import (
    EmailTaken,
    authenticate_staff,
    open_shop,
    send_welcome,
    shops_of,
    sign_up,
)


@bp.get("/")
def landing():
    return render_template("platform/landing.html")


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")


signup_limit = limit_from_config("SIGNUP_RATE_LIMIT")


def shop_ready(shop, owner):
    """The new shop is saved with its welcome email; its owner lands in its admin."""
    send_welcome(shop, owner)
    db.session.commit()
    flash(_("Your shop %(name)s is ready.", name=shop.name), "success")
    return redirect(url_for("admin.dashboard", shop=shop.slug))


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(signup_limit, methods=["POST"])
def signup():
    if not current_app.config["SIGNUP_ENABLED"]:
        abort(404)
    form = ShopSignupForm()
    account_exists = False
    if form.validate_on_submit():
        try:
            shop, owner = sign_up(
                slug=form.slug.data.strip().lower(),
                name=form.shop_name.data,
                owner_email=form.email.data,
                owner_password=form.password.data,
            )
        except EmailTaken:
            db.session.rollback()
            account_exists = True
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error, form.slug)
        else:
            start_session(owner, shop=shop)
            return shop_ready(shop, owner)
    return render_template("platform/signup.html", form=form, account_exists=account_exists)


@bp.route("/shops/new", methods=["GET", "POST"])
@limiter.limit(signup_limit, methods=["POST"])
def shop_new():
    """One login, many shops: a signed-in staff user opens another shop and owns it."""
    if not current_app.config["SIGNUP_ENABLED"]:
        abort(404)
    staff = current_staff()
    if staff is None:
        return redirect(url_for("platform.login", next=url_for("platform.shop_new")))
    form = ShopOpenForm()
    if form.validate_on_submit():
        try:
            shop = open_shop(
                slug=form.slug.data.strip().lower(), name=form.shop_name.data, owner=staff
            )
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error, form.slug)
        else:
            return shop_ready(shop, staff)
    return render_template("platform/shop_new.html", form=form)


def home_of(staff):
    """Where a staff user lands: their first shop's admin, or opening one if they have none."""
    shops = shops_of(staff)
    if shops:
        return url_for("admin.dashboard", shop=shops[0].slug)
    return url_for("platform.shop_new")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(limit_from_config("LOGIN_RATE_LIMIT"), methods=["POST"])
@limiter.limit(
    limit_from_config("LOGIN_ACCOUNT_RATE_LIMIT"), methods=["POST"], key_func=staff_login_key
)
def login():
    """The staff login of the whole platform, for someone who does not have a shop's address
    at hand (the sign-up page sends people with an account here)."""
    staff = current_staff()
    if staff is not None:
        return redirect(safe_next(request.args.get("next"), "/") or home_of(staff))
    form = PlatformLoginForm()
    if form.validate_on_submit():
        staff = authenticate_staff(email=form.email.data, password=form.password.data)
        if staff is not None:
            staff.last_login_at = utcnow()
            # The session is told to be of the shop the person lands in (none, if they have
            # no shop left).
            home = next(iter(shops_of(staff)), None)
            start_session(staff, remember=form.remember.data, shop=home)
            db.session.commit()
            return redirect(safe_next(request.args.get("next"), "/") or home_of(staff))
        flash(_("Email or password is incorrect."), "danger")
    return render_template("platform/login.html", form=form)


@bp.post("/language")
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    target = safe_next(request.form.get("next"), "/") or url_for("platform.landing")
    return redirect(target)
