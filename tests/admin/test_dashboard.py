"""The admin's first page: members waiting for approval, new members and orders day by day
over the last 30 days (the shop's days), the revenue against the 30 days before, the best
customers and those at risk; another shop's figures never show, and a ``staff`` role sees
only the customers assigned to them in the lists of customers."""

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from admin.charts import HEIGHT, bar_chart
from core.extensions import db
from models import Customer, CustomerStatus, Shop
from services import dashboard as dashboard_service
from services import tags as tag_service
from tests.factories import Line, make_guest, make_member, make_order

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# 10:00 on 31 May in Vietnam: the window is 2 to 31 May, the one before 2 April to 1 May.
NOW = datetime(2025, 5, 31, 10, 0, tzinfo=VIETNAM).astimezone(UTC)
FIRST_DAY, LAST_DAY = date(2025, 5, 2), date(2025, 5, 31)


def vn(day, hour=12, minute=0):
    """An instant of ``day`` (of May 2025 when an int) in Vietnam, as UTC."""
    if isinstance(day, int):
        day = date(2025, 5, day)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VIETNAM).astimezone(UTC)


def order(app, shop, when, total=100_000, status="completed", customer_id=None):
    """An order whose total is ``total`` (no shipping fee), placed at ``when``."""
    return make_order(
        app,
        shop,
        created_at=when,
        status=status,
        customer_id=customer_id,
        lines=(Line(price=total),),
        shipping_fee=0,
    )


def figures(app, shop, assigned_to=None):
    with app.app_context():
        return dashboard_service.dashboard(
            shop=db.session.get(Shop, shop.id), assigned_to=assigned_to, now=NOW
        )


def tag_refuser(app, customer_id):
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        tag_service.tag_customer(customer, tag_service.tag_named(customer.shop, "hay hoàn"))
        db.session.commit()


def assign(app, customer_id, staff):
    with app.app_context():
        db.session.get(Customer, customer_id).assigned_staff_id = staff.id
        db.session.commit()


@pytest.fixture
def fixed_now(monkeypatch):
    """The page's "today" is ``NOW``'s day."""
    monkeypatch.setattr(dashboard_service, "utcnow", lambda: NOW)


@pytest.fixture
def english(client):
    client.post("/language", data={"lang": "en"})


# --- The days and the revenue -----------------------------------------------------------


def test_the_window_is_the_last_30_shop_days_with_empty_days_as_zero(app, shop):
    result = figures(app, shop)
    assert len(result.days) == 30
    assert (result.first_day, result.last_day) == (FIRST_DAY, LAST_DAY)
    assert [d.day for d in result.days] == [FIRST_DAY + timedelta(days=n) for n in range(30)]
    assert all(d.orders == 0 and d.members == 0 for d in result.days)
    assert (result.orders, result.new_members, result.revenue) == (0, 0, 0)


def test_an_order_counts_on_its_day_in_the_shop_time_zone(app, shop):
    order(app, shop, vn(10, 23, 30))  # 16:30 UTC on the 10th
    order(app, shop, vn(11, 0, 10))  # 17:10 UTC on the 10th: the 11th in Vietnam
    order(app, shop, vn(11, 9))
    order(app, shop, vn(FIRST_DAY, 0, 0))  # the window's first instant
    order(app, shop, vn(1, 23, 59))  # the day before the window: not in the chart
    order(app, shop, vn(31, 9, 59))  # today, before "now"

    per_day = {d.day: d.orders for d in figures(app, shop).days}

    assert per_day[date(2025, 5, 10)] == 1
    assert per_day[date(2025, 5, 11)] == 2
    assert per_day[FIRST_DAY] == 1
    assert per_day[LAST_DAY] == 1
    assert sum(per_day.values()) == 5
    assert figures(app, shop).orders == 5


def test_orders_in_every_status_are_on_the_chart(app, shop):
    for status in ("pending", "confirmed", "shipping", "completed", "cancelled", "returned"):
        order(app, shop, vn(20), status=status)
    assert {d.day: d.orders for d in figures(app, shop).days}[date(2025, 5, 20)] == 6


def test_revenue_counts_orders_that_count_against_the_30_days_before(app, shop):
    order(app, shop, vn(5), 300_000, "completed")
    order(app, shop, vn(6), 200_000, "pending")
    order(app, shop, vn(7), 1_000_000, "cancelled")
    order(app, shop, vn(8), 2_000_000, "returned")
    order(app, shop, vn(31, 0, 5), 100_000, "shipping")
    # The 30 days before: 2 April to 1 May, 23:59 in Vietnam.
    order(app, shop, vn(1, 23, 59), 400_000)
    order(app, shop, vn(date(2025, 4, 2), 0, 0), 100_000)
    order(app, shop, vn(date(2025, 4, 20)), 900_000, "returned")
    order(app, shop, vn(date(2025, 4, 1), 23, 59), 5_000_000)  # before both windows

    result = figures(app, shop)

    assert result.revenue == 600_000
    assert result.previous_revenue == 500_000
    assert result.revenue_change == 20


def test_revenue_change_is_none_without_revenue_before_and_negative_when_less(app, shop):
    order(app, shop, vn(10), 100_000)
    assert figures(app, shop).revenue_change is None
    order(app, shop, vn(date(2025, 4, 10)), 400_000)
    assert figures(app, shop).revenue_change == -75


def test_new_members_count_on_the_day_they_registered(app, shop):
    make_member(app, shop, "a@example.com", registered_at=vn(10, 23, 30))
    make_member(
        app, shop, "b@example.com", status=CustomerStatus.TEMPORARY, registered_at=vn(11, 0, 5)
    )
    make_member(app, shop, "c@example.com", registered_at=vn(1, 23, 59))  # before the window
    make_guest(app, shop, first_name="Khách")  # a guest is no member

    result = figures(app, shop)
    per_day = {d.day: d.members for d in result.days}

    assert per_day[date(2025, 5, 10)] == 1
    assert per_day[date(2025, 5, 11)] == 1
    assert result.new_members == 2


# --- The lists of customers -------------------------------------------------------------


def spender(app, shop, name, spent, email=None, status=CustomerStatus.OFFICIAL):
    member = make_member(app, shop, email or f"{name.lower()}@example.com", first_name=name)
    if spent:
        order(app, shop, vn(10), spent, customer_id=member.id)
    return member.id


def test_top_customers_are_the_five_biggest_spenders_in_order(app, shop):
    ids = {
        name: spender(app, shop, name, spent)
        for name, spent in [
            ("An", 300_000),
            ("Bình", 900_000),
            ("Chi", 100_000),
            ("Dũng", 700_000),
            ("Hà", 500_000),
            ("Khoa", 200_000),
            ("Nam", 0),
        ]
    }
    # Cancelled orders do not count toward what a customer spent.
    order(app, shop, vn(12), 5_000_000, "cancelled", customer_id=ids["Chi"])

    top = figures(app, shop).top_customers

    assert [c.id for c in top] == [ids[n] for n in ("Bình", "Dũng", "Hà", "An", "Khoa")]
    assert [c.total_spent for c in top] == [900_000, 700_000, 500_000, 300_000, 200_000]
    assert top[0].name == "Phạm Bình"
    assert top[0].orders_count == 1


def test_customers_at_risk_are_those_tagged_hay_hoan(app, shop):
    risky = spender(app, shop, "Lan", 100_000)
    order(app, shop, vn(12), 200_000, "returned", customer_id=risky)
    order(app, shop, vn(13), 200_000, "returned", customer_id=risky)
    quiet = spender(app, shop, "Minh", 0)
    tag_refuser(app, risky)
    tag_refuser(app, quiet)
    spender(app, shop, "Ngọc", 500_000)  # not tagged

    result = figures(app, shop)

    assert result.at_risk_count == 2
    assert [c.id for c in result.at_risk] == [risky, quiet]  # who ordered last first
    assert [c.refusals for c in result.at_risk] == [2, 0]


def test_members_waiting_for_approval(app, shop):
    waiting = [
        make_member(app, shop, f"w{n}@example.com", status=CustomerStatus.TEMPORARY).id
        for n in range(7)
    ]
    make_member(app, shop, "official@example.com")

    result = figures(app, shop)

    assert result.waiting_count == 7
    assert len(result.waiting) == dashboard_service.PREVIEW
    assert {c.id for c in result.waiting} <= set(waiting)


def test_another_shops_figures_never_count(app, shop, other_shop):
    order(app, other_shop, vn(10), 900_000)
    order(app, other_shop, vn(date(2025, 4, 10)), 900_000)
    rich = spender(app, other_shop, "Giàu", 5_000_000)
    tag_refuser(app, rich)
    make_member(
        app, other_shop, "cho@example.com", status=CustomerStatus.TEMPORARY, registered_at=vn(9)
    )
    order(app, shop, vn(10), 100_000)

    result = figures(app, shop)

    assert result.orders == 1
    assert result.revenue == 100_000
    assert result.previous_revenue == 0
    assert result.new_members == 0
    assert result.waiting_count == 0
    assert result.top_customers == ()
    assert result.at_risk_count == 0


def test_a_staff_role_sees_only_their_customers_in_the_lists(app, shop, staff_member):
    mine = spender(app, shop, "Mine", 100_000)
    theirs = spender(app, shop, "Theirs", 900_000)
    mine_waiting = make_member(app, shop, "mw@example.com", status=CustomerStatus.TEMPORARY).id
    make_member(app, shop, "tw@example.com", status=CustomerStatus.TEMPORARY)
    for customer_id in (mine, mine_waiting):
        assign(app, customer_id, staff_member)
    tag_refuser(app, mine)
    tag_refuser(app, theirs)

    everyone = figures(app, shop)
    theirs_only = figures(app, shop, assigned_to=staff_member.id)

    assert [c.id for c in theirs_only.top_customers] == [mine]
    assert [c.id for c in theirs_only.at_risk] == [mine]
    assert theirs_only.at_risk_count == 1
    assert [c.id for c in theirs_only.waiting] == [mine_waiting]
    assert theirs_only.waiting_count == 1
    # The shop's totals are the shop's.
    assert (theirs_only.revenue, theirs_only.orders) == (everyone.revenue, everyone.orders)
    assert everyone.waiting_count == 2
    assert everyone.at_risk_count == 2


# --- The chart ----------------------------------------------------------------------------


def test_bars_are_as_high_as_their_share_of_the_highest():
    chart = bar_chart([("a", "A", 0), ("b", "B", 2), ("c", "C", 4)])
    assert [bar.height for bar in chart.bars] == [0, HEIGHT / 2, HEIGHT]
    assert [bar.y + bar.height for bar in chart.bars] == [HEIGHT] * 3
    assert chart.top == 4
    assert chart.total == 6
    assert chart.peak.key == "c"
    xs = [bar.x for bar in chart.bars]
    assert xs == sorted(xs)
    assert all(bar.x + bar.width <= chart.width for bar in chart.bars)


def test_a_chart_of_zeros_has_flat_bars_and_no_peak():
    chart = bar_chart([("a", "A", 0), ("b", "B", 0)])
    assert [bar.height for bar in chart.bars] == [0, 0]
    assert chart.peak is None
    assert bar_chart([]).bars == ()


class Bars(HTMLParser):
    """The bars of each chart of a page: {chart id: [(day, value, height)]}."""

    def __init__(self):
        super().__init__()
        self.charts, self.current = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure" and "bar-chart" in attrs.get("class", ""):
            self.current = self.charts.setdefault(attrs["id"], [])
        elif tag == "rect" and attrs.get("class") == "bar":
            self.current.append(
                (attrs["data-day"], int(attrs["data-value"]), float(attrs["height"]))
            )


def bars_of(html):
    parser = Bars()
    parser.feed(html)
    return parser.charts


def test_the_page_draws_one_bar_per_day_for_each_series(
    app, client, auth, shop, owner, english, fixed_now
):
    order(app, shop, vn(10, 23, 30))
    order(app, shop, vn(11, 0, 10))
    order(app, shop, vn(11, 9))
    make_member(app, shop, "new@example.com", registered_at=vn(20))
    auth.login_staff(owner)

    page = client.get(f"/{shop.slug}/admin/").text
    charts = bars_of(page)

    assert set(charts) == {"members-chart", "orders-chart"}
    for bars in charts.values():
        assert [day for day, _, _ in bars] == [
            (FIRST_DAY + timedelta(days=n)).isoformat() for n in range(30)
        ]
    orders = {day: (value, height) for day, value, height in charts["orders-chart"]}
    assert orders["2025-05-11"] == (2, HEIGHT)
    assert orders["2025-05-10"] == (1, HEIGHT / 2)
    assert orders["2025-05-12"] == (0, 0)
    members = {day: value for day, value, _ in charts["members-chart"]}
    assert members["2025-05-20"] == 1
    assert sum(members.values()) == 1


def test_the_chart_is_described_for_screen_readers(
    app, client, auth, shop, owner, english, fixed_now
):
    order(app, shop, vn(11, 9))
    order(app, shop, vn(11, 10))
    order(app, shop, vn(15))
    auth.login_staff(owner)

    page = client.get(f"/{shop.slug}/admin/").text

    assert 'role="img"' in page
    assert '<title id="orders-chart-title">Orders per day</title>' in page
    assert (
        '<desc id="orders-chart-desc">3 orders from 02/05 to 31/05, at most 2 in a day (11/05).'
        in page
    )
    assert "No new members from 02/05 to 31/05." in page
    table = page[page.index('<table id="chart-numbers">') :]
    table = table[: table.index("</table>")]
    row = r'<tr data-day="([\d-]+)"><th[^>]*>([^<]+)</th><td>(\d+)</td><td>(\d+)</td>'
    rows = re.findall(row, table)
    assert len(rows) == 30
    assert ("2025-05-11", "11/05", "0", "2") in rows
    assert ("2025-05-12", "12/05", "0", "0") in rows


def section(page, section_id):
    start = page.index(f'id="{section_id}"')
    return page[start : page.index("</section>", start)]


def test_the_page_shows_revenue_top_customers_and_customers_at_risk(
    app, client, auth, shop, owner, english, fixed_now
):
    big = spender(app, shop, "Bình", 900_000)
    small = spender(app, shop, "An", 300_000)
    tag_refuser(app, small)
    order(app, shop, vn(date(2025, 4, 20)), 600_000)
    auth.login_staff(owner)

    page = client.get(f"/{shop.slug}/admin/").text

    assert "1,200,000" in page
    assert "100% more" in page
    top = section(page, "top-customers")
    assert top.index(f"/customers/{big}") < top.index(f"/customers/{small}")
    risk = section(page, "at-risk")
    assert f"/customers/{small}" in risk
    assert f"/customers/{big}" not in risk
    assert f"/{shop.slug}/admin/customers?tag=hay+ho%C3%A0n" in risk


def test_a_manager_approves_from_the_page_and_comes_back_to_it(
    app, client, auth, shop, manager, english, fixed_now
):
    waiting = make_member(app, shop, "cho@example.com", status=CustomerStatus.TEMPORARY)
    auth.login_staff(manager)

    page = client.get(f"/{shop.slug}/admin/").text
    box = section(page, "waiting")
    action = f"/{shop.slug}/admin/customers/{waiting.id}/approve"
    assert action in box
    assert f'href="/{shop.slug}/admin/customers?status=temporary"' in page

    response = client.post(action, data={"next": f"/{shop.slug}/admin/"})

    assert response.headers["Location"] == f"/{shop.slug}/admin/"
    with app.app_context():
        assert db.session.get(Customer, waiting.id).status == CustomerStatus.OFFICIAL
    assert "No one is waiting for approval." in client.get(f"/{shop.slug}/admin/").text


def test_a_staff_role_sees_their_customers_and_no_approve_button(
    app, client, auth, shop, staff_member, english, fixed_now
):
    mine = make_member(app, shop, "mine@example.com", status=CustomerStatus.TEMPORARY).id
    other = make_member(
        app, shop, "other@example.com", first_name="Người khác", status=CustomerStatus.TEMPORARY
    ).id
    rich = spender(app, shop, "Giàu", 900_000)
    assign(app, mine, staff_member)
    auth.login_staff(staff_member)

    page = client.get(f"/{shop.slug}/admin/").text

    box = section(page, "waiting")
    assert f"/customers/{mine}" in box
    assert f"/customers/{other}" not in box
    assert "/approve" not in page
    assert f"/customers/{rich}" not in page
    assert "Customers assigned to you" in page
    count = page[page.index('id="waiting-count"') :]
    assert re.search(r'<div class="fs-2 fw-semibold">1</div>', count[: count.index("</a>")])
    # The shop's revenue is the shop's.
    assert "900,000" in page


def test_another_shops_data_never_shows_on_the_page(
    app, client, auth, shop, owner, other_shop, english, fixed_now
):
    rich = spender(app, other_shop, "Người Cửa Hàng Bình", 7_000_000)
    tag_refuser(app, rich)
    make_member(
        app, other_shop, "cho@example.com", first_name="Chờ Bình", status=CustomerStatus.TEMPORARY
    )
    auth.login_staff(owner)

    page = client.get(f"/{shop.slug}/admin/").text

    assert "Người Cửa Hàng Bình" not in page
    assert "Chờ Bình" not in page
    assert "7,000,000" not in page
    assert "No customer has spent anything yet." in page
    assert "No customer is tagged “hay hoàn”." in page
    assert all(value == 0 for bars in bars_of(page).values() for _, value, _ in bars)


def test_the_page_speaks_vietnamese_first(app, client, auth, shop, owner, fixed_now):
    order(app, shop, vn(10), 100_000)
    auth.login_staff(owner)

    page = client.get(f"/{shop.slug}/admin/").text

    assert "Doanh thu 30 ngày qua" in page
    assert "Khách hàng chi tiêu nhiều nhất" in page
    assert "Đơn hàng theo ngày" in page


def test_a_staff_user_is_not_sent_to_the_staff_page_they_cannot_open(
    client, auth, shop, staff_member
):
    auth.login_staff(staff_member)
    page = client.get(f"/{shop.slug}/admin/").text
    assert f'href="/{shop.slug}/admin/staff"' not in page
    assert client.get(f"/{shop.slug}/admin/staff").status_code == 403
