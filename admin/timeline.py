"""The lines of a customer's timeline (the customer's record and an order's page show them),
in the reader's language."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.i18n import format_money
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
    "order_status": _l("order status update"),
    "order_placed": _l("order confirmation"),
}
PROFILE_FIELDS = {
    "last_name": _l("last name"),
    "first_name": _l("first name"),
    "gender": _l("gender"),
    "birthday": _l("birthday"),
    "accepts_marketing": _l("marketing emails"),
}


def describe_event(event):
    """(icon, sentence, names the actor itself) of one timeline line, in the reader's
    language."""
    data = event.data or {}
    staff = event.staff.display_name if event.staff is not None else _("a staff member")
    kind = event.type
    if kind == "registered":
        if data.get("from_guest"):
            return "bi-person-plus", _("Registered an account (was a guest before)"), False
        return "bi-person-plus", _("Registered an account"), False
    if kind == "approved":
        if data.get("automatic"):
            return "bi-check-circle", _("Approved automatically (shop setting)"), True
        return "bi-check-circle", _("Approved by %(staff)s", staff=staff), True
    if kind == "cancelled":
        if data.get("reason"):
            reason = data["reason"]
            text = _("Cancelled by %(staff)s — reason: %(reason)s", staff=staff, reason=reason)
        else:
            text = _("Cancelled by %(staff)s", staff=staff)
        return "bi-x-circle", text, True
    if kind == "reinstated":
        return "bi-arrow-counterclockwise", _("Reinstated by %(staff)s", staff=staff), True
    if kind == "email_confirmed":
        return "bi-patch-check", _("Confirmed the email address"), False
    if kind == "email_sent":
        template = data.get("template", "")
        what = EMAIL_LABELS.get(template, template)
        return "bi-envelope", _("Email sent: %(what)s", what=what), False
    if kind == "email_changed":
        old, new = data.get("old") or "—", data.get("new") or "—"
        text = _("Email address changed from %(old)s to %(new)s", old=old, new=new)
        return "bi-at", text, False
    if kind == "password_reset_requested":
        return "bi-key", _("Asked for a password reset link"), False
    if kind == "password_reset":
        return "bi-key", _("Set a new password with a reset link"), False
    if kind == "password_changed":
        return "bi-key", _("Changed the password"), False
    if kind == "profile_updated":
        fields = ", ".join(str(PROFILE_FIELDS.get(f, f)) for f in data.get("fields", []))
        return "bi-pencil", _("Profile updated: %(fields)s", fields=fields), False
    if kind in ("phone_added", "phone_removed", "primary_phone_changed"):
        number = display_phone(data.get("number"))
        texts = {
            "phone_added": _("Phone number added: %(number)s", number=number),
            "phone_removed": _("Phone number removed: %(number)s", number=number),
            "primary_phone_changed": _("Main phone number is now %(number)s", number=number),
        }
        return "bi-telephone", texts[kind], False
    if kind in ("address_added", "address_updated", "address_removed", "default_address_changed"):
        address = data.get("address") or "—"
        texts = {
            "address_added": _("Address added: %(address)s", address=address),
            "address_updated": _("Address changed: %(address)s", address=address),
            "address_removed": _("Address removed: %(address)s", address=address),
            "default_address_changed": _("Default address is now %(address)s", address=address),
        }
        return "bi-geo-alt", texts[kind], False
    if kind == "created_from_checkout":
        return "bi-cart", _("Became a customer with a guest checkout"), False
    return describe_order_event(event) or ("bi-dot", kind, False)


def describe_order_event(event):
    """(icon, sentence, names the actor itself) of an order's line on a timeline, or None
    when the event is not about orders."""
    data = event.data or {}
    number = f"#{data.get('number', '?')}"
    if event.type == "order_status_changed":
        text = _(
            "Order %(number)s: %(old)s → %(new)s",
            number=number,
            old=order_service.status_label(data.get("from", "")),
            new=order_service.status_label(data.get("to", "")),
        )
        return "bi-bag", text, False
    if event.type == "order_placed":
        text = _(
            "Placed order %(number)s (%(total)s)",
            number=data.get("number", ""),
            total=format_money(data.get("total", 0)),
        )
        return "bi-bag-plus", text, False
    if event.type == "order_paid":
        return "bi-cash-coin", _("Order %(number)s marked as paid", number=number), False
    if event.type == "tag_added":
        if data.get("refusals"):
            text = _(
                "Tagged “%(name)s” after %(n)s refused parcels",
                name=data.get("name", ""),
                n=data["refusals"],
            )
        else:
            text = _("Tagged “%(name)s”", name=data.get("name", ""))
        return "bi-tag", text, False
    return None


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
