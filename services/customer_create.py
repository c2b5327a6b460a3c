"""Staff enter a customer by hand: only a name is needed.

The code is the shop's next one unless typed; code and email are unique in the shop. When
the email or a phone is already a customer's, the caller's ``on_duplicate`` decides (Pancake
POS's choices): ``refuse`` (the default), ``skip`` (write nothing), ``update`` the existing
record, or ``create`` a second one (a family or a shop may share a phone; an email cannot be
shared, since it is how a member logs in).

A ``staff`` role acts only on the customers assigned to them: the customer they enter is
assigned to them, and an existing record that is not theirs is neither named nor updated."""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from core.inputs import one_line
from core.tenancy import for_shop
from models import Customer, CustomerPhone, CustomerStatus
from services import ServiceError, events
from services import addresses as address_service
from services import customers as customer_service
from services.emails import normalise_email
from services.phones import normalise_phone

ON_DUPLICATE = ("refuse", "skip", "update", "create")
STATUSES = (CustomerStatus.GUEST, CustomerStatus.TEMPORARY, CustomerStatus.OFFICIAL)
# The form's fields of the first address, each named ``address_<field of the address>``.
ADDRESS_FIELDS = ("full_name", "phone", "line1", "ward", "district", "province")


class DuplicateCustomer(ServiceError):
    """The email or phone (``field``) is an existing customer's: ``existing`` when the
    acting person may see that record, else None."""

    def __init__(self, message, field, existing=None):
        super().__init__(message, field)
        self.existing = existing


@dataclass(frozen=True)
class CustomerDetails:
    """What the form gave, checked and normalised (names, email, phone…): ``clean``."""

    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    gender: str | None
    birthday: date | None
    company: str
    status: str
    accepts_marketing: bool
    code: str
    address: dict | None


@dataclass(frozen=True)
class Outcome:
    """``created``, ``updated`` or ``skipped``; ``customer`` is the new or existing record
    (None when skipped over a record the acting person may not see); ``invited`` says
    whether the invitation email went out."""

    action: str
    customer: Customer | None
    invited: bool = False


def clean(
    *,
    first_name="",
    last_name="",
    email=None,
    phone=None,
    gender=None,
    birthday=None,
    company="",
    status=CustomerStatus.GUEST,
    accepts_marketing=False,
    code="",
    address=None,
):
    """The details checked, or ``ServiceError`` naming the field; nothing is written."""
    first_name, last_name = one_line(first_name), one_line(last_name)
    if not first_name and not last_name:
        raise ServiceError(_l("Enter the customer's name."), "first_name")
    email = normalise_email(email) if email and email.strip() else None
    phone = normalise_phone(phone) if phone and phone.strip() else None
    gender = customer_service.check_gender_and_birthday(gender, birthday)
    if status not in STATUSES:
        raise ServiceError(_l("Choose one of the options."), "status")
    address = {k: v for k, v in (address or {}).items() if v and str(v).strip()}
    return CustomerDetails(
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        gender=gender,
        birthday=birthday,
        company=one_line(company),
        status=CustomerStatus(status),
        accepts_marketing=bool(accepts_marketing),
        code=one_line(code),
        address=address or None,
    )


# --- Duplicates -----------------------------------------------------------------------


def find_duplicate(shop, details):
    """(field, the existing customer) whose email, or else phone, the details carry; the
    oldest record of a shared phone. None when there is none."""
    if details.email:
        customer = customer_service.find_by_email(shop, details.email)
        if customer is not None:
            return "email", customer
    if details.phone:
        customer = db.session.scalar(
            for_shop(Customer, shop)
            .join(CustomerPhone, CustomerPhone.customer_id == Customer.id)
            .where(CustomerPhone.number == details.phone)
            .order_by(Customer.id)
            .limit(1)
        )
        if customer is not None:
            return "phone", customer
    return None


def duplicate_refusal(field, existing, visible):
    """The refusal that says which record has the email or phone, when the acting person
    may see it, and only that the shop has it otherwise."""
    if not visible:
        return DuplicateCustomer(
            _l("A customer of the shop already has this email address.")
            if field == "email"
            else _l("A customer of the shop already has this phone number."),
            field,
        )
    name, code = existing.display_name, existing.code
    return DuplicateCustomer(
        _l("%(name)s (%(code)s) already has this email address.", name=name, code=code)
        if field == "email"
        else _l("%(name)s (%(code)s) already has this phone number.", name=name, code=code),
        field,
        existing,
    )


def _check_code(shop, code):
    if code and customer_service.code_taken(shop, code):
        raise ServiceError(_l("Another customer already has this code."), "code")


# --- The use case ---------------------------------------------------------------------


def create_customer(*, shop, actor, details, on_duplicate="refuse", assigned_to=None):
    """Enter the customer ``details`` describe (from ``clean``), or deal with the existing
    one as ``on_duplicate`` says. ``assigned_to``: the id of the ``staff`` role acting, who
    sees only their own customers (None for a manager or the owner)."""
    if on_duplicate not in ON_DUPLICATE:
        raise ServiceError(_l("Choose one of the options."), "on_duplicate")
    duplicate = find_duplicate(shop, details)
    if duplicate is not None:
        field, existing = duplicate
        visible = assigned_to is None or existing.assigned_staff_id == assigned_to
        if on_duplicate == "skip":
            return Outcome("skipped", existing if visible else None)
        if on_duplicate == "update" and visible:
            return Outcome("updated", update_existing(shop, existing, details, actor))
        if on_duplicate == "create" and field == "email":
            raise DuplicateCustomer(
                _l(
                    "Each customer has their own email address: a second record with this "
                    "one cannot be created. Update the existing record, or leave the email "
                    "empty."
                ),
                field,
                existing if visible else None,
            )
        if on_duplicate != "create":
            raise duplicate_refusal(field, existing, visible)
    _check_code(shop, details.code)
    customer = _insert(shop, details, actor, assigned_to)
    invited = False
    if customer.status != CustomerStatus.GUEST and customer_service.may_invite(customer):
        customer_service.invite_customer(shop=shop, customer=customer, actor=actor)
        invited = True
    return Outcome("created", customer, invited)


def _insert(shop, details, actor, assigned_to):
    # A savepoint: a code or an email written meanwhile refuses this customer only.
    savepoint = db.session.begin_nested()
    try:
        customer = Customer(
            shop_id=shop.id,
            shop=shop,
            code=details.code or customer_service.next_customer_code(shop),
            first_name=details.first_name,
            last_name=details.last_name,
            email=details.email,
            gender=details.gender,
            birthday=details.birthday,
            company=details.company,
            status=details.status,
            assigned_staff_id=assigned_to,
        )
        db.session.add(customer)
        if details.accepts_marketing:
            customer_service.set_marketing(customer, True, "admin")
        if details.phone:
            customer_service.add_phone(customer=customer, number=details.phone)
        events.created_by_staff(customer=customer, staff=actor)
        if details.address:
            _add_address(shop, customer, details, actor)
        db.session.flush()
    except IntegrityError as error:
        savepoint.rollback()
        raise ServiceError(
            _l("Another customer was saved with this code or email meanwhile. Try again."),
            "code",
        ) from error
    except ServiceError:
        savepoint.rollback()
        raise
    savepoint.commit()
    return customer


def _add_address(shop, customer, details, actor):
    values = {"full_name": customer.full_name, "phone": details.phone, **details.address}
    try:
        return address_service.create_address(
            shop=shop, customer=customer, is_default=True, staff=actor, **values
        )
    except ServiceError as error:
        error.field = f"address_{error.field}" if error.field else None
        raise


def update_existing(shop, customer, details, actor):
    """Write the details given over the existing record's: names, gender, birthday,
    company, marketing consent when ticked; the email only where the record has none (a
    member's login address changes through its own confirmation); the phone and the
    address are added. The status and code stay: they have their own ways to change."""
    values = {
        "first_name": details.first_name,
        "last_name": details.last_name,
        "gender": details.gender,
        "birthday": details.birthday,
        "company": details.company,
    }
    if not customer.email:
        values["email"] = details.email
    changed = []
    for name, value in values.items():
        if value and getattr(customer, name) != value:
            setattr(customer, name, value)
            changed.append(name)
    if details.accepts_marketing and not customer.accepts_marketing:
        customer_service.set_marketing(customer, True, "admin")
        changed.append("accepts_marketing")
    if changed:
        events.profile_updated(customer=customer, fields=changed, staff=actor)
    if details.phone and all(p.number != details.phone for p in customer.phones):
        customer_service.add_phone(customer=customer, number=details.phone)
        events.phone_added(customer=customer, number=details.phone, staff=actor)
    if details.address:
        _add_address(shop, customer, details, actor)
    return customer
