"""The project's base form, and validators with translated messages: WTForms ships no
Vietnamese catalog of its own."""

import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    PasswordField,
    SelectFieldBase,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from core.inputs import MAX_ID, multi_line, single_line


def required():
    return DataRequired(message=_l("Please fill in this field."))


def max_length(n):
    return Length(max=n, message=_l("Please use at most %(max)d characters."))


# What a post whose CSRF token fails is told (``core.errors``), wherever it was sent.
FORM_EXPIRED = _l("The form has expired. Please try again.")


def show_error(form, error, default=None):
    """Show a service's refusal beside the field it names, or beside ``default``. Returns
    the field, or None when the form has neither (the caller then flashes the message)."""
    field = getattr(form, error.field or "", None)
    if field is None:
        field = default
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    return field


def first_error(form):
    """The message to flash for a form that failed on a page that redirects after a post."""
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return str(FORM_EXPIRED)


def bounded_int(value):
    """``coerce=int`` of a choice field, within what an integer column holds."""
    number = int(value)
    if not -MAX_ID <= number <= MAX_ID:
        raise ValueError(value)
    return number


def within_integer(value):
    """Filter of an ``IntegerField``: a number no integer column holds is a form error."""
    if value is not None and not -MAX_ID <= value <= MAX_ID:
        raise ValueError(_l("This number is too large."))
    return value


class BirthdayField(DateField):
    """A date input whose unreadable value gets a translated message."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0]:
            self.data = None
            return
        try:
            self.data = datetime.date.fromisoformat(valuelist[0].strip())
        except ValueError as error:
            self.data = None
            raise ValueError(str(_l("Enter a date such as 20/11/1995."))) from error


class Form(FlaskForm):
    """Every form of the project. What a field receives is cleaned as it arrives: one-line
    text loses its control characters, multi-line text keeps its line breaks as ``\\n``
    only (passwords stay as typed); whole numbers stay within an integer column, with a
    translated message where WTForms would write an English one."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, TextAreaField):
                field.filters = (*field.filters, multi_line)
            elif isinstance(field, StringField) and not isinstance(field, PasswordField):
                field.filters = (*field.filters, single_line)
            if isinstance(field, IntegerField):
                field.filters = (*field.filters, within_integer)
                field.invalid_value_message = field.invalid_value_message or _l(
                    "Please enter a whole number, such as 250000."
                )
            if isinstance(field, SelectFieldBase) and getattr(field, "coerce", None) is int:
                field.coerce = bounded_int
                field.invalid_value_message = field.invalid_value_message or _l(
                    "Choose one of the options."
                )
            return field


class EmptyForm(Form):
    """CSRF only: logout and the one-button actions."""
