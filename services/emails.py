"""Email addresses as the product stores them."""

import re
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from services import ServiceError


class InvalidEmail(ServiceError):
    pass


def normalise_email(value, field="email"):
    """Lower-cased, validated syntax (no DNS look-up: shops work offline too)."""
    value = (value or "").strip()
    if not value:
        raise InvalidEmail(_l("Enter an email address."), field)
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidEmail(_l("This email address is not valid."), field) from error
    return result.normalized.lower()


# The local part of an ordinary address (RFC 5322's dot-atom, ASCII): nothing to normalise.
PLAIN_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


@lru_cache(maxsize=4096)
def _checked_domain(domain):
    """The domain as ``normalise_email`` writes it, or None when it refuses it."""
    try:
        return validate_email("a@" + domain, check_deliverability=False).domain.lower()
    except EmailNotValidError:
        return None


def normalise_email_quickly(value, field="email"):
    """What ``normalise_email`` answers, for many addresses at once (an import): an
    ordinary address has its domain checked once for all the addresses at that domain,
    any other goes through the full check."""
    value = (value or "").strip()
    local, at, domain = value.rpartition("@")
    if at and value.isascii() and len(local) < 64 and len(value) < 250:
        checked = _checked_domain(domain.lower()) if PLAIN_LOCAL.fullmatch(local) else None
        if checked is not None:
            return f"{local.lower()}@{checked}"
    return normalise_email(value, field)
