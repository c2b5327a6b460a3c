"""A customer's orders in numbers, kept on the record so that the customer list filters and
sorts a million customers by them: what they spent and how many orders count (cancelled
orders and refused parcels do not), and when they last ordered."""

from sqlalchemy import func

from core.extensions import db
from core.tenancy import for_shop
from models import Order, OrderStatus

# Orders in these statuses do not count toward a customer's totals.
NOT_COUNTED = (OrderStatus.CANCELLED, OrderStatus.RETURNED)


def _of(customer, *columns):
    return (
        for_shop(Order, customer.shop)
        .with_only_columns(*columns)
        .where(Order.customer_id == customer.id)
    )


def customer_totals(customer):
    """(total spent, number of orders) over the customer's orders that count."""
    spent, count = db.session.execute(
        _of(customer, func.coalesce(func.sum(Order.total), 0), func.count(Order.id)).where(
            Order.status.not_in([str(s) for s in NOT_COUNTED])
        )
    ).one()
    return int(spent), int(count)


def refresh_totals(customer):
    """Write the record's totals from its orders (after an order is placed, changes status,
    or moves to another record)."""
    customer.total_spent, customer.orders_count = customer_totals(customer)
    last = _of(customer, func.max(Order.created_at))
    customer.last_order_at = db.session.scalar(last)
