"""Who sees an order in a member's account.

An order shows there only when the member proved it is theirs: they placed it while logged
in, or its contact email is the member's own and was confirmed by a link sent to it. A phone
number proves nothing and never shows an order. Staff see every order on the customer's
record; whoever has an order's secret link sees that one order."""

from sqlalchemy import and_, or_

from core.tenancy import for_shop
from models import Order


def member_order_condition(customer):
    """SQL for ``member_can_see``: the orders of the member's record that they placed while
    logged in, or whose contact email is the member's own and confirmed."""
    placed = Order.source == "member"
    if customer.email and customer.email_verified_at is not None:
        placed = or_(placed, Order.email == customer.email)
    return and_(Order.customer_id == customer.id, placed)


def member_can_see(order, customer):
    """Whether ``customer`` (a signed-in member) may see ``order`` in their account — its
    page, its place in their lists, cancelling it, the links in its emails. Ownership comes
    from proof: placed while logged in, or an email confirmed by a link sent to it. A phone
    never shows an order to a member; staff see every order on the customer's record."""
    if customer is None or order.shop_id != customer.shop_id or order.customer_id != customer.id:
        return False
    if order.source == "member":
        return True
    return (
        bool(customer.email)
        and customer.email_verified_at is not None
        and order.email == customer.email
    )


def member_orders(shop, customer):
    """A select of the orders ``customer`` may see, newest first."""
    return (
        for_shop(Order, shop)
        .where(member_order_condition(customer))
        .order_by(Order.created_at.desc(), Order.id.desc())
    )
