"""The staff's lists of customers and orders and what narrows them: a search by name (accents
and case ignored, the rows whose accents match what was typed first), by a phone however it
is written, by a customer's code or an order's number, and the list's filters.

Both searches read a phone with ``phones.phone_search_digits``, so a number typed one way
finds the customer in one list and their orders in the other."""

import re
import unicodedata
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, or_

from core.tenancy import for_shop
from models import Customer, Order, fold, lower_exact
from services.phones import PHONE_QUERY, phone_search_digits

NUMBER_QUERY = re.compile(r"^#\s*(\d{1,9})$")


def _words(q, column):
    """Every word of ``q``, accents and case ignored, in ``column`` (folded text)."""
    return [column.contains(word, autoescape=True) for word in fold(q).split()]


# --- Customers ------------------------------------------------------------------------


def composed(q):
    """What was typed, trimmed and composed (NFC): a keyboard or a copied name may send the
    accents as separate marks (NFD), which would otherwise match nothing."""
    return unicodedata.normalize("NFC", (q or "").strip())


def customer_search(q):
    """SQL for the customers ``q`` finds: a code exactly, a phone in any format, or words
    of the name and email, accents and case ignored. None: no search."""
    q = composed(q)
    if not q:
        return None
    by_code = Customer.code.in_({q, q.upper()})
    digits = phone_search_digits(q)
    if digits is not None:
        return or_(by_code, Customer.search_text.contains(digits, autoescape=True))
    words = _words(q, Customer.search_text)
    return or_(by_code, and_(*words)) if words else by_code


def customer_search_order(q):
    """An ORDER BY term that puts first the customers whose names or email carry the
    accents ``q`` was typed with: ``Hà`` lists Hà before Hạ and Hả, which the accent-free
    search finds too. None when ``q`` has no accented word (nothing to prefer)."""
    accented = [word for word in lower_exact(composed(q)).split() if fold(word) != word]
    if not accented:
        return None
    same_accents = and_(
        *(Customer.search_exact.contains(word, autoescape=True) for word in accented)
    )
    return case((same_accents, 0), else_=1)


# --- Orders ---------------------------------------------------------------------------


def order_search(q):
    """SQL for the orders ``q`` finds: a number (1001 or #1001), a phone in any format, or
    the buyer's name with or without accents. It reads ``Customer``, which
    ``orders_query`` joins. None: no search."""
    q = composed(q)
    if not q:
        return None
    match = NUMBER_QUERY.match(q)
    if match:
        return Order.number == int(match.group(1))
    all_digits = "".join(ch for ch in q if ch.isdigit())
    if PHONE_QUERY.match(q) and all_digits:
        conditions = []
        if len(all_digits) <= 9:
            conditions.append(Order.number == int(all_digits))
        digits = phone_search_digits(q)
        if digits is not None:
            conditions.append(Order.phone.contains(digits, autoescape=True))
            conditions.append(Customer.search_text.contains(digits, autoescape=True))
        return or_(*conditions)
    # The customer's record is folded (accents off); the order's own copy of the name is
    # matched as typed, for the orders of customers since deleted.
    by_name = Order.full_name.icontains(q, autoescape=True)
    words = _words(q, Customer.search_text)
    return or_(by_name, and_(*words)) if words else by_name


def start_of(shop, day):
    """The first instant of ``day`` in the shop's time zone, in UTC."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(shop.timezone)).astimezone(UTC)


def orders_query(*, shop, q=None, status=None, payment=None, day_from=None, day_to=None):
    """A select of ``shop``'s orders that ``q`` finds, in ``status`` and ``payment`` (None:
    any), placed from ``day_from`` to ``day_to`` included (shop days), newest first."""
    query = for_shop(Order, shop).outerjoin(
        Customer, and_(Customer.id == Order.customer_id, Customer.shop_id == Order.shop_id)
    )
    if status:
        query = query.where(Order.status == status)
    if payment:
        query = query.where(Order.payment_status == payment)
    if day_from:
        query = query.where(Order.created_at >= start_of(shop, day_from))
    if day_to:
        query = query.where(Order.created_at < start_of(shop, day_to + timedelta(days=1)))
    condition = order_search(q)
    if condition is not None:
        query = query.where(condition)
    return query.order_by(Order.created_at.desc(), Order.id.desc())
