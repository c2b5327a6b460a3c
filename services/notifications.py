"""What the shop emails about a customer: one function per message, named after its
template. Each is queued in the outbox, in the caller's transaction, and an email to the
customer is put on their timeline too.

The secret links a message carries (confirming an address, resetting a password…) are made
by the use case that sends it and given here as URLs: making one can change the customer
(a reset link spends the one before), which is the customer service's business."""

from flask_babel import lazy_gettext as _l

from core.extensions import db
from core.outbox import queue_mail, send_template
from core.urls import external_url
from models import CustomerStatus, Role, ShopMembership, StaffUser
from services import events, notification_templates


def notify(*, shop, to, to_name, customer, template, subject, kind=None, **context):
    """Queue the email of ``template``, or the shop's own version of it when the shop edited
    the notification ``kind`` (``template`` unless said). ``customer`` is None for a guest."""
    edited = notification_templates.edited_email(
        shop=shop, kind_name=kind or template, customer=customer, context=context
    )
    customer_id = customer.id if customer is not None else None
    if edited is None:
        send_template(
            shop=shop,
            to=to,
            to_name=to_name,
            customer_id=customer_id,
            template=template,
            subject=subject,
            customer=customer,
            **context,
        )
        return
    queue_mail(
        shop=shop,
        to=to,
        subject=edited.subject,
        text=edited.text,
        html=edited.html,
        to_name=to_name,
        customer_id=customer_id,
        kind=template,
        secret_links=edited.links,
    )


def email_customer(*, shop, customer, template, subject, to=None, kind=None, **context):
    """Queue an email to the customer and put it on their timeline."""
    notify(
        shop=shop,
        to=to or customer.email,
        to_name=customer.full_name,
        customer=customer,
        template=template,
        subject=subject,
        kind=kind,
        **context,
    )
    events.email_sent(customer=customer, template=template)


# --- To the customer ------------------------------------------------------------------


def send_member_registered(*, shop, customer, confirm_url=None):
    """The new member's welcome, or the notice that the shop has yet to approve them."""
    email_customer(
        shop=shop,
        customer=customer,
        template="member_registered",
        subject=(
            _l("Welcome to %(shop)s", shop=shop.name)
            if customer.status == CustomerStatus.OFFICIAL
            else _l("%(shop)s received your registration", shop=shop.name)
        ),
        confirm_url=confirm_url,
        login_url=external_url("storefront.login", shop=shop.slug),
    )


def send_member_claim(*, shop, customer, claim, claim_url):
    """To a guest's address someone registered with: the link that finishes it."""
    email_customer(
        shop=shop,
        customer=customer,
        template="member_claim",
        subject=_l("Finish your registration at %(shop)s", shop=shop.name),
        claim=claim,
        claim_url=claim_url,
    )


def send_member_invitation(*, shop, customer, accept_url):
    """The shop invites a customer (a guest, or a member it entered) to choose a password."""
    email_customer(
        shop=shop,
        customer=customer,
        template="member_invitation",
        subject=_l("%(shop)s invites you to become a member", shop=shop.name),
        accept_url=accept_url,
    )


def send_member_exists(*, shop, customer):
    """To a member whose address someone tried to register with."""
    email_customer(
        shop=shop,
        customer=customer,
        template="member_exists",
        subject=_l("Someone tried to register at %(shop)s with your email", shop=shop.name),
        login_url=external_url("storefront.login", shop=shop.slug),
        forgot_url=external_url("storefront.forgot_password", shop=shop.slug),
    )


def send_member_status(*, shop, customer, reason=None, reinstated=False):
    """The member's account was approved, reinstated or cancelled (``customer.status`` is
    the new one)."""
    cancelled = customer.status == CustomerStatus.CANCELLED
    email_customer(
        shop=shop,
        customer=customer,
        template="member_cancelled" if cancelled else "member_approved",
        kind="member_reinstated" if reinstated and not cancelled else None,
        subject=(
            _l("Your account at %(shop)s has been cancelled", shop=shop.name)
            if cancelled
            else _l("Your account at %(shop)s is ready: you can log in now", shop=shop.name)
        ),
        reason=reason,
        reinstated=reinstated,
        login_url=external_url("storefront.login", shop=shop.slug),
    )


def send_member_password_reset(*, shop, customer, reset_url):
    email_customer(
        shop=shop,
        customer=customer,
        template="member_password_reset",
        subject=_l("Reset your password at %(shop)s", shop=shop.name),
        reset_url=reset_url,
    )


def send_member_confirm_email(*, shop, customer, confirm_url):
    email_customer(
        shop=shop,
        customer=customer,
        template="member_confirm_email",
        subject=_l("Confirm your email address at %(shop)s", shop=shop.name),
        confirm_url=confirm_url,
    )


def send_member_email_changed(*, shop, customer, old, new):
    """To the old address, in case someone else made the change."""
    email_customer(
        shop=shop,
        customer=customer,
        to=old,
        template="member_email_changed",
        subject=_l("The email address of your account at %(shop)s was changed", shop=shop.name),
        old_email=old,
        new_email=new,
    )


# --- To the shop's managers -----------------------------------------------------------


def send_staff_new_member(*, shop, customer):
    """Tell the shop's owners and managers that a member waits for their approval."""
    managers = db.session.scalars(
        db.select(StaffUser)
        .join(ShopMembership, ShopMembership.staff_id == StaffUser.id)
        .where(ShopMembership.shop_id == shop.id)
        .where(ShopMembership.role.in_([Role.OWNER, Role.MANAGER]))
        .where(StaffUser.active.is_(True))
        .order_by(StaffUser.id)
    ).all()
    for manager in managers:
        send_template(
            shop=shop,
            to=manager.email,
            to_name=manager.name,
            template="staff_new_member",
            subject=_l("New member waiting for approval: %(name)s", name=customer.full_name),
            customer=customer,
            manager=manager,
            review_url=external_url(
                "admin.customer_detail", shop=shop.slug, customer_id=customer.id
            ),
            waiting_url=external_url("admin.customers", shop=shop.slug, status="temporary"),
        )
