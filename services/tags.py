"""A shop's tags for customers: one row per name, so that a tag can be suggested, counted,
renamed, merged and deleted in one place."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, literal

from core.extensions import db
from core.inputs import one_line
from core.tenancy import for_shop
from models import CustomerTag, Tag, utcnow
from services import ServiceError, events

# The tag of a customer who refused ``shop.refusal_tag_threshold`` COD parcels.
REFUSAL_TAG = "hay hoàn"
# Every new shop starts with these.
DEFAULT_TAGS = ("tiềm năng", REFUSAL_TAG)
MAX_TAG_LENGTH = 60
# At most this many tags on one customer: more would no longer sort anyone.
MAX_CUSTOMER_TAGS = 20


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


def _wanted(shop, names):
    """The tags ``names`` ask for, by casefolded name: the shop's own where they exist, new
    ones otherwise (not yet added). Blank names are skipped, repeats count once."""
    existing = {tag.name.casefold(): tag for tag in shop_tags(shop)}
    wanted = {}
    for name in names:
        if not one_line(name):
            continue
        try:
            name = clean_name(name)
        except ServiceError:
            raise ServiceError(
                _l("A tag has at most %(max)d characters.", max=MAX_TAG_LENGTH), "tags"
            ) from None
        key = name.casefold()
        wanted.setdefault(key, existing.get(key) or Tag(shop_id=shop.id, name=name))
    if len(wanted) > MAX_CUSTOMER_TAGS:
        raise ServiceError(
            _l("A customer has at most %(max)d tags.", max=MAX_CUSTOMER_TAGS), "tags"
        )
    return wanted


def set_tags(*, shop, customer, names, staff):
    """Make ``names`` the customer's whole list of tags (``VIP`` and ``vip`` are one), the
    new ones made for the shop. Each tag put on or taken off is a line on the timeline.
    Returns (names added, names removed)."""
    if customer.shop_id != shop.id:
        raise ServiceError(_l("This customer belongs to another shop."))
    wanted = _wanted(shop, names)
    removed = [link for link in customer.tags if link.name.casefold() not in wanted]
    for link in removed:
        customer.tags.remove(link)
        events.tag_removed(customer=customer, name=link.name, staff=staff)
    kept = {link.name.casefold() for link in customer.tags}
    added = [tag for key, tag in wanted.items() if key not in kept]
    for tag in added:
        db.session.add(tag)
        tag_customer(customer, tag)
        events.tag_added(customer=customer, name=tag.name, staff=staff)
    return [tag.name for tag in added], [link.name for link in removed]


def tags_with_counts(shop):
    """The shop's tags by name, each with how many customers carry it."""
    counts = (
        db.select(CustomerTag.tag_id, func.count(CustomerTag.id).label("n"))
        .where(CustomerTag.shop_id == shop.id)
        .group_by(CustomerTag.tag_id)
        .subquery()
    )
    rows = db.session.execute(
        for_shop(Tag, shop)
        .add_columns(func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.tag_id == Tag.id)
        .order_by(Tag.name)
    ).all()
    return [(tag, count) for tag, count in rows]


def _check_shop(shop, tag):
    if tag.shop_id != shop.id:
        raise ServiceError(_l("This tag belongs to another shop."))


def rename_tag(*, shop, tag, name):
    """Rename a tag everywhere it is used. To the name of another of the shop's tags, the
    two become one (as ``merge_tags``). Returns the tag that remains."""
    _check_shop(shop, tag)
    name = clean_name(name)
    other = find_tag(shop, name)
    if other is not None and other is not tag:
        merge_tags(shop=shop, sources=[tag], target=other)
        return other
    tag.name = name
    return tag


def merge_tags(*, shop, sources, target):
    """Put ``target`` on every customer of ``sources`` and delete them. Returns how many
    customers gained ``target``."""
    _check_shop(shop, target)
    sources = [tag for tag in sources if tag is not target]
    for tag in sources:
        _check_shop(shop, tag)
    if not sources:
        return 0
    source_ids = [tag.id for tag in sources]
    already = db.select(CustomerTag.customer_id).where(CustomerTag.tag_id == target.id)
    newcomers = (
        db.select(CustomerTag.customer_id)
        .where(
            CustomerTag.shop_id == shop.id,
            CustomerTag.tag_id.in_(source_ids),
            CustomerTag.customer_id.not_in(already),
        )
        .distinct()
        .subquery()
    )
    db.session.flush()
    gained = db.session.scalar(db.select(func.count()).select_from(newcomers))
    db.session.execute(
        insert(CustomerTag).from_select(
            ["shop_id", "customer_id", "tag_id", "created_at"],
            db.select(
                literal(shop.id), newcomers.c.customer_id, literal(target.id), literal(utcnow())
            ),
        )
    )
    db.session.execute(
        delete(CustomerTag)
        .where(CustomerTag.shop_id == shop.id, CustomerTag.tag_id.in_(source_ids))
        .execution_options(synchronize_session=False)
    )
    for tag in sources:
        db.session.delete(tag)
    db.session.expire_all()
    return gained


def delete_tag(*, shop, tag):
    """Delete the tag from the shop and from every customer. Returns how many carried it."""
    _check_shop(shop, tag)
    removed = db.session.execute(
        delete(CustomerTag)
        .where(CustomerTag.shop_id == shop.id, CustomerTag.tag_id == tag.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.delete(tag)
    db.session.expire_all()
    return removed
