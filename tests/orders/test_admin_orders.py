"""The shop's orders in the admin: the list with its filters and search, one order with
its timeline, and the changes a manager makes. Staff may look; only managers and the owner
change an order; another shop's order is a page that does not exist."""

import re
from datetime import UTC, datetime

import pytest

from core.extensions import db
from models import Customer, Order, OutboxMessage
from services.tags import tag_customer, tag_named
from tests.orders import mails
from tests.orders.conftest import Line


@pytest.fixture
def buyer(make_customer, shop):
    return make_customer(
        shop, first_name="Văn A", last_name="Nguyễn", email="a@example.com", phone="+84912345678"
    )


@pytest.fixture
def orders(shop, buyer, make_customer, make_order):
    """#1001 Nguyễn Văn A (pending, unpaid), #1002 Trần Thị Bình (shipping, paid),
    #1003 Lê Cường (cancelled), on three days of March 2025, Vietnam time."""
    other = make_customer(shop, first_name="Thị Bình", last_name="Trần", phone="+84987654321")
    return [
        make_order(
            shop,
            customer_id=buyer,
            full_name="Nguyễn Văn A",
            phone="+84912345678",
            created_at=datetime(2025, 3, 1, 3, 0, tzinfo=UTC),
        ),
        make_order(
            shop,
            customer_id=other,
            full_name="Trần Thị Bình",
            email="binh@example.com",
            phone="+84987654321",
            status="shipping",
            payment_status="paid",
            created_at=datetime(2025, 3, 5, 3, 0, tzinfo=UTC),
        ),
        make_order(
            shop,
            customer_id=None,
            full_name="Lê Cường",
            email=None,
            phone="+84903111222",
            status="cancelled",
            # 23:30 on 9 March in Vietnam: still the 9th there.
            created_at=datetime(2025, 3, 9, 16, 30, tzinfo=UTC),
        ),
    ]


def listed(client, shop, **args):
    """The numbers the list shows for these filters."""
    page = client.get(f"/{shop.slug}/admin/orders", query_string=args)
    assert page.status_code == 200
    return [n for n in (1001, 1002, 1003) if f">#{n}<" in page.text]


def test_staff_see_every_order_newest_first(client, auth, shop, staff_member, orders):
    auth.login_staff(staff_member)
    page = client.get(f"/{shop.slug}/admin/orders")
    assert page.status_code == 200
    assert page.text.index("#1003") < page.text.index("#1002") < page.text.index("#1001")
    assert "Nguyễn Văn A" in page.text
    assert "0912 345 678" in page.text


@pytest.mark.parametrize(
    ("args", "numbers"),
    [
        ({"status": "shipping"}, [1002]),
        ({"status": "cancelled"}, [1003]),
        ({"status": "nonsense"}, [1001, 1002, 1003]),
        ({"payment": "paid"}, [1002]),
        ({"payment": "unpaid"}, [1001, 1003]),
        ({"from": "2025-03-05"}, [1002, 1003]),
        ({"to": "2025-03-05"}, [1001, 1002]),
        ({"from": "2025-03-02", "to": "2025-03-09"}, [1002, 1003]),
        ({"from": "not a date"}, [1001, 1002, 1003]),
        ({"q": "1002"}, [1002]),
        ({"q": "#1003"}, [1003]),
        ({"q": "nguyen van a"}, [1001]),
        ({"q": "NGUYỄN"}, [1001]),
        ({"q": "thi binh"}, [1002]),
        ({"q": "Lê Cường"}, [1003]),
        ({"q": "0912 345 678"}, [1001]),
        ({"q": "+84 987-654-321"}, [1002]),
        ({"q": "0903.111.222"}, [1003]),
        ({"q": "không ai"}, []),
        ({"q": "shipping", "status": "shipping"}, []),
        ({"q": "binh", "payment": "unpaid"}, []),
    ],
)
def test_filters_and_search(client, auth, shop, staff_member, orders, args, numbers):
    auth.login_staff(staff_member)
    assert listed(client, shop, **args) == numbers


def test_the_list_pages(monkeypatch, client, auth, shop, staff_member, orders):
    monkeypatch.setattr("admin.orders.PER_PAGE", 2)
    auth.login_staff(staff_member)
    assert listed(client, shop) == [1002, 1003]
    page = client.get(f"/{shop.slug}/admin/orders", query_string={"status": "", "page": 1})
    assert "page=2" in page.text
    assert listed(client, shop, page=2) == [1001]


def test_the_list_shows_only_this_shops_orders(
    client, auth, shop, other_shop, staff_member, make_order
):
    make_order(other_shop, full_name="Khách Của Bình")
    auth.login_staff(staff_member)
    page = client.get(f"/{shop.slug}/admin/orders")
    assert "Khách Của Bình" not in page.text
    assert "No orders yet." in page.text


def test_one_order_shows_lines_totals_contact_and_customer(
    client, auth, shop, staff_member, buyer, make_order
):
    order = make_order(
        shop,
        customer_id=buyer,
        full_name="Nguyễn Văn A",
        email="a@example.com",
        lines=[Line("Áo dài lụa", 500_000, 2), Line("Khăn lụa", 150_000, 1)],
        payment_method="bank_transfer",
    )
    auth.login_staff(staff_member)
    page = client.get(f"/{shop.slug}/admin/orders/{order.id}")
    assert page.status_code == 200
    for text in (
        f"#{order.number}",
        "Áo dài lụa",
        "Khăn lụa",
        "₫1,150,000",
        "₫1,180,000",
        "0912 345 678",
        "a@example.com",
        "12 Hàng Bạc",
        "Bank transfer",
        "Unpaid",
        "Order placed",
        f'href="/{shop.slug}/admin/customers/{buyer}"',
    ):
        assert text in page.text, text
    # Looking is not changing: staff get no buttons.
    assert f"/admin/orders/{order.id}/status" not in page.text


def test_the_order_shows_the_buyers_refusal_tag_in_red(
    app, client, auth, shop, staff_member, buyer, make_order
):
    with app.app_context():
        customer = db.session.get(Customer, buyer)
        tag_customer(customer, tag_named(shop, "hay hoàn"))
        tag_customer(customer, tag_named(shop, "khách sỉ"))
        db.session.commit()
    order = make_order(shop, customer_id=buyer)
    auth.login_staff(staff_member)
    page = client.get(f"/{shop.slug}/admin/orders/{order.id}").text
    red = re.search(r'<span class="([^"]*)">hay hoàn</span>', page)
    plain = re.search(r'<span class="([^"]*)">khách sỉ</span>', page)
    assert red is not None
    assert "text-danger" in red.group(1)
    assert plain is not None
    assert "text-danger" not in plain.group(1)


def test_a_manager_moves_an_order_on_and_the_customer_is_told(
    app, client, auth, shop, manager, buyer, make_order
):
    order = make_order(shop, customer_id=buyer, email="a@example.com")
    auth.login_staff(manager)
    page = client.get(f"/{shop.slug}/admin/orders/{order.id}")
    assert f"/admin/orders/{order.id}/status" in page.text
    response = client.post(
        f"/{shop.slug}/admin/orders/{order.id}/status",
        data={"status": "confirmed"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert f"Order #{order.number} is now “Confirmed”. We emailed the customer." in response.text
    assert "Pending → Confirmed" in response.text  # the order's timeline
    with app.app_context():
        assert db.session.get(Order, order.id).status == "confirmed"
        assert [to for to, _ in mails()] == ["a@example.com"]
    record = client.get(f"/{shop.slug}/admin/customers/{buyer}")
    assert f"Order #{order.number}: Pending → Confirmed" in record.text
    assert "Email sent: order status update" in record.text


def test_a_move_the_status_does_not_allow_is_refused(
    app, client, auth, shop, manager, buyer, make_order
):
    order = make_order(shop, customer_id=buyer)
    auth.login_staff(manager)
    response = client.post(
        f"/{shop.slug}/admin/orders/{order.id}/status",
        data={"status": "completed"},
        follow_redirects=True,
    )
    assert "cannot become" in response.text
    with app.app_context():
        assert db.session.get(Order, order.id).status == "pending"
        assert db.session.query(OutboxMessage).count() == 0


def test_a_manager_marks_an_order_paid(app, client, auth, shop, manager, buyer, make_order):
    order = make_order(shop, customer_id=buyer, payment_method="bank_transfer")
    auth.login_staff(manager)
    response = client.post(f"/{shop.slug}/admin/orders/{order.id}/paid", follow_redirects=True)
    assert f"Order #{order.number} is marked as paid." in response.text
    again = client.post(f"/{shop.slug}/admin/orders/{order.id}/paid", follow_redirects=True)
    assert "already marked as paid" in again.text
    with app.app_context():
        row = db.session.get(Order, order.id)
        assert row.payment_status == "paid"
        assert row.paid_at is not None


def test_staff_may_look_but_not_change(app, client, auth, shop, staff_member, buyer, make_order):
    order = make_order(shop, customer_id=buyer)
    auth.login_staff(staff_member)
    assert client.get(f"/{shop.slug}/admin/orders/{order.id}").status_code == 200
    status = client.post(
        f"/{shop.slug}/admin/orders/{order.id}/status", data={"status": "confirmed"}
    )
    assert status.status_code == 403
    assert client.post(f"/{shop.slug}/admin/orders/{order.id}/paid").status_code == 403
    with app.app_context():
        row = db.session.get(Order, order.id)
        assert (row.status, row.payment_status) == ("pending", "unpaid")


def test_another_shops_order_is_404(app, client, auth, shop, other_shop, owner, make_order):
    theirs = make_order(other_shop)
    auth.login_staff(owner)
    assert client.get(f"/{shop.slug}/admin/orders/{theirs.id}").status_code == 404
    status = client.post(
        f"/{shop.slug}/admin/orders/{theirs.id}/status", data={"status": "confirmed"}
    )
    assert status.status_code == 404
    assert client.post(f"/{shop.slug}/admin/orders/{theirs.id}/paid").status_code == 404
    with app.app_context():
        assert db.session.get(Order, theirs.id).status == "pending"


def test_the_customer_record_shows_their_orders_and_numbers(
    client, auth, shop, manager, buyer, make_order
):
    make_order(shop, customer_id=buyer, lines=[Line(price=100_000)], shipping_fee=0)
    make_order(
        shop, customer_id=buyer, status="returned", lines=[Line(price=900_000)], shipping_fee=0
    )
    auth.login_staff(manager)
    page = client.get(f"/{shop.slug}/admin/customers/{buyer}")
    assert page.status_code == 200
    assert '<div class="fw-bold orders-count">1</div>' in page.text
    assert "₫100,000</div>" in page.text
    assert '<div class="fw-bold refusals text-danger">1</div>' in page.text
    assert "#1001" in page.text
    assert "#1002" in page.text


def test_the_admin_menu_leads_to_the_orders(client, auth, shop, staff_member):
    auth.login_staff(staff_member)
    page = client.get(f"/{shop.slug}/admin/orders")
    assert f'href="/{shop.slug}/admin/orders"' in page.text
    assert 'aria-current="page"' in page.text
