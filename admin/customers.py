"""The shop's customers in the admin: the list (with the members waiting for approval as one
of its tabs), one customer's record and timeline, and the status changes a manager makes.

Anyone on the staff may look customers up; approving, cancelling and reinstating decide who
may log in to the shop, so they need a manager or the owner (as the email about a new member
goes to them only)."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from admin import bp
from admin.common import acting_staff
from admin.forms import CustomerBulkForm, CustomerCancelForm
from admin.timeline import timeline_line
from core.auth import safe_next, staff_may, staff_required
from core.extensions import db
from core.forms import EmptyForm, first_error
from core.i18n import register_status_labels
from core.inputs import paginate, parse_id, search_text
from core.tenancy import get_for_shop_or_404, shop_query
from models import (
    Customer,
    CustomerEvent,
    CustomerStatus,
    Order,
    OutboxMessage,
    Role,
)
from services import customers as customer_service
from services import favourites as favourite_service
from services import order_status as order_service
from services import search as search_service
from services.phones import display_phone

PER_PAGE = 50
MAX_BULK = 500
TIMELINE_LIMIT = 200

register_status_labels(
    "customer",
    {
        CustomerStatus.GUEST: _l("Guest"),
        CustomerStatus.TEMPORARY: _l("Temporary"),
        CustomerStatus.OFFICIAL: _l("Official"),
        CustomerStatus.CANCELLED: _l("Cancelled"),
    },
)
# The list's tabs, in the order a manager works through them: (status, label).
TABS = [
    ("", _l("All")),
    (CustomerStatus.TEMPORARY, _l("Waiting for approval")),
    (CustomerStatus.OFFICIAL, _l("Official")),
    (CustomerStatus.CANCELLED, _l("Cancelled")),
    (CustomerStatus.GUEST, _l("Guests")),
]
GENDER_LABELS = {"female": _l("Female"), "male": _l("Male"), "other": _l("Other")}
CONSENT_SOURCES = {
    "registration": _l("when registering"),
    "account": _l("in their account"),
    "admin": _l("by the shop"),
    "checkout": _l("at checkout"),
    "import": _l("in an import"),
}


@bp.context_processor
def customer_helpers():
    return {
        "customer_tag_classes": tag_classes,
        "customer_actions": customer_service.allowed_actions,
        "display_phone": display_phone,
    }


def tag_classes(name):
    """The badge of a tag: the automatic "hay hoàn" stands out in red."""
    if name == order_service.REFUSAL_TAG:
        return "bg-danger-subtle text-danger-emphasis border border-danger-subtle"
    return "text-bg-light border"


# --- The list -------------------------------------------------------------------------


@bp.get("/customers")
@staff_required()
def customers():
    status = request.args.get("status", "")
    if status not in set(CustomerStatus):
        status = ""
    q = search_text(request.args.get("q"))
    query = search_service.customers_query(shop=g.shop, q=q, status=status)
    query = query.options(selectinload(Customer.phones), selectinload(Customer.tags))
    page = paginate(query, per_page=PER_PAGE)
    return render_template(
        "admin/customers.html",
        page=page,
        refusals=order_service.refusal_counts(shop=g.shop, customers=page.items),
        status=status,
        q=q,
        tabs=TABS,
        counts=search_service.customer_counts(shop=g.shop, q=q),
        can_manage=staff_may(Role.MANAGER),
        bulk_form=CustomerBulkForm(formdata=None),
    )


# --- One customer ---------------------------------------------------------------------


def customer_orders(customer):
    """The customer's latest orders and their numbers, for the record's orders section."""
    total_spent, orders_count = order_service.customer_totals(customer)
    return {
        "orders": db.session.scalars(
            shop_query(Order)
            .where(Order.customer_id == customer.id)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(20)
        ).all(),
        "total_spent": total_spent,
        "orders_count": orders_count,
        "refusals": order_service.refusals_count(customer),
    }


@bp.get("/customers/<int:customer_id>")
@staff_required()
def customer_detail(customer_id):
    customer = get_for_shop_or_404(Customer, customer_id)
    events = db.session.scalars(
        shop_query(CustomerEvent)
        .where(CustomerEvent.customer_id == customer.id)
        .order_by(CustomerEvent.created_at.desc(), CustomerEvent.id.desc())
        .options(selectinload(CustomerEvent.staff))
        .limit(TIMELINE_LIMIT)
    ).all()
    emails = db.session.scalars(
        shop_query(OutboxMessage)
        .where(OutboxMessage.customer_id == customer.id)
        .order_by(OutboxMessage.id.desc())
        .limit(TIMELINE_LIMIT)
    ).all()
    favourites = db.session.scalars(
        favourite_service.favourites_query(
            shop=g.shop, customer=customer, include_hidden=True
        ).limit(TIMELINE_LIMIT)
    ).all()
    return render_template(
        "admin/customer_detail.html",
        customer=customer,
        timeline=[timeline_line(event) for event in events],
        emails=emails,
        favourites=favourites,
        **customer_orders(customer),
        allowed=customer_service.allowed_actions(customer) if staff_may(Role.MANAGER) else set(),
        can_manage=staff_may(Role.MANAGER),
        gender_label=GENDER_LABELS.get(customer.gender or "", ""),
        consent_source=CONSENT_SOURCES.get(
            customer.marketing_consent_source or "", customer.marketing_consent_source
        ),
        cancel_form=CustomerCancelForm(formdata=None),
        action_form=EmptyForm(formdata=None),
    )


# --- Status changes -------------------------------------------------------------------


def back_to(default):
    return safe_next(request.form.get("next"), url_for("admin.dashboard")) or default


def change_one(customer_id, action, form, reason=None):
    # Locked until the commit: two managers clicking at once change (and email) it once.
    customer = get_for_shop_or_404(Customer, customer_id, lock=True)
    target = back_to(url_for("admin.customer_detail", customer_id=customer.id))
    if not form.validate_on_submit():
        db.session.rollback()
        flash(first_error(form), "danger")
        return redirect(target)
    name = customer.display_name
    try:
        customer_service.change_status(
            shop=g.shop, customer=customer, actor=acting_staff(), action=action, reason=reason
        )
    except customer_service.InvalidTransition as error:
        db.session.rollback()
        flash(str(error.message), "warning")
        return redirect(target)
    emailed = bool(customer.email)
    db.session.commit()
    flash(change_message(action, name, emailed), "success")
    return redirect(target)


def change_message(action, name, emailed):
    if action == "approve":
        if emailed:
            return _(
                "%(name)s is now an official member. We emailed them that they can log in.",
                name=name,
            )
        return _("%(name)s is now an official member.", name=name)
    if action == "cancel":
        if emailed:
            return _(
                "The account of %(name)s has been cancelled and they were told by email.",
                name=name,
            )
        return _("The account of %(name)s has been cancelled.", name=name)
    if emailed:
        return _("The account of %(name)s is active again. We emailed them.", name=name)
    return _("The account of %(name)s is active again.", name=name)


@bp.post("/customers/<int:customer_id>/approve")
@staff_required(Role.MANAGER)
def customer_approve(customer_id):
    return change_one(customer_id, "approve", EmptyForm())


@bp.post("/customers/<int:customer_id>/cancel")
@staff_required(Role.MANAGER)
def customer_cancel(customer_id):
    form = CustomerCancelForm()
    return change_one(customer_id, "cancel", form, reason=form.reason.data)


@bp.post("/customers/<int:customer_id>/reinstate")
@staff_required(Role.MANAGER)
def customer_reinstate(customer_id):
    return change_one(customer_id, "reinstate", EmptyForm())


def ticked_ids():
    ids = []
    for value in request.form.getlist("customer_ids"):
        customer_id = parse_id(value)
        if customer_id is not None and customer_id not in ids:
            ids.append(customer_id)
    return ids[:MAX_BULK]


@bp.post("/customers/bulk")
@staff_required(Role.MANAGER)
def customers_bulk():
    form = CustomerBulkForm()
    target = back_to(url_for("admin.customers"))
    if not form.validate_on_submit():
        if form.action.errors:
            flash(_("Choose what to do with the selected customers."), "danger")
        else:
            flash(first_error(form), "danger")
        return redirect(target)
    ids = ticked_ids()
    if not ids:
        flash(_("Tick at least one customer first."), "warning")
        return redirect(target)
    # Ids of another shop's customers are not loaded, so they are never changed.
    chosen = db.session.scalars(
        shop_query(Customer).where(Customer.id.in_(ids)).order_by(Customer.id).with_for_update()
    ).all()
    action = form.action.data
    changed, skipped = customer_service.bulk_change_status(
        shop=g.shop,
        customers=chosen,
        actor=acting_staff(),
        action=action,
        reason=form.reason.data if action == "cancel" else None,
    )
    db.session.commit()
    if action == "approve":
        message = _("%(changed)s approved, %(skipped)s skipped.", changed=changed, skipped=skipped)
    else:
        message = _("%(changed)s cancelled, %(skipped)s skipped.", changed=changed, skipped=skipped)
    if skipped:
        message += " " + _("Skipped customers were not in a status that allows it.")
    flash(message, "success" if changed else "warning")
    return redirect(target)
