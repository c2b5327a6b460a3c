"""Entering a customer by hand, and inviting a customer to become a member.

Anyone on the staff may enter a customer; a ``staff`` role's new customer is assigned to
them, and they invite only the customers assigned to them (``customer_or_404``)."""

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from admin import bp
from admin.common import acting_staff, assigned_to, customer_or_404
from admin.customer_create_forms import CustomerCreateForm
from core.auth import staff_required
from core.extensions import db
from core.forms import EmptyForm, first_error, show_error
from services import ServiceError
from services import customer_create as create_service
from services import customers as customer_service


@bp.context_processor
def invite_helpers():
    return {"customer_may_invite": customer_service.may_invite}


@bp.route("/customers/new", methods=["GET", "POST"])
@staff_required()
def customer_create():
    form = CustomerCreateForm()
    duplicate = None
    if form.validate_on_submit():
        try:
            outcome = create_service.create_customer(
                shop=g.shop,
                actor=acting_staff(),
                details=create_service.clean(**form.details()),
                on_duplicate=form.on_duplicate.data,
                assigned_to=assigned_to(),
            )
        except ServiceError as error:
            existing = getattr(error, "existing", None)
            if existing is not None:
                duplicate = {"id": existing.id, "name": existing.display_name}
            db.session.rollback()
            if show_error(form, error) is None:
                flash(str(error.message), "danger")
        else:
            db.session.commit()
            return created(outcome)
    return render_template("admin/customer_create.html", form=form, duplicate=duplicate)


# What the form did: (message, category) by outcome, "invited" for a member emailed.
OUTCOMES = {
    "skipped": (
        _l("%(name)s (%(code)s) already has this email or phone: nothing was added."),
        "info",
    ),
    "updated": (
        _l("%(name)s (%(code)s) already had this email or phone: their record was updated."),
        "success",
    ),
    "invited": (
        _l("%(name)s (%(code)s) was added. We emailed them a link to choose their password."),
        "success",
    ),
    "created": (_l("%(name)s (%(code)s) was added."), "success"),
}


def created(outcome):
    """Say what the form did, and show the record it wrote or found."""
    customer = outcome.customer
    if customer is None:  # skipped over a record this staff member may not see
        flash(
            _("A customer of the shop already has this email or phone: nothing was added."), "info"
        )
        return redirect(url_for("admin.customers"))
    message, category = OUTCOMES["invited" if outcome.invited else outcome.action]
    flash(str(message) % {"name": customer.display_name, "code": customer.code}, category)
    return redirect(url_for("admin.customer_detail", customer_id=customer.id))


@bp.post("/customers/<int:customer_id>/invite")
@staff_required()
def customer_invite(customer_id):
    # Locked until the commit: two clicks at once send one link that works, not two.
    customer = customer_or_404(customer_id, lock=True)
    target = url_for("admin.customer_detail", customer_id=customer.id)
    form = EmptyForm()
    if not form.validate_on_submit():
        db.session.rollback()
        flash(first_error(form), "danger")
        return redirect(target)
    try:
        customer_service.invite_customer(shop=g.shop, customer=customer, actor=acting_staff())
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "warning")
        return redirect(target)
    email = customer.email
    db.session.commit()
    flash(
        _("We emailed %(email)s a link to choose a password and become a member.", email=email),
        "success",
    )
    return redirect(target)
