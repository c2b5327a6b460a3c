"""Language, time zone and money formatting."""

from flask import current_app, g, has_request_context, request, session
from flask_babel import format_currency, format_datetime, get_locale
from flask_babel import lazy_gettext as _l

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}

MAIL_STATUS_LABELS = {
    "queued": _l("Waiting to be sent"),
    "sent": _l("Sent"),
    "failed": _l("Could not be sent"),
}
ROLE_LABELS = {"owner": _l("Owner"), "manager": _l("Manager"), "staff": _l("Staff")}


def select_locale():
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang") if has_request_context() else None
    if chosen in languages:
        return chosen
    shop = g.get("shop")
    if shop is not None and shop.locale in languages:
        return shop.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone():
    shop = g.get("shop")
    if shop is not None and shop.timezone:
        return shop.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def format_money(amount, currency=None):
    """Integer minor units in the shop's currency: ``1.250.000 ₫`` in Vietnamese."""
    if amount is None:
        return ""
    shop = g.get("shop")
    currency = currency or (shop.currency if shop is not None else "VND")
    return format_currency(amount, currency)


def format_when(value, format="dd/MM/yyyy HH:mm"):
    """In the shop's time zone; day first, as Vietnamese readers expect."""
    if value is None:
        return ""
    return format_datetime(value, format)


def register_i18n(app):
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["datetime"] = format_when
    app.jinja_env.globals["mail_status_label"] = lambda s: MAIL_STATUS_LABELS.get(str(s), str(s))
    app.jinja_env.globals["role_label"] = lambda r: ROLE_LABELS.get(str(r), str(r))

    @app.context_processor
    def inject_language():
        return {
            "current_locale": str(get_locale()),
            "language_names": LANGUAGE_NAMES,
            "request_path": request.full_path.rstrip("?") if request else "/",
        }
