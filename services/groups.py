"""A shop's customer groups ("nhóm khách hàng": khách sỉ, đại lý…). A customer is in at
most one group; deleting a group leaves its customers in none."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, update

from core.extensions import db
from core.inputs import multi_line, one_line
from core.tenancy import for_shop
from models import Customer, CustomerGroup
from services import ServiceError

MAX_NAME = 100


def groups_of(shop):
    """The shop's groups by name, each with how many customers it holds."""
    counts = (
        db.select(Customer.group_id, func.count(Customer.id).label("n"))
        .where(Customer.shop_id == shop.id, Customer.group_id.is_not(None))
        .group_by(Customer.group_id)
        .subquery()
    )
    rows = db.session.execute(
        for_shop(CustomerGroup, shop)
        .add_columns(func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.group_id == CustomerGroup.id)
        .order_by(CustomerGroup.name)
    ).all()
    return [(group, count) for group, count in rows]


def _clean_name(shop, name, group=None):
    name = " ".join(one_line(name or "").split())
    if not name:
        raise ServiceError(_l("Please fill in this field."), "name")
    if len(name) > MAX_NAME:
        raise ServiceError(_l("Please use at most %(max)d characters.", max=MAX_NAME), "name")
    for other in db.session.scalars(for_shop(CustomerGroup, shop)):
        if other is not group and other.name.casefold() == name.casefold():
            raise ServiceError(_l("The shop already has a group of this name."), "name")
    return name


def create_group(*, shop, name, description=""):
    group = CustomerGroup(
        shop_id=shop.id, name=_clean_name(shop, name), description=multi_line(description or "")
    )
    db.session.add(group)
    db.session.flush()
    return group


def update_group(*, shop, group, name, description=""):
    _check_shop(shop, group)
    group.name = _clean_name(shop, name, group)
    group.description = multi_line(description or "")
    return group


def delete_group(*, shop, group):
    """Delete the group; its customers are in no group afterwards. Returns how many."""
    _check_shop(shop, group)
    moved = db.session.execute(
        update(Customer)
        .where(Customer.shop_id == shop.id, Customer.group_id == group.id)
        .values(group_id=None)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    db.session.delete(group)
    return moved


def _check_shop(shop, group):
    if group.shop_id != shop.id:
        raise ServiceError(_l("This group belongs to another shop."))
