"""The order pages. ``/<shop>/orders/<token>`` is the page the link in the order's emails
opens: anyone holding the link sees that one order. The signed-in member's orders are under
``/<shop>/account/orders``: the list, one order, and cancelling one the shop has not
confirmed yet.

What a member sees there is decided by ``services.order_access``: the orders they placed
while logged in, and those whose contact email is their own confirmed address."""

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from core.auth import current_customer, customer_required
from core.extensions import db
from core.forms import EmptyForm
from core.inputs import paginate
from models import Order, OrderStatus
from services import ServiceError, order_access
from services import order_status as order_service
from services.orders import order_by_token
from storefront import bp

PER_PAGE = 20
RECENT = 3


def member_orders(customer):
    return order_access.member_orders(g.shop, customer)


def recent_orders(customer):
    return db.session.scalars(member_orders(customer).limit(RECENT)).all()


def own_order_or_404(customer, number, lock=False):
    """The member's order of this number; ``lock``: held until the commit."""
    query = member_orders(customer).where(Order.number == number)
    if lock:
        query = query.with_for_update()
    order = db.session.scalar(query)
    if order is None:
        abort(404)
    return order


@bp.context_processor
def order_helpers():
    return {
        "payment_method_label": lambda m: order_service.METHOD_LABELS.get(m, m),
        "member_recent_orders": recent_orders,
    }


@bp.get("/orders/<token>", endpoint="order")
def order_by_link(token):
    order = order_by_token(g.shop, token)
    if order is None:
        abort(404)
    return render_template(
        "storefront/order.html",
        order=order,
        invite_to_register=order.source == "guest" and current_customer() is None,
    )


@bp.get("/account/orders")
@customer_required
def account_orders():
    customer = current_customer()
    query = member_orders(customer).options(selectinload(Order.lines))
    page = paginate(query, per_page=PER_PAGE)
    return render_template("storefront/account/orders.html", customer=customer, page=page)


@bp.get("/account/orders/<int:number>")
@customer_required
def account_order(number):
    customer = current_customer()
    order = own_order_or_404(customer, number)
    return render_template(
        "storefront/account/order_detail.html",
        customer=customer,
        order=order,
        can_cancel=order.status == OrderStatus.PENDING,
        action_form=EmptyForm(),
    )


@bp.post("/account/orders/<int:number>/cancel")
@customer_required
def account_order_cancel(number):
    customer = current_customer()
    order = own_order_or_404(customer, number, lock=True)
    target = url_for("storefront.account_order", number=order.number)
    try:
        order_service.cancel_by_customer(shop=g.shop, order=order, customer=customer)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "warning")
        return redirect(target)
    db.session.commit()
    flash(_("Your order %(number)s has been cancelled.", number=order.display_number), "success")
    return redirect(target)
