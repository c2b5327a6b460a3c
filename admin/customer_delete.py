"""Deleting a customer (``/customers/<id>/delete``): the person's data goes, the shop's orders
stay with their own copy of the contact. Managers and the owner only; the record's button
asks first, saying how many orders are kept."""

from flask import flash, g, redirect, url_for
from flask_babel import ngettext

from admin import bp
from admin.common import customer_or_404
from core.auth import staff_required
from core.extensions import db
from core.forms import EmptyForm, first_error
from models import Role
from services import personal_data


@bp.post("/customers/<int:customer_id>/delete")
@staff_required(Role.MANAGER)
def customer_delete(customer_id):
    customer = customer_or_404(customer_id, lock=True)
    form = EmptyForm()
    if not form.validate_on_submit():
        db.session.rollback()
        flash(first_error(form), "danger")
        return redirect(url_for("admin.customer_detail", customer_id=customer.id))
    name, code = customer.display_name, customer.code
    kept = personal_data.delete_customer(shop=g.shop, customer=customer)
    db.session.commit()
    flash(
        ngettext(
            "%(name)s (%(code)s) is deleted. Their %(num)d order stays with the shop.",
            "%(name)s (%(code)s) is deleted. Their %(num)d orders stay with the shop.",
            kept,
            name=name,
            code=code,
        ),
        "success",
    )
    return redirect(url_for("admin.customers"))
