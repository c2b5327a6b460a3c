"""Staff enter an order for one of the shop's customers (a phone order, a message on a
chat app): pick the customer, up to five products with their quantities, one of the
customer's saved addresses or a typed one, and the payment method.

``services.orders.place_order`` does the work (numbers, stock, the customer's timeline, the
confirmation email); this view only reads the form, says which field is wrong and commits.
It writes to stock and emails the customer, so it needs a manager or the owner.

The email is optional here: many customers order by phone and have none. Without one the
order is placed all the same and nobody is emailed. A customer whose account was cancelled
is neither offered nor accepted."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload
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

from admin import bp
from admin.common import acting_staff
from core.auth import staff_required
from core.extensions import db
from core.forms import Form, max_length, required
from core.inputs import parse_id, search_text
from core.tenancy import get_for_shop_or_404, shop_query
from models import Customer, CustomerStatus, PaymentMethod, Product, Role
from services import ServiceError
from services import orders as order_service
from services.cart import check_stock, parse_quantity
from services.order_status import METHOD_LABELS
from services.phones import display_phone
from services.places import province_names
from services.search import customer_search

LINE_ROWS = 5
SEARCH_LIMIT = 20
PRODUCT_LIMIT = 500


class OrderCreateForm(Form):
    """The contact, the address and the payment; the lines are ``product_id-N`` and
    ``quantity-N`` (N from 1 to 5), read by the view and checked by the cart service."""

    address_id = SelectField(
        _l("Deliver to"),
        # Checked against the customer's own address book by the view and the service.
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


def chosen_customer():
    """The customer named by ``customer_id``, or None when none is named. Another shop's
    id, or one that is not a number, is a 404."""
    value = request.values.get("customer_id", "").strip()
    if not value:
        return None
    customer_id = parse_id(value)
    if customer_id is None:
        abort(404)
    return get_for_shop_or_404(Customer, customer_id)


def matching_customers(q):
    condition = customer_search(q)
    if condition is None:
        return []
    return db.session.scalars(
        shop_query(Customer)
        .where(condition)
        .where(Customer.status != CustomerStatus.CANCELLED)
        .order_by(Customer.joined_at.desc(), Customer.id.desc())
        .options(selectinload(Customer.phones))
        .limit(SEARCH_LIMIT)
    ).all()


def visible_products():
    return db.session.scalars(
        shop_query(Product)
        .where(Product.hidden.is_(False))
        .order_by(Product.name, Product.id)
        .limit(PRODUCT_LIMIT)
    ).all()


def read_lines(products):
    """(rows as typed, [(product_id, quantity)], {row: error}) from ``product_id-N`` and
    ``quantity-N``. A row without a product is skipped; a product must be one of the shop's
    visible products (the list shown) and the quantity a whole number from 1 to 99."""
    by_id = {product.id: product for product in products}
    rows, lines, errors = [], [], {}
    for n in range(1, LINE_ROWS + 1):
        product_value = request.form.get(f"product_id-{n}", "").strip()
        quantity_value = request.form.get(f"quantity-{n}", "").strip()
        rows.append((n, product_value, quantity_value))
        if not product_value:
            continue
        product = by_id.get(parse_id(product_value) or 0)
        if product is None:
            errors[n] = _("This product is not available.")
            continue
        try:
            quantity = parse_quantity(quantity_value)
            check_stock(product, quantity)
        except ServiceError as error:
            errors[n] = str(error.message)
            continue
        lines.append((product.id, quantity))
    return rows, lines, errors


def blank_rows():
    return [(n, "", "1" if n == 1 else "") for n in range(1, LINE_ROWS + 1)]


def initial_data(customer):
    default = customer.default_address
    return {
        "full_name": customer.full_name,
        "email": customer.email or "",
        "phone": display_phone(customer.primary_phone) if customer.primary_phone else "",
        "address_id": str(default.id) if default is not None else "",
    }


@bp.route("/orders/new", methods=["GET", "POST"])
@staff_required(Role.MANAGER)
def order_create():
    customer = chosen_customer()
    if customer is None:
        if request.method == "POST":
            flash(_("Choose a customer first."), "warning")
            return redirect(url_for("admin.order_create"))
        q = search_text(request.args.get("q"))
        return render_template(
            "admin/order_create.html",
            customer=None,
            q=q,
            matches=matching_customers(q),
        )

    try:
        order_service.check_can_order(customer)
    except ServiceError as error:
        # Nothing is written; the customer's page is where the account can be reinstated.
        flash(str(error.message), "danger")
        return redirect(url_for("admin.customer_detail", customer_id=customer.id))

    bank_transfer = bool((g.shop.bank_details or "").strip())
    form = OrderCreateForm(
        addresses=customer.addresses,
        bank_transfer=bank_transfer,
        data=None if request.method == "POST" else initial_data(customer),
    )
    products = visible_products()
    rows, line_errors, lines_error = blank_rows(), {}, None
    if request.method == "POST":
        rows, lines, line_errors = read_lines(products)
        valid = form.validate_on_submit()
        address_id = (form.address_id.data or "").strip()
        if address_id and address_id not in {str(a.id) for a in customer.addresses}:
            form.address_id.errors = [
                *form.address_id.errors,
                _("Choose one of the customer's saved addresses."),
            ]
            valid = False
        if not lines and not line_errors:
            lines_error = _("Add at least one product.")
        if valid and lines and not line_errors:
            try:
                order = order_service.place_order(
                    shop=g.shop,
                    lines=lines,
                    full_name=form.full_name.data,
                    email=form.email.data,
                    phone=form.phone.data,
                    line1=form.line1.data,
                    ward=form.ward.data,
                    district=form.district.data,
                    province=form.province.data,
                    address_id=address_id or None,
                    payment_method=form.payment_method.data,
                    note=form.note.data,
                    customer=customer,
                    source="admin",
                    staff=acting_staff(),
                )
            except ServiceError as error:
                db.session.rollback()
                field = getattr(form, error.field or "", None)
                if field is not None and error.field != "csrf_token":
                    field.errors = [*field.errors, str(error.message)]
                else:
                    lines_error = str(error.message)
            else:
                number = order.display_number
                order_id = order.id
                db.session.commit()
                flash(_("Order %(number)s was created.", number=number), "success")
                return redirect(url_for("admin.order_detail", order_id=order_id))
        flash(_("Please check the highlighted fields."), "danger")
    return render_template(
        "admin/order_create.html",
        customer=customer,
        form=form,
        products=products,
        rows=rows,
        line_errors=line_errors,
        lines_error=lines_error,
    )
