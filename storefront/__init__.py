"""The shopper's pages, under ``/<shop>``."""

from flask import Blueprint

from core.security import no_store_under
from core.tenancy import add_shop_to_url, load_shop_from_url

bp = Blueprint("storefront", __name__)
bp.url_value_preprocessor(load_shop_from_url)
bp.url_defaults(add_shop_to_url)
# The pages that show a person's own data; the catalog stays cacheable.
bp.after_request(
    no_store_under(
        "/<shop>/account/",
        "/<shop>/orders/",
        "/<shop>/cart",
        "/<shop>/checkout",
        "/<shop>/unsubscribe/",
    )
)

from storefront import (  # noqa: E402, F401
    account,
    account_data,
    cart,
    catalog,
    checkout,
    favourites,
    invitations,
    orders,
    sessions,
    unsubscribe,
    views,
    vouchers,
)
