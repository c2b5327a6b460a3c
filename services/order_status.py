"""What happens to an order after it is placed: the shop confirms, ships and completes it,
or it is cancelled, or the parcel comes back refused ("hoàn hàng"); payment is recorded.

Each change is an event on the customer's timeline and an email to the buyer. Functions take
the shop, the actor and plain values; the caller commits."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, update

from core.extensions import db
from core.i18n import register_status_labels
from core.tenancy import for_shop
from core.urls import external_url
from models import (
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    Product,
    StaffUser,
    utcnow,
)
from models.catalog import touch_catalog
from services import ServiceError, events
from services.customers import InvalidTransition
from services.notifications import email_customer, notify
from services.order_access import member_can_see
from services.tags import REFUSAL_TAG, tag_customer, tag_named
from services.totals import NOT_COUNTED, customer_totals, refresh_totals
from services.vouchers import release_use

__all__ = [
    "InvalidTransition",
    "cancel_by_customer",
    "change_order_status",
    "customer_totals",
    "mark_paid",
    "next_statuses",
    "refusal_counts",
    "refusals_count",
]


# The names of the statuses, for the emails and messages written here and for the pages.
STATUS_LABELS = register_status_labels(
    "order",
    {
        OrderStatus.PENDING: _l("Pending"),
        OrderStatus.CONFIRMED: _l("Confirmed"),
        OrderStatus.SHIPPING: _l("Shipping"),
        OrderStatus.COMPLETED: _l("Completed"),
        OrderStatus.CANCELLED: _l("Cancelled"),
        OrderStatus.RETURNED: _l("Returned"),
    },
)
PAYMENT_LABELS = register_status_labels(
    "payment",
    {
        PaymentStatus.UNPAID: _l("Unpaid"),
        PaymentStatus.PAID: _l("Paid"),
    },
)
METHOD_LABELS = {
    PaymentMethod.COD: _l("Cash on delivery (COD)"),
    PaymentMethod.BANK_TRANSFER: _l("Bank transfer"),
}

# status: the statuses it may become.
TRANSITIONS = {
    OrderStatus.PENDING: (OrderStatus.CONFIRMED, OrderStatus.CANCELLED),
    OrderStatus.CONFIRMED: (OrderStatus.SHIPPING, OrderStatus.CANCELLED),
    OrderStatus.SHIPPING: (OrderStatus.COMPLETED, OrderStatus.RETURNED),
}
# Statuses that put the goods back on the shelf.
RESTOCKING = (OrderStatus.CANCELLED, OrderStatus.RETURNED)


def email_subject(status, number, shop):
    """The subject of the email about ``status``, or None when that status sends none."""
    subjects = {
        OrderStatus.CONFIRMED: _l(
            "Your order %(number)s at %(shop)s is confirmed", number=number, shop=shop
        ),
        OrderStatus.SHIPPING: _l(
            "Your order %(number)s at %(shop)s is on its way", number=number, shop=shop
        ),
        OrderStatus.COMPLETED: _l(
            "Your order %(number)s at %(shop)s is completed", number=number, shop=shop
        ),
        OrderStatus.CANCELLED: _l(
            "Your order %(number)s at %(shop)s has been cancelled", number=number, shop=shop
        ),
        OrderStatus.RETURNED: _l(
            "Your order %(number)s at %(shop)s was returned to the shop",
            number=number,
            shop=shop,
        ),
    }
    return subjects.get(status)


def status_label(status):
    return STATUS_LABELS.get(status, status)


def next_statuses(order):
    """The statuses this order may become, in the order a shop works through them."""
    return TRANSITIONS.get(order.status, ())


def _check_shop(shop, order):
    if order.shop_id != shop.id:
        raise ServiceError(_l("This order belongs to another shop."))


def change_order_status(*, shop, order, actor, status):
    """Move the order on (``actor`` is the staff user, or None for the system). Refused with
    ``InvalidTransition``, nothing changed, when the order's status does not allow it."""
    return _change(shop=shop, order=order, status=status, staff=actor, by="staff")


def cancel_by_customer(*, shop, order, customer):
    """The buyer cancels their own order, which they may only while the shop has not
    confirmed it yet."""
    _check_shop(shop, order)
    if not member_can_see(order, customer):
        raise ServiceError(_l("This is not your order."))
    if order.status != OrderStatus.PENDING:
        raise InvalidTransition(
            _l(
                "This order can no longer be cancelled here, as the shop is preparing it. "
                "Please contact the shop."
            )
        )
    return _change(shop=shop, order=order, status=OrderStatus.CANCELLED, staff=None, by="customer")


def _change(*, shop, order, status, staff, by):
    _check_shop(shop, order)
    if status not in set(OrderStatus):
        raise InvalidTransition(_l("Choose one of the options."), "status")
    status = OrderStatus(status)
    previous = OrderStatus(order.status)
    if status not in TRANSITIONS.get(previous, ()):
        raise InvalidTransition(
            _l(
                "An order that is “%(current)s” cannot become “%(target)s”.",
                current=status_label(previous),
                target=status_label(status),
            ),
            "status",
        )
    order.status = status
    if status == OrderStatus.CANCELLED:
        order.cancelled_at = utcnow()
    if status in RESTOCKING:
        restock(shop=shop, order=order)
        release_use(shop=shop, order=order)
    customer = order.customer
    staff = staff if isinstance(staff, StaffUser) else None
    if customer is not None:
        events.order_status_changed(
            customer=customer,
            order=order,
            previous=previous,
            actor="customer" if by == "customer" else "system",
            staff=staff,
        )
    if customer is not None:
        refresh_totals(customer)
    email_buyer(shop=shop, order=order, status=status)
    if status == OrderStatus.RETURNED and customer is not None:
        tag_refuser(shop=shop, customer=customer)
    return order


def restock(*, shop, order):
    """Put each line's quantity back on its product, when the product still exists and its
    stock is tracked. One UPDATE per line: two restocks at once cannot lose one."""
    touch_catalog(db.session, shop.id)
    for line in order.lines:
        if line.product_id is None or line.quantity <= 0:
            continue
        db.session.execute(
            update(Product)
            .where(Product.id == line.product_id)
            .where(Product.shop_id == shop.id)
            .where(Product.track_stock.is_(True))
            .values(stock=Product.stock + line.quantity)
            .execution_options(synchronize_session="fetch")
        )


def order_link(shop, order):
    """Where the buyer follows their order: their account when they are a member who can
    see it there, else the order's own unguessable page."""
    customer = order.customer
    if customer is not None and customer.password_hash and member_can_see(order, customer):
        return external_url("storefront.account_order", shop=shop.slug, number=order.number)
    return external_url("storefront.order", shop=shop.slug, token=order.token)


def email_buyer(*, shop, order, status):
    """Tell the buyer, when the order has an email address to tell."""
    subject = email_subject(status, order.display_number, shop.name)
    if not order.email or subject is None:
        return
    customer = order.customer
    context = {
        "order": order,
        "status": str(status),
        "status_label": status_label(status),
        "method_label": METHOD_LABELS.get(order.payment_method, order.payment_method),
        "order_url": order_link(shop, order),
        "show_bank_details": (
            status == OrderStatus.CONFIRMED
            and order.payment_method == PaymentMethod.BANK_TRANSFER
            and order.payment_status == PaymentStatus.UNPAID
            and bool(shop.bank_details.strip())
        ),
    }
    if customer is not None:
        email_customer(
            shop=shop,
            customer=customer,
            to=order.email,
            template="order_status",
            subject=subject,
            **context,
        )
    else:
        notify(
            shop=shop,
            to=order.email,
            to_name=order.full_name,
            template="order_status",
            subject=subject,
            customer=None,
            **context,
        )


def mark_paid(*, shop, order, actor):
    """The shop received the money (a bank transfer arrived, the courier paid the COD)."""
    _check_shop(shop, order)
    if order.payment_status == PaymentStatus.PAID:
        raise InvalidTransition(_l("This order is already marked as paid."))
    if order.status in NOT_COUNTED:
        raise InvalidTransition(_l("A cancelled or returned order cannot be marked as paid."))
    order.payment_status = PaymentStatus.PAID
    order.paid_at = utcnow()
    if order.customer is not None:
        events.order_paid(
            customer=order.customer,
            order=order,
            staff=actor if isinstance(actor, StaffUser) else None,
        )
    return order


# --- A customer's orders in numbers ---------------------------------------------------


def refusals_count(customer):
    """How many of the customer's COD parcels came back refused."""
    return db.session.scalar(
        for_shop(Order, customer.shop)
        .with_only_columns(func.count(Order.id))
        .where(Order.customer_id == customer.id)
        .where(Order.status == OrderStatus.RETURNED)
    )


def refusal_counts(*, shop, customers):
    """How many COD parcels each of ``customers`` refused, by id, for those who refused any:
    one query for a page of customers (``refusals_count`` counts one customer's)."""
    ids = [customer.id for customer in customers]
    if not ids:
        return {}
    query = (
        for_shop(Order, shop)
        .with_only_columns(Order.customer_id, func.count(Order.id))
        .where(Order.status == OrderStatus.RETURNED, Order.customer_id.in_(ids))
        .group_by(Order.customer_id)
    )
    return dict(db.session.execute(query).all())


def tag_refuser(*, shop, customer):
    """Tag the customer "hay hoàn" once their refused parcels reach the shop's threshold
    (0: never)."""
    threshold = shop.refusal_tag_threshold or 0
    if threshold <= 0:
        return None
    tag = tag_named(shop, REFUSAL_TAG)
    if any(link.tag is tag for link in customer.tags):
        return None
    refusals = refusals_count(customer)
    if refusals < threshold:
        return None
    tag_customer(customer, tag)
    events.tag_added(customer=customer, name=REFUSAL_TAG, refusals=refusals)
    return tag
