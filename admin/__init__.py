"""The shop manager's pages, under ``/<shop>/admin``."""

from flask import Blueprint

from core.tenancy import add_shop_to_url, load_shop_from_url

bp = Blueprint("admin", __name__)
bp.url_value_preprocessor(load_shop_from_url)
bp.url_defaults(add_shop_to_url)

from admin import (  # noqa: E402, F401
    customers,
    invitations,
    order_create,
    orders,
    products,
    settings,
    views,
)
