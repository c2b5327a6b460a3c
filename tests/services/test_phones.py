"""Phones are stored E.164 and shown the Vietnamese way."""

import random

import phonenumbers
import pytest

from services import ServiceError
from services.phones import (
    InvalidPhone,
    display_phone,
    normalise_phone,
    phone_search_digits,
    plain_vn_number,
)


@pytest.mark.parametrize(
    "typed",
    [
        "0912 345 678",
        "0912345678",
        "+84 912 345 678",
        "+84912345678",
        "84912345678",
        "84 912 345 678",
        "(091) 234-5678",
        "091.234.5678",
        "  0912-345-678  ",
    ],
)
def test_every_common_way_of_writing_a_number_gives_the_same_e164(typed):
    assert normalise_phone(typed) == "+84912345678"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        None,
        "abc",
        "không có",
        "0912",
        "091234",
        "12345",
        "+84 12",
        "0912 345 678 999 99",
    ],
)
def test_junk_and_too_short_numbers_are_refused(typed):
    with pytest.raises(InvalidPhone) as refused:
        normalise_phone(typed)
    assert isinstance(refused.value, ServiceError)
    assert refused.value.field == "phone"


def test_the_refusal_names_the_field_it_was_given():
    with pytest.raises(InvalidPhone) as refused:
        normalise_phone("abc", field="shipping_phone")
    assert refused.value.field == "shipping_phone"


def test_landlines_are_numbers_too():
    # Hà Nội landline: 024 3826 1234.
    assert normalise_phone("024 3826 1234") == "+842438261234"


def test_a_foreign_number_written_with_its_country_code_stays_foreign():
    assert normalise_phone("+1 650 253 0000") == "+16502530000"


def test_display_phone_writes_vietnamese_numbers_as_people_do():
    assert display_phone("+84912345678") == "0912 345 678"


def test_display_phone_writes_foreign_numbers_internationally():
    assert display_phone("+16502530000") == "+1 650-253-0000"


@pytest.mark.parametrize("value", [None, ""])
def test_display_phone_of_nothing_is_empty(value):
    assert display_phone(value) == ""


def test_display_phone_leaves_something_unparseable_as_it_is():
    assert display_phone("not a phone") == "not a phone"


def test_display_then_normalise_gives_the_number_back():
    assert normalise_phone(display_phone("+84912345678")) == "+84912345678"


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("0912 345 678", "912345678"),
        ("+84 912-345-678", "912345678"),
        ("84912345678", "912345678"),
        ("912345678", "912345678"),
        ("+84 0912 345 678", "912345678"),
        ("(091) 234.5678", "912345678"),
        ("345 678", "345678"),
        ("0912", "912"),
        ("84912", "84912"),
    ],
)
def test_a_phone_search_looks_for_the_digits_every_stored_form_holds(typed, digits):
    assert phone_search_digits(typed) == digits
    assert digits in "+84912345678" or digits in "0912345678"


@pytest.mark.parametrize("typed", ["", None, "12", "nguyen", "0912 abc", "an@example.com", "..."])
def test_what_is_not_a_phone_is_not_searched_as_one(typed):
    assert phone_search_digits(typed) is None


def _as_phonenumbers_says(text):
    """(E.164, valid) as phonenumbers answers, or None when not possible."""
    number = phonenumbers.parse(text, "VN")
    if not phonenumbers.is_possible_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, phonenumbers.is_valid_number(number)


def test_the_quick_reading_of_plain_numbers_agrees_with_phonenumbers_on_every_prefix():
    rng = random.Random(84)
    checked = 0
    for prefix in range(10, 1000):
        for length in (9, 10):
            national = str(prefix) + "".join(
                str(rng.randrange(10)) for _ in range(length - len(str(prefix)))
            )
            for text in (
                "0" + national,
                "+84" + national,
                f"0{national[:3]} {national[3:6]}.{national[6:]}",
                f"+84 {national[:3]}-{national[3:]}",
            ):
                assert plain_vn_number(text) == _as_phonenumbers_says(text), text
                checked += 1
    assert checked > 7000


@pytest.mark.parametrize(
    "text", ["0012345678", "+840912345678", "09123", "(091) 234 5678", "+1 650 253 0000", "abc"]
)
def test_anything_but_a_plain_vietnamese_number_is_left_to_phonenumbers(text):
    assert plain_vn_number(text) is None
