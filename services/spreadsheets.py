"""Reading an uploaded spreadsheet (``.xlsx`` or ``.csv``) into a header row and rows of
plain values, safely: a file that is not what it says, too big, too long, encrypted, a zip
bomb or XML with a DTD or entities is refused with a translated message before any of it is
used, and nothing is written.

Values come out as Python values: text stripped and in NFC (Vietnamese typed on another
system may be decomposed), whole numbers Excel stored as floats back to their digits (a
phone ``912345678`` stays ``912345678``; the importer puts the lost 0 back), dates as dates,
empty cells as ``""``."""

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

import python_calamine
from flask_babel import lazy_gettext as _l

from core.bulk import collector_paused
from services import ServiceError

# An .xlsx is a zip; its parts together may unpack to at most this many times the upload,
# and a part may not be compressed more than this ratio (a zip bomb is thousands).
MAX_UNPACKED_FACTOR = 40
MAX_RATIO = 200
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx, and old .xls
ZIP_SIGNATURE = b"PK\x03\x04"
DTD = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


@dataclass
class Table:
    headers: list
    rows: list  # lists of values, as long as ``headers``; row i is line i + 2 of the file


class BadFile(ServiceError):
    def __init__(self, message):
        super().__init__(message, "file")


def read_table(filename, data, *, max_bytes, max_rows):
    """The first sheet of ``data`` (the uploaded bytes, named ``filename``)."""
    if not data:
        raise BadFile(_l("The file is empty."))
    if len(data) > max_bytes:
        raise BadFile(
            _l("The file is larger than %(mb)s MB.", mb=round(max_bytes / 1024 / 1024, 1))
        )
    name = (filename or "").lower()
    if data.startswith(OLE_SIGNATURE):
        raise BadFile(
            _l(
                "This file is protected by a password or is an old .xls file: save it as "
                "an unprotected .xlsx first."
            )
        )
    if data.startswith(ZIP_SIGNATURE):
        rows = _xlsx_rows(data, max_bytes)
    elif name.endswith((".csv", ".txt")):
        rows = _csv_rows(data)
    else:
        raise BadFile(_l("Upload an Excel file (.xlsx) or a CSV file (.csv)."))
    with collector_paused():
        return _table(rows, max_rows)


def _table(rows, max_rows):
    rows = iter(rows)
    headers = None
    for row in rows:
        if any(value != "" for value in row):
            headers = [str(value) for value in row]
            break
    if headers is None or not any(headers):
        raise BadFile(_l("The file has no header row: its first row should name the columns."))
    while headers and headers[-1] == "":
        headers.pop()
    width = len(headers)
    body = []
    shared = _SharedValues(width)
    for row in rows:
        if len(body) >= max_rows:
            raise BadFile(
                _l(
                    "The file has more than %(max)s rows: split it into smaller files.",
                    max=max_rows,
                )
            )
        if len(row) != width:
            row = row[:width] + [""] * (width - len(row))
        body.append(shared.row(row))
    while body and all(value == "" for value in body[-1]):
        body.pop()
    if not body:
        raise BadFile(_l("The file has a header row but no customers under it."))
    return Table(headers, body)


class _SharedValues:
    """One object for the values a column repeats (Nam, Có, a province, a group…), as the
    file itself shares its strings: a file of 100,000 rows holds a few hundred thousand
    strings instead of two million. A column whose values hardly repeat (emails, phones)
    stops being shared once it has shown ``MAX_DISTINCT`` different ones."""

    MAX_DISTINCT = 5000
    CHECK_EVERY = 1000  # rows

    def __init__(self, width):
        self.seen = [{} for _ in range(width)]
        self.rows = 0

    def row(self, values):
        self.rows += 1
        if self.rows % self.CHECK_EVERY == 0:
            self.seen = [None if s is None or len(s) > self.MAX_DISTINCT else s for s in self.seen]
        return [
            value if seen is None else seen.setdefault(value, value)
            for seen, value in zip(self.seen, values, strict=True)
        ]


# --- .xlsx ----------------------------------------------------------------------------


def _check_archive(data, max_bytes):
    """Refuse a zip that unpacks too big, packs too tight, or carries XML with a DTD or
    entities (which could expand without end or read files of the server)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise BadFile(_l("This file is damaged or is not an Excel file.")) from error
    if not any(m.filename == "[Content_Types].xml" for m in members):
        raise BadFile(_l("This file is damaged or is not an Excel file."))
    unpacked = sum(m.file_size for m in members)
    if unpacked > max_bytes * MAX_UNPACKED_FACTOR or any(
        m.compress_size and m.file_size / m.compress_size > MAX_RATIO for m in members
    ):
        raise BadFile(_l("This file unpacks to far more than its size: it cannot be read."))
    for member in members:
        if member.filename.endswith((".xml", ".rels")):
            with archive.open(member) as part:
                _refuse_declarations(part)


def _refuse_declarations(part):
    """Read the whole part: a declaration may hide anywhere, also across two reads."""
    tail = b""
    while chunk := part.read(1 << 16):
        window = tail + chunk
        if b"<!" in window and DTD.search(window):
            raise BadFile(_l("This file contains XML declarations that are not allowed."))
        tail = window[-16:]


def _xlsx_rows(data, max_bytes):
    """The first sheet's rows, one at a time: the reader holds the sheet once, and only the
    converted rows are kept (a list of every raw row beside them would double the memory)."""
    _check_archive(data, max_bytes)
    try:
        workbook = python_calamine.load_workbook(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        # ``iter_rows`` starts at the first cell holding data; the columns left of it are
        # put back so that a column's index is its place in the sheet
        lead = [""] * ((sheet.start or (0, 0))[1])
        for row in sheet.iter_rows():
            values = [_NFC("NFC", v).strip() if type(v) is str else _cell(v) for v in row]
            yield lead + values if lead else values
    except python_calamine.PasswordError as error:
        raise BadFile(_l("This file is protected by a password.")) from error
    except (python_calamine.CalamineError, ValueError, IndexError) as error:
        raise BadFile(_l("This file is damaged or is not an Excel file.")) from error


_NFC = unicodedata.normalize


def _cell(value):
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value
    return _text(value)


def _text(value):
    return unicodedata.normalize("NFC", str(value or "")).strip()


# --- .csv -----------------------------------------------------------------------------


def _csv_rows(data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadFile(
            _l("Save the CSV file as UTF-8 (in Excel: CSV UTF-8) and upload it again.")
        ) from error
    if "\x00" in text:
        raise BadFile(_l("This file is damaged or is not a CSV file."))
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        return [[_text(value) for value in row] for row in reader]
    except csv.Error as error:
        raise BadFile(_l("This file is damaged or is not a CSV file.")) from error
