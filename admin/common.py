"""What several admin pages share, in a module without routes: the route modules import it,
never each other."""

import re

from flask_login import current_user
from sqlalchemy import and_, or_

from models import Customer, fold

# What a query looks like when it is a phone number written any way: 0912 345 678,
# +84 912-345-678, (091) 234.5678 …
PHONE_QUERY = re.compile(r"^\+?[\d\s().-]+$")


def search_condition(q):
    """Accents and case ignored; a phone in any format; a code exactly. None: no search."""
    q = (q or "").strip()
    if not q:
        return None
    by_code = Customer.code.in_({q, q.upper()})
    digits = "".join(ch for ch in q if ch.isdigit())
    if PHONE_QUERY.match(q) and len(digits) >= 3:
        # ``search_text`` holds each phone as +84912345678 and as 0912345678.
        if digits.startswith("84") and len(digits) >= 11:
            digits = "0" + digits[2:]
        return or_(by_code, Customer.search_text.contains(digits, autoescape=True))
    words = fold(q).split()
    if not words:
        return by_code
    return or_(
        by_code, and_(*(Customer.search_text.contains(word, autoescape=True) for word in words))
    )


def acting_staff():
    return current_user._get_current_object()
