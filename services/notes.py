"""Internal notes on a customer ("Trao đổi"): written by staff for staff. A note is never
shown to the shopper nor put in an email to them. Its author edits or deletes it; the
timeline says when."""

from flask_babel import lazy_gettext as _l

from core.extensions import db
from core.inputs import multi_line
from models import CustomerNote
from services import ServiceError, events

MAX_NOTE = 5000


def _clean(body):
    body = multi_line(body or "").strip()
    if not body:
        raise ServiceError(_l("Please write the note first."), "body")
    if len(body) > MAX_NOTE:
        raise ServiceError(_l("Please use at most %(max)d characters.", max=MAX_NOTE), "body")
    return body


def add_note(*, shop, customer, staff, body):
    if customer.shop_id != shop.id:
        raise ServiceError(_l("This customer belongs to another shop."))
    note = CustomerNote(shop_id=shop.id, staff_id=staff.id, staff=staff, body=_clean(body))
    customer.notes.insert(0, note)
    db.session.flush()
    events.note_added(customer=customer, note=note, staff=staff)
    return note


def _check_author(shop, note, staff):
    if note.shop_id != shop.id or note.staff_id != staff.id:
        raise ServiceError(_l("Only the author of a note can change it."))


def edit_note(*, shop, note, staff, body):
    _check_author(shop, note, staff)
    note.body = _clean(body)
    events.note_edited(customer=note.customer, note=note, staff=staff)
    return note


def delete_note(*, shop, note, staff):
    _check_author(shop, note, staff)
    customer = note.customer
    events.note_deleted(customer=customer, note=note, staff=staff)
    customer.notes.remove(note)
