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


# --- Many numbers at once (an import) -------------------------------------------------

# A Vietnamese number written plainly, once its spaces, dots and dashes are taken out:
# ``0`` or ``+84``, then 9 or 10 digits not starting with 0.
PLAIN_VN = re.compile(r"(?:\+84|0)([1-9][0-9]{8,9})")


class _NumberingPlan:
    """Vietnam's numbering plan as phonenumbers holds it (its metadata, read once), asked
    without parsing: what ``phonenumbers.parse`` + ``is_possible_number`` +
    ``is_valid_number`` answer for a plain Vietnamese number, some twenty times faster,
    which an import of 100,000 rows needs. The tests compare the two on every prefix."""

    def __init__(self, region="VN"):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        general = metadata.general_desc
        self.lengths = set(general.possible_length) | set(general.possible_length_local_only)
        kinds = [
            (set(desc.possible_length or general.possible_length), pattern)
            for desc in (
                metadata.fixed_line,
                metadata.mobile,
                metadata.toll_free,
                metadata.premium_rate,
                metadata.shared_cost,
                metadata.personal_number,
                metadata.voip,
                metadata.pager,
                metadata.uan,
                metadata.voicemail,
            )
            if desc is not None and (pattern := desc.national_number_pattern)
        ]
        # By length: a valid number matches the plan's general pattern and the pattern of
        # one kind of number (mobile, fixed line…) that has numbers of that length
        self.valid_by_length = {
            length: (
                re.compile(general.national_number_pattern),
                re.compile("|".join(f"(?:{p})" for n, p in kinds if length in n)),
            )
            for length in general.possible_length
            if any(length in n for n, _p in kinds)
        }

    def is_valid(self, national):
        patterns = self.valid_by_length.get(len(national))
        return bool(
            patterns and patterns[0].fullmatch(national) and patterns[1].fullmatch(national)
        )


_VN_PLAN = None


def plain_vn_number(text):
    """``(E.164, valid)`` of a Vietnamese number written plainly (``0912 345 678``,
    ``+84 912.345.678``), as phonenumbers would answer; None for anything else (which the
    caller parses with phonenumbers). Every such number is possible: 9 or 10 digits."""
    global _VN_PLAN
    match = PLAIN_VN.fullmatch(text.replace(" ", "").replace(".", "").replace("-", ""))
    if match is None:
        return None
    national = match.group(1)
    if _VN_PLAN is None:
        _VN_PLAN = _NumberingPlan()
    if len(national) not in _VN_PLAN.lengths:
        return None
    return "+84" + national, _VN_PLAN.is_valid(national)
