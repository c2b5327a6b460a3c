"""The cart's and the checkout's forms. Field names are part of the storefront's contract
(``product_id``, ``quantity``, ``quantity-<product_id>``, the checkout's contact and address
fields, ``address_id``, ``payment_method``): other tests and themes post them.

The cart's forms carry only the CSRF token and raw strings: the cart service reads the
numbers and says what is wrong with them. Prices are never a field: they are read from the
products every time."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from core.forms import Form, max_length, required
from models import PaymentMethod
from services.order_status import METHOD_LABELS
from services.places import province_names
from storefront.forms import phone_field, valid_email


class CartAddForm(Form):
    product_id = HiddenField()
    quantity = StringField(_l("Quantity"), default="1")


class CartRemoveForm(Form):
    product_id = HiddenField()


class VoucherForm(Form):
    """The cart's voucher box: the code, applied or removed (``voucher_action``)."""

    voucher_code = StringField(_l("Voucher code"), validators=[Optional(), max_length(40)])


class CartUpdateForm(Form):
    """CSRF only: the quantities come as ``quantity-<product_id>``, one per line."""


class CheckoutForm(Form):
    address_id = SelectField(
        _l("Deliver to"),
        # Checked by the service against the member's own book, with its own message.
        validate_choice=False,
        default="",
    )
    full_name = StringField(
        _l("Full name"),
        validators=[required(), max_length(200)],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        _l("Email"),
        validators=[required(), max_length(254), valid_email],
        description=_l("We email you the order confirmation."),
        render_kw={"autocomplete": "email"},
    )
    phone = phone_field(_l("Phone number"), [required()])
    # Needed unless a saved address is chosen: the service says which one is missing.
    line1 = StringField(
        _l("House number, street"),
        validators=[Optional(), max_length(255)],
        description=_l("e.g. 12 Nguyễn Trãi, or Lô A2 Chung cư Hoàng Anh"),
        render_kw={"autocomplete": "address-line1"},
    )
    ward = StringField(
        _l("Ward or commune"),
        validators=[Optional(), max_length(120)],
        render_kw={"autocomplete": "address-level3"},
    )
    district = StringField(
        _l("District (old addresses only)"),
        validators=[Optional(), max_length(120)],
    )
    province = SelectField(
        _l("Province or city"),
        # Old province names are accepted too and mapped by the service.
        validate_choice=False,
        render_kw={"autocomplete": "address-level1"},
    )
    note = TextAreaField(
        _l("Note for the shop"),
        validators=[Optional(), max_length(1000)],
        description=_l("e.g. deliver after 5 pm, or call before coming."),
    )
    payment_method = RadioField(
        _l("Payment method"),
        choices=[SelectChoice(m.value, METHOD_LABELS[m]) for m in PaymentMethod],
        default=PaymentMethod.COD.value,
        # A value that is not a method is refused by the service, beside this field.
        validate_choice=False,
    )
    # Applied with its own button (``voucher_action``) without losing what was typed.
    voucher_code = StringField(
        _l("Voucher code"),
        validators=[Optional()],
        render_kw={"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"},
    )
    # The total the page showed: when prices change meanwhile, the page shows them again.
    expected_total = HiddenField()

    def __init__(self, *args, addresses=(), bank_transfer=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.province.choices = [SelectChoice("", _l("Choose a province or city"))] + [
            SelectChoice(name, name) for name in province_names()
        ]
        self.address_id.choices = [SelectChoice("", _l("A new address (fill in below)"))] + [
            SelectChoice(str(a.id), ", ".join([a.full_name, *a.lines()])) for a in addresses
        ]
        if not bank_transfer:
            self.payment_method.choices = [
                c for c in self.payment_method.choices if c.value != PaymentMethod.BANK_TRANSFER
            ]
