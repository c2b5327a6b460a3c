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

# kind of status → {status: its name}, for ``status_label`` and the ``status_badge`` macro.
# Whoever owns a kind of status hands its names in (``register_status_labels``), so core
# imports nothing above it; the outbox's own are here.
STATUS_LABELS = {"mail": MAIL_STATUS_LABELS}


def register_status_labels(kind, labels):
    STATUS_LABELS[kind] = labels
    return labels


def status_label(kind, status):
    """The name of ``status`` (an order's, a payment's, a customer's, an email's …)."""
    return STATUS_LABELS[kind].get(str(status), str(status))


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
    app.jinja_env.globals["status_label"] = status_label
    app.jinja_env.globals["role_label"] = lambda r: ROLE_LABELS.get(str(r), str(r))

    @app.context_processor
    def inject_language():
        return {
            "current_locale": str(get_locale()),
            "language_names": LANGUAGE_NAMES,
            "request_path": request.full_path.rstrip("?") if request else "/",
        }
