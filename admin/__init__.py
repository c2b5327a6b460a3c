"""The shop manager's pages, under ``/<shop>/admin``."""

from flask import Blueprint

from core.security import no_store
from core.tenancy import add_shop_to_url, load_shop_from_url

bp = Blueprint("admin", __name__)
bp.url_value_preprocessor(load_shop_from_url)
bp.url_defaults(add_shop_to_url)
bp.after_request(no_store)  # every admin page, the login included

from admin import (  # noqa: E402, F401
    customers,
    invitations,
    order_create,
    orders,
    products,
    sessions,
    settings,
    views,
)
