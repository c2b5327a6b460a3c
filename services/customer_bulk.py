"""Changes a manager makes to many customers at once: the ticked rows of the list, or every
customer matching its filter. Each returns (changed, unchanged) and writes one timeline line
per customer changed; the caller has loaded the customers through the shop (an id of another
shop never reaches here) and commits."""

from flask_babel import lazy_gettext as _l

from core.extensions import db
from core.tenancy import for_shop
from models import ShopMembership
from services import ServiceError, events
from services.tags import find_tag, tag_customer, tag_named


def _check(shop, customers):
    if any(customer.shop_id != shop.id for customer in customers):
        raise ServiceError(_l("This customer belongs to another shop."))


def add_tag(*, shop, customers, name, staff):
    _check(shop, customers)
    tag = tag_named(shop, name)
    changed = 0
    for customer in customers:
        if tag_customer(customer, tag):
            events.tag_added(customer=customer, name=tag.name, staff=staff)
            changed += 1
    return changed, len(customers) - changed


def remove_tag(*, shop, customers, name, staff):
    _check(shop, customers)
    tag = find_tag(shop, name)
    changed = 0
    for customer in customers if tag is not None else ():
        link = next((link for link in customer.tags if link.tag is tag), None)
        if link is not None:
            customer.tags.remove(link)
            events.tag_removed(customer=customer, name=tag.name, staff=staff)
            changed += 1
    return changed, len(customers) - changed


def set_group(*, shop, customers, group, staff):
    """Put the customers in ``group`` (one of the shop's), or in none."""
    _check(shop, customers)
    if group is not None and group.shop_id != shop.id:
        raise ServiceError(_l("This group belongs to another shop."), "group")
    changed = 0
    for customer in customers:
        if customer.group_id != (group.id if group is not None else None):
            customer.group = group
            events.group_changed(customer=customer, group=group, staff=staff)
            changed += 1
    return changed, len(customers) - changed


def assignable_staff(shop):
    """The shop's people a customer can be assigned to (not the deactivated), by name."""
    memberships = db.session.scalars(
        for_shop(ShopMembership, shop).where(ShopMembership.active.is_(True))
    ).all()
    return sorted((m.staff for m in memberships), key=lambda s: s.display_name.casefold())


def assign_staff(*, shop, customers, assignee, staff):
    """Give the customers to ``assignee`` (a member of the shop's staff), or to nobody."""
    _check(shop, customers)
    if assignee is not None and assignee.id not in {s.id for s in assignable_staff(shop)}:
        raise ServiceError(_l("Choose one of the shop's staff."), "staff")
    changed = 0
    for customer in customers:
        if customer.assigned_staff_id != (assignee.id if assignee is not None else None):
            customer.assigned_staff = assignee
            customer.assigned_staff_id = assignee.id if assignee is not None else None
            events.staff_assigned(customer=customer, assignee=assignee, staff=staff)
            changed += 1
    return changed, len(customers) - changed
