"""The demo shop ``make run`` serves: about sixty customers in every status, with groups,
tags, notes, assigned staff, phones and addresses over the country, and about 150 orders
of the last sixty days in every status, their totals and timelines true to each other; made
the same every time, once, without an email per order. And the lean copy the browser
suite works on."""

from collections import Counter
from datetime import timedelta

from core.extensions import db
from models import (
    Customer,
    CustomerEvent,
    CustomerEvents,
    CustomerGroup,
    CustomerNote,
    CustomerPhone,
    CustomerStatus,
    CustomerTag,
    Order,
    OrderLine,
    OrderStatus,
    OutboxMessage,
    Product,
    Shop,
    ShopMembership,
    StaffUser,
    Tag,
    utcnow,
)
from services.demo import DEMO_CUSTOMERS, DEMO_PASSWORD, DEMO_STAFF, staff_accounts
from services.demo_people import FAMILY_NAMES, ORDER_DAYS
from services.order_status import refusals_count
from services.phones import normalise_phone
from services.places import province_names
from services.tags import REFUSAL_TAG
from services.totals import customer_totals

SEEDED = (
    Shop,
    StaffUser,
    ShopMembership,
    OutboxMessage,
    Customer,
    CustomerPhone,
    CustomerEvent,
    CustomerNote,
    CustomerTag,
    CustomerGroup,
    Tag,
    Order,
    OrderLine,
    Product,
)


def demo(app, *args):
    result = app.test_cli_runner().invoke(args=["demo", *args])
    assert result.exit_code == 0, result.output
    return result


def of_shop(model, slug="demo"):
    shop = db.session.scalar(db.select(Shop).where(Shop.slug == slug))
    return db.session.scalars(db.select(model).where(model.shop_id == shop.id)).all()


def counts(app):
    with app.app_context():
        return {
            model.__name__: db.session.scalar(db.select(db.func.count()).select_from(model))
            for model in SEEDED
        }


def test_the_demo_has_about_sixty_customers_in_every_status(app):
    demo(app)
    with app.app_context():
        customers = of_shop(Customer)
        statuses = Counter(c.status for c in customers)
        assert 55 <= len(customers) <= 65
        assert all(statuses[status] >= 4 for status in CustomerStatus), statuses
        # The classic customers are there as they were, with the logins the README gives.
        by_email = {c.email: c for c in customers}
        for status, last, first, email, _phone, province in DEMO_CUSTOMERS:
            customer = by_email[email]
            assert (customer.status, customer.full_name) == (status, f"{last} {first}")
            assert customer.province == province
        assert by_email["minh.anh@demo.cuahang.vn"].check_password(DEMO_PASSWORD)
        # Vietnamese names, valid mobiles, addresses over the country.
        assert {c.last_name for c in customers} <= set(FAMILY_NAMES)
        phones = [phone.number for c in customers for phone in c.phones]
        assert all(normalise_phone(number) == number for number in phones)
        assert sum(len(c.phones) > 1 for c in customers) >= 5
        assert sum(len(c.addresses) > 1 for c in customers) >= 5
        provinces = {c.province for c in customers}
        assert len(provinces) >= 12
        assert provinces <= set(province_names())


def test_the_demo_customers_have_groups_tags_notes_and_staff(app):
    demo(app)
    with app.app_context():
        customers = of_shop(Customer)
        groups = Counter(c.group.name for c in customers if c.group is not None)
        assert set(groups) == {"Khách sỉ", "Khách lẻ thân thiết", "Đại lý"}
        assert all(n >= 3 for n in groups.values()), groups
        tags = Counter(name for c in customers for name in c.tag_names)
        assert all(tags[name] >= 3 for name in ("VIP", "tiềm năng", "khách sỉ", REFUSAL_TAG))
        emails = {email for _role, email, _name in DEMO_STAFF}
        notes = [note for c in customers for note in c.notes]
        assert len(notes) >= 20
        assert {note.staff.email for note in notes} == emails
        assigned = Counter(c.assigned_staff.email for c in customers if c.assigned_staff)
        assert set(assigned) == emails
        assert assigned["nhan.vien@demo.cuahang.vn"] >= 8


def test_the_staff_role_login_sees_its_own_customers(app):
    demo(app)
    client = app.test_client()
    client.post("/language", data={"lang": "en"})
    client.post(
        "/demo/admin/login",
        data={"email": "nhan.vien@demo.cuahang.vn", "password": DEMO_PASSWORD},
    )
    page = client.get("/demo/admin/customers?per_page=100").text
    with app.app_context():
        customers = of_shop(Customer)
        clerk = db.session.scalar(
            db.select(StaffUser).where(StaffUser.email == "nhan.vien@demo.cuahang.vn")
        )
        theirs = [c for c in customers if c.assigned_staff_id == clerk.id]
        others = [c for c in customers if c.assigned_staff_id != clerk.id]
        assert all(c.code in page for c in theirs)
        assert not any(c.code in page for c in others)


def test_the_demo_has_about_150_orders_of_the_last_sixty_days_in_every_status(app):
    demo(app)
    now = utcnow()
    with app.app_context():
        orders = of_shop(Order)
        assert 140 <= len(orders) <= 160
        assert set(Counter(o.status for o in orders)) == set(OrderStatus)
        ages = [now - o.created_at for o in orders]
        assert max(ages) <= timedelta(days=ORDER_DAYS)
        assert min(ages) >= timedelta(0)
        assert max(ages) - min(ages) >= timedelta(days=45)
        assert sum(age <= timedelta(days=30) for age in ages) >= 60  # the dashboard's month
        numbers = sorted(o.number for o in orders)
        assert numbers == list(range(1001, 1001 + len(orders)))
        assert db.session.scalar(db.select(Shop.order_seq).where(Shop.slug == "demo")) == max(
            numbers
        )
        products = {p.id for p in of_shop(Product)}
        for order in orders:
            assert order.lines
            assert {line.product_id for line in order.lines} <= products
            assert order.subtotal == sum(line.line_total for line in order.lines)
            assert order.total == order.subtotal + order.shipping_fee
            assert order.province in province_names()
            assert order.customer is not None
            assert order.created_at >= order.customer.created_at


def test_every_order_is_on_its_customers_timeline_when_it_happened(app):
    demo(app)
    now = utcnow()
    with app.app_context():
        orders = {o.number: o for o in of_shop(Order)}
        events = of_shop(CustomerEvent)
        placed = {e.data["number"]: e for e in events if e.type == CustomerEvents.ORDER_PLACED}
        assert set(placed) == {o.display_number for o in orders.values()}
        for number, event in placed.items():
            order = orders[int(number[1:])]
            assert (event.customer_id, event.created_at) == (order.customer_id, order.created_at)
        changes = [e for e in events if e.type == CustomerEvents.ORDER_STATUS_CHANGED]
        last = {}
        for event in sorted(changes, key=lambda e: e.created_at):
            order = orders[event.data["number"]]
            assert order.created_at <= event.created_at
            last[order.number] = event.data["to"]
        assert all(last.get(n, OrderStatus.PENDING) == o.status for n, o in orders.items())
        for event in events:
            assert event.customer.created_at - timedelta(seconds=1) <= event.created_at <= now


def test_the_demo_totals_are_those_of_the_orders(app):
    demo(app)
    with app.app_context():
        for customer in of_shop(Customer):
            assert (customer.total_spent, customer.orders_count) == customer_totals(customer)
            orders = [o.created_at for o in of_shop(Order) if o.customer_id == customer.id]
            assert customer.last_order_at == max(orders, default=None)
        assert sum(c.total_spent > 0 for c in of_shop(Customer)) >= 30


def test_the_customers_who_refuse_parcels_are_tagged_hay_hoan(app):
    demo(app)
    with app.app_context():
        shop = db.session.scalar(db.select(Shop).where(Shop.slug == "demo"))
        refusers = {
            customer.id
            for customer in of_shop(Customer)
            if refusals_count(customer) >= shop.refusal_tag_threshold
        }
        assert len(refusers) >= 3
        for customer in of_shop(Customer):
            assert (REFUSAL_TAG in customer.tag_names) == (customer.id in refusers)
        tagged = [
            e
            for e in of_shop(CustomerEvent)
            if e.type == CustomerEvents.TAG_ADDED and e.data["name"] == REFUSAL_TAG
        ]
        assert {e.customer_id for e in tagged} == refusers
        assert all(e.staff_id is None and e.data["refusals"] >= 2 for e in tagged)


def test_the_demo_sends_no_email_per_order(app):
    demo(app)
    demo(app, "--slug", "gon-nhe", "--lean")
    with app.app_context():
        rich, lean = of_shop(OutboxMessage), of_shop(OutboxMessage, "gon-nhe")
        assert len(rich) == len(lean)
        numbers = {o.display_number for o in of_shop(Order)}
        assert not any(number in m.subject for m in rich for number in numbers)


def test_running_the_demo_twice_changes_nothing(app):
    first = demo(app)
    seeded = counts(app)
    second = demo(app)
    assert counts(app) == seeded
    assert "created" in first.output
    assert "already" in second.output


def test_the_demo_is_the_same_every_time(app):
    demo(app)
    demo(app, "--slug", "demo-hai")

    def shape(slug):
        people = sorted(of_shop(Customer, slug), key=lambda c: c.code)
        orders = sorted(of_shop(Order, slug), key=lambda o: o.number)
        return (
            [(c.code, c.full_name, c.status, c.province, c.total_spent) for c in people],
            [(o.number, o.status, o.total, o.customer.code) for o in orders],
        )

    with app.app_context():
        assert shape("demo") == shape("demo-hai")


def test_the_lean_shop_has_the_staff_six_customers_and_the_catalog(app):
    demo(app)
    demo(app, "--slug", "e2e", "--lean")
    with app.app_context():
        customers = of_shop(Customer, "e2e")
        assert sorted(c.email for c in customers) == sorted(
            email.replace("@demo.", "@e2e.") for _s, _l, _f, email, _p, _pr in DEMO_CUSTOMERS
        )
        assert of_shop(Order, "e2e") == []
        assert len(of_shop(Product, "e2e")) == len(of_shop(Product))
        assert of_shop(CustomerGroup, "e2e") == []
    client = app.test_client()
    for _role, email, _name in staff_accounts("e2e"):
        assert email.endswith("@e2e.cuahang.vn")
        response = client.post("/e2e/admin/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.headers["Location"] == "/e2e/admin/", email
        client.post("/e2e/admin/logout")
    # One shop's staff are not the other's.
    response = client.post(
        "/e2e/admin/login",
        data={"email": "quan.ly@demo.cuahang.vn", "password": DEMO_PASSWORD},
    )
    assert response.status_code != 302


def test_the_demo_refuses_a_bad_address_in_one_line(app):
    before = counts(app)
    result = app.test_cli_runner().invoke(args=["demo", "--slug", "Cửa Hàng"])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert counts(app) == before


def test_the_demo_admin_shows_its_people_and_orders(app):
    demo(app)
    client = app.test_client()
    client.post("/language", data={"lang": "en"})
    owner = DEMO_STAFF[0][1]
    client.post("/demo/admin/login", data={"email": owner, "password": DEMO_PASSWORD})
    with app.app_context():
        busiest = max(of_shop(Customer), key=lambda c: len(c.events))
        order = max(of_shop(Order), key=lambda o: o.total)
        refuser = db.session.scalar(db.select(Tag).where(Tag.name == REFUSAL_TAG))
        pages = {
            "/demo/admin/": [],
            "/demo/admin/customers?per_page=100": [busiest.code],
            f"/demo/admin/customers?tag={refuser.id}": [],
            f"/demo/admin/customers/{busiest.id}": [busiest.full_name],
            "/demo/admin/orders": [],
            f"/demo/admin/orders/{order.id}": [order.display_number],
            "/demo/admin/tags": ["VIP", "khách sỉ", REFUSAL_TAG],
            "/demo/admin/groups": ["Khách sỉ", "Đại lý"],
        }
    for path, texts in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert all(text in response.text for text in texts), path
