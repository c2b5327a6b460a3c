"""Staff join a shop by invitation.

An owner names an email and a role; the person joins only by opening the emailed link and
accepting it, logged in as the account of that email, or, for a new person, by choosing a
name and a password. The owner is answered the same whoever the email belongs to, so the
staff form tells nothing about other shops' staff."""

import hashlib
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from core.extensions import db
from core.inputs import one_line
from core.outbox import send_template
from core.tenancy import for_shop
from core.urls import external_url
from models import Role, ShopMembership, StaffInvitation, StaffUser, utcnow
from services import ServiceError
from services.emails import normalise_email
from services.shops import check_password, find_staff

INVITATION_VALID_FOR = timedelta(days=7)


class WrongAccount(ServiceError):
    pass


class AccountExists(ServiceError):
    pass


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _pending(shop, now):
    return for_shop(StaffInvitation, shop).where(
        StaffInvitation.accepted_at.is_(None),
        StaffInvitation.withdrawn_at.is_(None),
        StaffInvitation.expires_at > now,
    )


def pending_invitations(*, shop):
    """The shop's invitations that can still be accepted, newest first."""
    query = _pending(shop, utcnow()).order_by(StaffInvitation.created_at.desc())
    return db.session.scalars(query.options(db.joinedload(StaffInvitation.invited_by))).all()


def invite_staff(*, shop, email, role=Role.STAFF, name="", invited_by=None):
    """Email ``email`` a link to join ``shop`` as ``role``. A pending invitation to the same
    address is replaced (its old link stops working) and sent again; a person already on
    the staff gets nothing. Returns the invitation, or None for a member."""
    role = Role(role)
    email = normalise_email(email)
    staff = find_staff(email)
    if staff is not None and staff.membership_in(shop) is not None:
        return None
    now = utcnow()
    invitation = db.session.scalars(
        _pending(shop, now)
        .where(StaffInvitation.email == email)
        .order_by(StaffInvitation.id.desc())
        .with_for_update()
    ).first()
    if invitation is None:
        invitation = StaffInvitation(shop_id=shop.id, shop=shop, email=email)
        db.session.add(invitation)
    token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(token)
    invitation.role = role
    invitation.name = one_line(name)
    invitation.invited_by = invited_by
    invitation.created_at = now
    invitation.expires_at = now + INVITATION_VALID_FOR
    db.session.flush()
    inviter = invited_by.display_name if invited_by is not None else shop.name
    send_template(
        shop=shop,
        to=email,
        to_name=invitation.name,
        template="staff_invitation",
        subject=_l("%(inviter)s invites you to join %(shop)s", inviter=inviter, shop=shop.name),
        invitation=invitation,
        inviter=inviter,
        accept_url=external_url("admin.invitation", shop=shop.slug, token=token),
    )
    return invitation


def find_invitation(*, shop, token, lock=False):
    """The pending invitation of a link, or None: a withdrawn, expired or used link, or
    another shop's, opens nothing."""
    if not token or len(token) > 100:
        return None
    query = _pending(shop, utcnow()).where(StaffInvitation.token_hash == hash_token(token))
    if lock:
        query = query.with_for_update()
    return db.session.scalar(query)


def invited_account(invitation):
    """The existing account the invitation is for, or None for a new person."""
    return find_staff(invitation.email)


def withdraw_invitation(*, invitation):
    if invitation.is_pending():
        invitation.withdrawn_at = utcnow()
        db.session.flush()


def accept_invitation(*, invitation, staff):
    """``staff`` joins the shop with the invited role; the link is spent. Only the account
    the invitation was sent to may accept it."""
    if staff.email != invitation.email:
        raise WrongAccount(
            _l(
                "This invitation was sent to %(email)s, and you are logged in as %(current)s. "
                "Log out, then open the link again to accept it.",
                email=invitation.email,
                current=staff.email,
            )
        )
    membership = staff.membership_in(invitation.shop)
    if membership is None:
        membership = ShopMembership(shop=invitation.shop, staff=staff, role=invitation.role)
        db.session.add(membership)
    invitation.accepted_at = utcnow()
    db.session.flush()
    return membership


def join_with_new_account(*, invitation, name, password):
    """A person without an account chooses a name and a password and joins the shop."""
    if invited_account(invitation) is not None:
        raise AccountExists(_l("This email already has an account: log in to accept."))
    name = one_line(name)
    if not name:
        raise ServiceError(_l("Please fill in this field."), "name")
    check_password(password)
    staff = StaffUser(email=invitation.email, name=name)
    staff.set_password(password)
    db.session.add(staff)
    accept_invitation(invitation=invitation, staff=staff)
    return staff
