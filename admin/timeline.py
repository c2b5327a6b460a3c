"""The lines of a customer's timeline (the customer's record and an order's page show them),
in the reader's language."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.i18n import format_money
from models import CustomerEvents
from services import order_status as order_service
from services.phones import display_phone

EMAIL_LABELS = {
    "member_registered": _l("registration received"),
    "member_approved": _l("account approved"),
    "member_cancelled": _l("account cancelled"),
    "member_confirm_email": _l("confirm the email address"),
    "member_email_changed": _l("email address changed"),
    "member_password_reset": _l("password reset link"),
    "member_exists": _l("someone tried to register with this email"),
    "member_invitation": _l("invitation to become a member"),
    "order_status": _l("order status update"),
    "order_placed": _l("order confirmation"),
}
PROFILE_FIELDS = {
    "last_name": _l("last name"),
    "first_name": _l("first name"),
    "gender": _l("gender"),
    "birthday": _l("birthday"),
    "company": _l("company"),
    "accepts_marketing": _l("marketing emails"),
    "email": _l("email"),
}


# The line of each kind of event: ``@describes(kind)`` registers a function of the event and
# its data that gives (icon, sentence, whether the sentence names who acted).
LINES = {}


def describes(kind):
    def register(line):
        LINES[kind] = line
        return line

    return register


def describe_event(event):
    """(icon, sentence, names the actor itself) of one timeline line, in the reader's
    language; a kind this version does not know shows as its name."""
    line = LINES.get(event.type)
    if line is None:
        return "bi-dot", event.type, False
    return line(event, event.data or {})


def _staff_name(event):
    return event.staff.display_name if event.staff is not None else _("a staff member")


# --- Becoming a customer, and the member's status -------------------------------------


@describes(CustomerEvents.REGISTERED)
def _registered(event, data):
    if data.get("from_guest"):
        return "bi-person-plus", _("Registered an account (was a guest before)"), False
    return "bi-person-plus", _("Registered an account"), False


@describes(CustomerEvents.APPROVED)
def _approved(event, data):
    if data.get("automatic"):
        return "bi-check-circle", _("Approved automatically (shop setting)"), True
    return "bi-check-circle", _("Approved by %(staff)s", staff=_staff_name(event)), True


@describes(CustomerEvents.CANCELLED)
def _cancelled(event, data):
    staff = _staff_name(event)
    if data.get("reason"):
        reason = data["reason"]
        text = _("Cancelled by %(staff)s — reason: %(reason)s", staff=staff, reason=reason)
    else:
        text = _("Cancelled by %(staff)s", staff=staff)
    return "bi-x-circle", text, True


@describes(CustomerEvents.REINSTATED)
def _reinstated(event, data):
    text = _("Reinstated by %(staff)s", staff=_staff_name(event))
    return "bi-arrow-counterclockwise", text, True


@describes(CustomerEvents.CREATED_FROM_CHECKOUT)
def _created_from_checkout(event, data):
    return "bi-cart", _("Became a customer with a guest checkout"), False


@describes(CustomerEvents.CREATED_BY_STAFF)
def _created_by_staff(event, data):
    return "bi-person-plus", _("Added by %(staff)s", staff=_staff_name(event)), True


@describes(CustomerEvents.INVITED)
def _invited(event, data):
    text = _("Invited to become a member by %(staff)s", staff=_staff_name(event))
    return "bi-envelope-plus", text, True


# --- Email and password ---------------------------------------------------------------


@describes(CustomerEvents.EMAIL_CONFIRMED)
def _email_confirmed(event, data):
    return "bi-patch-check", _("Confirmed the email address"), False


@describes(CustomerEvents.EMAIL_SENT)
def _email_sent(event, data):
    template = data.get("template", "")
    what = EMAIL_LABELS.get(template, template)
    return "bi-envelope", _("Email sent: %(what)s", what=what), False


@describes(CustomerEvents.EMAIL_CHANGED)
def _email_changed(event, data):
    old, new = data.get("old") or "—", data.get("new") or "—"
    text = _("Email address changed from %(old)s to %(new)s", old=old, new=new)
    return "bi-at", text, False


@describes(CustomerEvents.PASSWORD_RESET_REQUESTED)
def _password_reset_requested(event, data):
    return "bi-key", _("Asked for a password reset link"), False


@describes(CustomerEvents.PASSWORD_RESET)
def _password_reset(event, data):
    return "bi-key", _("Set a new password with a reset link"), False


@describes(CustomerEvents.PASSWORD_CHANGED)
def _password_changed(event, data):
    return "bi-key", _("Changed the password"), False


# --- Profile, phones and addresses ----------------------------------------------------


@describes(CustomerEvents.PROFILE_UPDATED)
def _profile_updated(event, data):
    fields = ", ".join(str(PROFILE_FIELDS.get(f, f)) for f in data.get("fields", []))
    return "bi-pencil", _("Profile updated: %(fields)s", fields=fields), False


@describes(CustomerEvents.PHONE_ADDED)
def _phone_added(event, data):
    number = display_phone(data.get("number"))
    return "bi-telephone", _("Phone number added: %(number)s", number=number), False


@describes(CustomerEvents.PHONE_REMOVED)
def _phone_removed(event, data):
    number = display_phone(data.get("number"))
    return "bi-telephone", _("Phone number removed: %(number)s", number=number), False


@describes(CustomerEvents.PRIMARY_PHONE_CHANGED)
def _primary_phone_changed(event, data):
    number = display_phone(data.get("number"))
    return "bi-telephone", _("Main phone number is now %(number)s", number=number), False


@describes(CustomerEvents.ADDRESS_ADDED)
def _address_added(event, data):
    address = data.get("address") or "—"
    return "bi-geo-alt", _("Address added: %(address)s", address=address), False


@describes(CustomerEvents.ADDRESS_UPDATED)
def _address_updated(event, data):
    address = data.get("address") or "—"
    return "bi-geo-alt", _("Address changed: %(address)s", address=address), False


@describes(CustomerEvents.ADDRESS_REMOVED)
def _address_removed(event, data):
    address = data.get("address") or "—"
    return "bi-geo-alt", _("Address removed: %(address)s", address=address), False


@describes(CustomerEvents.DEFAULT_ADDRESS_CHANGED)
def _default_address_changed(event, data):
    address = data.get("address") or "—"
    return "bi-geo-alt", _("Default address is now %(address)s", address=address), False


# --- Orders and tags ------------------------------------------------------------------


@describes(CustomerEvents.ORDER_PLACED)
def _order_placed(event, data):
    text = _(
        "Placed order %(number)s (%(total)s)",
        number=data.get("number", ""),
        total=format_money(data.get("total", 0)),
    )
    return "bi-bag-plus", text, False


@describes(CustomerEvents.ORDER_STATUS_CHANGED)
def _order_status_changed(event, data):
    text = _(
        "Order %(number)s: %(old)s → %(new)s",
        number=f"#{data.get('number', '?')}",
        old=order_service.status_label(data.get("from", "")),
        new=order_service.status_label(data.get("to", "")),
    )
    return "bi-bag", text, False


@describes(CustomerEvents.ORDER_PAID)
def _order_paid(event, data):
    number = f"#{data.get('number', '?')}"
    return "bi-cash-coin", _("Order %(number)s marked as paid", number=number), False


@describes(CustomerEvents.TAG_ADDED)
def _tag_added(event, data):
    if data.get("refusals"):
        text = _(
            "Tagged “%(name)s” after %(n)s refused parcels",
            name=data.get("name", ""),
            n=data["refusals"],
        )
    else:
        text = _("Tagged “%(name)s”", name=data.get("name", ""))
    return "bi-tag", text, False


@describes(CustomerEvents.TAG_REMOVED)
def _tag_removed(event, data):
    return "bi-tag", _("Tag “%(name)s” removed", name=data.get("name", "")), False


@describes(CustomerEvents.GROUP_CHANGED)
def _group_changed(event, data):
    if data.get("group"):
        return "bi-people", _("Moved to the group “%(name)s”", name=data["group"]), False
    return "bi-people", _("Taken out of their group"), False


@describes(CustomerEvents.STAFF_ASSIGNED)
def _staff_assigned(event, data):
    if data.get("assignee"):
        text = _("Assigned to %(name)s", name=data["assignee"])
        return "bi-person-badge", text, False
    return "bi-person-badge", _("No longer assigned to a staff member"), False


@describes(CustomerEvents.NOTE_ADDED)
def _note_added(event, data):
    return "bi-chat-left-text", _("Note: %(text)s", text=data.get("text", "")), False


@describes(CustomerEvents.NOTE_EDITED)
def _note_edited(event, data):
    return "bi-chat-left-text", _("Note edited: %(text)s", text=data.get("text", "")), False


@describes(CustomerEvents.NOTE_DELETED)
def _note_deleted(event, data):
    return "bi-chat-left-text", _("A note was deleted"), False


@describes(CustomerEvents.MERGED)
def _merged(event, data):
    text = _(
        "Merged with the record %(code)s (%(name)s)",
        code=data.get("code", "?"),
        name=data.get("name") or "—",
    )
    return "bi-union", text, False


@describes(CustomerEvents.IMPORTED)
def _imported(event, data):
    if data.get("action") == "update":
        return (
            "bi-file-earmark-arrow-up",
            _("Updated by the import of %(file)s", file=data.get("file", "")),
            False,
        )
    return (
        "bi-file-earmark-arrow-up",
        _("Created by the import of %(file)s", file=data.get("file", "")),
        False,
    )


@describes(CustomerEvents.CAMPAIGN_SENT)
def _campaign_sent(event, data):
    subject = data.get("subject", "")
    if data.get("kind") == "marketing":
        return "bi-megaphone", _("Marketing email sent: “%(subject)s”", subject=subject), False
    return "bi-envelope", _("Email sent: “%(subject)s”", subject=subject), False


# How a customer changed their consent, as the timeline says it.
CONSENT_WAYS = {
    "one_click": _l("with one click in their mail app"),
    "link": _l("with the link in an email"),
}


@describes(CustomerEvents.UNSUBSCRIBED)
def _unsubscribed(event, data):
    way = CONSENT_WAYS.get(data.get("source"), data.get("source") or "")
    text = _("Unsubscribed from marketing emails %(way)s", way=way) if way else None
    return "bi-envelope-slash", text or _("Unsubscribed from marketing emails"), False


@describes(CustomerEvents.SUBSCRIBED)
def _subscribed(event, data):
    way = CONSENT_WAYS.get(data.get("source"), data.get("source") or "")
    text = _("Subscribed to marketing emails again %(way)s", way=way) if way else None
    return "bi-envelope-check", text or _("Subscribed to marketing emails again"), False


def actor_label(event, names_actor):
    """Who did it, when the sentence does not say: a staff member or the customer (what the
    system did needs no name)."""
    if names_actor:
        return None
    if event.staff is not None:
        return event.staff.display_name
    if event.actor == "staff":
        return _("a staff member")
    if event.actor == "customer":
        return _("the customer")
    return None


def timeline_line(event):
    icon, text, names_actor = describe_event(event)
    return event, icon, text, actor_label(event, names_actor)
