"""The admin's order forms: entering a new order for a customer, moving an order on, and
marking it paid (CSRF only)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import Optional

from core.forms import Form, max_length, required
from core.inputs import parse_id
from models import PaymentMethod
from services import ServiceError
from services.cart import parse_quantity
from services.order_status import METHOD_LABELS, STATUS_LABELS
from services.places import province_names

LINE_ROWS = 5


class OrderCreateForm(Form):
    """The contact, the address and the payment, named as ``services.orders.DETAILS``; the
    lines are ``product_id-N`` and ``quantity-N`` (N from 1 to 5), read by ``OrderLineRows``."""

    address_id = SelectField(
        _l("Deliver to"),
        # Checked against the customer's own address book by the service.
        validate_choice=False,
        default="",
    )
    full_name = StringField(_l("Full name"), validators=[required(), max_length(200)])
    email = EmailField(
        _l("Email"),
        validators=[Optional(), max_length(254)],
        description=_l(
            "The customer gets the order confirmation at this address. "
            "Leave it blank when they have no email: then no email is sent."
        ),
    )
    phone = TelField(_l("Phone number"), validators=[required(), max_length(30)])
    line1 = StringField(_l("House number, street"), validators=[Optional(), max_length(255)])
    ward = StringField(_l("Ward or commune"), validators=[Optional(), max_length(120)])
    district = StringField(
        _l("District (old addresses only)"), validators=[Optional(), max_length(120)]
    )
    province = SelectField(_l("Province or city"), validate_choice=False)
    payment_method = RadioField(
        _l("Payment method"),
        choices=[SelectChoice(m.value, METHOD_LABELS[m]) for m in PaymentMethod],
        default=PaymentMethod.COD.value,
        # A value that is not a method is refused by the service, beside this field.
        validate_choice=False,
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), max_length(1000)])
    voucher_code = StringField(
        _l("Voucher code"),
        validators=[Optional(), max_length(40)],
        description=_l("Checked for this customer when the order is created."),
        render_kw={"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"},
    )

    def __init__(self, *args, addresses=(), bank_transfer=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.province.choices = [SelectChoice("", _l("Choose a province or city"))] + [
            SelectChoice(name, name) for name in province_names()
        ]
        self.address_id.choices = [SelectChoice("", _l("A new address (fill in below)"))] + [
            SelectChoice(str(a.id), ", ".join([a.full_name or "", *a.lines()]).strip(", "))
            for a in addresses
        ]
        if not bank_transfer:
            self.payment_method.choices = [
                c for c in self.payment_method.choices if c.value != PaymentMethod.BANK_TRANSFER
            ]


class OrderLineRows:
    """The new order's product rows: as typed (``rows``), the ``lines`` read from them
    (``[(product_id, quantity)]``), and what is wrong, beside a row (``errors``) or above
    them all (``error``).

    Read from ``formdata`` against the ``products`` offered: a row without a product is
    skipped; a product must be one of those offered and the quantity a whole number from
    1 to 99. Whether there is stock enough is the service's to say, when it places the
    order (``refuse``)."""

    def __init__(self, products, formdata=None):
        self.rows = [(n, "", "1" if n == 1 else "") for n in range(1, LINE_ROWS + 1)]
        self.lines, self.errors, self.error = [], {}, None
        self._row_of = {}
        if formdata is not None:
            self._read({product.id: product for product in products}, formdata)

    def _read(self, offered, formdata):
        self.rows = []
        for n in range(1, LINE_ROWS + 1):
            product_value = formdata.get(f"product_id-{n}", "").strip()
            quantity_value = formdata.get(f"quantity-{n}", "").strip()
            self.rows.append((n, product_value, quantity_value))
            if not product_value:
                continue
            product = offered.get(parse_id(product_value) or 0)
            if product is None:
                self.errors[n] = _("This product is not available.")
                continue
            try:
                quantity = parse_quantity(quantity_value)
            except ServiceError as error:
                self.errors[n] = str(error.message)
                continue
            self.lines.append((product.id, quantity))
            self._row_of.setdefault(product.id, n)
        if not self.lines and not self.errors:
            self.error = _("Add at least one product.")

    @property
    def ready(self):
        """Lines to place, and nothing wrong with any row."""
        return bool(self.lines) and not self.errors

    def refuse(self, error):
        """Show the service's refusal beside the row of the product it names (stock), or
        above the rows."""
        row = self._row_of.get(getattr(error, "product_id", None))
        if row is None:
            self.error = str(error.message)
        else:
            self.errors[row] = str(error.message)


class OrderStatusForm(Form):
    """The new status. Every status is a choice; the service refuses the moves the order's
    status does not allow, with a message that says why."""

    status = SelectField(
        _l("New status"),
        choices=[SelectChoice(str(value), label) for value, label in STATUS_LABELS.items()],
        validators=[required()],
    )


class OrderPaidForm(Form):
    """CSRF only: the money arrived."""
