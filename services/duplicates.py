"""Records of a shop that may be one person: the same shopper as a guest with a phone and as a
member with an email, a record created twice by hand. A phone proves nothing (a family shares
one), so these are only suggestions to a manager, who merges the records or leaves them be.

Two records may be one person when they share a phone number, when their emails differ only
in case or surrounding spaces, or when their names read the same without accents and case
(``models.fold``) and they live in the same province. The name and the email are looked up
in ``search_text`` (folded names first, then the email), which the list's search reads too."""

from dataclasses import dataclass, field

from sqlalchemy import and_, or_
from sqlalchemy.orm import aliased

from core.extensions import db
from core.tenancy import for_shop
from models import Customer, CustomerPhone, fold

# At most this many suggestions on one record, of at most this many records read.
MAX_SUGGESTIONS = 10
MAX_CANDIDATES = 50
# And of at most this many records read for a page of the list.
MAX_PAGE_CANDIDATES = 1000

# Why two records may be one person.
SAME_PHONE = "phone"
SAME_EMAIL = "email"
SAME_NAME = "name"


@dataclass
class PossibleDuplicate:
    customer: Customer
    reasons: set = field(default_factory=set)


def email_key(email):
    """The email as two records of one person could differ: case and spaces do not count."""
    return (email or "").strip().lower() or None


def name_key(customer):
    """The folded full name, or None when the record has no name to compare."""
    return fold(customer.full_name) or None


def _visible(query, assigned_to):
    """Only the customers a ``staff`` role may see, when ``assigned_to`` names them."""
    if assigned_to is None:
        return query
    return query.where(Customer.assigned_staff_id == assigned_to)


def _name_condition(key, province):
    # ``search_text`` starts with the folded name: the exact name, or the name then a space.
    return and_(
        Customer.province == province,
        or_(
            Customer.search_text == key, Customer.search_text.startswith(key + " ", autoescape=True)
        ),
    )


def _by_text(customers):
    """SQL for the records whose email or name and province may match one of ``customers``."""
    conditions = []
    for customer in customers:
        email = email_key(customer.email)
        if email:
            conditions.append(
                and_(
                    Customer.id != customer.id,
                    Customer.search_text.contains(fold(email), autoescape=True),
                )
            )
        name = name_key(customer)
        if name and customer.province:
            conditions.append(
                and_(Customer.id != customer.id, _name_condition(name, customer.province))
            )
    return or_(*conditions) if conditions else None


def reasons_between(customer, other):
    """Why ``other`` may be the same person as ``customer`` (their phones are compared by
    the caller, which reads them from the database)."""
    reasons = set()
    if email_key(customer.email) and email_key(customer.email) == email_key(other.email):
        reasons.add(SAME_EMAIL)
    name = name_key(customer)
    if name and customer.province and name == name_key(other):
        if customer.province == other.province:
            reasons.add(SAME_NAME)
    return reasons


def _sharing_phones(shop, customer_ids, assigned_to=None):
    """{customer id: {id of another record carrying one of its phone numbers}}, the other
    records limited to those ``assigned_to`` may see."""
    mine, theirs = aliased(CustomerPhone), aliased(CustomerPhone)
    query = (
        db.select(mine.customer_id, theirs.customer_id)
        .join(
            theirs,
            and_(
                theirs.shop_id == mine.shop_id,
                theirs.number == mine.number,
                theirs.customer_id != mine.customer_id,
            ),
        )
        .where(mine.shop_id == shop.id, mine.customer_id.in_(customer_ids))
    )
    if assigned_to is not None:
        query = query.join(Customer, Customer.id == theirs.customer_id).where(
            Customer.assigned_staff_id == assigned_to
        )
    found = {}
    for customer_id, other_id in db.session.execute(query):
        found.setdefault(customer_id, set()).add(other_id)
    return found


def possible_duplicates(*, shop, customer, assigned_to=None):
    """The shop's other records that may be ``customer``, each with why, the most reasons
    first. ``assigned_to``: a ``staff`` role's id, who is shown only their customers."""
    phone_ids = _sharing_phones(shop, [customer.id], assigned_to).get(customer.id, set())
    conditions = [Customer.id.in_(phone_ids)] if phone_ids else []
    by_text = _by_text([customer])
    if by_text is not None:
        conditions.append(by_text)
    if not conditions:
        return []
    others = db.session.scalars(
        _visible(for_shop(Customer, shop), assigned_to)
        .where(Customer.id != customer.id, or_(*conditions))
        .order_by(Customer.id)
        .limit(MAX_CANDIDATES)
    ).all()
    suggestions = []
    for other in others:
        reasons = reasons_between(customer, other)
        if other.id in phone_ids:
            reasons.add(SAME_PHONE)
        if reasons:
            suggestions.append(PossibleDuplicate(other, reasons))
    suggestions.sort(key=lambda s: (-len(s.reasons), s.customer.id))
    return suggestions[:MAX_SUGGESTIONS]


def duplicate_flags(*, shop, customers, assigned_to=None):
    """The ids of ``customers`` (a page of the list, loaded) that have a possible duplicate:
    two queries, whatever the page's size."""
    customers = [customer for customer in customers if customer.shop_id == shop.id]
    if not customers:
        return set()
    phones = _sharing_phones(shop, [customer.id for customer in customers], assigned_to)
    flagged = set(phones)
    rest = [customer for customer in customers if customer.id not in flagged]
    by_text = _by_text(rest)
    if by_text is None:
        return flagged
    candidates = db.session.scalars(
        _visible(for_shop(Customer, shop), assigned_to).where(by_text).limit(MAX_PAGE_CANDIDATES)
    ).all()
    for customer in rest:
        if any(
            other.id != customer.id and reasons_between(customer, other) for other in candidates
        ):
            flagged.add(customer.id)
    return flagged
