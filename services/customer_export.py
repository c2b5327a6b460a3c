"""The shop's customers written to a spreadsheet: which customers (a page of the list, all of
them, the ticked ones, or everything a filter finds), in which columns (our own import
template's, Shopify's customer CSV's, or the ones a shop saved as its own template) and as
which file (xlsx, csv, txt).

A template is ``"default"``, ``"shopify"`` or a list of keys of ``COLUMNS``: a list is plain
data, so a job can carry it in its parameters, and a template edited or deleted after the
export was asked for does not change the file.

Rows are read in batches of ids, so memory stays flat as the shop grows. No cell is ever a
formula: text that a spreadsheet would take for one (``=``, ``+``, ``-``, ``@``, a tab or a
carriage return first) is a string cell in xlsx and starts with ``'`` in csv and txt.

Internal notes are not exported: they are staff conversations, not a customer's details, and
the import keeps a file's note as a new internal note, so exporting them would add each note
again on every round trip."""

import csv
import io
import re
from array import array
from datetime import datetime
from tempfile import SpooledTemporaryFile, TemporaryFile
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core.extensions import db
from models import Customer
from services import ServiceError
from services.customer_list import customers_query
from services.customer_sheet import BY_KEY
from services.export_records import customers_in_batches

SCOPES = ("page", "all", "selected", "filter")
FORMATS = ("xlsx", "csv", "txt")
TEMPLATES = ("default", "shopify")
BATCH = 500
ID_BATCH = 10_000  # ids fetched at a time
# Ticked rows come from one page of the list (100 at most): more is not a person ticking.
MAX_SELECTED = 5000
# What a spreadsheet reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = "=+-@"  # the printable ones
GENDERS = {"male": "Nam", "female": "Nữ", "other": "Khác"}
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
}
SHOPIFY_HEADERS = (
    "First Name",
    "Last Name",
    "Email",
    "Accepts Email Marketing",
    "Default Address Company",
    "Default Address Address1",
    "Default Address Address2",
    "Default Address City",
    "Default Address Province Code",
    "Default Address Country Code",
    "Default Address Zip",
    "Default Address Phone",
    "Phone",
    "Accepts SMS Marketing",
    "Total Spent",
    "Total Orders",
    "Note",
    "Tax Exempt",
    "Tags",
)


class NothingToExport(ServiceError):
    pass


# --- Which customers ------------------------------------------------------------------


def export_ids(
    *, shop, scope, customer_filter, sort, page=1, per_page=50, ids=(), assigned_to=None
):
    """The ids of the customers ``scope`` names, in the order they are written; refused when
    there are none. ``ids`` (scope ``selected``) that are not this shop's (or not seen by
    ``assigned_to``) are dropped. How many may download at once is the caller's to decide:
    more run as a job (``services.export_files``)."""
    seen = {"shop": shop, "assigned_to": assigned_to}
    if scope == "page":
        query = customers_query(customer_filter=customer_filter, sort=sort, **seen)
        query = query.limit(per_page).offset((page - 1) * per_page)
    elif scope == "filter":
        query = customers_query(customer_filter=customer_filter, sort=sort, **seen)
    else:
        query = customers_query(customer_filter=_no_filter(customer_filter), sort="created", **seen)
        if scope == "selected":
            query = query.where(Customer.id.in_(list(ids)[:MAX_SELECTED] or [0]))
    # A compact array (8 bytes an id), filled as the rows stream in: a list of a whole shop's
    # ids, and the rows fetched for it at once, would weigh on every export of a large shop
    found = array("q")
    result = db.session.execute(
        query.with_only_columns(Customer.id).execution_options(yield_per=ID_BATCH)
    )
    for part in result.scalars().partitions():
        found.extend(part)
    if not found:
        raise NothingToExport(
            _l("Tick at least one customer first.")
            if scope == "selected"
            else _l("No customer to export here.")
        )
    return found


def _no_filter(customer_filter):
    return type(customer_filter)()


# --- What each row says ---------------------------------------------------------------


def local_phone(number):
    """``+84912345678`` as written in Vietnam (``0912345678``); others as stored."""
    if number and number.startswith("+84"):
        return "0" + number[3:]
    return number or ""


def yes_no_vi(value):
    return "Có" if value else "Không"


# The order ``default_row`` writes its values in: the template's columns.
DEFAULT_KEYS = (
    "code", "last_name", "first_name", "email", "phone", "other_phones", "gender", "birthday",
    "company", "group", "tags", "accepts_marketing", "address", "ward", "province",
    "country_code", "note", "total_spent", "orders_count",
)  # fmt: skip


def default_row(customer):
    """The customer's values in the template's columns (``DEFAULT_KEYS``)."""
    address = customer.default_address
    phones = customer.phone_numbers
    birthday = customer.birthday
    return [
        customer.code,
        customer.last_name,
        customer.first_name,
        customer.email or "",
        local_phone(phones[0]) if phones else "",
        ", ".join(local_phone(p) for p in phones[1:]) if len(phones) > 1 else "",
        GENDERS.get(customer.gender or "", ""),
        birthday.strftime("%d/%m/%Y") if birthday else "",
        customer.company or "",
        customer.group_name,
        ", ".join(customer.tag_names),
        yes_no_vi(customer.accepts_marketing),
        address.line1 if address else "",
        address.ward if address else "",
        address.province if address else "",
        address.country if address else "",
        "",  # notes are not exported (see the module's docstring)
        customer.total_spent,
        customer.orders_count,
    ]


def sheet_values(customer):
    """Every column of ``COLUMNS`` for ``customer``, by key."""
    return dict(zip(DEFAULT_KEYS, default_row(customer), strict=True))


def shopify_row(customer):
    address = customer.default_address
    return [
        customer.first_name,
        customer.last_name,
        customer.email or "",
        "yes" if customer.accepts_marketing else "no",
        customer.company or "",
        address.line1 if address else "",
        address.ward if address else "",
        address.province if address else "",
        "",
        address.country if address else "",
        "",
        address.phone or "" if address else "",
        customer.primary_phone or "",
        "no",
        customer.total_spent,
        customer.orders_count,
        "",
        "no",
        ", ".join(customer.tag_names),
    ]


def column_keys(template):
    """The keys of ``COLUMNS`` a template writes, in its order (all of them by default)."""
    return DEFAULT_KEYS if template == "default" else tuple(template)


def headers(template):
    if template == "shopify":
        return list(SHOPIFY_HEADERS)
    return [BY_KEY[key].vi for key in column_keys(template)]


def row_writer(template):
    """The function that turns a customer into the row ``template`` writes."""
    if template == "shopify":
        return shopify_row
    if template == "default":
        return default_row
    keys = column_keys(template)

    def row(customer):
        values = sheet_values(customer)
        return [values[key] for key in keys]

    return row


def rows(shop, ids, template, progress=None):
    """The header, then one list of values per customer of ``ids``; ``progress(done)`` is
    called once each batch is written (a job's checkpoint)."""
    yield headers(template)
    row_of = row_writer(template)
    done = 0
    for batch in customers_in_batches(shop, ids):
        for customer in batch:
            yield row_of(customer)
        done += len(batch)
        if progress is not None:
            progress(done)


# --- Files ----------------------------------------------------------------------------


def neutralised(value):
    """A csv/txt value a spreadsheet will not run: text that looks like a formula starts
    with ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def text_chunks(shop, ids, template, file_format, progress=None):
    """The csv (UTF-8 with a BOM, so Excel reads the accents; commas) or txt (UTF-8, tabs)
    file, as bytes a batch of rows at a time."""
    if file_format == "csv":
        yield "\ufeff".encode()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="," if file_format == "csv" else "\t")
    for number, row in enumerate(rows(shop, ids, template, progress)):
        writer.writerow([neutralised(value) for value in row])
        if number % BATCH == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


# A text that needs more than being written as it is: a formula start, or a character a
# workbook cannot hold. One search per text, which most texts pass.
NEEDS_CARE = re.compile(r"^[=+\-@\t\r]|" + ILLEGAL_CHARACTERS_RE.pattern)


def xlsx_cell(sheet, value):
    """A text value as a string cell whatever it starts with (openpyxl would make ``=…`` a
    formula), without the control characters a workbook cannot hold. An empty text is no
    cell at all (it reads back empty, and the file is smaller)."""
    if not isinstance(value, str):
        return value
    if not value:
        return None
    if NEEDS_CARE.search(value) is None:
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith(FORMULA_STARTS):
        return value or None
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def write_xlsx(shop, ids, template, progress=None):
    """The workbook in a temporary file (in memory while small), rewound for sending."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Khách hàng")
    for row in rows(shop, ids, template, progress):
        # Most texts are written as they are: printable (no control character, tab or
        # line break) and not starting like a formula. The others go through
        # ``xlsx_cell``, and an empty text is no cell at all.
        sheet.append(
            [
                value
                if type(value) is not str
                else None
                if not value
                else value
                if value.isprintable() and value[0] not in FORMULA_FIRST
                else xlsx_cell(sheet, value)
                for value in row
            ]
        )
    file = SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(file)
    file.seek(0)
    return file


def write_file(shop, ids, template, file_format, progress=None):
    """The whole file of any format in a temporary file on disk, rewound: what a job keeps.
    Rows go to the file a batch at a time, so memory does not grow with them."""
    if file_format == "xlsx":
        return write_xlsx(shop, ids, template, progress)
    file = TemporaryFile()
    for chunk in text_chunks(shop, ids, template, file_format, progress):
        file.write(chunk)
    file.seek(0)
    return file


def file_name(shop, file_format, now=None):
    """``khach-hang-<shop>-<yyyy-mm-dd>.<format>``, dated in the shop's time."""
    day = (now or datetime.now(ZoneInfo(shop.timezone))).astimezone(ZoneInfo(shop.timezone))
    return f"khach-hang-{shop.slug}-{day:%Y-%m-%d}.{file_format}"
