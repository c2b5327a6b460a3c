"""Creating shops and adding their staff."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from core.extensions import db
from core.inputs import one_line
from core.outbox import send_template
from core.passwords import burn_password_check
from core.tenancy import for_shop
from core.urls import external_url
from models import RESERVED_SLUGS, Customer, Role, Shop, ShopMembership, StaffUser
from models.shop import SLUG_RE
from services import ServiceError
from services.catalog import parse_amount
from services.emails import normalise_email
from services.tags import add_default_tags

MIN_PASSWORD_LENGTH = 8


class InvalidSlug(ServiceError):
    pass


class SlugTaken(ServiceError):
    pass


class WeakPassword(ServiceError):
    pass


class WrongPassword(ServiceError):
    pass


class AlreadyMember(ServiceError):
    pass


class EmailTaken(ServiceError):
    pass


def check_slug(slug):
    slug = (slug or "").strip()
    if not SLUG_RE.match(slug) or "--" in slug:
        raise InvalidSlug(
            _l(
                "The address must be 3–40 characters: lowercase letters, digits and hyphens, "
                "starting and ending with a letter or digit."
            ),
            "slug",
        )
    if slug in RESERVED_SLUGS:
        raise InvalidSlug(_l("This address is reserved. Please choose another."), "slug")
    if db.session.scalar(db.select(Shop.id).where(Shop.slug == slug)) is not None:
        raise SlugTaken(_l("This address is already taken. Please choose another."), "slug")
    return slug


def check_password(password, field="password"):
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            _l("The password must be at least %(n)s characters.", n=MIN_PASSWORD_LENGTH), field
        )
    return password


def find_staff(email):
    return db.session.scalar(db.select(StaffUser).where(StaffUser.email == email))


def authenticate_staff(*, email, password, shop=None):
    """The active account with this email and password (on the staff of ``shop``, when one
    is given), or None; as slow either way."""
    staff = find_staff((email or "").strip().lower())
    if staff is None:
        burn_password_check(password)
        return None
    if not staff.check_password(password or "") or not staff.active:
        return None
    if shop is not None and staff.membership_in(shop) is None:
        return None
    return staff


def check_shop_name(name):
    name = one_line(name)
    if not name:
        raise ServiceError(_l("Enter the shop's name."), "shop_name")
    return name


def create_shop(*, slug, name, owner_email, owner_password, owner_name="", locale="vi"):
    """A new shop and its owner (the operator's ``shop create``). An owner who already has
    an account must give that account's password; the shop is then added to it. /signup
    goes through ``sign_up``, which never checks another account's password."""
    slug = check_slug(slug)
    name = check_shop_name(name)
    email = normalise_email(owner_email)
    owner = find_staff(email)
    if owner is None:
        check_password(owner_password)
        owner = StaffUser(email=email, name=one_line(owner_name))
        owner.set_password(owner_password)
        db.session.add(owner)
    elif not owner.check_password(owner_password or ""):
        raise WrongPassword(
            _l("This email already has an account. Enter that account's password."),
            "password",
        )
    return _new_shop(slug, name, owner, locale), owner


def sign_up(*, slug, name, owner_email, owner_password, locale="vi"):
    """/signup: a new shop for a person without an account. Someone who has one logs in
    and opens more shops from there (one login, many shops)."""
    email = normalise_email(owner_email)
    if find_staff(email) is not None:
        raise EmailTaken(
            _l("This email already has an account. Log in, then open your new shop from there."),
            "email",
        )
    return create_shop(
        slug=slug, name=name, owner_email=email, owner_password=owner_password, locale=locale
    )


def open_shop(*, slug, name, owner, locale="vi"):
    """A new shop owned by an existing account."""
    return _new_shop(check_slug(slug), check_shop_name(name), owner, locale)


def _new_shop(slug, name, owner, locale):
    shop = Shop(slug=slug, name=name, contact_email=owner.email, locale=locale)
    db.session.add(shop)
    db.session.add(ShopMembership(shop=shop, staff=owner, role=Role.OWNER))
    db.session.flush()
    add_default_tags(shop)
    return shop


def add_staff(*, shop, email, role=Role.STAFF, password=None, name=""):
    """Give a person a role in the shop at once, creating their staff account if it is new:
    the operator's ``staff add`` (and the tests' fixtures). Owners invite (services.invitations)."""
    role = Role(role)
    email = normalise_email(email)
    staff = find_staff(email)
    if staff is None:
        check_password(password)
        staff = StaffUser(email=email, name=one_line(name))
        staff.set_password(password)
        db.session.add(staff)
    elif staff.membership_in(shop) is not None:
        raise AlreadyMember(_l("This person is already on the shop's staff."), "email")
    db.session.add(ShopMembership(shop=shop, staff=staff, role=role))
    db.session.flush()
    return staff


def staff_of(shop):
    """The shop's staff memberships, owners first, then managers, then staff, by email."""
    role_order = db.case({Role.OWNER: 0, Role.MANAGER: 1}, value=ShopMembership.role, else_=2)
    return db.session.scalars(
        for_shop(ShopMembership, shop)
        .join(StaffUser)
        .order_by(role_order, StaffUser.email)
        .options(db.contains_eager(ShopMembership.staff))
    ).all()


def shops_of(staff):
    """The shops the person may open: a deactivated membership opens none."""
    return sorted((m.shop for m in staff.memberships if m.active), key=lambda s: s.name.lower())


def send_welcome(shop, owner):
    """The new owner's first email: where the shop and its admin are."""
    send_template(
        shop=shop,
        to=owner.email,
        to_name=owner.name,
        template="shop_welcome",
        subject=_l("Welcome to Cửa Hàng: your shop %(name)s is ready", name=shop.name),
        owner=owner,
        storefront_url=external_url("storefront.home", shop=shop.slug),
        admin_url=external_url("admin.dashboard", shop=shop.slug),
        login_url=external_url("admin.login", shop=shop.slug),
    )


def _keep_an_owner(shop, membership):
    """Refuse to take the shop's last active owner away."""
    if membership.role != Role.OWNER or not membership.active:
        return
    owners = db.session.scalar(
        for_shop(ShopMembership, shop)
        .where(ShopMembership.role == Role.OWNER, ShopMembership.active.is_(True))
        .with_only_columns(db.func.count())
    )
    if owners <= 1:
        raise ServiceError(_l("A shop needs at least one owner."))


def _unassign(shop, membership):
    """The customers of a person who leaves the staff are nobody's until given to someone."""
    db.session.execute(
        update(Customer)
        .where(Customer.shop_id == shop.id, Customer.assigned_staff_id == membership.staff_id)
        .values(assigned_staff_id=None)
        .execution_options(synchronize_session="fetch")
    )


def remove_staff(*, shop, membership):
    """Take a person off the shop's staff; the last owner stays. Their customers become
    nobody's."""
    _keep_an_owner(shop, membership)
    _unassign(shop, membership)
    db.session.delete(membership)
    db.session.flush()


def change_role(*, shop, membership, role):
    """Give a member of the staff another role; the last owner stays an owner."""
    if membership.shop_id != shop.id:
        raise ServiceError(_l("This person is not on the shop's staff."))
    if role not in set(Role):
        raise ServiceError(_l("Choose one of the options."), "role")
    if Role(role) != Role.OWNER:
        _keep_an_owner(shop, membership)
    membership.role = Role(role)


def set_active(*, shop, membership, active):
    """Deactivate a member of the staff (they keep their place and their customers, and open
    nothing of the shop) or activate them again; the last owner stays active."""
    if membership.shop_id != shop.id:
        raise ServiceError(_l("This person is not on the shop's staff."))
    if not active:
        _keep_an_owner(shop, membership)
    membership.active = bool(active)


def update_settings(
    *,
    shop,
    name,
    contact_email,
    locale,
    auto_approve_members,
    notify_staff_of_registrations,
    shipping_fee,
    free_shipping_threshold,
    bank_details,
    refusal_tag_threshold,
):
    """The shop's settings, as the settings page sends them: amounts as a person types them
    (30000 or 30.000). Each column by name, so nothing else of the shop can be reached; a
    refused value (``ServiceError`` naming its field) changes nothing."""
    # Everything is read before anything is written.
    contact_email = normalise_email(contact_email, field="contact_email")
    shipping_fee = parse_amount(shipping_fee, field="shipping_fee")
    free_shipping_threshold = parse_amount(
        free_shipping_threshold, field="free_shipping_threshold", required=False
    )
    refusal_tag_threshold = parse_amount(
        refusal_tag_threshold, field="refusal_tag_threshold", maximum=100
    )
    shop.name = one_line(name)
    shop.contact_email = contact_email
    shop.locale = locale
    shop.auto_approve_members = auto_approve_members
    shop.notify_staff_of_registrations = notify_staff_of_registrations
    shop.shipping_fee = shipping_fee
    shop.free_shipping_threshold = free_shipping_threshold
    shop.bank_details = (bank_details or "").strip()
    shop.refusal_tag_threshold = refusal_tag_threshold
