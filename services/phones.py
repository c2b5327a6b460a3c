"""Phone numbers as the product stores them: E.164, Vietnam by default."""

import re

import phonenumbers
from flask_babel import lazy_gettext as _l

from services import ServiceError

# What a search looks like when it is a phone number written any way: 0912 345 678,
# +84 912-345-678, (091) 234.5678 …
PHONE_QUERY = re.compile(r"^\+?[\d\s().-]+$")


class InvalidPhone(ServiceError):
    pass


def normalise_phone(value, field="phone", region="VN"):
    """``0912 345 678``, ``+84 912 345 678`` and ``84912345678`` all give ``+84912345678``."""
    raw = (value or "").strip()
    if not raw:
        raise InvalidPhone(_l("Enter a phone number."), field)
    digits = "".join(ch for ch in raw if ch.isdigit())
    if not raw.startswith("+") and digits.startswith("84") and len(digits) >= 11:
        raw = "+" + digits
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        raise InvalidPhone(_l("This phone number is not valid."), field) from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(_l("This phone number is not valid."), field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(number):
    """Vietnamese numbers as people write them (``0912 345 678``), others internationally."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    if parsed.country_code == 84:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_search_digits(query):
    """The digits every stored form of the phone ``query`` holds, or None when ``query`` is
    not a phone (or part of one) written some way. A Vietnamese number is kept as
    ``+84912345678`` and, in the customers' search text, as ``0912345678``: ``0912 345 678``,
    ``+84 912-345-678`` and ``912345678`` all look for ``912345678``, found in both."""
    query = (query or "").strip()
    if not PHONE_QUERY.match(query):
        return None
    digits = "".join(ch for ch in query if ch.isdigit())
    if len(digits) < 3:
        return None
    if digits.startswith("84") and len(digits) >= 11:
        digits = digits[2:]
    if digits.startswith("0") and len(digits) >= 2:
        digits = digits[1:]
    return digits
