"""The tags of one customer, edited on their record: the form sends the whole new list
(comma-separated); what it adds and removes goes on the timeline. Anyone who may see the
customer may tag them."""

from flask import flash, g, redirect, url_for
from flask_babel import gettext as _

from admin import bp
from admin.common import acting_staff, customer_or_404
from admin.forms import CustomerTagsForm
from core.auth import staff_required
from core.extensions import db
from core.forms import first_error
from services import ServiceError
from services import tags as tag_service


@bp.post("/customers/<int:customer_id>/tags")
@staff_required()
def customer_set_tags(customer_id):
    # Locked until the commit: two people saving at once both see what the other did.
    customer = customer_or_404(customer_id, lock=True)
    target = url_for("admin.customer_detail", customer_id=customer.id, _anchor="account-title")
    form = CustomerTagsForm()
    if not form.validate_on_submit():
        db.session.rollback()
        flash(first_error(form), "danger")
        return redirect(target)
    try:
        tag_service.set_tags(
            shop=g.shop,
            customer=customer,
            names=(form.tags.data or "").split(","),
            staff=acting_staff(),
        )
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
        return redirect(target)
    db.session.commit()
    flash(_("The tags of %(name)s were saved.", name=customer.display_name), "success")
    return redirect(target)
