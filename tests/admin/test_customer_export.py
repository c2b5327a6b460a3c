"""Exporting customers from the list: each scope writes exactly this shop's customers it
names, each format opens, phones and codes keep their leading zeros, nothing a spreadsheet
could run is written as a formula, and only managers and the owner may export."""

import csv
import io
import re
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook

from core.extensions import db
from models import Customer
from services import customer_export
from services import tags as tag_service
from services.customer_sheet import COLUMNS
from tests.factories import add_address, make_guest

HEADERS = [column.vi for column in COLUMNS]


@pytest.fixture(autouse=True)
def english(client):
    client.post("/language", data={"lang": "en"})


@pytest.fixture
def as_manager(auth, manager):
    auth.login_staff(manager)
    return manager


@pytest.fixture
def customers(app, shop):
    """Five guests of ``shop``, Khách 0 the oldest: {first name: id}."""
    ids = {}
    for i in range(5):
        ids[f"Khách {i}"] = make_guest(
            app, shop, first_name=f"Khách {i}", last_name="Trần", phone=f"09123450{i:02d}"
        )
    return ids


def export(client, shop, **data):
    data = {"format": "csv", "template": "default", **data}
    return client.post(f"/{shop.slug}/admin/customers/export", data=data)


def csv_rows(response):
    assert response.status_code == 200, response.text
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def first_names(rows):
    column = HEADERS.index("Tên")
    return [row[column] for row in rows[1:]]


def test_all_exports_every_customer_of_this_shop_only(
    app, client, shop, other_shop, as_manager, customers
):
    make_guest(app, other_shop, first_name="Người khác")
    rows = csv_rows(export(client, shop, scope="all"))
    assert rows[0] == HEADERS
    assert sorted(first_names(rows)) == sorted(customers)


def test_selected_exports_the_ticked_rows_and_ignores_another_shops(
    app, client, shop, other_shop, as_manager, customers
):
    foreign = make_guest(app, other_shop, first_name="Người khác")
    ids = [customers["Khách 1"], customers["Khách 3"], foreign, "abc", "9" * 30]
    rows = csv_rows(export(client, shop, scope="selected", customer_ids=ids))
    assert sorted(first_names(rows)) == ["Khách 1", "Khách 3"]


def test_selected_without_ticked_rows_says_so(client, shop, as_manager, customers):
    reply = export(client, shop, scope="selected", follow_redirects=True)
    page = client.get(reply.headers["Location"]).text
    assert reply.status_code == 302
    assert "Tick at least one customer first." in page


def test_filter_exports_everything_the_filter_finds(app, client, shop, as_manager, customers):
    with app.app_context():
        for name in ("Khách 2", "Khách 4"):
            customer = db.session.get(Customer, customers[name])
            tag_service.tag_customer(customer, tag_service.tag_named(customer.shop, "VIP"))
        db.session.commit()
    rows = csv_rows(export(client, shop, scope="filter", tag="VIP", per_page="20"))
    assert sorted(first_names(rows)) == ["Khách 2", "Khách 4"]


def test_page_exports_the_page_shown_in_its_order(client, shop, as_manager, customers):
    rows = csv_rows(export(client, shop, scope="page", sort="created", per_page="20", page="1"))
    assert first_names(rows) == [f"Khách {i}" for i in range(5)]
    for i in range(25):
        make_guest(client.application, shop, first_name=f"Thêm {i:02d}")
    rows = csv_rows(export(client, shop, scope="page", sort="created", per_page="20", page="2"))
    assert first_names(rows) == [f"Thêm {i:02d}" for i in range(15, 25)]


def test_more_than_the_limit_is_prepared_in_the_background(
    app, client, shop, as_manager, customers
):
    # (tests/admin/test_customer_export_jobs.py follows the job to its emailed link)
    app.config["EXPORT_MAX_DOWNLOAD_ROWS"] = 3
    reply = export(client, shop, scope="all")
    assert reply.status_code == 302
    assert "the file is being prepared" in client.get(reply.headers["Location"]).text


@pytest.fixture
def full_customer(app, shop):
    customer_id = make_guest(
        app,
        shop,
        first_name="Lan",
        last_name="Nguyễn",
        email="lan@example.com",
        phone="+84912345678",
    )
    add_address(app, customer_id, line1="12 Hàng Bạc", ward="Phường Hoàn Kiếm", province="Hà Nội")
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        customer.code = "007"
        customer.gender = "female"
        customer.birthday = date(1990, 3, 5)
        customer.accepts_marketing = True
        customer.company = '=HYPERLINK("http://evil")'
        tag_service.tag_customer(customer, tag_service.tag_named(customer.shop, "VIP"))
        tag_service.tag_customer(customer, tag_service.tag_named(customer.shop, "Sỉ"))
        db.session.commit()
    return customer_id


def test_the_default_template_writes_our_import_columns(client, shop, as_manager, full_customer):
    rows = csv_rows(export(client, shop, scope="all"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Mã khách hàng"] == "007"
    assert row["Điện thoại"] == "0912345678"
    assert row["Giới tính"] == "Nữ"
    assert row["Ngày sinh"] == "05/03/1990"
    assert row["Nhận email quảng cáo"] == "Có"
    assert row["Tag"] == "VIP, Sỉ"
    assert row["Địa chỉ"] == "12 Hàng Bạc"
    assert row["Phường/Xã"] == "Phường Hoàn Kiếm"
    assert row["Tỉnh/Thành phố"] == "Hà Nội"
    assert row["Mã quốc gia"] == "VN"
    assert row["Ghi chú"] == ""


def test_csv_and_txt_prefix_what_looks_like_a_formula(client, shop, as_manager, full_customer):
    rows = csv_rows(export(client, shop, scope="all"))
    assert rows[1][HEADERS.index("Công ty")] == '\'=HYPERLINK("http://evil")'
    reply = export(client, shop, scope="all", format="txt")
    assert reply.status_code == 200
    assert not reply.data.startswith(b"\xef\xbb\xbf")
    lines = reply.data.decode().splitlines()
    assert lines[0].split("\t") == HEADERS
    fields = next(csv.reader(io.StringIO(lines[1]), delimiter="\t"))
    assert fields[HEADERS.index("Công ty")] == '\'=HYPERLINK("http://evil")'
    assert fields[HEADERS.index("Điện thoại")] == "0912345678"


@pytest.mark.parametrize("value", ["=1+2", "+84912", "-3+4", "@SUM(A1)", "\tx", "\rx"])
def test_each_formula_start_is_neutralised(value):
    assert customer_export.neutralised(value) == "'" + value
    assert customer_export.neutralised("Lan") == "Lan"
    assert customer_export.neutralised(12) == 12


def test_xlsx_opens_with_text_phones_codes_and_no_formula(client, shop, as_manager, full_customer):
    reply = export(client, shop, scope="all", format="xlsx")
    assert reply.status_code == 200
    disposition = reply.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert re.search(rf"khach-hang-{shop.slug}-\d{{4}}-\d{{2}}-\d{{2}}\.xlsx", disposition)
    assert "no-store" in reply.headers["Cache-Control"]
    body = reply.data
    reply.close()  # as a server does: the temporary file goes
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        xml = b"".join(archive.read(n) for n in archive.namelist() if "worksheets/" in n)
    assert b"<f>" not in xml
    sheet = load_workbook(io.BytesIO(body)).active
    header, row = [[cell for cell in r] for r in sheet.iter_rows(min_row=1, max_row=2)]
    assert [cell.value for cell in header] == HEADERS
    cells = {h.value: cell for h, cell in zip(header, row, strict=True)}
    assert cells["Mã khách hàng"].value == "007"
    assert cells["Mã khách hàng"].data_type == "s"
    assert cells["Điện thoại"].value == "0912345678"
    assert cells["Điện thoại"].data_type == "s"
    assert cells["Công ty"].value == '=HYPERLINK("http://evil")'
    assert cells["Công ty"].data_type == "s"


def test_the_shopify_template_writes_shopifys_columns(client, shop, as_manager, full_customer):
    rows = csv_rows(export(client, shop, scope="all", template="shopify"))
    assert rows[0] == list(customer_export.SHOPIFY_HEADERS)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["First Name"] == "Lan"
    assert row["Email"] == "lan@example.com"
    assert row["Accepts Email Marketing"] == "yes"
    assert row["Default Address City"] == "Hà Nội"
    assert row["Default Address Country Code"] == "VN"
    assert row["Phone"] == "'+84912345678"  # a leading + is neutralised too
    assert row["Tags"] == "VIP, Sỉ"


@pytest.mark.parametrize("data", [{"format": "pdf"}, {"template": "mine"}, {"scope": "everything"}])
def test_an_unknown_choice_exports_nothing(client, shop, as_manager, customers, data):
    reply = export(client, shop, **{"scope": "all", **data})
    assert reply.status_code == 302


def test_a_staff_role_may_not_export(client, auth, shop, staff_member, customers):
    auth.login_staff(staff_member)
    assert export(client, shop, scope="all").status_code == 403


def test_the_list_offers_the_export_to_managers_only(client, auth, shop, manager, staff_member):
    auth.login_staff(manager)
    assert "/admin/customers/export" in client.get(f"/{shop.slug}/admin/customers").text
    auth.logout_staff(shop.slug)
    auth.login_staff(staff_member)
    assert "/admin/customers/export" not in client.get(f"/{shop.slug}/admin/customers").text
