"""Customers: registration, login, approval and the rest of a member's life.

Functions take the shop, the acting person and plain values; they never read the request
and never commit. Emails go through the outbox in the same transaction."""

import hashlib
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash

from core.extensions import db
from core.inputs import multi_line, one_line
from core.jobs import enqueue_after_commit, task
from core.passwords import burn_password_check, hash_password
from core.sessions import end_all_sessions, end_other_sessions
from core.tenancy import for_shop
from core.urls import external_url
from models import (
    Customer,
    CustomerPhone,
    CustomerStatus,
    Gender,
    RegistrationClaim,
    Shop,
    utcnow,
)
from models.shop import new_token
from services import ServiceError, events, notifications
from services.emails import normalise_email
from services.phones import normalise_phone
from services.shops import WrongPassword, check_password

RESET_MAX_AGE = timedelta(hours=1)
INVITE_MAX_AGE = timedelta(days=7)
MAX_LOGIN_CANDIDATES = 10
CONFIRM_MAX_AGE = timedelta(days=7)


class DuplicatePhone(ServiceError):
    pass


class InvalidTransition(ServiceError):
    pass


class LoginRefused(ServiceError):
    """``reason`` is ``invalid`` (one generic answer), ``temporary`` or ``cancelled``; the
    last two are told only after the right password was given."""

    def __init__(self, message, reason):
        super().__init__(message)
        self.reason = reason


class BadToken(ServiceError):
    pass


# --- Finding --------------------------------------------------------------------------


def find_by_email(shop, email):
    return db.session.scalar(for_shop(Customer, shop).where(Customer.email == email))


def find_guest_by_phone(shop, number):
    """The shop's oldest guest record with this phone. A number proves nothing, so it never
    leads to a member's record: only a guest's, whose history no one can log in to."""
    return db.session.scalar(
        for_shop(Customer, shop)
        .join(CustomerPhone, CustomerPhone.customer_id == Customer.id)
        .where(CustomerPhone.number == number, Customer.status == CustomerStatus.GUEST)
        .order_by(Customer.id)
        .limit(1)
    )


def login_candidates(shop, login):
    """The records a login name (an email, or a phone in any format) may mean: one for an
    email, every record with a password that carries the phone (several may)."""
    login = (login or "").strip()
    if "@" in login:
        try:
            customer = find_by_email(shop, normalise_email(login))
        except ServiceError:
            return []
        return [customer] if customer is not None else []
    try:
        number = normalise_phone(login)
    except ServiceError:
        return []
    return db.session.scalars(
        for_shop(Customer, shop)
        .join(CustomerPhone, CustomerPhone.customer_id == Customer.id)
        .where(CustomerPhone.number == number, Customer.password_hash.is_not(None))
        .order_by(Customer.id)
        .limit(MAX_LOGIN_CANDIDATES)
    ).all()


# --- Codes ----------------------------------------------------------------------------


def next_customer_code(shop):
    """``KH000001``, ``KH000002``, … per shop; the counter row serialises concurrent callers."""
    while True:
        seq = db.session.execute(
            update(Shop)
            .where(Shop.id == shop.id)
            .values(customer_seq=Shop.customer_seq + 1)
            .returning(Shop.customer_seq)
        ).scalar_one()
        code = f"KH{seq:06d}"
        if not code_taken(shop, code):
            return code


def code_taken(shop, code):
    return (
        db.session.scalar(
            for_shop(Customer, shop).where(Customer.code == code).with_only_columns(Customer.id)
        )
        is not None
    )


def lock_registrations(shop):
    """Hold the shop's row until the caller's transaction ends, so registrations at one shop
    take turns: each one's email and phone checks then see those before it, and the second
    of two at once for the same person is answered as an existing member (a notice, not a
    database error that would tell). A write, not ``SELECT … FOR UPDATE``: SQLite has no
    row locks, and its write lock also opens the transaction the savepoint needs."""
    db.session.execute(
        update(Shop)
        .where(Shop.id == shop.id)
        .values(customer_seq=Shop.customer_seq, updated_at=Shop.updated_at)
        .execution_options(synchronize_session=False)
    )


# --- Phones ---------------------------------------------------------------------------


def add_phone(*, customer, number, primary=False):
    """Give the customer a phone (E.164), whoever else in the shop has the number too."""
    for phone in customer.phones:
        if phone.number == number:
            if primary:
                set_primary_phone(customer=customer, phone=phone)
            return phone
    phone = CustomerPhone(
        shop_id=customer.shop_id, number=number, is_primary=primary or not customer.phones
    )
    customer.phones.append(phone)
    if phone.is_primary:
        for other in customer.phones:
            other.is_primary = other is phone
    return phone


def set_primary_phone(*, customer, phone):
    for other in customer.phones:
        other.is_primary = other is phone


def remove_phone(*, customer, phone):
    was_primary = phone.is_primary
    customer.phones.remove(phone)
    if was_primary and customer.phones:
        customer.phones[0].is_primary = True


# --- Registration ---------------------------------------------------------------------


def set_marketing(customer, accepts, source):
    accepts = bool(accepts)
    if accepts != customer.accepts_marketing or customer.marketing_consent_at is None:
        customer.accepts_marketing = accepts
        customer.marketing_consent_at = utcnow()
        customer.marketing_consent_source = source


def register_member(
    *, shop, first_name, last_name, email, phone, password, accepts_marketing=False
):
    """A shopper registers. Returns the new member, or None when the email is already on a
    record: a member's (who is sent a notice) or a guest's (whose mailbox is sent a link that
    finishes the registration and joins the guest's history to it). The shopper is answered
    the same in every case, so the answer tells nobody who is a customer. A phone never
    joins a record: it is only written on the new member's. Raises ``ServiceError`` for bad
    input, with nothing written."""
    email = normalise_email(email)
    number = normalise_phone(phone) if phone and phone.strip() else None
    check_password(password)
    first_name, last_name = one_line(first_name), one_line(last_name)
    if not first_name:
        raise ServiceError(_l("Enter your first name."), "first_name")

    # Hashed on every path, so timing cannot tell a member's email from a new one, and
    # before the lock, so that the slow hash does not hold up the shop's other registrations.
    password_hash = hash_password(password)

    lock_registrations(shop)
    customer = find_by_email(shop, email)
    if customer is not None:
        if customer.is_member:
            notifications.send_member_exists(shop=shop, customer=customer)
        else:
            claim_guest_record(
                shop=shop,
                guest=customer,
                first_name=first_name,
                last_name=last_name,
                number=number,
                password_hash=password_hash,
                accepts_marketing=accepts_marketing,
            )
        return None
    # A savepoint, so that a refusal undoes this registration and nothing of the caller's.
    savepoint = db.session.begin_nested()
    now = utcnow()
    try:
        customer = Customer(
            shop_id=shop.id,
            shop=shop,
            code=next_customer_code(shop),
            created_at=now,
            email=email,
            first_name=first_name,
            last_name=last_name,
            password_hash=password_hash,
        )
        db.session.add(customer)
        _become_member(shop, customer, number, accepts_marketing, from_guest=False, now=now)
        db.session.flush()
    except IntegrityError as error:
        # The email was written meanwhile by something that does not take the registration
        # lock (an import, the admin).
        savepoint.rollback()
        raise DuplicateRegistration() from error
    savepoint.commit()
    _welcome(shop, customer, confirm_url=confirm_email_url(shop, customer))
    return customer


def _become_member(shop, customer, number, accepts_marketing, *, from_guest, now):
    customer.status = CustomerStatus.TEMPORARY
    customer.registered_at = now
    set_marketing(customer, accepts_marketing, "registration")
    if number is not None:
        add_phone(customer=customer, number=number, primary=not customer.phones)
    events.registered(customer=customer, from_guest=from_guest)
    if shop.auto_approve_members:
        customer.status = CustomerStatus.OFFICIAL
        events.approved_automatically(customer=customer)


def _welcome(shop, customer, confirm_url=None):
    """The new member's email, and the managers' notice when the member waits for them."""
    notifications.send_member_registered(shop=shop, customer=customer, confirm_url=confirm_url)
    if customer.status == CustomerStatus.TEMPORARY and shop.notify_staff_of_registrations:
        notifications.send_staff_new_member(shop=shop, customer=customer)


# --- Registering with a guest's email -------------------------------------------------


def claim_guest_record(
    *, shop, guest, first_name, last_name, number, password_hash, accepts_marketing
):
    """Keep the registration aside and email the guest's address a link to finish it. The
    guest's record is not touched: only whoever reads that mailbox, and knows the password
    chosen in the registration, can join the two."""
    claim = RegistrationClaim(
        shop_id=shop.id,
        customer=guest,
        first_name=first_name,
        last_name=last_name,
        phone=number,
        password_hash=password_hash,
        accepts_marketing=bool(accepts_marketing),
    )
    db.session.add(claim)
    db.session.flush()
    notifications.send_member_claim(
        shop=shop,
        customer=guest,
        claim=claim,
        claim_url=external_url(
            "storefront.confirm_registration", shop=shop.slug, token=make_claim_token(claim)
        ),
    )
    return claim


def make_claim_token(claim):
    return _serializer("claim").dumps(
        {"s": claim.shop_id, "r": claim.id, "e": _fingerprint(claim.customer.email)}
    )


def claim_for_token(*, shop, token):
    """The waiting registration a link points to; ``BadToken`` when it is spent, expired or
    the guest's record is no longer a guest's with that email."""
    try:
        data = _serializer("claim").loads(token, max_age=int(CONFIRM_MAX_AGE.total_seconds()))
    except SignatureExpired as error:
        raise BadToken(_l("This link has expired. Please register again.")) from error
    except BadSignature as error:
        raise BadToken(_l("This link is not valid.")) from error
    if not isinstance(data, dict) or data.get("s") != shop.id:
        raise BadToken(_l("This link is not valid."))
    claim_id = data.get("r")
    claim = (
        db.session.scalar(for_shop(RegistrationClaim, shop).where(RegistrationClaim.id == claim_id))
        if isinstance(claim_id, int)
        else None
    )
    if (
        claim is None
        or claim.customer.is_member
        or data.get("e") != _fingerprint(claim.customer.email)
    ):
        raise BadToken(_l("This link is not valid."))
    return claim


def complete_registration(*, shop, token, password):
    """The guest's mailbox followed the link and gave the registration's password: the
    guest's record becomes the member, with its history, and its email is confirmed."""
    claim = claim_for_token(shop=shop, token=token)
    if not check_password_hash(claim.password_hash, password or ""):
        raise WrongPassword(_l("This is not the password you chose when registering."), "password")
    customer = claim.customer
    now = utcnow()
    customer.first_name = claim.first_name
    customer.last_name = claim.last_name
    customer.password_hash = claim.password_hash
    customer.email_verified_at = now
    _become_member(shop, customer, claim.phone, claim.accepts_marketing, from_guest=True, now=now)
    events.email_confirmed(customer=customer)
    db.session.execute(
        delete(RegistrationClaim).where(
            RegistrationClaim.shop_id == shop.id, RegistrationClaim.customer_id == customer.id
        )
    )
    _welcome(shop, customer)
    return customer


class DuplicateRegistration(ServiceError):
    def __init__(self):
        super().__init__(_l("This email is being registered already."), "email")


# --- Logging in -----------------------------------------------------------------------


def check_login(*, shop, login, password):
    """The member a login name and password open. A phone may be on several records: the
    password says which one is meant."""
    candidates = [c for c in login_candidates(shop, login) if c.password_hash]
    if not candidates:
        burn_password_check(password)
        raise LoginRefused(_l("The email, phone or password is incorrect."), "invalid")
    customer = next((c for c in candidates if c.check_password(password)), None)
    if customer is None:
        raise LoginRefused(_l("The email, phone or password is incorrect."), "invalid")
    if customer.status == CustomerStatus.TEMPORARY:
        raise LoginRefused(
            _l(
                "Your account is waiting for the shop's approval. "
                "We will email you when it is approved."
            ),
            "temporary",
        )
    if customer.status == CustomerStatus.CANCELLED:
        raise LoginRefused(
            _l(
                "This account has been cancelled. "
                "Please contact the shop if you think this is a mistake."
            ),
            "cancelled",
        )
    if customer.status != CustomerStatus.OFFICIAL:
        raise LoginRefused(_l("The email, phone or password is incorrect."), "invalid")
    customer.last_login_at = utcnow()
    return customer


# --- Approval -------------------------------------------------------------------------

# action: (statuses it applies to, status it gives, the timeline event)
TRANSITIONS = {
    "approve": ({CustomerStatus.TEMPORARY}, CustomerStatus.OFFICIAL, events.approved),
    "cancel": (
        {CustomerStatus.TEMPORARY, CustomerStatus.OFFICIAL},
        CustomerStatus.CANCELLED,
        events.cancelled,
    ),
    "reinstate": ({CustomerStatus.CANCELLED}, CustomerStatus.OFFICIAL, events.reinstated),
}
REFUSALS = {
    "approve": _l("Only members waiting for approval can be approved."),
    "cancel": _l("Only temporary or official members can be cancelled."),
    "reinstate": _l("Only cancelled members can be reinstated."),
}


def allowed_actions(customer):
    """The status changes ``customer``'s status allows: some of approve, cancel, reinstate."""
    return {
        action for action, (statuses, _, _) in TRANSITIONS.items() if customer.status in statuses
    }


def change_status(*, shop, customer, actor, action, reason=None):
    """Approve, cancel or reinstate a member: the change, its event and its email."""
    allowed, target, record = TRANSITIONS[action]
    if customer.status not in allowed:
        raise InvalidTransition(REFUSALS[action])
    previous = customer.status
    customer.status = target
    reason = (multi_line(reason) or "").strip() or None
    record(customer=customer, staff=actor, previous=previous, reason=reason)
    if target == CustomerStatus.CANCELLED:
        end_all_sessions(customer)  # signs the member out everywhere
    if customer.email:
        notifications.send_member_status(
            shop=shop, customer=customer, reason=reason, reinstated=action == "reinstate"
        )
    return customer


def approve(*, shop, customer, actor):
    return change_status(shop=shop, customer=customer, actor=actor, action="approve")


def cancel(*, shop, customer, actor, reason=None):
    return change_status(shop=shop, customer=customer, actor=actor, action="cancel", reason=reason)


def reinstate(*, shop, customer, actor):
    return change_status(shop=shop, customer=customer, actor=actor, action="reinstate")


def bulk_change_status(*, shop, customers, actor, action, reason=None):
    """Apply one action to many; returns (changed, skipped) counts. Rows whose status does
    not allow the action are skipped, not failed."""
    changed = skipped = 0
    for customer in customers:
        try:
            change_status(shop=shop, customer=customer, actor=actor, action=action, reason=reason)
        except InvalidTransition:
            skipped += 1
        else:
            changed += 1
    return changed, skipped


# --- Tokens ---------------------------------------------------------------------------


def _serializer(purpose):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"customer-{purpose}")


def _fingerprint(value):
    return hashlib.sha256((value or "").encode()).hexdigest()[:16]


def make_confirm_token(customer):
    return _serializer("confirm").dumps(
        {"s": customer.shop_id, "c": customer.id, "e": _fingerprint(customer.email)}
    )


def confirm_email_url(shop, customer):
    """The link that confirms the customer's address, for an email to it."""
    return external_url(
        "storefront.confirm_email", shop=shop.slug, token=make_confirm_token(customer)
    )


def make_reset_token(customer):
    """A new reset link, which spends the one sent before.

    It holds the customer's new ``reset_nonce`` (cleared when a link is used), and the
    fingerprints of their password and email: a new password or a new address spends it.
    """
    customer.reset_nonce = new_token()
    return _serializer("reset").dumps(
        {
            "s": customer.shop_id,
            "c": customer.id,
            "n": customer.reset_nonce,
            "p": _fingerprint(customer.password_hash),
            "e": _fingerprint(customer.email),
        }
    )


def _load(purpose, token, max_age, shop):
    try:
        data = _serializer(purpose).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as error:
        raise BadToken(_l("This link has expired. Please ask for a new one.")) from error
    except BadSignature as error:
        raise BadToken(_l("This link is not valid.")) from error
    if not isinstance(data, dict) or data.get("s") != shop.id:
        raise BadToken(_l("This link is not valid."))
    customer = db.session.scalar(for_shop(Customer, shop).where(Customer.id == data.get("c")))
    if customer is None:
        raise BadToken(_l("This link is not valid."))
    return customer, data


def confirm_email(*, shop, token):
    customer, data = _load("confirm", token, CONFIRM_MAX_AGE, shop)
    if data.get("e") != _fingerprint(customer.email):
        raise BadToken(_l("This link is not valid."))
    if customer.email_verified_at is None:
        customer.email_verified_at = utcnow()
        events.email_confirmed(customer=customer)
    return customer


def customer_for_reset(*, shop, token):
    customer, data = _load("reset", token, RESET_MAX_AGE, shop)
    if data.get("p") != _fingerprint(customer.password_hash):
        # Used (the reset sets a new password), or the password was changed since.
        raise BadToken(_l("This link has already been used. Please ask for a new one."))
    if _replaced(customer, data):
        raise BadToken(_l("This link no longer works. Please ask for a new one."))
    return customer


def _replaced(customer, data):
    """Whether a newer link was sent (or the last one used) since the link of ``data``, or
    the account's address changed since."""
    return (
        customer.reset_nonce is None
        or data.get("n") != customer.reset_nonce
        or data.get("e") != _fingerprint(customer.email)
    )


def queue_password_reset(*, shop, email):
    """Forgot password: look the address up in the background, once the caller commits.

    The request does the same work whether or not the address has an account, so neither
    its answer nor its duration tells; the task does the rest.
    """
    enqueue_after_commit("customers.password_reset", shop.id, email or "")


@task("customers.password_reset")
def send_password_reset(shop_id, email):
    """The worker's half of forgot-password; it commits, as the view would."""
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        return
    request_password_reset(shop=shop, email=email)
    db.session.commit()


def request_password_reset(*, shop, email):
    """Email a reset link to a member with a password; say nothing either way."""
    try:
        email = normalise_email(email)
    except ServiceError:
        return
    customer = find_by_email(shop, email)
    if customer is None or not customer.password_hash:
        return
    notifications.send_member_password_reset(
        shop=shop,
        customer=customer,
        reset_url=external_url(
            "storefront.reset_password", shop=shop.slug, token=make_reset_token(customer)
        ),
    )
    events.password_reset_requested(customer=customer)


def reset_password(*, shop, token, password):
    customer = customer_for_reset(shop=shop, token=token)
    check_password(password)
    customer.set_password(password)  # spends the link: it clears ``reset_nonce``
    # Whoever asked for the link may not be the only one who knew the old password.
    end_all_sessions(customer)
    events.password_reset(customer=customer)
    return customer


# --- Inviting a customer to become a member ------------------------------------------


def may_invite(customer):
    """A customer with an email and no password can be invited: a guest, or a member the
    shop entered itself. A cancelled account is not reopened this way."""
    return (
        bool(customer.email)
        and not customer.password_hash
        and customer.status != CustomerStatus.CANCELLED
    )


def make_invite_token(customer):
    """A new invitation link, which spends the one sent before (the ``reset_nonce``); the
    password it sets spends it too, and so does a change of the customer's email."""
    customer.reset_nonce = new_token()
    return _serializer("invite").dumps(
        {
            "s": customer.shop_id,
            "c": customer.id,
            "n": customer.reset_nonce,
            "e": _fingerprint(customer.email),
        }
    )


def invite_customer(*, shop, customer, actor):
    """Email the customer a link to choose a password and become a member."""
    if not may_invite(customer):
        raise InvalidTransition(
            _l("Only a customer with an email address and no password can be invited.")
        )
    notifications.send_member_invitation(
        shop=shop,
        customer=customer,
        accept_url=external_url(
            "storefront.accept_invitation", shop=shop.slug, token=make_invite_token(customer)
        ),
    )
    events.invited(customer=customer, staff=actor)


def customer_for_invitation(*, shop, token):
    """The customer an invitation link is for; ``BadToken`` when it is used, replaced by a
    newer one, expired, or no longer matches the customer's email."""
    customer, data = _load("invite", token, INVITE_MAX_AGE, shop)
    if customer.password_hash:
        raise BadToken(_l("This invitation has already been used. Please log in."))
    if not may_invite(customer) or _replaced(customer, data):
        raise BadToken(_l("This link no longer works. Please ask the shop for a new one."))
    return customer


def accept_invitation(*, shop, token, password):
    """The invited customer chose a password. A guest becomes a member, waiting for approval
    or official as the shop's setting says; a member the shop entered keeps the status it
    was given. Following the link proves the mailbox, so the email is confirmed. An official
    member is logged in by the caller (their last login is now)."""
    customer = customer_for_invitation(shop=shop, token=token)
    check_password(password)
    customer.set_password(password)  # spends the link: it clears ``reset_nonce``
    now = utcnow()
    from_guest = customer.status == CustomerStatus.GUEST
    customer.registered_at = customer.registered_at or now
    events.registered(customer=customer, from_guest=from_guest)
    if from_guest:
        customer.status = CustomerStatus.TEMPORARY
        if shop.auto_approve_members:
            customer.status = CustomerStatus.OFFICIAL
            events.approved_automatically(customer=customer)
    if customer.email_verified_at is None:
        customer.email_verified_at = now
        events.email_confirmed(customer=customer)
    if customer.status == CustomerStatus.OFFICIAL:
        customer.last_login_at = now
    elif shop.notify_staff_of_registrations:
        notifications.send_staff_new_member(shop=shop, customer=customer)
    return customer


# --- The member's own account ---------------------------------------------------------


class DuplicateEmail(ServiceError):
    pass


def send_email_confirmation(*, shop, customer):
    """Email the member a link that confirms their address (after a change, or again)."""
    notifications.send_member_confirm_email(
        shop=shop, customer=customer, confirm_url=confirm_email_url(shop, customer)
    )


def clean_gender(gender):
    """One of ``Gender``, or None when not given."""
    gender = gender or None
    if gender is not None and gender not in set(Gender):
        raise ServiceError(_l("Choose one of the options."), "gender")
    return gender


def check_birthday(birthday):
    if birthday is not None and not (date(1900, 1, 1) <= birthday <= utcnow().date()):
        raise ServiceError(_l("Enter a real date of birth."), "birthday")
    return birthday


def check_gender_and_birthday(gender, birthday):
    """The gender to store (None when not given); ``ServiceError`` for one that is not a
    choice or a date of birth that cannot be."""
    gender = clean_gender(gender)
    check_birthday(birthday)
    return gender


def update_profile(
    *,
    customer,
    first_name,
    last_name,
    gender=None,
    birthday=None,
    accepts_marketing=None,
    actor="customer",
    staff=None,
):
    """Names, gender, birthday and marketing consent. Returns the names of the fields that
    changed (an event lists them); nothing changed, no event."""
    first_name, last_name = one_line(first_name), one_line(last_name)
    if not first_name:
        raise ServiceError(_l("Enter your first name."), "first_name")
    gender = clean_gender(gender)
    check_birthday(birthday)
    changed = []
    values = {
        "last_name": last_name,
        "first_name": first_name,
        "gender": gender,
        "birthday": birthday,
    }
    for name, value in values.items():
        if getattr(customer, name) != value:
            setattr(customer, name, value)
            changed.append(name)
    if accepts_marketing is not None and bool(accepts_marketing) != customer.accepts_marketing:
        set_marketing(customer, accepts_marketing, "account" if staff is None else "admin")
        changed.append("accepts_marketing")
    if changed:
        events.profile_updated(customer=customer, fields=changed, actor=actor, staff=staff)
    return changed


def _check_current_password(customer, password):
    if not customer.check_password(password or ""):
        raise WrongPassword(_l("Your current password is not correct."), "current_password")


def change_email(*, shop, customer, new_email, password):
    """The member moves their account to another address: it needs confirming again, and
    the old address is told, in case someone else made the change."""
    _check_current_password(customer, password)
    email = normalise_email(new_email)
    if email == customer.email:
        raise ServiceError(_l("This is already your email address."), "email")
    return move_email(shop=shop, customer=customer, email=email)


def check_email_free(shop, customer, email):
    """Refuse an address another customer of the shop has (``email`` is normalised)."""
    other = find_by_email(shop, email) if email else None
    if other is not None and other is not customer:
        raise DuplicateEmail(_l("This email address is already used by another account."), "email")


def move_email(*, shop, customer, email, staff=None):
    """Give the customer another address (normalised; None takes a guest's away): it needs
    confirming again and a reset link sent to the old one is spent. A member is sent a link
    to confirm the new one, and the old one is told, in case someone else made the change."""
    check_email_free(shop, customer, email)
    old = customer.email
    # A savepoint: an address written meanwhile by something that does not look first (an
    # import, the admin) refuses this change only, and keeps the rest of the caller's work.
    savepoint = db.session.begin_nested()
    try:
        customer.email = email
        customer.email_verified_at = None
        customer.reset_nonce = None  # a reset link sent to the old address is spent
        events.email_changed(customer=customer, old=old, new=email, staff=staff)
        db.session.flush()
    except IntegrityError as error:
        savepoint.rollback()
        raise DuplicateEmail(
            _l("This email address is already used by another account."), "email"
        ) from error
    savepoint.commit()
    if customer.is_member and email:
        send_email_confirmation(shop=shop, customer=customer)
    if customer.is_member and old:
        notifications.send_member_email_changed(shop=shop, customer=customer, old=old, new=email)
    return customer


def change_password(*, customer, current_password, new_password, keep_session=None):
    """A new password signs out every session but ``keep_session`` (the id of the one that
    changed it) and spends every reset link."""
    _check_current_password(customer, current_password)
    check_password(new_password)
    customer.set_password(new_password)
    end_other_sessions(customer, keep=keep_session)
    events.password_changed(customer=customer)
    return customer


def add_member_phone(*, customer, number, actor="customer", staff=None, field="new_phone"):
    """Add a phone as the member (or staff) typed it. Whether another customer of the shop
    has the number changes nothing, and the answer does not tell: a number proves nothing
    here (it never shows an order to a member)."""
    number = normalise_phone(number, field=field)
    if any(phone.number == number for phone in customer.phones):
        raise DuplicatePhone(_l("This phone number is already on this account."), field)
    phone = add_phone(customer=customer, number=number)
    events.phone_added(customer=customer, number=number, actor=actor, staff=staff)
    return phone


def remove_member_phone(*, customer, phone, actor="customer", staff=None):
    number = phone.number
    remove_phone(customer=customer, phone=phone)
    events.phone_removed(customer=customer, number=number, actor=actor, staff=staff)


def make_primary_phone(*, customer, phone, actor="customer", staff=None):
    if phone.is_primary:
        return
    set_primary_phone(customer=customer, phone=phone)
    events.primary_phone_changed(customer=customer, number=phone.number, actor=actor, staff=staff)
