"""A shop's tags for customers: one row per name, so that a tag can be suggested, counted,
renamed, merged and deleted in one place."""

from flask_babel import lazy_gettext as _l

from core.extensions import db
from core.inputs import one_line
from core.tenancy import for_shop
from models import CustomerTag, Tag
from services import ServiceError

# The tag of a customer who refused ``shop.refusal_tag_threshold`` COD parcels.
REFUSAL_TAG = "hay hoàn"
# Every new shop starts with these.
DEFAULT_TAGS = ("tiềm năng", REFUSAL_TAG)
MAX_TAG_LENGTH = 60


def clean_name(name):
    """A tag's name as stored: one line, single spaces, at most 60 characters."""
    name = " ".join(one_line(name or "").split())
    if not name:
        raise ServiceError(_l("Please enter a tag."), "tag")
    if len(name) > MAX_TAG_LENGTH:
        raise ServiceError(_l("Please use at most %(max)d characters.", max=MAX_TAG_LENGTH), "tag")
    return name


def shop_tags(shop):
    """The shop's tags by name."""
    return db.session.scalars(for_shop(Tag, shop).order_by(Tag.name)).all()


def find_tag(shop, name):
    """The shop's tag of this name, ignoring case (``VIP`` and ``vip`` are one tag; SQLite's
    ``lower`` knows no Vietnamese capitals, so the comparison is made here)."""
    key = clean_name(name).casefold()
    return next((tag for tag in shop_tags(shop) if tag.name.casefold() == key), None)


def tag_named(shop, name):
    """The shop's tag of this name, created when it is new."""
    tag = find_tag(shop, name)
    if tag is None:
        tag = Tag(shop_id=shop.id, name=clean_name(name))
        db.session.add(tag)
    return tag


def add_default_tags(shop):
    for name in DEFAULT_TAGS:
        tag_named(shop, name)


def has_tag(customer, tag):
    return any(link.tag is tag for link in customer.tags)


def tag_customer(customer, tag):
    """Put ``tag`` on the customer; False when it was there already."""
    if has_tag(customer, tag):
        return False
    customer.tags.append(CustomerTag(shop_id=customer.shop_id, tag=tag))
    return True
