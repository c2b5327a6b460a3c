"""The shopper's forms. Field names are part of the storefront's contract: other tests and
themes post them. Checks that the services make again (email, phone, password length) are
made here too, so a mistake shows beside its field before anything is written."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
)
from wtforms.validators import EqualTo, Optional, ValidationError

from core.forms import BirthdayField, Form, max_length, required
from models import Gender
from services import ServiceError
from services.emails import normalise_email
from services.phones import normalise_phone
from services.places import province_names
from services.shops import check_password


def valid_email(form, field):
    if field.data:
        try:
            normalise_email(field.data)
        except ServiceError as error:
            raise ValidationError(str(error.message)) from error


def valid_phone(form, field):
    if field.data and field.data.strip():
        try:
            normalise_phone(field.data)
        except ServiceError as error:
            raise ValidationError(str(error.message)) from error


def strong_password(form, field):
    try:
        check_password(field.data)
    except ServiceError as error:
        raise ValidationError(str(error.message)) from error


def same_as_password():
    return EqualTo("password", message=_l("The two passwords do not match."))


def password_field(label, autocomplete):
    return PasswordField(
        label,
        validators=[required(), max_length(200)],
        render_kw={"autocomplete": autocomplete},
    )


def new_password_fields():
    """(password, password_confirm) of a form that sets a password."""
    password = PasswordField(
        _l("Password"),
        validators=[required(), strong_password, max_length(200)],
        description=_l("At least 8 characters."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[required(), same_as_password()],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


def last_name_field():
    return StringField(
        _l("Last name"),
        validators=[Optional(), max_length(100)],
        render_kw={"autocomplete": "family-name"},
    )


def first_name_field():
    return StringField(
        _l("First name"),
        validators=[required(), max_length(100)],
        description=_l("Your given name, e.g. Minh Anh."),
        render_kw={"autocomplete": "given-name"},
    )


def phone_field(label, validators, name_hint="tel"):
    return TelField(
        label,
        validators=[*validators, max_length(30), valid_phone],
        render_kw={"autocomplete": name_hint, "inputmode": "tel"},
    )


class MemberRegisterForm(Form):
    last_name = last_name_field()
    first_name = first_name_field()
    email = EmailField(
        _l("Email"),
        validators=[required(), max_length(254), valid_email],
        render_kw={"autocomplete": "email"},
    )
    phone = phone_field(_l("Phone number"), [Optional()])
    password, password_confirm = new_password_fields()
    accepts_marketing = BooleanField(_l("Email me news and offers from the shop"))


class MemberLoginForm(Form):
    login = StringField(
        _l("Email or phone number"),
        validators=[required(), max_length(254)],
        render_kw={"autocomplete": "username"},
    )
    password = password_field(_l("Password"), "current-password")
    remember = BooleanField(_l("Remember me"))


class PasswordForgotForm(Form):
    email = EmailField(
        _l("Email"),
        validators=[required(), max_length(254), valid_email],
        render_kw={"autocomplete": "email"},
    )


class RegistrationConfirmForm(Form):
    password = password_field(_l("The password you chose when registering"), "current-password")


class PasswordResetForm(Form):
    password, password_confirm = new_password_fields()


class PasswordChangeForm(Form):
    current_password = password_field(_l("Current password"), "current-password")
    password, password_confirm = new_password_fields()


class AccountDeleteForm(Form):
    """Deleting one's own account: the password proves it is the member asking."""

    current_password = password_field(_l("Current password"), "current-password")


class EmailChangeForm(Form):
    email = EmailField(
        _l("New email address"),
        validators=[required(), max_length(254), valid_email],
        render_kw={"autocomplete": "email"},
    )
    current_password = password_field(_l("Current password"), "current-password")


GENDER_CHOICES = [
    SelectChoice("", _l("Prefer not to say")),
    SelectChoice(Gender.FEMALE.value, _l("Female")),
    SelectChoice(Gender.MALE.value, _l("Male")),
    SelectChoice(Gender.OTHER.value, _l("Other")),
]


class ProfileForm(Form):
    last_name = last_name_field()
    first_name = first_name_field()
    gender = SelectField(_l("Gender"), choices=GENDER_CHOICES, default="")
    birthday = BirthdayField(
        _l("Date of birth"), validators=[Optional()], render_kw={"autocomplete": "bday"}
    )
    accepts_marketing = BooleanField(_l("Email me news and offers from the shop"))


class PhoneAddForm(Form):
    new_phone = phone_field(_l("Add a phone number"), [required()])


class AddressForm(Form):
    full_name = StringField(
        _l("Recipient's name"),
        validators=[required(), max_length(200)],
        render_kw={"autocomplete": "name"},
    )
    phone = phone_field(_l("Phone number"), [required()])
    line1 = StringField(
        _l("House number, street"),
        validators=[required(), max_length(255)],
        description=_l("e.g. 12 Nguyễn Trãi, or Lô A2 Chung cư Hoàng Anh"),
        render_kw={"autocomplete": "address-line1"},
    )
    ward = StringField(
        _l("Ward or commune"),
        validators=[required(), max_length(120)],
        render_kw={"autocomplete": "address-level3"},
    )
    province = SelectField(
        _l("Province or city"),
        validators=[required()],
        # Old province names are accepted too and mapped by the service.
        validate_choice=False,
        render_kw={"autocomplete": "address-level1"},
    )
    district = StringField(
        _l("District (old addresses only)"),
        validators=[Optional(), max_length(120)],
        description=_l(
            "Since July 2025 addresses have no district. Fill this in only to keep an "
            "old address as it was written."
        ),
    )
    country = SelectField(_l("Country"), choices=[SelectChoice("VN", _l("Vietnam"))], default="VN")
    is_default = BooleanField(_l("Use as my default address"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.province.choices = [SelectChoice("", _l("Choose a province or city"))] + [
            SelectChoice(name, name) for name in province_names()
        ]
