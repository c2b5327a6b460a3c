"""One row of an uploaded customer file turned into the values of a customer, or refused with
its reasons: the rules the import applies before anything is written.

Phones and codes are text: a phone Excel stored as a number lost its leading 0 and gets it
back; a phone the numbering plan calls possible but not valid is kept with a warning (new
prefixes appear before the library knows them), an impossible one refuses the row. Accepts
marketing is yes/no/có/không/true/false/1/0, blank is no. Dates are real dates or
dd/mm/yyyy. Country code and country name fill each other. Totals are ignored unless the
manager keeps them."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

import phonenumbers
from flask_babel import lazy_gettext as _l

from models import Gender, fold
from services import ServiceError
from services.emails import normalise_email_quickly
from services.import_headers import split_full_name
from services.phones import plain_vn_number
from services.places import current_province

YES = {"yes", "y", "co", "true", "1", "x", "dong y"}
NO = {"no", "n", "khong", "false", "0", ""}
GENDERS = {
    "nam": Gender.MALE,
    "male": Gender.MALE,
    "m": Gender.MALE,
    "nu": Gender.FEMALE,
    "female": Gender.FEMALE,
    "f": Gender.FEMALE,
    "khac": Gender.OTHER,
    "other": Gender.OTHER,
}
COUNTRY_NAMES = {"vn": "VN", "viet nam": "VN", "vietnam": "VN", "viet-nam": "VN"}
MAX_TEXT = 200


@dataclass(slots=True)
class ParsedRow:
    line: int  # the row's line in the file (the header is line 1)
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


def _text(value):
    """One line, single spaces, at most ``MAX_TEXT`` characters. A cell that is so already
    (most are: the reader strips them) is kept as it is, not copied."""
    if not value:
        return ""
    if type(value) is str:
        if (
            len(value) <= MAX_TEXT
            and "  " not in value
            and value.isprintable()  # False for any whitespace but the space
            and value[0] != " "
            and value[-1] != " "
        ):
            return value
        return " ".join(value.split())[:MAX_TEXT]
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return " ".join(str(value).split())[:MAX_TEXT]


# Cells that say the same thing on most rows (Nam, Có, VN, a province) are looked up once.
_folded = lru_cache(maxsize=4096)(fold)
_province = lru_cache(maxsize=4096)(current_province)


def parse_phone(value):
    """(E.164 number, warning) of a phone as a file writes it; ServiceError when impossible."""
    raw = _text(value)
    digits = re.sub(r"\D", "", raw)
    if not raw.startswith("+") and digits.startswith("84") and len(digits) >= 11:
        raw = "+" + digits
    elif not raw.startswith(("+", "0")) and 8 <= len(digits) <= 10:
        raw = "0" + digits  # a number Excel kept as a number lost its 0
    plain = plain_vn_number(raw)  # most numbers: the same answer without parsing
    if plain is not None:
        e164, valid = plain
        if valid:
            return e164, None
        return e164, _l("The phone %(phone)s is unknown to the numbering plan; kept.", phone=raw)
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException as error:
        raise ServiceError(_l("The phone %(phone)s is not a phone number.", phone=raw)) from error
    if not phonenumbers.is_possible_number(number):
        raise ServiceError(_l("The phone %(phone)s is not a phone number.", phone=raw))
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not phonenumbers.is_valid_number(number):
        return e164, _l("The phone %(phone)s is unknown to the numbering plan; kept.", phone=raw)
    return e164, None


def parse_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    day_first = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    try:
        if day_first:
            day, month, year = (int(part) for part in day_first.groups())
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError as error:
        raise ServiceError(
            _l("The date %(value)s is not a dd/mm/yyyy date.", value=text)
        ) from error


def parse_yes_no(value):
    key = _folded(_text(value))
    if key in YES:
        return True
    if key in NO:
        return False
    raise ServiceError(_l("“%(value)s” is neither yes nor no.", value=_text(value)))


def parse_amount(value):
    """Whole đồng of ``1.250.000``, ``1,250,000.00``, ``1250000.5`` or ``1 250 000 ₫``."""
    text = re.sub(r"[^\d.,]", "", _text(value))
    separators = [ch for ch in text if ch in ".,"]
    if separators:
        last = text.rfind(separators[-1])
        decimals = text[last + 1 :]
        if len(set(separators)) > 1 or (len(separators) == 1 and len(decimals) in (1, 2)):
            text = text[:last]  # the last separator starts the decimals: dropped
    digits = re.sub(r"\D", "", text)
    return int(digits) if digits else 0


def _names(row, get):
    first, last = _text(get("first_name")), _text(get("last_name"))
    if not first and not last and get("full_name"):
        last, first = split_full_name(_text(get("full_name")))
    if not first and not last:
        row.errors.append(_l("The name is missing."))
    row.values.update(first_name=first, last_name=last)


def _contact(row, get):
    email = _text(get("email"))
    if email:
        try:
            row.values["email"] = normalise_email_quickly(email)
        except ServiceError:
            row.errors.append(_l("The email %(email)s is not valid.", email=email))
    phones = []
    raws = [get("phone")]
    others = get("other_phones")
    if others:
        raws += str(others).split(",")
    for raw in raws:
        if not _text(raw):
            continue
        try:
            number, warning = parse_phone(raw)
        except ServiceError as error:
            row.errors.append(error.message)
            continue
        if warning:
            row.warnings.append(warning)
        if number not in phones:
            phones.append(number)
    row.values["phones"] = phones


def _about(row, get, keep_totals):
    gender = _folded(_text(get("gender")))
    if gender:
        if gender in GENDERS:
            row.values["gender"] = GENDERS[gender]
        else:
            row.errors.append(_l("The gender “%(value)s” is not Nam, Nữ or Khác.", value=gender))
    for key, parse in (("birthday", parse_date), ("accepts_marketing", parse_yes_no)):
        if get(key) not in (None, "") or key == "accepts_marketing":
            try:
                row.values[key] = parse(get(key))
            except ServiceError as error:
                row.errors.append(error.message)
    for key in ("code", "company", "group", "note"):
        row.values[key] = _text(get(key))
    row.values["code"] = row.values["code"].upper()
    tags = get("tags")
    tags = [" ".join(t.split()) for t in str(tags).split(",")] if tags else ()
    row.values["tags"] = [t[:60] for t in tags if t]
    if keep_totals:
        row.values["total_spent"] = parse_amount(get("total_spent"))
        row.values["orders_count"] = parse_amount(get("orders_count"))


def _address(row, get):
    code = _text(get("country_code")).upper()
    country = COUNTRY_NAMES.get(_folded(_text(get("country"))), code or "VN")
    line1, ward = _text(get("address")), _text(get("ward"))
    province_text = _text(get("province"))
    if not (line1 or province_text):
        return
    province = _province(province_text) if country == "VN" else province_text
    if country == "VN" and province_text and province is None:
        row.warnings.append(
            _l(
                "The province “%(value)s” is not known; the address is left out.",
                value=province_text,
            )
        )
        return
    row.values["address"] = {
        "line1": line1,
        "ward": ward,
        "district": _text(get("district")) or None,
        "province": province or "",
        "country": country,
    }


def parse_row(line, values_by_key, *, keep_totals=False):
    """``values_by_key``: the row's cells by the field their column was mapped to."""
    row = ParsedRow(line)
    get = values_by_key.get  # None for a column the file lacks: read as ""
    _names(row, get)
    _contact(row, get)
    _about(row, get, keep_totals)
    _address(row, get)
    return row
