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
from sqlalchemy.orm import selectinload

from admin import bp
from admin.common import acting_staff
from admin.order_forms import OrderCreateForm, OrderLineRows
from core.auth import staff_required
from core.extensions import db
from core.forms import show_error
from core.inputs import parse_id, search_text
from core.tenancy import get_for_shop_or_404, shop_query
from models import Customer, CustomerStatus, Product, Role
from services import ServiceError
from services import orders as order_service
from services.phones import display_phone
from services.search import customer_search

SEARCH_LIMIT = 20
PRODUCT_LIMIT = 500


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


def initial_data(customer):
    default = customer.default_address
    return {
        "full_name": customer.full_name,
        "email": customer.email or "",
        "phone": display_phone(customer.primary_phone) if customer.primary_phone else "",
        "address_id": str(default.id) if default is not None else "",
    }


def order_form(customer):
    """The form, filled in from the customer's record on the first visit."""
    return OrderCreateForm(
        addresses=customer.addresses,
        bank_transfer=bool((g.shop.bank_details or "").strip()),
        data=None if request.method == "POST" else initial_data(customer),
    )


def choose_customer():
    """The first step: find the customer (never one whose account was cancelled)."""
    if request.method == "POST":
        flash(_("Choose a customer first."), "warning")
        return redirect(url_for("admin.order_create"))
    q = search_text(request.args.get("q"))
    return render_template(
        "admin/order_create.html", customer=None, q=q, matches=matching_customers(q)
    )


def placed_order(form, rows, customer):
    """The order placed from the form, or None with the service's refusal shown beside
    its field, beside its product's row, or above the rows."""
    try:
        return order_service.place_order(
            shop=g.shop,
            lines=rows.lines,
            customer=customer,
            source="admin",
            staff=acting_staff(),
            **order_service.order_details(form.data),
        )
    except ServiceError as error:
        db.session.rollback()
        if show_error(form, error) is None:
            rows.refuse(error)
        return None


@bp.route("/orders/new", methods=["GET", "POST"])
@staff_required(Role.MANAGER)
def order_create():
    customer = chosen_customer()
    if customer is None:
        return choose_customer()
    try:
        order_service.check_can_order(customer)
    except ServiceError as error:
        # Nothing is written; the customer's page is where the account can be reinstated.
        flash(str(error.message), "danger")
        return redirect(url_for("admin.customer_detail", customer_id=customer.id))

    form = order_form(customer)
    products = visible_products()
    posted = request.method == "POST"
    rows = OrderLineRows(products, request.form if posted else None)
    if posted:
        valid = form.validate_on_submit()  # even with bad rows: every error shows at once
        order = placed_order(form, rows, customer) if valid and rows.ready else None
        if order is not None:
            number, order_id = order.display_number, order.id
            db.session.commit()
            flash(_("Order %(number)s was created.", number=number), "success")
            return redirect(url_for("admin.order_detail", order_id=order_id))
        flash(_("Please check the highlighted fields."), "danger")
    return render_template(
        "admin/order_create.html",
        customer=customer,
        form=form,
        products=products,
        rows=rows.rows,
        line_errors=rows.errors,
        lines_error=rows.error,
    )
