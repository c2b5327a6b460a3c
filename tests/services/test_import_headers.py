"""The columns of files from Sapo, Shopify (old and new headers), UPOS, Pancake POS and the
shop's own template are recognised from their headers alone, whatever their case, accents
and spacing; a full name in one column splits the Vietnamese way."""

import pytest

from services.customer_export import SHOPIFY_HEADERS
from services.customer_sheet import COLUMNS
from services.import_headers import match_headers, split_full_name

SAPO = [
    "First Name",
    "Last Name",
    "Email",
    "Company",
    "Address 1",
    "City",
    "Country",
    "Country Code",
    "Phone",
    "Accepts Marketing",
    "Tags",
    "Total Spent",
    "Total Orders",
]
SHOPIFY_NEW = ["Customer ID", *SHOPIFY_HEADERS]  # what our own Shopify export writes, too
UPOS = [
    "Mã khách hàng",
    "Tên khách hàng",
    "Giới tính",
    "Nhóm khách hàng",
    "Điện thoại",
    "Email",
    "Địa chỉ",
    "Tỉnh/Thành phố",
    "Ghi chú",
]


def fields(headers):
    return {headers[i]: key for i, key in match_headers(headers).items()}


def test_a_sapo_export_is_recognised():
    assert fields(SAPO) == {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Email": "email",
        "Company": "company",
        "Address 1": "address",
        "City": "province",
        "Country": "country",
        "Country Code": "country_code",
        "Phone": "phone",
        "Accepts Marketing": "accepts_marketing",
        "Tags": "tags",
        "Total Spent": "total_spent",
        "Total Orders": "orders_count",
    }


def test_a_shopify_customer_csv_is_recognised_and_unknown_columns_left_out():
    found = fields(SHOPIFY_NEW)
    assert found["Default Address Address1"] == "address"
    assert found["Default Address City"] == "province"
    assert found["Phone"] == "phone"
    assert found["Default Address Phone"] == "other_phones"  # one more number of theirs
    assert found["Accepts Email Marketing"] == "accepts_marketing"
    assert found["Note"] == "note"
    for unknown in ("Customer ID", "Default Address Zip", "Accepts SMS Marketing", "Tax Exempt"):
        assert unknown not in found


def test_a_upos_or_pancake_sheet_is_recognised():
    assert fields(UPOS) == {
        "Mã khách hàng": "code",
        "Tên khách hàng": "full_name",
        "Giới tính": "gender",
        "Nhóm khách hàng": "group",
        "Điện thoại": "phone",
        "Email": "email",
        "Địa chỉ": "address",
        "Tỉnh/Thành phố": "province",
        "Ghi chú": "note",
    }


@pytest.mark.parametrize("header", ["tinh thanh pho", "TỈNH / THÀNH PHỐ", " Tinh_Thanh_Pho "])
def test_case_accents_and_spacing_do_not_matter(header):
    assert fields([header]) == {header: "province"}


def test_the_shops_own_template_is_recognised_in_both_languages():
    assert list(match_headers([c.vi for c in COLUMNS]).values()) == [c.key for c in COLUMNS]
    assert list(match_headers([c.en for c in COLUMNS]).values()) == [c.key for c in COLUMNS]


def test_a_full_name_splits_the_vietnamese_way():
    assert split_full_name("Nguyễn Thị  Lan") == ("Nguyễn", "Thị Lan")
    assert split_full_name("Lan") == ("", "Lan")
