"""One action on many customers: the ticked rows of the list (``customer_ids``), or every
customer matching the list's filter (``scope=filter``, with the list's own query values).

Ids of another shop's customers are never loaded, so they are neither changed nor counted.
Managers and the owner only."""

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from admin import bp
from admin.common import acting_staff, ticked_ids
from admin.forms import CustomerBulkForm
from core.auth import safe_next, staff_required
from core.extensions import db
from core.forms import first_error
from core.inputs import parse_id
from core.tenancy import get_for_shop, shop_query
from models import Customer, CustomerGroup, Role, StaffUser
from services import ServiceError, customer_list, personal_data
from services import customer_bulk as bulk
from services import customers as customer_service

# At most this many customers in one action: a larger filter is narrowed first.
MAX_BULK = 5000


def chosen_ids(form):
    """The ids the action is for; refused when there are none or too many."""
    if form.scope.data == "filter":
        customer_filter = customer_list.read_filter(request.form, g.shop)
        ids = customer_list.matching_ids(
            shop=g.shop, customer_filter=customer_filter, limit=MAX_BULK + 1
        )
        if not ids:
            raise ServiceError(_("No customer matches this filter."))
    else:
        ids = ticked_ids()
        if not ids:
            raise ServiceError(_("Tick at least one customer first."))
    if len(ids) > MAX_BULK:
        raise ServiceError(
            _(
                "One action changes at most %(max)s customers: narrow the filter first.",
                max=MAX_BULK,
            )
        )
    return ids


def locked(ids):
    """The shop's customers of ``ids``, locked until the commit."""
    return db.session.scalars(
        shop_query(Customer).where(Customer.id.in_(ids)).order_by(Customer.id).with_for_update()
    ).all()


def target_of(form, model, field):
    """The group or staff member the action names: one of this shop's, or None (none)."""
    value = parse_id(field.data)
    if value is None:
        return None
    if model is StaffUser:
        found = next((s for s in bulk.assignable_staff(g.shop) if s.id == value), None)
    else:
        found = get_for_shop(model, value, g.shop)
    if found is None:
        raise ServiceError(_("Choose one of the options."))
    return found


def apply(form, customers):
    """(changed, skipped) of the action on ``customers``; for ``delete``, (deleted, orders
    kept)."""
    action, who = form.action.data, {"shop": g.shop, "customers": customers}
    if action == "delete":
        return personal_data.delete_customers(**who)
    if action in ("approve", "cancel"):
        reason = form.reason.data if action == "cancel" else None
        return customer_service.bulk_change_status(
            actor=acting_staff(), action=action, reason=reason, **who
        )
    staff = acting_staff()
    if action == "add_tag":
        return bulk.add_tag(name=form.target_tag.data, staff=staff, **who)
    if action == "remove_tag":
        return bulk.remove_tag(name=form.target_tag.data, staff=staff, **who)
    if action == "set_group":
        group = target_of(form, CustomerGroup, form.target_group)
        return bulk.set_group(group=group, staff=staff, **who)
    assignee = target_of(form, StaffUser, form.target_staff)
    return bulk.assign_staff(assignee=assignee, staff=staff, **who)


def done_message(action, changed, skipped):
    """What the manager is told; ``skipped`` is the orders kept when deleting."""
    if action == "approve":
        message = _("%(changed)s approved, %(skipped)s skipped.", changed=changed, skipped=skipped)
    elif action == "cancel":
        message = _("%(changed)s cancelled, %(skipped)s skipped.", changed=changed, skipped=skipped)
    elif action == "delete":
        message = ngettext(
            "%(num)d customer deleted. Orders kept for the shop: %(kept)s.",
            "%(num)d customers deleted. Orders kept for the shop: %(kept)s.",
            changed,
            kept=skipped,
        )
    else:
        message = ngettext(
            "%(num)d customer changed, %(skipped)s already so.",
            "%(num)d customers changed, %(skipped)s already so.",
            changed,
            skipped=skipped,
        )
    if skipped and action in ("approve", "cancel"):
        message += " " + _("Skipped customers were not in a status that allows it.")
    return message


@bp.post("/customers/bulk")
@staff_required(Role.MANAGER)
def customers_bulk():
    form = CustomerBulkForm()
    target = safe_next(request.form.get("next"), url_for("admin.dashboard")) or url_for(
        "admin.customers"
    )
    if not form.validate_on_submit():
        if form.action.errors:
            flash(_("Choose what to do with the selected customers."), "danger")
        else:
            flash(first_error(form), "danger")
        return redirect(target)
    try:
        changed, skipped = apply(form, locked(chosen_ids(form)))
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "warning")
        return redirect(target)
    db.session.commit()
    flash(done_message(form.action.data, changed, skipped), "success" if changed else "warning")
    return redirect(target)
