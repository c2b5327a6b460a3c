"""The customer list's filters and sort orders, read from a query string and turned into
one SQL condition: the list, its tab counts, bulk actions on a whole filter and saved
segments all use the same reading, so "every customer matching this filter" means the same
rows everywhere.

Unknown or malformed values are ignored (a bookmarked list keeps working after a group is
deleted); ids are this shop's or nothing."""

from dataclasses import asdict, dataclass, fields, replace
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, false, func

from core.extensions import db
from core.inputs import parse_id, search_text
from core.tenancy import for_shop, get_for_shop
from models import (
    Customer,
    CustomerGroup,
    CustomerStatus,
    CustomerTag,
    Gender,
    ShopMembership,
)
from services.places import current_province
from services.search import customer_search, customer_search_order
from services.tags import find_tag

PER_PAGE_CHOICES = (20, 50, 100)
DEFAULT_PER_PAGE = 50
SORTS = {
    "-created": (Customer.joined_at.desc(), Customer.id.desc()),
    "created": (Customer.joined_at.asc(), Customer.id.asc()),
    "name": (Customer.first_name.asc(), Customer.last_name.asc(), Customer.id.asc()),
    "-name": (Customer.first_name.desc(), Customer.last_name.desc(), Customer.id.desc()),
    "-total_spent": (Customer.total_spent.desc(), Customer.id.desc()),
    "total_spent": (Customer.total_spent.asc(), Customer.id.asc()),
    "-orders": (Customer.orders_count.desc(), Customer.id.desc()),
    "orders": (Customer.orders_count.asc(), Customer.id.asc()),
    "-last_order": (Customer.last_order_at.desc().nulls_last(), Customer.id.desc()),
    "last_order": (Customer.last_order_at.asc().nulls_last(), Customer.id.asc()),
}
DEFAULT_SORT = "-created"
# Money and counts a filter accepts: within what a customer can have.
MAX_AMOUNT = 10**15
# Above this many customers (PostgreSQL's estimate) a tab shows an estimate, not a count.
EXACT_UP_TO = 10_000


@dataclass(frozen=True)
class CustomerFilter:
    """What the manager asked the list for. Ids are resolved to this shop's rows: a value
    that names nothing of the shop is dropped, as if it had not been given."""

    q: str = ""
    status: str = ""
    group: int | None = None
    gender: str = ""
    province: str = ""
    tag: str = ""
    staff: int | None = None
    accepts_marketing: bool | None = None
    created_from: date | None = None
    created_to: date | None = None
    min_spent: int | None = None
    max_spent: int | None = None
    min_orders: int | None = None

    def params(self):
        """The filter as query parameters, blank ones left out (links, chips, segments)."""
        values = {}
        for name, value in asdict(self).items():
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                value = "yes" if value else "no"
            values[name] = str(value)
        return values

    def query_string(self):
        return urlencode(self.params())

    def without(self, name):
        """The same filter less one of its parts (a chip's ×)."""
        return replace(self, **{name: CustomerFilter.__dataclass_fields__[name].default})

    def without_status(self):
        return self.without("status")

    @property
    def is_empty(self):
        return not self.params()

    def condition(self, shop):
        """One SQL condition over ``Customer`` rows of ``shop`` (the shop itself is the
        caller's ``shop_query``)."""
        parts = []
        search = customer_search(self.q)
        if search is not None:
            parts.append(search)
        if self.status:
            parts.append(Customer.status == self.status)
        if self.group is not None:
            parts.append(Customer.group_id == self.group)
        if self.gender:
            parts.append(Customer.gender == self.gender)
        if self.province:
            parts.append(Customer.province == self.province)
        if self.tag:
            tag = find_tag(shop, self.tag)
            parts.append(
                exists().where(CustomerTag.customer_id == Customer.id, CustomerTag.tag_id == tag.id)
                if tag is not None
                else false()
            )
        if self.staff is not None:
            parts.append(Customer.assigned_staff_id == self.staff)
        if self.accepts_marketing is not None:
            parts.append(Customer.accepts_marketing.is_(self.accepts_marketing))
        zone = ZoneInfo(shop.timezone)
        if self.created_from is not None:
            start = datetime.combine(self.created_from, time(), zone)
            parts.append(Customer.joined_at >= start)
        if self.created_to is not None:
            end = datetime.combine(self.created_to + timedelta(days=1), time(), zone)
            parts.append(Customer.joined_at < end)
        if self.min_spent is not None:
            parts.append(Customer.total_spent >= self.min_spent)
        if self.max_spent is not None:
            parts.append(Customer.total_spent <= self.max_spent)
        if self.min_orders is not None:
            parts.append(Customer.orders_count >= self.min_orders)
        return and_(*parts) if parts else None


def _amount(value):
    try:
        number = int(str(value).replace(".", "").replace(",", "").replace(" ", ""))
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= MAX_AMOUNT else None


def _date(value):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _choice(value, choices):
    return value if value in choices else ""


def _yes_no(value):
    return {"yes": True, "1": True, "true": True, "no": False, "0": False, "false": False}.get(
        (value or "").lower()
    )


def read_filter(args, shop):
    """The filter a query string asks for (``request.args`` or a saved segment's)."""
    group_id = parse_id(args.get("group"))
    group = get_for_shop(CustomerGroup, group_id, shop) if group_id is not None else None
    staff_id = parse_id(args.get("staff"))
    staff = None
    if staff_id is not None:
        staff = db.session.scalar(
            db.select(ShopMembership.staff_id).where(
                ShopMembership.shop_id == shop.id, ShopMembership.staff_id == staff_id
            )
        )
    tag = (args.get("tag") or "").strip()
    found = find_tag(shop, tag) if tag and len(tag) <= 60 else None
    return CustomerFilter(
        q=search_text(args.get("q")),
        status=_choice(args.get("status"), set(CustomerStatus)),
        group=group.id if group is not None else None,
        gender=_choice(args.get("gender"), set(Gender)),
        province=current_province(args.get("province")) or "" if args.get("province") else "",
        tag=found.name if found is not None else "",
        staff=staff,
        accepts_marketing=_yes_no(args.get("accepts_marketing")),
        created_from=_date(args.get("created_from")),
        created_to=_date(args.get("created_to")),
        min_spent=_amount(args.get("min_spent")),
        max_spent=_amount(args.get("max_spent")),
        min_orders=_amount(args.get("min_orders")),
    )


def read_sort(value):
    return value if value in SORTS else DEFAULT_SORT


def read_per_page(value):
    number = parse_id(value)
    return number if number in PER_PAGE_CHOICES else DEFAULT_PER_PAGE


FILTER_NAMES = tuple(f.name for f in fields(CustomerFilter))


def visible_to(staff_id):
    """The customers a ``staff`` role sees: those assigned to them. None: everyone."""
    return Customer.assigned_staff_id == staff_id if staff_id is not None else None


def _filtered(query, shop, customer_filter, assigned_to):
    for condition in (customer_filter.condition(shop), visible_to(assigned_to)):
        if condition is not None:
            query = query.where(condition)
    return query


def customers_query(*, shop, customer_filter, sort=DEFAULT_SORT, assigned_to=None):
    """A select of ``shop``'s customers the filter finds, in ``sort`` order (after those
    whose accents match the search's, when it has any); only those assigned to
    ``assigned_to`` when given (what a ``staff`` role sees)."""
    query = _filtered(for_shop(Customer, shop), shop, customer_filter, assigned_to)
    same_accents_first = customer_search_order(customer_filter.q)
    if same_accents_first is not None:
        query = query.order_by(same_accents_first)
    return query.order_by(*SORTS[read_sort(sort)])


class Counts(dict):
    """How many customers each tab holds (``""``: all of them); ``estimated``: the tabs whose
    number is PostgreSQL's estimate, shown as "≈"."""

    def __init__(self, counts, estimated=()):
        super().__init__(counts)
        self.estimated = frozenset(estimated)


def _estimate(query):
    """How many rows PostgreSQL's planner expects ``query`` to give: read from its
    statistics in a millisecond, where counting them reads every one."""
    compiled = query.compile(
        bind=db.session.connection(), compile_kwargs={"render_postcompile": True}
    )
    plan = db.session.connection().exec_driver_sql(
        f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params
    )
    rows = int(plan.scalar()[0]["Plan"]["Plan Rows"])
    return round(rows, 3 - len(str(rows)))  # three figures: 998964 → 999000


def customer_counts(*, shop, customer_filter, assigned_to=None):
    """How many customers the filter finds whatever their status (``""``) and in each
    status: the list's tabs. On PostgreSQL, in a list of more than ``EXACT_UP_TO``
    customers (the planner's estimate), a tab as big is estimated, and every tab is when the
    list is searched by text: counting a million rows takes longer than showing a page.
    ``estimated`` says which tabs are estimates (``""`` among them when any is)."""
    base = _filtered(for_shop(Customer, shop), shop, customer_filter.without_status(), assigned_to)
    estimated = {}
    if db.session.get_bind().dialect.name == "postgresql":
        rows = base.with_only_columns(Customer.id)
        if _estimate(rows) > EXACT_UP_TO:
            # A small tab is counted through the (shop, status) index; but a fragment of
            # text found in many rows has them all read for any count: estimate every tab
            searched = bool(customer_filter.q)
            for status in CustomerStatus:
                n = _estimate(rows.where(Customer.status == status))
                if n > EXACT_UP_TO or searched:
                    estimated[status] = n
    counts = dict(estimated)
    to_count = [status for status in CustomerStatus if status not in estimated]
    if to_count:
        exact = base.with_only_columns(Customer.status, func.count()).group_by(Customer.status)
        if estimated:
            # Status by status, so that the (shop, status) index finds the few rows
            exact = exact.where(Customer.status.in_(to_count))
        counts.update(db.session.execute(exact).all())
    by_status = {status: counts.get(status, 0) for status in CustomerStatus}
    return Counts(
        {"": sum(by_status.values()), **by_status},
        estimated={"", *estimated} if estimated else (),
    )


def matching_ids(*, shop, customer_filter, assigned_to=None, limit=None):
    """The ids of every customer the filter finds (a bulk action on the whole filter)."""
    query = _filtered(
        for_shop(Customer, shop).with_only_columns(Customer.id), shop, customer_filter, assigned_to
    ).order_by(Customer.id)
    if limit is not None:
        query = query.limit(limit)
    return db.session.scalars(query).all()


def count(*, shop, customer_filter, assigned_to=None):
    """How many customers the filter finds."""
    query = for_shop(Customer, shop).with_only_columns(func.count(Customer.id))
    return db.session.scalar(_filtered(query, shop, customer_filter, assigned_to))
