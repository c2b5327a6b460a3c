"""The import's two workbooks. The template reads back as the shop's own columns, its example
rows import cleanly, phones, codes and birthdays are text columns, and its second sheet
explains every column. The error report gives back the rejected rows exactly as uploaded
(leading zeros, formulas as text, Vietnamese, dates) with a reason column the import
ignores, so that the fixed report uploads again as it is."""

import io
import zipfile
from datetime import date, datetime

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook

from core.extensions import db
from models import Customer, Shop
from services import import_headers
from services.customer_export import DEFAULT_KEYS
from services.customer_import import ImportOptions, plan_import
from services.customer_sheet import COLUMNS
from services.import_files import error_report, reason_header, template_workbook
from services.import_headers import header_key, ignored_header, match_headers
from services.spreadsheets import read_table

MB = 1024 * 1024
LIMITS = {"max_bytes": 5 * MB, "max_rows": 100_000}


def read(data, name="khach-hang.xlsx"):
    return read_table(name, data, max_bytes=5 * MB, max_rows=1000)


def sheet_xml(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return b"".join(archive.read(n) for n in archive.namelist() if "worksheets/" in n)


def plan_of(shop, table, **options):
    shop_row = db.session.get(Shop, shop.id)
    return plan_import(
        shop=shop_row,
        table=table,
        mapping=match_headers(table.headers),
        options=ImportOptions(**options),
    )


@pytest.fixture
def in_request(app):
    """A request in the default language (Vietnamese), as the download runs in."""
    with app.test_request_context():
        yield


# --- The template ---------------------------------------------------------------------


def test_the_template_maps_every_column_and_its_examples_plan_as_creates(app, shop, in_request):
    table = read(template_workbook(**LIMITS))
    assert table.headers == [column.vi for column in COLUMNS]
    assert match_headers(table.headers) == {i: c.key for i, c in enumerate(COLUMNS)}
    plan = plan_of(shop, table)
    assert plan.counts == {"create": 2, "update": 0, "skip": 0, "reject": 0}
    for row in plan.rows:
        assert row.reasons == []
        assert row.parsed.errors == []
        assert row.parsed.warnings == []  # phones and provinces all known
    first, second = (row.parsed.values for row in plan.rows)
    assert first["phones"] == ["+84912345678"]
    assert first["birthday"] == date(1990, 3, 5)
    assert first["address"]["province"] == "Hà Nội"
    assert second["phones"] == ["+84987654321", "+842838221234"]
    assert second["address"]["province"] == "Hồ Chí Minh"
    assert db.session.scalar(db.select(db.func.count()).select_from(Customer)) == 0


def test_phones_codes_and_birthdays_are_text_columns_under_a_frozen_bold_header(in_request):
    workbook = load_workbook(io.BytesIO(template_workbook(**LIMITS)))
    sheet = workbook.worksheets[0]
    assert sheet.title == "Khách hàng"
    assert sheet.freeze_panes == "A2"
    header = [cell for cell in sheet[1]]
    assert all(cell.font.bold for cell in header)
    letter = {c.key: header[i].column_letter for i, c in enumerate(COLUMNS)}
    for key in ("code", "phone", "other_phones", "birthday"):
        # What the manager types there later stays text: Excel keeps the leading 0
        assert sheet.column_dimensions[letter[key]].number_format == "@", key
    phone = sheet[f"{letter['phone']}2"]
    assert (phone.value, phone.data_type, phone.number_format) == ("0912345678", "s", "@")
    assert sheet[f"{letter['phone']}3"].value == "+84987654321"
    assert sheet[f"{letter['phone']}3"].data_type == "s"
    assert all(sheet.column_dimensions[letter[c.key]].width >= len(c.vi) for c in COLUMNS)
    assert b"<f>" not in sheet_xml(template_workbook(**LIMITS))


def guide_rows(data):
    sheet = load_workbook(io.BytesIO(data)).worksheets[1]
    return sheet.title, [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]


def test_the_guide_explains_every_column_in_vietnamese(in_request):
    title, rows = guide_rows(template_workbook(**LIMITS))
    assert title == "Hướng dẫn"
    by_header = {row[0]: row for row in rows}
    for column in COLUMNS:
        assert column.vi in by_header, column.vi
        assert by_header[column.vi][2] == str(column.help)  # in the request's language
        assert by_header[column.vi][3], column.vi  # an example
    assert by_header["Mã khách hàng"][2] == "Để trống, hệ thống cấp một mã như KH000123."
    assert by_header["Tên"][1] == by_header["Họ"][1] == "Cần Họ hoặc Tên"
    assert by_header["Email"][1] == "Không"
    text = "\n".join(row[0] for row in rows)
    assert "tối đa 5 MB và 100.000 dòng" in text
    assert "CSV UTF-8" in text
    assert "mã khách hàng, sau đó email, sau đó số điện thoại" in text


def test_the_guide_states_the_limits_it_is_given(in_request):
    _title, rows = guide_rows(template_workbook(max_bytes=2 * MB, max_rows=500))
    assert "tối đa 2 MB và 500 dòng" in "\n".join(row[0] for row in rows)


def test_the_template_follows_the_request_language_but_keeps_vietnamese_headers(in_request):
    with force_locale("en"):
        data = template_workbook(**LIMITS)
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Customers", "Instructions"]
    assert [cell.value for cell in workbook.worksheets[0][1]] == [c.vi for c in COLUMNS]
    _title, rows = guide_rows(data)
    assert ["Mã khách hàng", "No", "Left blank, a code like KH000123 is given.", "KH000123"] in (
        rows
    )
    assert any("at most 5 MB and 100,000 rows" in row[0] for row in rows)


# --- The error report -----------------------------------------------------------------

# Excel keeps no time zone: a date and time cell reads back as a naive datetime
SEEN_AT = datetime(1990, 3, 5, 8, 30)  # noqa: DTZ001
UPLOADED_HEADERS = ["Mã KH", "Họ và tên", "Điện thoại", "Ngày sinh", "Công ty", "Ghi chú"]
UPLOADED_ROWS = [
    (
        ["007", "Nguyễn Thị Lan", "0912345678", date(1990, 3, 5), '=HYPERLINK("http://evil")', ""],
        ["The email is not valid.", "Same phone as line 2."],
    ),
    (
        ["", "", "+84987654321", "05/03/1990", "@SUM(A1)", "-1+2"],
        ["The name is missing."],
    ),
    (["KH9", "Trần Văn Minh", "912345678", SEEN_AT, "Công ty Đà Lạt"], []),
]


def test_an_error_report_reads_back_exactly_as_uploaded_with_the_reasons(in_request):
    data = error_report(UPLOADED_HEADERS, UPLOADED_ROWS)
    table = read(data)
    assert table.headers == [*UPLOADED_HEADERS, "Lý do lỗi"]
    assert table.rows == [
        [*UPLOADED_ROWS[0][0], "The email is not valid.; Same phone as line 2."],
        [*UPLOADED_ROWS[1][0], "The name is missing."],
        [*UPLOADED_ROWS[2][0], "", ""],  # a short row is padded, no reason is blank
    ]
    assert b"<f>" not in sheet_xml(data)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["E2"].value == '=HYPERLINK("http://evil")'
    assert sheet["E2"].data_type == "s"
    assert (sheet["C2"].value, sheet["C2"].data_type) == ("0912345678", "s")
    assert sheet["C2"].number_format == "@"
    assert sheet.freeze_panes == "A2"


def test_the_import_ignores_the_reason_column(in_request):
    table = read(error_report(UPLOADED_HEADERS, UPLOADED_ROWS))
    mapping = match_headers(table.headers)
    assert mapping == match_headers(UPLOADED_HEADERS)
    assert len(table.headers) - 1 not in mapping


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_reason_column_is_ignored_in_each_language(in_request, language, monkeypatch):
    with force_locale(language):
        header = reason_header()
    assert ignored_header(header)
    assert match_headers(["Note", header, header.upper()]) == {0: "note"}
    # Even if an alias named it one day ("Lý do" is a note in some systems)
    monkeypatch.setitem(import_headers._INDEX, header_key(header), "note")
    assert match_headers([header, "Tên"]) == {1: "first_name"}


def test_a_fixed_report_uploads_again_as_it_is(app, shop, in_request):
    headers = ["Mã khách hàng", "Họ", "Tên", "Điện thoại"]
    report = error_report(headers, [(["KH7", "", "", "0912345678"], ["The name is missing."])])
    # As it was, the row is refused again: the reason column changed nothing
    assert plan_of(shop, read(report)).counts["reject"] == 1
    # The manager fills in the name in Excel and saves
    workbook = load_workbook(io.BytesIO(report))
    workbook.active["C2"] = "Lan"
    fixed = io.BytesIO()
    workbook.save(fixed)
    plan = plan_of(shop, read(fixed.getvalue()))
    assert plan.counts == {"create": 1, "update": 0, "skip": 0, "reject": 0}
    assert plan.rows[0].parsed.values["phones"] == ["+84912345678"]
    assert plan.rows[0].parsed.values["code"] == "KH7"


def test_a_report_of_a_report_keeps_one_reason_column(in_request):
    first = read(error_report(UPLOADED_HEADERS, UPLOADED_ROWS[:1]))
    again = read(error_report(first.headers, [(first.rows[0], ["Still wrong."])]))
    assert again.headers == [*UPLOADED_HEADERS, "Lý do lỗi"]
    assert again.rows == [[*UPLOADED_ROWS[0][0], "Still wrong."]]


def test_the_report_is_written_in_the_request_language(in_request):
    with force_locale("en"):
        data = error_report(UPLOADED_HEADERS, UPLOADED_ROWS[:1])
    assert read(data).headers[-1] == "Error reason"


def test_the_export_writes_the_template_columns_in_their_order():
    assert DEFAULT_KEYS == tuple(column.key for column in COLUMNS)
