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
from admin.common import acting_staff, assigned_to, customer_or_404
from admin.customer_export_forms import export_menu
from admin.customer_filters import (
    COLUMNS,
    GENDER_LABELS,
    chosen_columns,
    filter_chips,
    filter_choices,
)
from admin.forms import CustomerBulkForm, CustomerCancelForm, CustomerNoteForm, CustomerTagsForm
from admin.timeline import timeline_line
from core.auth import current_membership, safe_next, staff_may, staff_required
from core.extensions import db
from core.forms import EmptyForm, first_error
from core.i18n import register_status_labels
from core.inputs import paginate
from core.tenancy import get_for_shop_or_404, shop_query
from models import (
    Customer,
    CustomerEvent,
    CustomerNote,
    CustomerStatus,
    Order,
    OutboxMessage,
    Role,
)
from services import customer_list, duplicates, personal_data
from services import customers as customer_service
from services import favourites as favourite_service
from services import order_status as order_service
from services import tags as tag_service
from services.customer_list import CustomerFilter
from services.phones import display_phone
from services.tags import REFUSAL_TAG

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
    if name == REFUSAL_TAG:
        return "bg-danger-subtle text-danger-emphasis border border-danger-subtle"
    return "text-bg-light border"


# --- The list -------------------------------------------------------------------------


# What each row of the list shows, loaded for the whole page at once.
LIST_LOADS = (
    selectinload(Customer.phones),
    selectinload(Customer.tags),
    selectinload(Customer.group),
    selectinload(Customer.assigned_staff),
)
LIST_CONSTANTS = {
    "tabs": TABS,
    "all_columns": COLUMNS,
    "genders": GENDER_LABELS,
    "per_page_choices": customer_list.PER_PAGE_CHOICES,
}


def list_args(customer_filter, sort, per_page):
    """The query values of the list as it is shown: its filter, and the sort and page size
    when they are not the defaults."""
    args = customer_filter.params()
    if sort != customer_list.DEFAULT_SORT:
        args["sort"] = sort
    if per_page != customer_list.DEFAULT_PER_PAGE:
        args["per_page"] = per_page
    return args


@bp.get("/customers")
@staff_required()
def customers():
    customer_filter = customer_list.read_filter(request.args, g.shop)
    sort = customer_list.read_sort(request.args.get("sort"))
    per_page = customer_list.read_per_page(request.args.get("per_page"))
    seen_by = {"shop": g.shop, "customer_filter": customer_filter, "assigned_to": assigned_to()}
    query = customer_list.customers_query(sort=sort, **seen_by).options(*LIST_LOADS)
    counts = customer_list.customer_counts(**seen_by)
    page = paginate(query, per_page=per_page, total=counts[customer_filter.status])
    status_only = CustomerFilter(status=customer_filter.status)
    return render_template(
        "admin/customers.html",
        page=page,
        refusals=order_service.refusal_counts(shop=g.shop, customers=page.items),
        duplicates=duplicates.duplicate_flags(
            shop=g.shop, customers=page.items, assigned_to=seen_by["assigned_to"]
        ),
        f=customer_filter,
        sort=sort,
        per_page=per_page,
        args=list_args(customer_filter, sort, per_page),
        tab_args=list_args(customer_filter.without_status(), sort, per_page),
        clear_args=list_args(status_only, sort, per_page),
        chips=filter_chips(g.shop, customer_filter, **list_args(status_only, sort, per_page)),
        choices=filter_choices(g.shop),
        columns=chosen_columns(current_membership()),
        counts=counts,
        can_manage=staff_may(Role.MANAGER),
        bulk_form=CustomerBulkForm(formdata=None),
        **export_menu(g.shop),
        **LIST_CONSTANTS,
    )


@bp.post("/customers/columns")
@staff_required()
def customer_columns():
    """The columns this staff member shows in the list, kept for their next visit."""
    membership = current_membership()
    if EmptyForm().validate_on_submit():
        membership.customer_columns = [
            key for key in COLUMNS if key in request.form.getlist("columns")
        ]
        db.session.commit()
        flash(_("The list shows the columns you chose."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("admin.customers")))


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
        "orders_on_record": personal_data.order_count(customer),
    }


def notes_and_tags(customer):
    """The record's notes (newest first) with their forms, and its tag editor: the
    customer's tags as one comma-separated value, the shop's tags as suggestions."""
    return {
        "notes": db.session.scalars(
            shop_query(CustomerNote)
            .where(CustomerNote.customer_id == customer.id)
            .order_by(CustomerNote.created_at.desc(), CustomerNote.id.desc())
            .options(selectinload(CustomerNote.staff))
        ).all(),
        "note_form": CustomerNoteForm(formdata=None),
        "tags_form": CustomerTagsForm(formdata=None, tags=", ".join(customer.tag_names)),
        "shop_tags": [tag.name for tag in tag_service.shop_tags(g.shop)],
    }


@bp.get("/customers/<int:customer_id>")
@staff_required()
def customer_detail(customer_id):
    customer = customer_or_404(customer_id)
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
        duplicates=duplicates.possible_duplicates(
            shop=g.shop, customer=customer, assigned_to=assigned_to()
        ),
        **customer_orders(customer),
        **notes_and_tags(customer),
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
