"""The two workbooks the import hands to a manager: the template to fill in (the shop's own
columns, with examples and a sheet explaining each column), and the error report of an
import (the rejected rows exactly as uploaded, with a reason each) to fix and upload again.

Both are written with openpyxl in write-only mode and never hold a formula: every text is a
string cell (``customer_export.xlsx_cell``). Phones, codes and birthdays are text columns, so
Excel neither drops a leading 0 nor turns ``05/03/1990`` into a date of its own locale. The
words follow the language of the request (Vietnamese by default); the template's headers are
always the Vietnamese ones, which the import knows first."""

import io
from datetime import date, datetime

from flask_babel import format_decimal, format_number
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from services.customer_export import xlsx_cell
from services.customer_sheet import COLUMNS
from services.import_headers import ignored_header

TEXT = "@"
TEXT_KEYS = ("code", "phone", "other_phones", "birthday")
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
HEADER_FONT = Font(name="Calibri", size=11, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="FFDDEBF7")
REASON_FONT = Font(name="Calibri", size=11, color="FFC00000")
WRAP = Alignment(wrap_text=True, vertical="top")
TEMPLATE_NAME = "mau-nhap-khach-hang.xlsx"

# Two customers that import cleanly into any shop (no code: the shop gives one), between
# them showing each column filled in.
EXAMPLE_ROWS = (
    {
        "last_name": "Nguyễn",
        "first_name": "Thị Lan",
        "email": "lan.nguyen@example.com",
        "phone": "0912345678",
        "gender": "Nữ",
        "birthday": "05/03/1990",
        "tags": "VIP",
        "accepts_marketing": "Có",
        "address": "12 Hàng Bạc",
        "ward": "Phường Hoàn Kiếm",
        "province": "Hà Nội",
        "country_code": "VN",
        "note": "Thích giao hàng buổi sáng",
    },
    {
        "last_name": "Trần",
        "first_name": "Văn Minh",
        "phone": "+84987654321",
        "other_phones": "02838221234",
        "gender": "Nam",
        "company": "Công ty TNHH Minh Phát",
        "group": "Khách sỉ",
        "tags": "sỉ, hội chợ",
        "accepts_marketing": "Không",
        "address": "45 Lê Lợi",
        "ward": "Phường Bến Thành",
        "province": "TP. Hồ Chí Minh",
        "country_code": "VN",
    },
)
# What the guide shows for a column the example rows leave blank or could show better.
GUIDE_EXAMPLES = {
    "code": "KH000123",
    "other_phones": "0987654321, 02838221234",
    "tags": "VIP, hội chợ",
    "total_spent": "1.250.000",
    "orders_count": "3",
}
# A row needs a name: one of these two columns.
NAME_KEYS = ("last_name", "first_name")


def reason_header():
    """The error report's last column, in the request's language; the import ignores it
    (``import_headers.IGNORED``)."""
    return _("Error reason")


# --- Cells ----------------------------------------------------------------------------


def text_cell(sheet, value, **style):
    """``value`` as a text cell, never a formula, formatted as text so that what is typed
    over it stays text too; ``style``: font, fill, alignment. No cell for no text (the
    column's format covers it)."""
    if value is None or value == "":
        return None
    cell = xlsx_cell(sheet, str(value))
    if isinstance(cell, str):  # plain text: a cell of its own, to carry the format
        cell = WriteOnlyCell(sheet, value=cell)
    cell.number_format = TEXT
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def uploaded_cell(sheet, value):
    """A cell of an uploaded row as it was read: dates stay dates (``read_table`` reads
    them back as dates), everything else is text."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT
        return cell
    return text_cell(sheet, value)


def _width(*texts, least=10, most=60):
    longest = max((len(str(text)) for text in texts if text), default=0)
    return max(least, min(most, longest + 3))


def _save(workbook):
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- The template ---------------------------------------------------------------------


def template_workbook(*, max_bytes, max_rows):
    """The import template as ``.xlsx`` bytes: the first sheet has the shop's columns and
    two example rows, the second explains each column and the file's limits."""
    workbook = Workbook(write_only=True)
    _customer_sheet(workbook)
    _guide_sheet(workbook, max_bytes=max_bytes, max_rows=max_rows)
    return _save(workbook)


def _customer_sheet(workbook):
    sheet = workbook.create_sheet(_("Customers"))
    sheet.freeze_panes = "A2"
    for number, column in enumerate(COLUMNS, start=1):
        dimension = sheet.column_dimensions[get_column_letter(number)]
        dimension.width = _width(column.vi, *(row.get(column.key) for row in EXAMPLE_ROWS))
        if column.key in TEXT_KEYS:
            dimension.number_format = TEXT
    sheet.append([text_cell(sheet, c.vi, font=HEADER_FONT, fill=HEADER_FILL) for c in COLUMNS])
    for example in EXAMPLE_ROWS:
        sheet.append([_example_cell(sheet, column, example) for column in COLUMNS])


def _example_cell(sheet, column, example):
    value = example.get(column.key) or None  # a blank is no cell, as in a typed sheet
    if column.key in TEXT_KEYS:
        return text_cell(sheet, value)
    return xlsx_cell(sheet, value)


def guide_lines(*, max_bytes, max_rows):
    """The guide's general lines, in the request's language."""
    return [
        _(
            "One customer a row, on the first sheet under its header row. Only the first "
            "sheet is read: this one is ignored."
        ),
        _("Delete the example rows before importing."),
        _(
            "Files: Excel (.xlsx) or CSV saved as UTF-8 (in Excel: CSV UTF-8), at most "
            "%(mb)s MB and %(rows)s rows.",
            mb=format_decimal(round(max_bytes / 1024 / 1024, 1)),
            rows=format_number(max_rows),
        ),
        _(
            "Phones, codes and birthdays are text: keep the leading 0 (0912345678) and write "
            "dates as dd/mm/yyyy."
        ),
        _(
            "A row is a customer the shop already has when its customer code, else its "
            "email, else its phone matches: when importing you choose to skip it, update "
            "that customer or create another one."
        ),
        _(
            "The columns of files exported by Sapo, Shopify, UPOS and Pancake are recognised "
            "too, in Vietnamese or English."
        ),
    ]


def example_of(key):
    """What the guide shows for a column: its own example, else the example rows' first."""
    values = (row.get(key) for row in EXAMPLE_ROWS)
    return GUIDE_EXAMPLES.get(key) or next((value for value in values if value), "")


def _required(column):
    if column.key in NAME_KEYS:
        return _("Last name or first name")
    return _("No")


def _guide_sheet(workbook, *, max_bytes, max_rows):
    sheet = workbook.create_sheet(_("Instructions"))
    for letter, width in zip("ABCD", (24, 24, 60, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    title = _("Importing customers: how to fill in this file")
    sheet.append([text_cell(sheet, title, font=HEADER_FONT)])
    for line in guide_lines(max_bytes=max_bytes, max_rows=max_rows):
        sheet.append([text_cell(sheet, "• " + line)])
    sheet.append([])
    titles = (_("Column"), _("Required"), _("What to write"), _("Example"))
    sheet.append([text_cell(sheet, t, font=HEADER_FONT, fill=HEADER_FILL) for t in titles])
    for column in COLUMNS:
        sheet.append(
            [
                text_cell(sheet, column.vi, font=HEADER_FONT, alignment=WRAP),
                text_cell(sheet, _required(column), alignment=WRAP),
                text_cell(sheet, str(column.help), alignment=WRAP),
                text_cell(sheet, example_of(column.key), alignment=WRAP),
            ]
        )


# --- The error report -----------------------------------------------------------------


def error_report(headers, rows):
    """The rejected rows of an import as ``.xlsx`` bytes: ``headers`` (the file's header row
    as uploaded) and, for each of ``rows`` (``(cells as uploaded, reasons)``), its cells
    and then its reasons joined by "; " in a last column the import ignores. A report that
    was uploaded again brings its own reason column: that one is replaced, not repeated."""
    keep = [i for i, header in enumerate(headers) if not ignored_header(header)]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Customers"))
    sheet.freeze_panes = "A2"
    for number, index in enumerate(keep, start=1):
        dimension = sheet.column_dimensions[get_column_letter(number)]
        dimension.width = _width(headers[index], least=12, most=40)
        dimension.number_format = TEXT
    sheet.column_dimensions[get_column_letter(len(keep) + 1)].width = 60
    header_style = {"font": HEADER_FONT, "fill": HEADER_FILL}
    sheet.append(
        [text_cell(sheet, headers[i], **header_style) for i in keep]
        + [text_cell(sheet, reason_header(), **header_style)]
    )
    for cells, reasons in rows:
        cells = list(cells)
        sheet.append(
            [uploaded_cell(sheet, cells[i]) if i < len(cells) else None for i in keep]
            + [text_cell(sheet, "; ".join(str(r) for r in reasons), font=REASON_FONT)]
        )
    return _save(workbook)
