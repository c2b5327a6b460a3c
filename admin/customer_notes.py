"""Internal notes on a customer's record ("Trao đổi"): anyone who may see the customer adds
one; only its author edits or deletes it. The shopper never sees a note.

A note is loaded through its customer: another shop's note, or a note of another customer
than the one in the path, is a 404."""

from flask import abort, flash, g, redirect, url_for
from flask_babel import gettext as _

from admin import bp
from admin.common import acting_staff, customer_or_404
from admin.forms import CustomerNoteForm
from core.auth import staff_required
from core.extensions import db
from core.forms import EmptyForm, first_error
from core.tenancy import get_for_shop_or_404
from models import CustomerNote
from services import ServiceError
from services import notes as note_service


def note_or_404(customer, note_id):
    note = get_for_shop_or_404(CustomerNote, note_id)
    if note.customer_id != customer.id:
        abort(404)
    return note


def back_to_notes(customer, message, category):
    """Commit what a note's change wrote (or undo it when refused), and show the notes."""
    if category == "success":
        db.session.commit()
    else:
        db.session.rollback()
    flash(message, category)
    return redirect(url_for("admin.customer_detail", customer_id=customer.id, _anchor="notes"))


def change_note(customer, form, change, done):
    """Run ``change`` (a call of the notes service) when ``form`` is valid."""
    if not form.validate_on_submit():
        return back_to_notes(customer, first_error(form), "danger")
    try:
        change()
    except ServiceError as error:
        return back_to_notes(customer, str(error.message), "danger")
    return back_to_notes(customer, done, "success")


@bp.post("/customers/<int:customer_id>/notes")
@staff_required()
def customer_note_add(customer_id):
    customer = customer_or_404(customer_id)
    form = CustomerNoteForm()
    return change_note(
        customer,
        form,
        lambda: note_service.add_note(
            shop=g.shop, customer=customer, staff=acting_staff(), body=form.body.data
        ),
        _("The note was added."),
    )


@bp.post("/customers/<int:customer_id>/notes/<int:note_id>/edit")
@staff_required()
def customer_note_edit(customer_id, note_id):
    customer = customer_or_404(customer_id)
    note = note_or_404(customer, note_id)
    form = CustomerNoteForm()
    return change_note(
        customer,
        form,
        lambda: note_service.edit_note(
            shop=g.shop, note=note, staff=acting_staff(), body=form.body.data
        ),
        _("The note was saved."),
    )


@bp.post("/customers/<int:customer_id>/notes/<int:note_id>/delete")
@staff_required()
def customer_note_delete(customer_id, note_id):
    customer = customer_or_404(customer_id)
    note = note_or_404(customer, note_id)
    return change_note(
        customer,
        EmptyForm(),
        lambda: note_service.delete_note(shop=g.shop, note=note, staff=acting_staff()),
        _("The note was deleted."),
    )
