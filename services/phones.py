"""Phone numbers as the product stores them: E.164, Vietnam by default."""

import phonenumbers
from flask_babel import lazy_gettext as _l

from services import ServiceError


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
