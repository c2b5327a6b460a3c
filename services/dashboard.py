"""The figures of the admin's first page, for one shop and one person, as plain values: who
waits for approval, new members and orders day by day over the last 30 days (the shop's
days, in its time zone), the revenue of those days against the 30 before, the best customers
and those at risk of refusing their parcels ("hay hoàn").

The lists of customers follow the customer list's rules (``services.customer_list``): a
``staff`` role (``assigned_to``, their id) sees only the customers assigned to them there,
so they see only those here too. The shop's totals (orders, revenue, new members) are the
shop's for everyone on its staff."""

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func

from core.extensions import db
from core.tenancy import for_shop
from models import (
    Customer,
    CustomerStatus,
    MailStatus,
    Order,
    OutboxMessage,
    ShopMembership,
    utcnow,
)
from services import customer_list
from services.customer_list import CustomerFilter
from services.order_status import refusal_counts
from services.search import start_of
from services.tags import REFUSAL_TAG
from services.totals import NOT_COUNTED

# How many days the chart and the revenue cover, today included.
WINDOW_DAYS = 30
# How many customers each short list shows (its count and link lead to the rest).
PREVIEW = 5

WAITING = CustomerFilter(status=CustomerStatus.TEMPORARY)
AT_RISK = CustomerFilter(tag=REFUSAL_TAG)


@dataclass(frozen=True)
class Day:
    """One day of the chart: members who registered and orders placed (in any status)."""

    day: date
    members: int
    orders: int


@dataclass(frozen=True)
class CustomerLine:
    id: int
    name: str
    code: str
    total_spent: int
    orders_count: int
    refusals: int = 0


@dataclass(frozen=True)
class Dashboard:
    days: tuple[Day, ...]
    new_members: int
    orders: int
    # Orders that count (not cancelled, not refused) placed in the window, and in the
    # window before it; the change in percent, None when there was nothing before.
    revenue: int
    previous_revenue: int
    revenue_change: int | None
    waiting_count: int
    waiting: tuple[CustomerLine, ...]
    top_customers: tuple[CustomerLine, ...]
    at_risk_count: int
    at_risk: tuple[CustomerLine, ...]
    queued_mail: int
    staff_count: int

    @property
    def first_day(self):
        return self.days[0].day

    @property
    def last_day(self):
        return self.days[-1].day


def shop_today(shop, now=None):
    """The date in the shop's time zone at ``now`` (an aware datetime; default: now)."""
    return (now or utcnow()).astimezone(ZoneInfo(shop.timezone)).date()


def _count(query):
    return db.session.scalar(query.with_only_columns(func.count())) or 0


def _per_day(instants, zone):
    """{shop day: how many} of these UTC instants."""
    counts = {}
    for instant in instants:
        day = instant.astimezone(zone).date()
        counts[day] = counts.get(day, 0) + 1
    return counts


def daily_figures(shop, first_day, last_day):
    """One ``Day`` per day from ``first_day`` to ``last_day``, days without any as zero.
    The instants are counted into days here, not in SQL: SQLite and PostgreSQL know time
    zones differently, and a month of a shop's orders is a short list."""
    start, end = start_of(shop, first_day), start_of(shop, last_day + timedelta(days=1))
    zone = ZoneInfo(shop.timezone)
    orders = db.session.scalars(
        for_shop(Order, shop)
        .with_only_columns(Order.created_at)
        .where(Order.created_at >= start, Order.created_at < end)
    )
    members = db.session.scalars(
        for_shop(Customer, shop)
        .with_only_columns(Customer.joined_at)
        .where(
            Customer.status != CustomerStatus.GUEST,
            Customer.joined_at >= start,
            Customer.joined_at < end,
        )
    )
    orders_by_day, members_by_day = _per_day(orders, zone), _per_day(members, zone)
    count = (last_day - first_day).days + 1
    return tuple(
        Day(day, members_by_day.get(day, 0), orders_by_day.get(day, 0))
        for day in (first_day + timedelta(days=n) for n in range(count))
    )


def revenue_between(shop, first_day, last_day):
    """The total of the orders that count placed from ``first_day`` to ``last_day``
    included (the shop's days)."""
    total = db.session.scalar(
        for_shop(Order, shop)
        .with_only_columns(func.coalesce(func.sum(Order.total), 0))
        .where(
            Order.created_at >= start_of(shop, first_day),
            Order.created_at < start_of(shop, last_day + timedelta(days=1)),
            Order.status.not_in([str(s) for s in NOT_COUNTED]),
        )
    )
    return int(total or 0)


def change_percent(now, before):
    if not before:
        return None
    return round((now - before) * 100 / before)


def _lines(customers, refusals=None):
    refusals = refusals or {}
    return tuple(
        CustomerLine(
            id=c.id,
            name=c.display_name,
            code=c.code,
            total_spent=c.total_spent,
            orders_count=c.orders_count,
            refusals=refusals.get(c.id, 0),
        )
        for c in customers
    )


def _first(shop, customer_filter, sort, assigned_to, *conditions):
    query = customer_list.customers_query(
        shop=shop, customer_filter=customer_filter, sort=sort, assigned_to=assigned_to
    )
    return db.session.scalars(query.where(*conditions).limit(PREVIEW)).all()


def customer_lists(shop, assigned_to):
    """The page's short lists of customers, as the customer list shows them to this person:
    the members waiting (as the list's tab orders them), the biggest spenders, and the
    customers tagged "hay hoàn" who ordered last."""
    seen = {"shop": shop, "assigned_to": assigned_to}
    at_risk = _first(shop, AT_RISK, "-last_order", assigned_to)
    return {
        "waiting_count": customer_list.count(customer_filter=WAITING, **seen),
        "waiting": _lines(_first(shop, WAITING, customer_list.DEFAULT_SORT, assigned_to)),
        "top_customers": _lines(
            _first(shop, CustomerFilter(), "-total_spent", assigned_to, Customer.total_spent > 0)
        ),
        "at_risk_count": customer_list.count(customer_filter=AT_RISK, **seen),
        "at_risk": _lines(at_risk, refusal_counts(shop=shop, customers=at_risk)),
    }


def dashboard(*, shop, assigned_to=None, now=None):
    """The first page's figures for ``shop``, its customer lists as ``assigned_to`` (a
    ``staff`` role's id; None: everyone) sees them, its days ending today (at ``now``)."""
    last_day = shop_today(shop, now)
    first_day = last_day - timedelta(days=WINDOW_DAYS - 1)
    days = daily_figures(shop, first_day, last_day)
    revenue = revenue_between(shop, first_day, last_day)
    previous_revenue = revenue_between(
        shop, first_day - timedelta(days=WINDOW_DAYS), first_day - timedelta(days=1)
    )
    return Dashboard(
        days=days,
        new_members=sum(day.members for day in days),
        orders=sum(day.orders for day in days),
        revenue=revenue,
        previous_revenue=previous_revenue,
        revenue_change=change_percent(revenue, previous_revenue),
        queued_mail=_count(
            for_shop(OutboxMessage, shop).where(OutboxMessage.status == MailStatus.QUEUED)
        ),
        staff_count=_count(for_shop(ShopMembership, shop)),
        **customer_lists(shop, assigned_to),
    )
