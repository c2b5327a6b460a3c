"""Validators with translated messages: WTForms ships no Vietnamese catalog of its own."""

from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, Length


def required():
    return DataRequired(message=_l("Please fill in this field."))


def max_length(n):
    return Length(max=n, message=_l("Please use at most %(max)d characters."))


def show_error(form, error, default):
    """Show a service's refusal beside the field it names, or beside ``default``."""
    field = getattr(form, error.field or "", None) or default
    field.errors = [*field.errors, str(error.message)]
