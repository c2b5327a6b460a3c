"""What the shop's staff change on one customer's record: the contact (names, email, gender,
birthday, company, marketing consent), the group and the staff member who looks after them.
Phones and addresses have their own services (``customers.add_member_phone`` …,
``addresses``), which the record calls with the staff member as the actor.

Every value is checked before anything is written: a refusal names each field that is
wrong (``RecordRefused.refusals``), and the caller rolls back. The caller has loaded the
customer through the shop, and checked that the staff member may see them."""

from flask_babel import lazy_gettext as _l

from core.extensions import db
from core.inputs import one_line, parse_id
from core.tenancy import for_shop
from models import CustomerGroup, Role
from services import ServiceError, events
from services import customer_bulk as bulk
from services import customers as customer_service
from services.emails import normalise_email

MAX_COMPANY = 200
# ``assignee_id`` left out: the assigned staff member stays who they are.
KEEP = object()


class RecordRefused(ServiceError):
    """One or more fields are wrong: ``refusals`` maps each field's name to its message."""

    def __init__(self, refusals):
        field, message = next(iter(refusals.items()))
        super().__init__(message, field)
        self.refusals = refusals


def _checked(refusals, field, check, *args):
    """``check(*args)``, or None with its refusal kept under the field it names."""
    try:
        return check(*args)
    except ServiceError as error:
        refusals.setdefault(error.field or field, error.message)
        return None


def _first_name(value):
    value = one_line(value)
    if not value:
        raise ServiceError(_l("Please fill in this field."), "first_name")
    return value


def _company(value):
    value = one_line(value)
    if len(value) > MAX_COMPANY:
        raise ServiceError(_l("Please use at most %(max)d characters.", max=MAX_COMPANY), "company")
    return value


def _email(shop, customer, value):
    """The normalised address, or None: only a guest may have none."""
    if not (value or "").strip():
        if customer.is_member:
            raise ServiceError(_l("A member's account needs an email address."), "email")
        return None
    email = normalise_email(value)
    customer_service.check_email_free(shop, customer, email)
    return email


def _group(shop, value):
    """One of the shop's groups, or None for none."""
    if value in (None, ""):
        return None
    group_id = parse_id(value)
    group = None
    if group_id is not None:
        group = db.session.scalar(for_shop(CustomerGroup, shop).where(CustomerGroup.id == group_id))
    if group is None:
        raise ServiceError(_l("Choose one of the options."), "group")
    return group


def _assignee(shop, customer, staff, value):
    """One of the shop's staff, or None for nobody. Only the owner and managers decide who
    looks after a customer: a ``staff`` role may not give them away, nor take them."""
    assignee = None
    if value not in (None, ""):
        assignee_id = parse_id(value)
        assignee = next((s for s in bulk.assignable_staff(shop) if s.id == assignee_id), None)
        if assignee is None:
            raise ServiceError(_l("Choose one of the shop's staff."), "assigned_staff")
    if (assignee.id if assignee else None) != customer.assigned_staff_id:
        membership = staff.membership_in(shop)
        if membership is None or not membership.allows(Role.MANAGER):
            raise ServiceError(
                _l("Only the owner or a manager can choose who looks after a customer."),
                "assigned_staff",
            )
    return assignee


def update_contact(
    *,
    shop,
    customer,
    staff,
    first_name,
    last_name,
    email,
    gender=None,
    birthday=None,
    company="",
    accepts_marketing=False,
    group_id=None,
    assignee_id=KEEP,
):
    """Write what changed, each change on the timeline: the names, gender, birthday,
    company and consent as one ``profile_updated``, a new email as ``email_changed`` (a
    member's then needs confirming again), the group and the assigned staff member as theirs.
    ``group_id`` and ``assignee_id`` are ids as posted ("" or None: none). Returns the names
    of the fields that changed."""
    if customer.shop_id != shop.id:
        raise ServiceError(_l("This customer belongs to another shop."))
    refusals = {}
    values = {
        "last_name": one_line(last_name),
        "first_name": _checked(refusals, "first_name", _first_name, first_name),
        "gender": _checked(refusals, "gender", customer_service.clean_gender, gender),
        "birthday": _checked(refusals, "birthday", customer_service.check_birthday, birthday),
        "company": _checked(refusals, "company", _company, company),
    }
    new_email = _checked(refusals, "email", _email, shop, customer, email)
    group = _checked(refusals, "group", _group, shop, group_id)
    if assignee_id is not KEEP:
        assignee = _checked(
            refusals, "assigned_staff", _assignee, shop, customer, staff, assignee_id
        )
    if refusals:
        raise RecordRefused(refusals)

    changed = []
    if new_email != customer.email:
        try:
            customer_service.move_email(shop=shop, customer=customer, email=new_email, staff=staff)
        except ServiceError as error:  # written meanwhile by someone else
            raise RecordRefused({"email": error.message}) from error
        changed.append("email")
    profile = [name for name, value in values.items() if getattr(customer, name) != value]
    for name in profile:
        setattr(customer, name, values[name])
    if bool(accepts_marketing) != customer.accepts_marketing:
        customer_service.set_marketing(customer, accepts_marketing, "admin")
        profile.append("accepts_marketing")
    if profile:
        events.profile_updated(customer=customer, fields=profile, staff=staff)
    if (group.id if group else None) != customer.group_id:
        bulk.set_group(shop=shop, customers=[customer], group=group, staff=staff)
        changed.append("group")
    if (
        assignee_id is not KEEP
        and (assignee.id if assignee else None) != customer.assigned_staff_id
    ):
        bulk.assign_staff(shop=shop, customers=[customer], assignee=assignee, staff=staff)
        changed.append("assigned_staff")
    return changed + profile
