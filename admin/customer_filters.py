"""What the customer list shows of its filter, in the reader's language: the removable chips,
the choices of the filter form, and the columns a staff member may show. A module without
routes: the list and the segments pages share it."""

from babel.dates import format_date
from flask import url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from core.extensions import db
from core.i18n import format_money, status_label
from core.tenancy import for_shop, get_for_shop
from models import CustomerGroup, StaffUser
from services.customer_bulk import assignable_staff
from services.places import province_names
from services.tags import shop_tags

GENDER_LABELS = {"female": _l("Female"), "male": _l("Male"), "other": _l("Other")}
FILTER_LABELS = {
    "q": _l("Search"),
    "status": _l("Status"),
    "group": _l("Group"),
    "gender": _l("Gender"),
    "province": _l("Province"),
    "tag": _l("Tag"),
    "staff": _l("Assigned to"),
    "accepts_marketing": _l("Marketing emails"),
    "created_from": _l("Joined from"),
    "created_to": _l("Joined until"),
    "min_spent": _l("Spent at least"),
    "max_spent": _l("Spent at most"),
    "min_orders": _l("Orders at least"),
}
SORT_LABELS = {
    "-created": _l("Newest first"),
    "created": _l("Oldest first"),
    "name": _l("Name A–Z"),
    "-name": _l("Name Z–A"),
    "-total_spent": _l("Spent the most"),
    "total_spent": _l("Spent the least"),
    "-orders": _l("Most orders"),
    "orders": _l("Fewest orders"),
    "-last_order": _l("Ordered most recently"),
    "last_order": _l("Ordered longest ago"),
}
# (key, heading): every column the list can show; the name is always shown.
COLUMNS = {
    "code": _l("Code"),
    "gender": _l("Gender"),
    "group": _l("Group"),
    "phone": _l("Phone"),
    "email": _l("Email"),
    "province": _l("Province"),
    "status": _l("Status"),
    "tags": _l("Tags"),
    "total_spent": _l("Total spent"),
    "orders": _l("Orders"),
    "staff": _l("Assigned to"),
    "created": _l("Created"),
}
DEFAULT_COLUMNS = ("code", "phone", "email", "status", "tags", "total_spent", "orders", "created")


def chosen_columns(membership):
    chosen = (membership.customer_columns if membership is not None else None) or DEFAULT_COLUMNS
    return [key for key in COLUMNS if key in chosen]


def _value_text(shop, name, value):
    if name == "status":
        return status_label("customer", value)
    if name == "gender":
        return GENDER_LABELS.get(value, value)
    if name == "group":
        group = get_for_shop(CustomerGroup, value, shop)
        return group.name if group is not None else value
    if name == "staff":
        staff = db.session.get(StaffUser, value)
        return staff.display_name if staff is not None else value
    if name == "accepts_marketing":
        return _l("yes") if value else _l("no")
    if name in ("created_from", "created_to"):
        return format_date(value, "dd/MM/yyyy", locale=get_locale())
    if name in ("min_spent", "max_spent"):
        return format_money(value)
    return value


def filter_chips(shop, customer_filter, **keep):
    """(label, value, link without it) for each part of the filter; ``keep``: other
    parameters the links carry (the sort, the page size)."""
    chips = []
    for name in customer_filter.params():
        if name == "status":  # the tabs say it
            continue
        value = getattr(customer_filter, name)
        rest = {**customer_filter.without(name).params(), **keep}
        chips.append(
            (
                FILTER_LABELS[name],
                _value_text(shop, name, value),
                url_for("admin.customers", **rest),
            )
        )
    return chips


def filter_parts(shop, customer_filter):
    """(label, value) of every part of the filter, its status included: what an email for
    "every customer matching" says it is for."""
    return [
        (FILTER_LABELS[name], _value_text(shop, name, getattr(customer_filter, name)))
        for name in customer_filter.params()
    ]


def filter_choices(shop):
    """What the filter form offers: the shop's groups, tags and staff, and the provinces."""
    return {
        "groups": db.session.scalars(
            for_shop(CustomerGroup, shop).order_by(CustomerGroup.name)
        ).all(),
        "tags": shop_tags(shop),
        "staff": assignable_staff(shop),
        "provinces": province_names(),
        "genders": GENDER_LABELS,
        "sorts": SORT_LABELS,
    }
