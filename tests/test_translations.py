"""The Vietnamese catalog covers every user-visible string, and the app speaks Vietnamese
by default and English on request.

When a test here fails after adding or changing strings, run ``make messages``, translate
the new entries in translations/vi/LC_MESSAGES/messages.po and run ``make catalogs``."""

import os
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from markupsafe import escape

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
VI_PO = TRANSLATIONS / "vi" / "LC_MESSAGES" / "messages.po"
VI_MO = VI_PO.with_suffix(".mo")

# The keywords `make messages` extracts: Babel's `_`, `gettext` and `ngettext`, plus the
# lazy ones given with -k.
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)")

LANDING_MESSAGES = (
    "Open a shop",
    "Open your shop for free",
    "Your online shop, with customers who come back",
    "Members wait for your approval before they can log in",
)


def read_catalog(path):
    with path.open("rb") as f:
        return read_po(f, locale=path.parent.parent.name)


def extracted_messages():
    """(msgid or (singular, plural), context, where) for each string babel.cfg extracts."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, "babel.cfg")
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        yield message, context, f"{filename}:{lineno}"


def placeholders(text):
    return sorted(set(PLACEHOLDER.findall(text)))


@pytest.fixture(scope="module")
def vi_catalog():
    return read_catalog(VI_PO)


@pytest.fixture(scope="module")
def compiled_catalogs():
    """Compile any catalog whose .mo is missing or older than its .po, as `make catalogs`
    does, so the rendered pages are translated."""
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        partial = mo.with_name(f"{mo.name}.{os.getpid()}.tmp")
        with partial.open("wb") as f:
            write_mo(f, read_catalog(po), use_fuzzy=False)
        partial.replace(mo)


def test_every_extracted_message_is_translated_into_vietnamese(vi_catalog):
    problems = {}
    for message, context, where in extracted_messages():
        msgid = message[0] if isinstance(message, tuple) else message
        entry = vi_catalog.get(msgid, context=context)
        if entry is None:
            problem = "missing from messages.po"
        elif entry.fuzzy:
            problem = "marked fuzzy"
        elif not all(entry.string if isinstance(entry.string, tuple) else (entry.string,)):
            problem = "not translated"
        else:
            continue
        problems.setdefault(msgid, (problem, where))
    listing = "\n".join(f"  {msgid!r}: {why} ({where})" for msgid, (why, where) in problems.items())
    assert not problems, f"Vietnamese translations are incomplete (run `make messages`):\n{listing}"


def test_vietnamese_translations_keep_their_placeholders(vi_catalog):
    wrong = []
    for entry in vi_catalog:
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = placeholders(ids[0])
        for string in strings:
            if string and placeholders(string) != expected:
                wrong.append(f"  {ids[0]!r}: {string!r} has {placeholders(string)}, not {expected}")
    assert not wrong, "Translations whose %(name)s placeholders differ:\n" + "\n".join(wrong)


@pytest.mark.usefixtures("compiled_catalogs")
def test_landing_page_is_in_vietnamese_by_default_and_english_on_request(client, vi_catalog):
    vietnamese = [vi_catalog.get(msgid).string for msgid in LANDING_MESSAGES]
    assert "Mở cửa hàng" in vietnamese

    page = client.get("/")
    assert page.status_code == 200
    assert 'lang="vi"' in page.text
    for msgid, translation in zip(LANDING_MESSAGES, vietnamese, strict=True):
        assert str(escape(translation)) in page.text
        assert str(escape(msgid)) not in page.text

    switched = client.post("/language", data={"lang": "en", "next": "/"})
    assert switched.status_code == 302
    assert switched.headers["Location"].endswith("/")

    page = client.get("/")
    assert page.status_code == 200
    assert 'lang="en"' in page.text
    for msgid, translation in zip(LANDING_MESSAGES, vietnamese, strict=True):
        assert str(escape(msgid)) in page.text
        assert str(escape(translation)) not in page.text
