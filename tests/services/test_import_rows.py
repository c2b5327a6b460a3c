"""The rules an imported row follows before anything is written: names (one full-name column
splits), emails, phones as text (the 0 Excel dropped comes back; a possible but unknown
number is kept with a warning; an impossible one refuses the row), yes/no, dates, genders,
tags, country code and name, provinces old and new, totals only when kept."""

from datetime import date

from services.import_rows import parse_row


def row(**values):
    return parse_row(2, values)


def test_a_full_row_from_a_vietnamese_sheet():
    parsed = row(
        full_name="Nguyễn Thị Lan",
        email=" Lan.Nguyen@Example.com ",
        phone="912345678",
        other_phones="0987 654 321, +84912345678",
        gender="Nữ",
        birthday="03/05/1990",
        accepts_marketing="Có",
        tags="VIP, khách sỉ ,",
        code="kh007",
        address="12 Hàng Bạc",
        ward="Phường Hoàn Kiếm",
        province="TP. Hồ Chí Minh",
        total_spent="1.250.000",
    )
    assert parsed.ok, parsed.errors
    v = parsed.values
    assert (v["last_name"], v["first_name"]) == ("Nguyễn", "Thị Lan")
    assert v["email"] == "lan.nguyen@example.com"
    assert v["phones"] == ["+84912345678", "+84987654321"]
    assert v["gender"] == "female"
    assert v["birthday"] == date(1990, 5, 3)
    assert v["accepts_marketing"] is True
    assert v["tags"] == ["VIP", "khách sỉ"]
    assert v["code"] == "KH007"
    assert v["address"]["province"] == "Hồ Chí Minh"
    assert v["address"]["country"] == "VN"
    assert "total_spent" not in v  # totals come from orders


def test_totals_are_kept_only_when_asked():
    parsed = parse_row(2, {"first_name": "Lan", "total_spent": "1,250,000.00"}, keep_totals=True)
    assert parsed.values["total_spent"] == 1_250_000
    for written in ("1.250.000", "1250000.5", "1 250 000 ₫", "1,250,000"):
        values = {"first_name": "Lan", "total_spent": written}
        assert parse_row(2, values, keep_totals=True).values["total_spent"] == 1_250_000


def test_marketing_blank_is_no_and_yes_no_words_are_understood():
    for value, expected in (
        ("", False),
        ("yes", True),
        ("KHÔNG", False),
        ("1", True),
        ("0", False),
    ):
        assert (
            row(first_name="Lan", accepts_marketing=value).values["accepts_marketing"] is expected
        )
    assert not row(first_name="Lan", accepts_marketing="có lẽ").ok


def test_an_old_province_name_is_understood_and_an_unknown_one_dropped_with_a_warning():
    merged = row(first_name="Lan", address="1 Lê Lợi", province="Bà Rịa - Vũng Tàu")
    assert merged.values["address"]["province"] == "Hồ Chí Minh"
    unknown = row(first_name="Lan", address="1 Lê Lợi", province="Atlantis")
    assert unknown.ok
    assert "address" not in unknown.values
    assert unknown.warnings


def test_country_name_and_code_fill_each_other():
    assert (
        row(first_name="Lan", address="1 Lê Lợi", province="Huế", country="Việt Nam").values[
            "address"
        ]["country"]
        == "VN"
    )


def test_each_bad_value_refuses_the_row_with_its_reason():
    cases = {
        "name": {"email": "a@example.com"},
        "email": {"first_name": "Lan", "email": "lan@"},
        "phone": {"first_name": "Lan", "phone": "12"},
        "date": {"first_name": "Lan", "birthday": "31/02/1990"},
        "gender": {"first_name": "Lan", "gender": "robot"},
    }
    for reason, values in cases.items():
        parsed = row(**values)
        assert not parsed.ok, reason
        assert parsed.errors, reason


def test_a_possible_but_unknown_phone_is_kept_with_a_warning():
    # A mobile prefix the numbering plan does not know yet (possible length, no known range)
    parsed = row(first_name="Lan", phone="0199 123 4567")
    assert parsed.ok
    assert parsed.values["phones"] == ["+841991234567"]
    assert parsed.warnings
