"""Text the shop writes for its emails (a campaign's subject and body, later its own versions of
the notification emails), with placeholders such as ``{{ first_name }}`` filled in per
customer.

A manager's text is a template run on our server, so it runs in Jinja's sandbox and, before
that, is read and refused unless it holds nothing but text and the placeholders we offer: no
loops, no conditions, no filters, no attribute lookups. A template that does not read, or that
asks for anything else, is a ``ServiceError`` that says what is wrong in the manager's language
(never a server error), and one that passes can only ever print the values given.

Bodies are Markdown: the text part of an email is what was typed (with the values in), the
HTML part is that Markdown made HTML, where HTML typed in the body shows as text and a value
(a customer's name, say) is text too, never markup or a link."""

import re
from dataclasses import dataclass
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment
from markdown_it import MarkdownIt
from markupsafe import Markup

from core.urls import external_url
from services import ServiceError

# The placeholders a shop may write, with what each one stands for (shown beside the editor).
PLACEHOLDERS = {
    "first_name": _l("the customer's first name"),
    "last_name": _l("the customer's family name"),
    "full_name": _l("the customer's full name"),
    "shop_name": _l("the shop's name"),
    "shop_url": _l("the address of the shop"),
    "account_url": _l("the address of the customer's account"),
}
# Values that are addresses: a Markdown body may write them as a link's target.
URL_PLACEHOLDERS = frozenset({"shop_url", "account_url"})
MAX_SOURCE = 20_000

# Undefined names never reach rendering (``check`` refuses them first); the sandbox is the
# second wall, should a template ever get past the first.
_environment = SandboxedEnvironment(autoescape=False, keep_trailing_newline=True)
_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True})
# What CommonMark lets a backslash escape: any ASCII punctuation.
_MARKDOWN_PUNCTUATION = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")


class TemplateError(ServiceError):
    """The shop's text cannot be used as it is: ``message`` says why."""


def _names_in(node):
    """Yield the placeholder names of an output node, refusing anything that is not one."""
    if isinstance(node, nodes.TemplateData):
        return
    if isinstance(node, nodes.Name) and node.ctx == "load":
        yield node.name
        return
    raise TemplateError(_l("Only the placeholders listed can be used between {{ and }}."))


def check(source, *, allowed=PLACEHOLDERS, field=None):
    """The placeholder names ``source`` uses; ``TemplateError`` when it does not read, holds
    anything but text and ``{{ name }}``, or names a placeholder not in ``allowed``."""
    source = source or ""
    if len(source) > MAX_SOURCE:
        raise TemplateError(_l("Please use at most %(max)d characters.", max=MAX_SOURCE), field)
    try:
        tree = _environment.parse(source)
    except TemplateSyntaxError as error:
        raise TemplateError(
            _l(
                "This text cannot be read as a template (line %(line)s): check each {{ has "
                "its }} and holds one placeholder.",
                line=error.lineno,
            ),
            field,
        ) from error
    used = []
    for statement in tree.body:
        if not isinstance(statement, nodes.Output):
            raise TemplateError(
                _l("Only placeholders such as {{ first_name }} can be used: no {% … %}."),
                field,
            )
        try:
            for child in statement.nodes:
                used.extend(_names_in(child))
        except TemplateError as error:
            raise TemplateError(error.message, field) from None
    for name in used:
        if name not in allowed:
            raise TemplateError(
                _l(
                    "{{ %(name)s }} is not a placeholder we know. Use one of: %(known)s.",
                    name=name,
                    known=", ".join(f"{{{{ {known} }}}}" for known in allowed),
                ),
                field,
            )
    return list(dict.fromkeys(used))


def values_for(customer, shop):
    """The value of each placeholder for ``customer`` of ``shop``."""
    return {
        "first_name": customer.first_name or "",
        "last_name": customer.last_name or "",
        "full_name": customer.full_name,
        "shop_name": shop.name,
        "shop_url": external_url("storefront.home", shop=shop.slug),
        "account_url": external_url("storefront.account", shop=shop.slug),
    }


@lru_cache(maxsize=64)
def _compiled(source, allowed):
    """The template of ``source``, checked once: a campaign renders the same text for every
    one of its customers."""
    check(source, allowed=allowed)
    return _environment.from_string(source)


def render(source, values, *, allowed=PLACEHOLDERS, field=None):
    """``source`` with each placeholder replaced by its value, as plain text."""
    try:
        template = _compiled(source or "", tuple(allowed))
    except TemplateError as error:
        raise TemplateError(error.message, field) from None
    return template.render(**values)


def _markdown_value(name, value, urls):
    """A value as Markdown that reads as that value: an address (a name in ``urls``) as an
    autolink (which also stands as a link's target), any other text with its punctuation
    escaped."""
    if name in urls:
        return f"<{value}>"
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", str(value))


def render_markdown(source, values, *, allowed=PLACEHOLDERS, field=None, urls=URL_PLACEHOLDERS):
    """``source`` (Markdown) made HTML, with each placeholder's value in as text."""
    escaped = {name: _markdown_value(name, value, urls) for name, value in values.items()}
    html = _markdown.render(render(source, escaped, allowed=allowed, field=field))
    return Markup(html)  # noqa: S704 (markdown-it writes HTML typed in the body as text)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: Markup


def render_message(*, subject, body, customer, shop, allowed=PLACEHOLDERS):
    """A subject and a Markdown body as ``customer`` of ``shop`` reads them."""
    values = values_for(customer, shop)
    return Rendered(
        subject=" ".join(render(subject, values, allowed=allowed, field="subject").split()),
        text=render(body, values, allowed=allowed, field="body"),
        html=render_markdown(body, values, allowed=allowed, field="body"),
    )
