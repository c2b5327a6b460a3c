"""The notification emails a shop may write in its own words: registration received, email
confirmation, approved, cancelled, reinstated, password reset, invitation, order placed and
order status changed.

A kind the shop never edited sends the built-in email (``templates/email/``) in the shop's
language, exactly as before. The shop's version is a subject and a Markdown body with the
placeholders of its kind (``services.mail_templates``), checked when it is saved, so sending
never fails because of it; the editor starts from the built-in text, written with the same
placeholders, in the shop's language. Reset to default deletes the shop's version.

The secret links an email carries (a password reset, an email confirmation…) stay secret in
the shop's text too: their placeholders become the outbox's secret-link placeholders
(``core.outbox.SecretLinks``), so the admin's email log shows a marker and the customer gets
the link."""

import logging
from dataclasses import dataclass, field

from flask_babel import force_locale, format_currency
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.extensions import db
from core.outbox import SecretLinks, render_mail
from core.tenancy import for_shop
from core.urls import external_url
from models import NotificationTemplate
from services import ServiceError, mail_templates

log = logging.getLogger(__name__)

# What the placeholders every kind offers stand for (the campaigns' own).
COMMON = mail_templates.PLACEHOLDERS
# Addresses that are not secret: a Markdown body may write them as a link's target.
URLS = frozenset({"shop_url", "account_url", "login_url"})
# Where a secret link stands in a body, and the host it has while the Markdown is made HTML
# (an address the Markdown reads as one), taken out again right after.
SECRET_HOST = "https://secret.invalid/"  # noqa: S105 (a name, not a secret)


@dataclass(frozen=True)
class Kind:
    """One notification the shop may edit: its name in the list, the placeholders it offers
    beyond the common ones, and which of them are secret links (placeholder: kind of link)."""

    name: str
    label: object
    placeholders: dict
    secret: dict = field(default_factory=dict)

    @property
    def allowed(self):
        return {**COMMON, **self.placeholders}

    @property
    def subject_allowed(self):
        """A subject cannot hold a secret link: subjects are shown as they are."""
        return {name: meaning for name, meaning in self.allowed.items() if name not in self.secret}


LOGIN = {"login_url": _l("the address of the shop's login page")}
REASON = {"reason": _l("the shop's message about its decision, when one was written")}
ORDER = {
    "order_number": _l("the order's number"),
    "order_total": _l("the order's total"),
    "order_lines": _l("the products ordered, one per line, with quantity and amount"),
    "payment_method": _l("how the order is paid"),
    "payment_instructions": _l("how to pay, when a transfer is awaited"),
    "order_url": _l("the address of the order's page (secret)"),
}

KINDS = {
    kind.name: kind
    for kind in (
        Kind(
            "member_registered",
            _l("Registration received"),
            {
                **LOGIN,
                "member_code": _l("the member's code"),
                "confirm_url": _l("the link that confirms the email address (secret)"),
            },
            {"confirm_url": "email_confirmation"},
        ),
        Kind(
            "member_confirm_email",
            _l("Email confirmation"),
            {
                "email": _l("the email address to confirm"),
                "confirm_url": _l("the link that confirms the email address (secret)"),
            },
            {"confirm_url": "email_confirmation"},
        ),
        Kind("member_approved", _l("Account approved"), {**LOGIN, **REASON}),
        Kind("member_cancelled", _l("Account cancelled"), REASON),
        Kind("member_reinstated", _l("Account reinstated"), {**LOGIN, **REASON}),
        Kind(
            "member_password_reset",
            _l("Password reset"),
            {"reset_url": _l("the link that chooses a new password (secret)")},
            {"reset_url": "password_reset"},
        ),
        Kind(
            "order_placed",
            _l("Order placed"),
            {**ORDER, "delivery_address": _l("who receives the parcel, and where")},
            {"order_url": "order"},
        ),
        Kind(
            "order_status",
            _l("Order status changed"),
            {
                **ORDER,
                "order_status": _l("the order's new status"),
                "status_message": _l("the sentence that tells what the new status means"),
            },
            {"order_url": "order"},
        ),
        Kind(
            "member_invitation",
            _l("Member invitation"),
            {"accept_url": _l("the link that accepts the invitation (secret)")},
            {"accept_url": "member_invitation"},
        ),
    )
}


def kind_or_none(name):
    return KINDS.get(name)


# --- The built-in text, with placeholders -----------------------------------------------

# The sentence of the built-in email about each new status of an order.
STATUS_MESSAGES = {
    "confirmed": _l("%(shop)s has confirmed your order %(number)s and is preparing it."),
    "shipping": _l(
        "Your order %(number)s has been handed to the courier and is on its way to you."
    ),
    "completed": _l("Your order %(number)s is completed. Thank you for shopping at %(shop)s!"),
    "cancelled": _l("Your order %(number)s has been cancelled."),
    "returned": _l(
        "The parcel of your order %(number)s was not received and has gone back to the shop."
    ),
}


def _hello():
    return _("Hello %(name)s,", name="{{ full_name }}")


def _link(label, name):
    return f"[{label}]({{{{ {name} }}}})"


def _registered(shop):
    if shop.auto_approve_members:
        subject = _("Welcome to %(shop)s", shop="{{ shop_name }}")
        status = "\n".join(
            [
                _(
                    "Your account is ready: you can log in now with this email address or "
                    "your phone number."
                ),
                _link(_("Log in"), "login_url"),
            ]
        )
    else:
        subject = _("%(shop)s received your registration", shop="{{ shop_name }}")
        status = _(
            "The shop will check your registration shortly. As soon as your account is "
            "approved we will email you again, and you can log in."
        )
    return subject, [
        _hello(),
        _("Thank you for registering at %(shop)s.", shop="{{ shop_name }}"),
        status,
        _("Please confirm that this email address is yours:") + "\n{{ confirm_url }}",
        _("Your member code is %(code)s.", code="{{ member_code }}")
        + " "
        + _("If you did not register, you can ignore this email."),
    ]


def _confirm_email(shop):
    return _("Confirm your email address at %(shop)s", shop="{{ shop_name }}"), [
        _hello(),
        _(
            "Please confirm that %(email)s is the email address of your account at %(shop)s.",
            email="{{ email }}",
            shop="{{ shop_name }}",
        ),
        _link(_("Confirm my email address"), "confirm_url"),
        _("The link works for seven days.")
        + " "
        + _("If you did not ask for it, you can ignore this email."),
    ]


def _approved(news):
    return _("Your account at %(shop)s is ready: you can log in now", shop="{{ shop_name }}"), [
        _hello(),
        news,
        _("You can log in now with this email address or your phone number.")
        + "\n"
        + _link(_("Log in"), "login_url"),
        "{{ reason }}",
    ]


def _cancelled(shop):
    return _("Your account at %(shop)s has been cancelled", shop="{{ shop_name }}"), [
        _hello(),
        _(
            "Your account at %(shop)s has been cancelled. You can no longer log in with it.",
            shop="{{ shop_name }}",
        ),
        "{{ reason }}",
        _("If you think this is a mistake, please reply to this email or contact the shop."),
    ]


def _password_reset(shop):
    return _("Reset your password at %(shop)s", shop="{{ shop_name }}"), [
        _hello(),
        _(
            "We received a request to choose a new password for your account at %(shop)s.",
            shop="{{ shop_name }}",
        ),
        _link(_("Choose a new password"), "reset_url"),
        _("The link works once, for one hour.")
        + " "
        + _("If you did not ask for it, you can ignore this email: your password stays the same."),
    ]


def _order_placed(shop):
    subject = _(
        "We received your order %(number)s at %(shop)s",
        number="{{ order_number }}",
        shop="{{ shop_name }}",
    )
    return subject, [
        _hello(),
        _(
            "Thank you for your order at %(shop)s. We received order %(number)s and will "
            "confirm it soon.",
            shop="{{ shop_name }}",
            number="{{ order_number }}",
        ),
        "{{ order_lines }}\n" + _("Total") + ": {{ order_total }}",
        _("Delivery") + ": {{ delivery_address }}",
        "{{ payment_instructions }}",
        _link(_("See your order"), "order_url"),
    ]


def _order_status(shop):
    subject = _(
        "Your order %(number)s at %(shop)s: %(status)s",
        number="{{ order_number }}",
        shop="{{ shop_name }}",
        status="{{ order_status }}",
    )
    return subject, [
        _hello(),
        "{{ status_message }}",
        "{{ order_lines }}\n" + _("Total") + ": {{ order_total }}",
        _("Status: %(status)s", status="{{ order_status }}")
        + "\n"
        + _("Payment: %(method)s", method="{{ payment_method }}"),
        "{{ payment_instructions }}",
        _link(_("View your order"), "order_url"),
    ]


def _invitation(shop):
    return _("%(shop)s invites you to become a member", shop="{{ shop_name }}"), [
        _hello(),
        _(
            "%(shop)s invites you to become a member. Choose a password to log in with this "
            "email address, follow your orders and check out faster.",
            shop="{{ shop_name }}",
        ),
        _link(_("Choose my password"), "accept_url"),
        _("The link works once, for 7 days.")
        + " "
        + _("If you do not want an account, you can ignore this email: nothing changes."),
    ]


DEFAULTS = {
    "member_registered": _registered,
    "member_confirm_email": _confirm_email,
    "member_approved": lambda shop: _approved(
        _("Good news: %(shop)s has approved your account.", shop="{{ shop_name }}")
    ),
    "member_reinstated": lambda shop: _approved(
        _("Good news: your account at %(shop)s is active again.", shop="{{ shop_name }}")
    ),
    "member_cancelled": _cancelled,
    "member_password_reset": _password_reset,
    "order_placed": _order_placed,
    "order_status": _order_status,
    "member_invitation": _invitation,
}


@dataclass(frozen=True)
class Text:
    """A kind's subject and body as the editor shows them; ``edited``: the shop's own."""

    subject: str
    body: str
    edited: bool


def default_text(shop, kind):
    """The built-in subject and body of ``kind``, in the shop's language, with placeholders."""
    with force_locale(shop.locale):
        subject, paragraphs = DEFAULTS[kind.name](shop)
    return Text(subject=subject, body="\n\n".join(paragraphs) + "\n", edited=False)


# --- The shop's versions ----------------------------------------------------------------


def edited_templates(shop):
    """The shop's versions, by kind."""
    rows = db.session.scalars(for_shop(NotificationTemplate, shop)).all()
    return {row.kind: row for row in rows}


def current_text(shop, kind):
    """What the editor starts from: the shop's version, or the built-in text."""
    row = edited_templates(shop).get(kind.name)
    if row is None:
        return default_text(shop, kind)
    return Text(subject=row.subject, body=row.body, edited=True)


def check_text(kind, *, subject, body):
    """``TemplateError`` (naming the field) unless both read and use only ``kind``'s
    placeholders; the subject must not be empty, the body neither."""
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject:
        raise mail_templates.TemplateError(_l("Please write a subject."), "subject")
    if not body:
        raise mail_templates.TemplateError(_l("Please write the message."), "body")
    mail_templates.check(subject, allowed=kind.subject_allowed, field="subject")
    mail_templates.check(body, allowed=kind.allowed, field="body")
    if len(subject) > 255:
        raise mail_templates.TemplateError(
            _l("Please use at most %(max)d characters.", max=255), "subject"
        )
    return subject, body


def save(*, shop, kind, subject, body, staff):
    """Keep the shop's version of ``kind`` (refused, with nothing written, when it does not
    read or uses a placeholder ``kind`` does not offer)."""
    subject, body = check_text(kind, subject=subject, body=body)
    row = edited_templates(shop).get(kind.name)
    if row is None:
        row = NotificationTemplate(shop_id=shop.id, kind=kind.name)
        db.session.add(row)
    row.subject = subject
    row.body = body
    row.updated_by_id = staff.id if staff is not None else None
    return row


def reset(*, shop, kind):
    """Back to the built-in email: the shop's version is deleted."""
    row = edited_templates(shop).get(kind.name)
    if row is not None:
        db.session.delete(row)


# --- Values of the placeholders ---------------------------------------------------------


def _money(shop, amount):
    return format_currency(amount or 0, shop.currency)


def _people(shop, customer, order):
    """The common values: the customer's, or the buyer's of a guest's order."""
    if customer is not None:
        values = mail_templates.values_for(customer, shop)
        values["full_name"] = customer.full_name or customer.email or ""
        return values
    return {
        "first_name": "",
        "last_name": "",
        "full_name": order.full_name if order is not None else "",
        "shop_name": shop.name,
        "shop_url": external_url("storefront.home", shop=shop.slug),
        "account_url": external_url("storefront.account", shop=shop.slug),
    }


def _order_values(shop, order, context):
    lines = "\n".join(
        f"{line.product_name} × {line.quantity}: {_money(shop, line.line_total)}"
        for line in order.lines
    )
    values = {
        "order_number": order.display_number,
        "order_total": _money(shop, order.total),
        "order_lines": lines,
        "payment_method": str(context.get("method_label") or ""),
        "payment_instructions": "",
    }
    total = _money(shop, order.total)
    if "status" in context:
        status = context["status"]
        message = STATUS_MESSAGES.get(status)
        values["order_status"] = str(context.get("status_label") or status)
        values["status_message"] = (
            str(message % {"shop": shop.name, "number": order.display_number}) if message else ""
        )
        if context.get("show_bank_details"):
            values["payment_instructions"] = (
                _(
                    "Please transfer %(total)s to the account below, with %(number)s in the "
                    "transfer message:",
                    total=total,
                    number=order.display_number,
                )
                + "\n"
                + shop.bank_details
            )
        return values
    address = ", ".join(
        part for part in (order.line1, order.ward, order.district, order.province) if part
    )
    values["delivery_address"] = f"{order.full_name}, {order.phone}\n{address}"
    if order.payment_method == "bank_transfer":
        values["payment_instructions"] = (
            _(
                "Please transfer %(total)s with %(number)s in the transfer message to:",
                total=total,
                number=order.display_number,
            )
            + "\n"
            + shop.bank_details
        )
    else:
        values["payment_instructions"] = _(
            "You pay %(total)s in cash when the parcel arrives.", total=total
        )
    return values


def _reason(kind, reason):
    if not reason:
        return ""
    if kind.name == "member_cancelled":
        return _("Reason given by the shop: %(reason)s", reason=reason)
    return _("Message from the shop: %(reason)s", reason=reason)


def values_for(shop, kind, customer, context):
    """The value of each of ``kind``'s placeholders, from what the sender gives the
    built-in template (``context``); secret links are their addresses here."""
    order = context.get("order")
    values = _people(shop, customer, order)
    if order is not None:
        values.update(_order_values(shop, order, context))
    if customer is not None:
        values["member_code"] = customer.code or ""
        values["email"] = customer.email or ""
    values["reason"] = _reason(kind, context.get("reason"))
    for name in ("login_url", "confirm_url", "reset_url", "accept_url", "order_url"):
        values[name] = context.get(name) or ""
    return {name: values.get(name, "") for name in kind.allowed}


SAMPLE_ADDRESS = "Nguyễn Văn An, 0901234567\n12 Lê Lợi, Bến Nghé, Quận 1, TP Hồ Chí Minh"
SAMPLE_CUSTOMER = {
    "first_name": "An",
    "last_name": "Nguyễn Văn",
    "full_name": "Nguyễn Văn An",
    "member_code": "KH000123",
    "email": "an.nguyen@example.com",
}


def sample_values(shop, kind):
    """Values for the editor's preview: a sample customer and order."""
    home = external_url("storefront.home", shop=shop.slug)
    with force_locale(shop.locale):
        total = _money(shop, 450_000)
        values = {
            **_people(shop, None, None),
            **SAMPLE_CUSTOMER,
            "login_url": external_url("storefront.login", shop=shop.slug),
            "reason": _reason(kind, _("Thank you for your patience.")),
            "order_number": "#1024",
            "order_total": total,
            "order_lines": _("Sample product") + f" × 2: {total}",
            "payment_method": _("Cash on delivery (COD)"),
            "payment_instructions": _(
                "You pay %(total)s in cash when the parcel arrives.", total=total
            ),
            "order_status": _("Shipping"),
            "status_message": str(STATUS_MESSAGES["shipping"] % {"number": "#1024"}),
            "delivery_address": SAMPLE_ADDRESS,
        }
    for name in kind.secret:
        values[name] = home + "…"
    return {name: values.get(name, "") for name in kind.allowed}


# --- Rendering and sending --------------------------------------------------------------


@dataclass(frozen=True)
class Email:
    """The shop's version of a notification, ready for the outbox."""

    subject: str
    text: str
    html: str
    links: SecretLinks
    # The body alone (no layout), for the editor's preview.
    content_html: str


def compose(shop, kind, *, subject, body, values):
    """The email of ``subject`` and ``body`` with ``values`` in; secret links become the
    outbox's placeholders, in the text and in the HTML (where a link's target can be one)."""
    links = SecretLinks()
    text_values, html_values, hosted = dict(values), dict(values), {}
    for name, link_kind in kind.secret.items():
        if values.get(name):
            placeholder = links.add(values[name], link_kind)
            text_values[name] = placeholder
            html_values[name] = hosted[placeholder] = SECRET_HOST + placeholder
    urls = URLS | set(kind.secret)
    with force_locale(shop.locale):
        subject = " ".join(
            mail_templates.render(subject, text_values, allowed=kind.subject_allowed).split()
        )
        content_text = mail_templates.render(body, text_values, allowed=kind.allowed)
        content_html = mail_templates.render_markdown(
            body, html_values, allowed=kind.allowed, urls=urls
        )
    for placeholder, address in hosted.items():
        content_html = content_html.replace(address, placeholder)
    text, html = render_mail(
        "campaign",
        locale=shop.locale,
        secret_links=links,
        shop=shop,
        content_text=content_text,
        content_html=content_html,
        unsubscribe_url=None,
    )
    return Email(subject, text, html, links, content_html)


def preview(shop, kind, *, subject, body):
    """The email of the editor's text on the sample's values; ``TemplateError`` when the text
    cannot be used."""
    subject, body = check_text(kind, subject=subject, body=body)
    return compose(shop, kind, subject=subject, body=body, values=sample_values(shop, kind))


def edited_email(*, shop, kind_name, customer, context):
    """The shop's version of ``kind_name`` for this message, or None: the kind is not one a
    shop edits, the shop did not edit it, or (which a check at saving keeps from happening)
    its text no longer renders, when the built-in email goes instead."""
    kind = KINDS.get(kind_name)
    if kind is None or shop is None:
        return None
    row = edited_templates(shop).get(kind.name)
    if row is None:
        return None
    try:
        with force_locale(shop.locale):
            values = values_for(shop, kind, customer, context)
        return compose(shop, kind, subject=row.subject, body=row.body, values=values)
    except ServiceError:
        log.exception(
            "shop %s: its %s email does not render; the default is sent", shop.id, kind.name
        )
        return None
