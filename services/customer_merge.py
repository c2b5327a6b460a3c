"""Two records of one person become one: the manager keeps one record and chooses, field by
field, whose value wins; everything else of the other record (orders, addresses, phones,
notes, tags, favourites, timeline, emails, waiting registrations) moves to the kept one, and
the other is deleted. One transaction, committed by the caller."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, update

from core.extensions import db
from core.sessions import end_all_sessions
from models import Favourite, Order, OutboxMessage, RegistrationClaim
from services import ServiceError, events
from services.totals import refresh_totals

# The choices of a merge, in the order the page shows them: each names the columns that move
# together (an email and whether it was confirmed; a status and the password that opens it).
FIELDS = {
    "names": ("last_name", "first_name"),
    "email": ("email", "email_verified_at"),
    "gender": ("gender",),
    "birthday": ("birthday",),
    "company": ("company",),
    "group": ("group_id",),
    "assigned_staff": ("assigned_staff_id",),
    "accepts_marketing": ("accepts_marketing", "marketing_consent_at", "marketing_consent_source"),
    "status": ("status", "password_hash", "registered_at", "last_login_at"),
}


class MergeRefused(ServiceError):
    pass


def _has_value(customer, name):
    if name == "names":
        return bool(customer.full_name)
    if name == "accepts_marketing":
        return customer.marketing_consent_at is not None
    if name == "status":
        return customer.is_member
    return getattr(customer, FIELDS[name][0]) not in (None, "")


def default_keep(first, second):
    """The record kept unless the manager says otherwise: a member's over a guest's, else
    ``first`` (the record the merge was started from)."""
    if second.is_member and not first.is_member:
        return second
    return first


def default_winners(keep, other):
    """{field: the record whose value wins}: the kept record's, unless it has none and the
    other has one. So a member's status (and password) wins over a guest's."""
    return {
        name: other if _has_value(other, name) and not _has_value(keep, name) else keep
        for name in FIELDS
    }


def _check(shop, keep, other):
    if keep.shop_id != shop.id or other.shop_id != shop.id:
        raise MergeRefused(_l("This customer belongs to another shop."))
    if keep.id == other.id:
        raise MergeRefused(_l("A record cannot be merged with itself."))


def _take_values(keep, other, from_other):
    """Copy the chosen values of ``other`` onto ``keep``. The email is taken off ``other``
    first: an email is one record's in a shop."""
    if "email" in from_other and other.email != keep.email:
        email = other.email
        other.email = None
        db.session.flush()
        keep.email = email
        keep.email_verified_at = other.email_verified_at
        keep.reset_nonce = None  # a reset link sent to the old address is spent
    for name in from_other - {"email"}:
        for column in FIELDS[name]:
            setattr(keep, column, getattr(other, column))
        if name == "status":
            keep.reset_nonce = None


def _move_phones(keep, other):
    numbers = {phone.number for phone in keep.phones}
    for phone in list(other.phones):
        if phone.number not in numbers:
            phone.is_primary = phone.is_primary and not keep.phones
            phone.customer = keep
            numbers.add(phone.number)
    if keep.phones and not any(phone.is_primary for phone in keep.phones):
        keep.phones[0].is_primary = True


def _move_addresses(keep, other):
    has_default = any(address.is_default for address in keep.addresses)
    for address in list(other.addresses):
        address.is_default = address.is_default and not has_default
        has_default = has_default or address.is_default
        address.customer = keep


def _move_tags(keep, other):
    tag_ids = {link.tag_id for link in keep.tags}
    for link in list(other.tags):
        if link.tag_id not in tag_ids:
            link.customer = keep
            tag_ids.add(link.tag_id)


def _move_rows(shop, keep, other):
    """The rows that point at ``other`` without being part of its record's collections."""
    kept_products = db.select(Favourite.product_id).where(Favourite.customer_id == keep.id)
    db.session.execute(
        delete(Favourite)
        .where(Favourite.customer_id == other.id, Favourite.product_id.in_(kept_products))
        .execution_options(synchronize_session=False)
    )
    for model in (Favourite, Order, OutboxMessage, RegistrationClaim):
        db.session.execute(
            update(model)
            .where(model.shop_id == shop.id, model.customer_id == other.id)
            .values(customer_id=keep.id)
            .execution_options(synchronize_session=False)
        )


def merge_customers(*, shop, keep, other, from_other, staff):
    """Merge ``other`` into ``keep`` and delete ``other``. ``from_other``: the fields of
    ``FIELDS`` whose value is taken from ``other``. Returns ``keep``."""
    _check(shop, keep, other)
    from_other = set(from_other) & set(FIELDS)
    _take_values(keep, other, from_other)
    _move_phones(keep, other)
    _move_addresses(keep, other)
    _move_tags(keep, other)
    for note in list(other.notes):
        note.customer = keep
    for event in list(other.events):
        event.customer = keep
    db.session.flush()
    _move_rows(shop, keep, other)
    # Whoever was signed in as the other record is signed out: its password may be gone.
    end_all_sessions(other)
    events.merged(customer=keep, other=other, staff=staff)
    db.session.delete(other)
    db.session.flush()
    db.session.expire_all()
    refresh_totals(keep)
    return keep
