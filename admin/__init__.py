"""The shop manager's pages, under ``/<shop>/admin``."""

from flask import Blueprint

from core.auth import staff_may
from core.security import no_store
from core.tenancy import add_shop_to_url, load_shop_from_url

bp = Blueprint("admin", __name__)
bp.url_value_preprocessor(load_shop_from_url)
bp.url_defaults(add_shop_to_url)
bp.after_request(no_store)  # every admin page, the login included


@bp.context_processor
def inject_membership():
    """The signed-in person's role here, so pages offer only what they may do."""
    return {"staff_may": staff_may}


from admin import (  # noqa: E402, F401
    campaign_compose,
    campaigns,
    customer_bulk,
    customer_create,
    customer_delete,
    customer_export,
    customer_import,
    customer_merge,
    customer_notes,
    customer_records,
    customer_tags,
    customers,
    dashboard,
    emails,
    export_templates,
    exports,
    groups,
    import_template,
    invitations,
    login,
    notifications,
    order_create,
    orders,
    products,
    segments,
    sessions,
    settings,
    staff,
    tags,
    vouchers,
)
