"""Platform pages outside any shop: the landing page, shop sign-up, health and language."""

from flask import (
    Blueprint,
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
from flask_babel import lazy_gettext as _l
from flask_login import login_user
from sqlalchemy import text
from wtforms import EmailField, PasswordField, StringField

from core.auth import safe_next
from core.extensions import db, limiter
from core.forms import Form, max_length, required, show_error
from services import ServiceError
from services.shops import create_shop, send_welcome

bp = Blueprint("platform", __name__)


class ShopSignupForm(Form):
    shop_name = StringField(_l("Shop name"), validators=[required(), max_length(120)])
    slug = StringField(
        _l("Shop address"),
        validators=[required(), max_length(40)],
        description=_l("Lowercase letters, digits and hyphens, e.g. thoi-trang-mai"),
    )
    email = EmailField(_l("Your email"), validators=[required(), max_length(254)])
    password = PasswordField(_l("Password"), validators=[required(), max_length(200)])


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


def signup_limit():
    return current_app.config["SIGNUP_RATE_LIMIT"]


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(signup_limit, methods=["POST"])
def signup():
    if not current_app.config["SIGNUP_ENABLED"]:
        abort(404)
    form = ShopSignupForm()
    if form.validate_on_submit():
        try:
            shop, owner = create_shop(
                slug=form.slug.data.strip().lower(),
                name=form.shop_name.data,
                owner_email=form.email.data,
                owner_password=form.password.data,
            )
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error, form.slug)
        else:
            send_welcome(shop, owner)
            db.session.commit()
            login_user(owner)
            flash(_("Your shop %(name)s is ready.", name=shop.name), "success")
            return redirect(url_for("admin.dashboard", shop=shop.slug))
    return render_template("platform/signup.html", form=form)


@bp.post("/language")
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    target = safe_next(request.form.get("next"), "/") or url_for("platform.landing")
    return redirect(target)
