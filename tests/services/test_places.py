"""Provinces since the 2025 reform: 34 of them; the 63 old names map to their new one."""

import json

import pytest

from services.places import DATA, current_province, province_names, provinces


def old_to_new():
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return [(old, p["name"]) for p in data["provinces"] for old in p["merged_from"]]


def test_there_are_34_provinces_and_63_old_ones():
    assert len(province_names()) == 34
    assert len(set(province_names())) == 34
    assert len(provinces()) == 34
    assert len({old for old, _ in old_to_new()}) == 63


def test_every_old_province_maps_to_the_one_it_was_merged_into():
    for old, new in old_to_new():
        assert current_province(old) == new, old


def test_every_current_province_maps_to_itself():
    for name in province_names():
        assert current_province(name) == name, name


def test_old_names_are_found_without_accents_and_in_any_case():
    from models import fold

    for old, new in old_to_new():
        assert current_province(fold(old)) == new, old
        assert current_province(old.upper()) == new, old


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("TP. Hồ Chí Minh", "Hồ Chí Minh"),
        ("TP Hồ Chí Minh", "Hồ Chí Minh"),
        ("Thành phố Hồ Chí Minh", "Hồ Chí Minh"),
        ("tp hcm", "Hồ Chí Minh"),
        ("TP.HCM", "Hồ Chí Minh"),
        ("HCM", "Hồ Chí Minh"),
        ("Sài Gòn", "Hồ Chí Minh"),
        ("Bà Rịa - Vũng Tàu", "Hồ Chí Minh"),
        ("Bà Rịa-Vũng Tàu", "Hồ Chí Minh"),
        ("ba ria vung tau", "Hồ Chí Minh"),
        ("Bình Dương", "Hồ Chí Minh"),
        ("Thành phố Hà Nội", "Hà Nội"),
        ("ha noi", "Hà Nội"),
        ("  Hà   Nội ", "Hà Nội"),
        ("Tỉnh Quảng Nam", "Đà Nẵng"),
        ("Thừa Thiên Huế", "Huế"),
        ("Thừa Thiên - Huế", "Huế"),
        ("Thành phố Huế", "Huế"),
        ("Hải Dương", "Hải Phòng"),
    ],
)
def test_common_ways_of_writing_a_province(typed, expected):
    assert current_province(typed) == expected


@pytest.mark.parametrize("typed", [None, "", "   ", "Paris", "Quận 1", "Hà", "tp"])
def test_something_that_is_not_a_province_is_none(typed):
    assert current_province(typed) is None


def test_province_names_are_sorted_as_vietnamese_readers_expect():
    from models import fold

    names = province_names()
    assert names == sorted(names, key=fold)
    assert "Hồ Chí Minh" in names
    assert "Bình Dương" not in names
