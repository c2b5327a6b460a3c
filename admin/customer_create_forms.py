"""The form that enters a customer by hand. Its field names are a contract (other pages and
scripts post them). Emails, phones and the address are checked by the service, which names
the field a refusal belongs to; the form checks only lengths and choices."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
)
from wtforms.validators import Optional

from admin.customer_filters import GENDER_LABELS
from core.forms import BirthdayField, Form, max_length
from models import CustomerStatus
from services.customer_create import ADDRESS_FIELDS
from services.places import province_names


def text(label, length, description=None, **render_kw):
    return StringField(
        label,
        validators=[Optional(), max_length(length)],
        description=description,
        render_kw=render_kw or None,
    )


class CustomerCreateForm(Form):
    last_name = text(_l("Last name"), 100)
    first_name = text(_l("First name"), 100, _l("A first name or a last name is enough."))
    email = EmailField(_l("Email"), validators=[Optional(), max_length(254)])
    phone = TelField(
        _l("Phone number"),
        validators=[Optional(), max_length(30)],
        render_kw={"inputmode": "tel"},
    )
    gender = SelectField(
        _l("Gender"),
        choices=[
            SelectChoice("", "—"),
            *(SelectChoice(key, label) for key, label in GENDER_LABELS.items()),
        ],
        default="",
    )
    birthday = BirthdayField(_l("Date of birth"), validators=[Optional()])
    company = text(_l("Company"), 200)
    code = text(_l("Customer code"), 32, _l("Leave it empty and the shop's next code is given."))
    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice(CustomerStatus.GUEST.value, _l("Guest (no account)")),
            SelectChoice(CustomerStatus.TEMPORARY.value, _l("Member waiting for approval")),
            SelectChoice(CustomerStatus.OFFICIAL.value, _l("Official member")),
        ],
        default=CustomerStatus.GUEST.value,
        description=_l("A member with an email is sent a link to choose their password."),
    )
    accepts_marketing = BooleanField(_l("Accepts marketing emails"))
    on_duplicate = SelectField(
        _l("If the email or phone is already a customer's"),
        choices=[
            SelectChoice("refuse", _l("Stop and show me that customer")),
            SelectChoice("skip", _l("Add nothing")),
            SelectChoice("update", _l("Update that customer with these details")),
            SelectChoice("create", _l("Create a second customer (same phone only)")),
        ],
        default="refuse",
    )
    # The first address, all optional: once one of its fields is filled in, the street, the
    # ward and the province are needed.
    address_full_name = text(_l("Recipient's name"), 200, _l("Empty: the customer's name."))
    address_phone = TelField(
        _l("Recipient's phone"),
        validators=[Optional(), max_length(30)],
        description=_l("Empty: the customer's phone."),
        render_kw={"inputmode": "tel"},
    )
    address_line1 = text(_l("House number, street"), 255)
    address_ward = text(_l("Ward or commune"), 120)
    address_district = text(_l("District (old addresses only)"), 120)
    address_province = SelectField(_l("Province or city"), validate_choice=False, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.address_province.choices = [SelectChoice("", _l("Choose a province or city"))] + [
            SelectChoice(name, name) for name in province_names()
        ]

    def address(self):
        """The address fields as the service takes them."""
        return {name: getattr(self, f"address_{name}").data for name in ADDRESS_FIELDS}

    def details(self):
        """The customer's fields as the service's ``clean`` takes them."""
        names = ("first_name", "last_name", "email", "phone", "gender", "birthday", "company")
        values = {name: getattr(self, name).data for name in names}
        return {
            **values,
            "status": self.status.data,
            "accepts_marketing": self.accepts_marketing.data,
            "code": self.code.data,
            "address": self.address(),
        }
