"""Email addresses as the product stores them."""

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
