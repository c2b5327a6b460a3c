"""The shop's orders in the admin: the list with its filters and search, one order with its
timeline, and the changes a manager makes (the status, the payment).

Anyone on the staff may look orders up; changing one sends the buyer an email and moves
stock, so it needs a manager or the owner."""

from datetime import date

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from admin import bp
from admin.common import acting_staff
from admin.order_forms import OrderPaidForm, OrderStatusForm
from admin.timeline import timeline_line
from core.auth import staff_may, staff_required
from core.extensions import db
from core.forms import first_error
from core.inputs import paginate, search_text
from core.tenancy import get_for_shop_or_404, shop_query
from models import CustomerEvent, Order, OrderStatus, PaymentStatus, Role
from services import ServiceError
from services import order_status as order_service
from services import search as search_service
from services.events import ORDER_EVENTS

PER_PAGE = 50


@bp.context_processor
def order_helpers():
    return {
        "payment_method_label": lambda m: order_service.METHOD_LABELS.get(m, m),
    }


# --- The list -------------------------------------------------------------------------


def parse_day(value):
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@bp.get("/orders")
@staff_required()
def orders():
    args = request.args
    status = args.get("status", "")
    if status not in set(OrderStatus):
        status = ""
    payment = args.get("payment", "")
    if payment not in set(PaymentStatus):
        payment = ""
    day_from, day_to = parse_day(args.get("from")), parse_day(args.get("to"))
    q = search_text(args.get("q"))
    query = search_service.orders_query(
        shop=g.shop, q=q, status=status, payment=payment, day_from=day_from, day_to=day_to
    )
    page = paginate(query, per_page=PER_PAGE)
    filters = {
        "status": status or None,
        "payment": payment or None,
        "from": day_from.isoformat() if day_from else None,
        "to": day_to.isoformat() if day_to else None,
        "q": q or None,
    }
    return render_template(
        "admin/orders.html",
        page=page,
        filters=filters,
        filtered=any(filters.values()),
        statuses=order_service.STATUS_LABELS,
        payments=order_service.PAYMENT_LABELS,
    )


# --- One order ------------------------------------------------------------------------


def order_timeline(order):
    """The order's status changes and payment from the customer's timeline, oldest first."""
    if order.customer_id is None:
        return []
    events = db.session.scalars(
        shop_query(CustomerEvent)
        .where(CustomerEvent.customer_id == order.customer_id)
        .where(CustomerEvent.type.in_(ORDER_EVENTS))
        .where(CustomerEvent.data["order_id"].as_integer() == order.id)
        .order_by(CustomerEvent.created_at, CustomerEvent.id)
        .options(selectinload(CustomerEvent.staff))
    ).all()
    return [timeline_line(event) for event in events]


@bp.get("/orders/<int:order_id>")
@staff_required()
def order_detail(order_id):
    order = get_for_shop_or_404(Order, order_id)
    customer = order.customer
    totals = refusals = None
    if customer is not None:
        totals = order_service.customer_totals(customer)
        refusals = order_service.refusals_count(customer)
    next_statuses = order_service.next_statuses(order)
    status_form = OrderStatusForm(formdata=None)
    status_form.status.choices = [(str(s), order_service.status_label(s)) for s in next_statuses]
    return render_template(
        "admin/order_detail.html",
        order=order,
        customer=customer,
        totals=totals,
        refusals=refusals,
        timeline=order_timeline(order),
        can_change=staff_may(Role.MANAGER),
        next_statuses=next_statuses,
        status_form=status_form,
        paid_form=OrderPaidForm(formdata=None),
    )


# --- Changes --------------------------------------------------------------------------


@bp.post("/orders/<int:order_id>/status")
@staff_required(Role.MANAGER)
def order_status(order_id):
    # Locked until the commit: two managers clicking at once change (and email) it once.
    order = get_for_shop_or_404(Order, order_id, lock=True)
    target = url_for("admin.order_detail", order_id=order.id)
    form = OrderStatusForm()
    if not form.validate_on_submit():
        db.session.rollback()
        flash(first_error(form), "danger")
        return redirect(target)
    try:
        order_service.change_order_status(
            shop=g.shop, order=order, actor=acting_staff(), status=form.status.data
        )
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "warning")
        return redirect(target)
    emailed = bool(order.email)
    number, label = order.display_number, order_service.status_label(order.status)
    db.session.commit()
    if emailed:
        message = _(
            "Order %(number)s is now “%(status)s”. We emailed the customer.",
            number=number,
            status=label,
        )
    else:
        message = _("Order %(number)s is now “%(status)s”.", number=number, status=label)
    flash(message, "success")
    return redirect(target)


@bp.post("/orders/<int:order_id>/paid")
@staff_required(Role.MANAGER)
def order_paid(order_id):
    # Locked until the commit: two managers clicking at once change (and email) it once.
    order = get_for_shop_or_404(Order, order_id, lock=True)
    target = url_for("admin.order_detail", order_id=order.id)
    try:
        order_service.mark_paid(shop=g.shop, order=order, actor=acting_staff())
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "warning")
        return redirect(target)
    number = order.display_number
    db.session.commit()
    flash(_("Order %(number)s is marked as paid.", number=number), "success")
    return redirect(target)
