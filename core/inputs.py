"""What comes from outside (a path, a query string, a form, the CLI, an imported file), made
fit to query and store.

- Ids: one bounded parser. A number the database's integer cannot hold (SQLite refuses more
  than 2**63 - 1, PostgreSQL's ``integer`` more than 2**31 - 1) is no row at all: a 404 or
  a form error, never a server error. ``<int:...>`` in every route has the same bound.
- Pages of a list: a number from 1; past the end is the last page.
- Text: single-line values (names, phones, address lines, subjects, search boxes) lose
  their control characters; multi-line values (notes, bank details, email bodies) keep
  their line breaks as ``\\n`` and nothing else. PostgreSQL refuses NUL in text, and a line
  break in a name would end up in an email header.
"""

import re

from flask import request
from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError

from core.extensions import db

MAX_ID = 2**31 - 1  # PostgreSQL's ``integer``: the smallest id column of both databases
MAX_PAGE = MAX_ID

# C0 and C1 control characters, DEL, and the Unicode line and paragraph separators.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Whitespace among them (tab, line breaks, form feed, NEL…): a space in a single line.
CONTROL_SPACE = re.compile(r"[\t\n\x0b\x0c\r\x1c-\x1f\x85\u2028\u2029]")
LINE_BREAK = re.compile(r"\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
NOT_NEWLINE_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


# --- Ids and pages --------------------------------------------------------------------


def parse_id(value):
    """A row id (1 to ``MAX_ID``) from a path, a query string, a form or a caller, or None
    for anything else: blank, not a whole number, 0, negative, or too large."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= MAX_ID else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def parse_page(value):
    """A page number: 1 when missing or unreadable, ``MAX_PAGE`` at most (past the end of a
    list is clamped by ``paginate``)."""
    text = value.strip() if isinstance(value, str) else ""
    if not text.isascii() or not text.isdigit():
        return 1
    if len(text) > len(str(MAX_PAGE)):
        return MAX_PAGE
    return min(max(int(text), 1), MAX_PAGE)


def paginate(query, *, per_page, page=None, total=None):
    """One page of ``query``, from the request's ``page`` unless given. A page past the end
    is the last page, so an old link or a crafted number still shows the list. ``total``:
    how many rows ``query`` gives when the caller knows it already (not counted again)."""
    if page is None:
        page = parse_page(request.args.get("page"))

    def page_of(number):
        result = db.paginate(
            query, page=number, per_page=per_page, error_out=False, count=total is None
        )
        if total is not None:
            result.total = total
        return result

    result = page_of(page)
    if result.pages and page > result.pages:
        result = page_of(result.pages)
    return result


# --- Text -----------------------------------------------------------------------------


def single_line(value):
    """``value`` without control characters: line breaks and tabs become spaces, the rest
    (NUL, escape, …) goes. None stays None."""
    if value is None:
        return None
    return CONTROL.sub("", CONTROL_SPACE.sub(" ", str(value)))


def one_line(value):
    """A name, an address line: on one line, its spaces squeezed, trimmed ("" for None)."""
    return " ".join((single_line(value) or "").split())


def multi_line(value):
    """``value`` with its line breaks as ``\\n`` (``\\r\\n`` and ``\\r`` too), tabs as
    spaces, and no other control character. None stays None."""
    if value is None:
        return None
    text = LINE_BREAK.sub("\n", str(value)).replace("\t", " ")
    return NOT_NEWLINE_CONTROL.sub("", text)


def search_text(value, max_length=100):
    """What a search box sent, on one line, trimmed and at most ``max_length`` long."""
    return one_line(value)[:max_length]


# --- Route converters -----------------------------------------------------------------


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>``: at most ``MAX_ID`` unless a route says otherwise, so a 25-digit id
    matches no route (a 404) instead of reaching the database."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class TextConverter(UnicodeConverter):
    """``<name>`` / ``<string:...>``: a path segment with a control character (``%00``)
    matches no route."""

    def to_python(self, value):
        if CONTROL.search(value):
            raise ValidationError()
        return value


def register_converters(app):
    """Before any route is added: rules take their converters when they are added."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.url_map.converters["default"] = TextConverter
    app.url_map.converters["string"] = TextConverter
