"""A customer's timeline: one function per kind of event (``CustomerEvents``), as Saleor's
``account/events.py`` has, each writing the row with who acted and the data its line needs.

The row goes into the caller's transaction. ``actor`` says who acted when no staff member
did (``"customer"`` or ``"system"``); a staff member given is the actor, whatever ``actor``
says. ``admin.timeline`` turns each kind into a sentence."""

from core.extensions import db
from models import CustomerEvent, CustomerEvents

# The events about one order, which the order's page shows.
ORDER_EVENTS = (CustomerEvents.ORDER_STATUS_CHANGED, CustomerEvents.ORDER_PAID)


def record(*, customer, type, actor="system", staff=None, **data):
    """The one writer of timeline rows; the functions below say what each kind holds."""
    event = CustomerEvent(
        shop_id=customer.shop_id,
        customer=customer,
        type=type,
        actor="staff" if staff is not None else actor,
        staff_id=staff.id if staff is not None else None,
        data=data,
    )
    db.session.add(event)
    return event


# --- Becoming a customer, and the member's status -------------------------------------


def registered(*, customer, from_guest):
    return record(
        customer=customer, type=CustomerEvents.REGISTERED, actor="customer", from_guest=from_guest
    )


def approved_automatically(*, customer):
    """The shop approves every member as they register (a setting)."""
    return record(customer=customer, type=CustomerEvents.APPROVED, automatic=True)


def _status_changed(type, customer, staff, previous, reason):
    data = {"from": str(previous), "to": str(customer.status)}
    if reason:
        data["reason"] = reason
    return record(customer=customer, type=type, staff=staff, **data)


def approved(*, customer, staff, previous, reason=None):
    """A staff member approved the member; ``customer.status`` is already the new one."""
    return _status_changed(CustomerEvents.APPROVED, customer, staff, previous, reason)


def cancelled(*, customer, staff, previous, reason=None):
    return _status_changed(CustomerEvents.CANCELLED, customer, staff, previous, reason)


def reinstated(*, customer, staff, previous, reason=None):
    return _status_changed(CustomerEvents.REINSTATED, customer, staff, previous, reason)


def created_from_checkout(*, customer, actor="system", staff=None):
    """A guest's record, made by a checkout (or written as if it had been)."""
    return record(
        customer=customer, type=CustomerEvents.CREATED_FROM_CHECKOUT, actor=actor, staff=staff
    )


def created_by_staff(*, customer, staff):
    """A staff member entered the customer in the admin (``customer.status`` as chosen)."""
    return record(
        customer=customer,
        type=CustomerEvents.CREATED_BY_STAFF,
        staff=staff,
        status=str(customer.status),
    )


def invited(*, customer, staff):
    """The customer was emailed a link to choose a password and become a member."""
    return record(customer=customer, type=CustomerEvents.INVITED, staff=staff)


# --- Email and password ---------------------------------------------------------------


def email_sent(*, customer, template):
    return record(customer=customer, type=CustomerEvents.EMAIL_SENT, template=template)


def email_confirmed(*, customer):
    return record(customer=customer, type=CustomerEvents.EMAIL_CONFIRMED, actor="customer")


def email_changed(*, customer, old, new, actor="customer", staff=None):
    return record(
        customer=customer,
        type=CustomerEvents.EMAIL_CHANGED,
        actor=actor,
        staff=staff,
        old=old,
        new=new,
    )


def password_reset_requested(*, customer):
    return record(customer=customer, type=CustomerEvents.PASSWORD_RESET_REQUESTED, actor="customer")


def password_reset(*, customer):
    return record(customer=customer, type=CustomerEvents.PASSWORD_RESET, actor="customer")


def password_changed(*, customer):
    return record(customer=customer, type=CustomerEvents.PASSWORD_CHANGED, actor="customer")


# --- Profile, phones and addresses ----------------------------------------------------


def profile_updated(*, customer, fields, actor="customer", staff=None):
    """``fields``: the names of the fields that changed."""
    return record(
        customer=customer,
        type=CustomerEvents.PROFILE_UPDATED,
        actor=actor,
        staff=staff,
        fields=fields,
    )


def phone_added(*, customer, number, actor="customer", staff=None):
    return record(
        customer=customer, type=CustomerEvents.PHONE_ADDED, actor=actor, staff=staff, number=number
    )


def phone_removed(*, customer, number, actor="customer", staff=None):
    return record(
        customer=customer,
        type=CustomerEvents.PHONE_REMOVED,
        actor=actor,
        staff=staff,
        number=number,
    )


def primary_phone_changed(*, customer, number, actor="customer", staff=None):
    return record(
        customer=customer,
        type=CustomerEvents.PRIMARY_PHONE_CHANGED,
        actor=actor,
        staff=staff,
        number=number,
    )


def _address(type, customer, address, actor, staff, **data):
    """An address event keeps the address as it read then: it may change or go later."""
    return record(
        customer=customer,
        type=type,
        actor=actor,
        staff=staff,
        address=", ".join(address.lines()),
        **data,
    )


def address_added(*, customer, address, actor="customer", staff=None):
    return _address(CustomerEvents.ADDRESS_ADDED, customer, address, actor, staff)


def address_updated(*, customer, address, fields, actor="customer", staff=None):
    return _address(CustomerEvents.ADDRESS_UPDATED, customer, address, actor, staff, fields=fields)


def address_removed(*, customer, address, actor="customer", staff=None):
    return _address(CustomerEvents.ADDRESS_REMOVED, customer, address, actor, staff)


def default_address_changed(*, customer, address, actor="customer", staff=None):
    return _address(CustomerEvents.DEFAULT_ADDRESS_CHANGED, customer, address, actor, staff)


# --- Orders and tags ------------------------------------------------------------------


def order_placed(*, customer, order, staff=None):
    return record(
        customer=customer,
        type=CustomerEvents.ORDER_PLACED,
        actor="customer",
        staff=staff,
        number=order.display_number,
        total=order.total,
    )


def order_status_changed(*, customer, order, previous, actor="system", staff=None):
    """``order.status`` is already the new one; ``order_id`` puts the line on the order's
    page too."""
    return record(
        customer=customer,
        type=CustomerEvents.ORDER_STATUS_CHANGED,
        actor=actor,
        staff=staff,
        order_id=order.id,
        number=order.number,
        **{"from": str(previous), "to": str(order.status)},
    )


def order_paid(*, customer, order, staff=None):
    return record(
        customer=customer,
        type=CustomerEvents.ORDER_PAID,
        staff=staff,
        order_id=order.id,
        number=order.number,
    )


def tag_added(*, customer, name, refusals=None, staff=None):
    """A staff member tagged the customer, or the system did after ``refusals`` refused
    parcels."""
    data = {"name": name}
    if refusals is not None:
        data["refusals"] = refusals
    return record(customer=customer, type=CustomerEvents.TAG_ADDED, staff=staff, **data)


def tag_removed(*, customer, name, staff):
    return record(customer=customer, type=CustomerEvents.TAG_REMOVED, staff=staff, name=name)


# --- What the shop keeps about the customer -------------------------------------------

# How much of a note the timeline keeps: enough to recognise it.
NOTE_EXCERPT = 120


def _excerpt(text):
    text = " ".join((text or "").split())
    return text if len(text) <= NOTE_EXCERPT else text[: NOTE_EXCERPT - 1] + "…"


def group_changed(*, customer, group, staff):
    """``group``: the customer's new group, or None when they left theirs."""
    return record(
        customer=customer,
        type=CustomerEvents.GROUP_CHANGED,
        staff=staff,
        group=group.name if group is not None else None,
    )


def staff_assigned(*, customer, assignee, staff):
    """``assignee``: the staff member who now looks after the customer, or None."""
    return record(
        customer=customer,
        type=CustomerEvents.STAFF_ASSIGNED,
        staff=staff,
        assignee=assignee.display_name if assignee is not None else None,
    )


def note_added(*, customer, note, staff):
    return record(
        customer=customer,
        type=CustomerEvents.NOTE_ADDED,
        staff=staff,
        note_id=note.id,
        text=_excerpt(note.body),
    )


def note_edited(*, customer, note, staff):
    return record(
        customer=customer,
        type=CustomerEvents.NOTE_EDITED,
        staff=staff,
        note_id=note.id,
        text=_excerpt(note.body),
    )


def note_deleted(*, customer, note, staff):
    return record(customer=customer, type=CustomerEvents.NOTE_DELETED, staff=staff, note_id=note.id)


def merged(*, customer, other, staff):
    """``other``'s record was merged into ``customer``'s and deleted: the line keeps its code
    and name, which nothing else remembers."""
    return record(
        customer=customer,
        type=CustomerEvents.MERGED,
        staff=staff,
        code=other.code,
        name=other.display_name,
    )


def imported(*, customer, staff, file, action):
    """A customer created (``action`` "create") or updated by an import of ``file``."""
    return record(
        customer=customer, type=CustomerEvents.IMPORTED, staff=staff, file=file, action=action
    )


# --- The shop's emails and the customer's consent to them -----------------------------


def campaign_sent(*, customer, campaign, subject, staff=None):
    """The customer was written to by one of the shop's emails (``campaign``): the line keeps
    the subject as the customer got it, their name in it."""
    return record(
        customer=customer,
        type=CustomerEvents.CAMPAIGN_SENT,
        staff=staff,
        campaign_id=campaign.id,
        subject=subject,
        kind=str(campaign.kind),
    )


def unsubscribed(*, customer, source):
    """The customer withdrew their consent to marketing email: ``source`` says how
    (``one_click`` from their mail app, ``link`` on the page an email's link opens)."""
    return record(
        customer=customer, type=CustomerEvents.UNSUBSCRIBED, actor="customer", source=source
    )


def subscribed(*, customer, source):
    """The customer gave their consent to marketing email again (``source`` as above)."""
    return record(
        customer=customer, type=CustomerEvents.SUBSCRIBED, actor="customer", source=source
    )
