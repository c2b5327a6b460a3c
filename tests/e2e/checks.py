"""What every page a browser test visits must satisfy, and the data the tests type."""

import uuid

A11Y_SCRIPT = """
() => {
  const problems = [];
  const lang = document.documentElement.getAttribute("lang");
  if (!lang) problems.push("no lang attribute on <html>");
  const h1s = document.querySelectorAll("h1").length;
  if (h1s !== 1) problems.push(`${h1s} h1 elements`);
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push(`img without alt: ${img.src}`);
  }
  const controls = document.querySelectorAll(
    "input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea");
  for (const el of controls) {
    const labelled = (el.id && document.querySelector(`label[for="${el.id}"]`))
      || el.closest("label") || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
    if (!labelled) problems.push(`control without label: ${el.outerHTML.slice(0, 120)}`);
  }
  for (const b of document.querySelectorAll("button")) {
    if (!b.textContent.trim() && !b.getAttribute("aria-label")) {
      problems.push(`button without a name: ${b.outerHTML.slice(0, 120)}`);
    }
  }
  return problems;
}
"""

OVERFLOW_SCRIPT = """
() => document.documentElement.scrollWidth - document.documentElement.clientWidth
"""


def check_page(page):
    """Accessibility basics; raises AssertionError naming what is wrong."""
    problems = page.evaluate(A11Y_SCRIPT)
    assert not problems, f"{page.url}: {problems}"


def check_no_horizontal_overflow(page):
    overflow = page.evaluate(OVERFLOW_SCRIPT)
    assert overflow <= 0, f"{page.url} overflows horizontally by {overflow}px"


def vi(msgid, **values):
    """The Vietnamese the page should show for an English msgid (from the compiled catalog)."""
    from babel.support import Translations

    from tests.e2e.conftest import ROOT

    text = Translations.load(str(ROOT / "translations"), ["vi"]).gettext(msgid)
    return text % values if values else text


def new_phone():
    """A Vietnamese mobile number no other test run has used: 098 (Viettel), where every
    seven-digit rest is a valid number (some 099… ones are not)."""
    return f"098{uuid.uuid4().int % 10**7:07d}"
