"""The member's own orders in their account: the list, one order and cancelling it, seen
by that member only; orders placed as a guest before registering wait for the member to
confirm their email address."""

from datetime import timedelta

import pytest

from core.extensions import db
from models import Customer, Order, utcnow
from tests.orders.conftest import Line
from tests.storefront import Shopper, make_member


@pytest.fixture
def member(app, shop):
    return make_member(
        app, shop, "minh.anh@example.com", "+84912345678", email_verified_at=utcnow()
    )


@pytest.fixture
def unconfirmed(app, shop):
    """A guest who registered (with the email of their guest orders) and has not confirmed
    that email yet."""
    return make_member(app, shop, "chua.xac.nhan@example.com", "+84987654321")


@pytest.fixture
def shopper(client):
    return Shopper(client)


@pytest.fixture
def signed_in(shopper, member):
    assert shopper.login(member).status_code == 302
    return member


def status_of(app, order):
    with app.app_context():
        return db.session.get(Order, order.id).status


def test_the_list_shows_the_members_orders_and_nobody_elses(
    client, shop, signed_in, make_order, make_customer
):
    mine = make_order(shop, customer_id=signed_in.id, lines=[Line(price=250_000, quantity=2)])
    someone = make_customer(shop, email="khac@example.com")
    theirs = make_order(shop, customer_id=someone, email="khac@example.com")
    page = client.get(f"/{shop.slug}/account/orders")
    assert page.status_code == 200
    assert f"#{mine.number}" in page.text
    assert "#1001" in page.text
    assert "Pending" in page.text
    assert "₫530,000" in page.text  # 2 × 250,000 and 30,000 shipping
    assert f"#{theirs.number}" not in page.text


def test_one_order_shows_its_lines_totals_and_delivery(client, shop, signed_in, make_order):
    order = make_order(
        shop,
        customer_id=signed_in.id,
        lines=[Line("Áo dài lụa", 500_000, 2), Line("Khăn lụa", 150_000, 1)],
        payment_method="bank_transfer",
    )
    page = client.get(f"/{shop.slug}/account/orders/{order.number}")
    assert page.status_code == 200
    for text in (
        "Áo dài lụa",
        "Khăn lụa",
        "₫1,150,000",
        "₫1,180,000",
        "12 Hàng Bạc",
        "Bank transfer",
    ):
        assert text in page.text
    assert "Cancel this order" in page.text


def test_another_customers_order_number_is_404(client, shop, signed_in, make_order, make_customer):
    someone = make_customer(shop, email="khac@example.com")
    theirs = make_order(shop, customer_id=someone)
    assert client.get(f"/{shop.slug}/account/orders/{theirs.number}").status_code == 404
    assert client.get(f"/{shop.slug}/account/orders/99999").status_code == 404
    response = client.post(f"/{shop.slug}/account/orders/{theirs.number}/cancel")
    assert response.status_code == 404


def test_the_same_number_at_another_shop_is_not_the_members(
    app, client, shop, other_shop, signed_in, make_order
):
    # Both shops count from #1001: the member's session grants nothing at the other shop.
    elsewhere = make_order(other_shop, customer_id=None)
    assert elsewhere.number == 1001
    assert client.get(f"/{shop.slug}/account/orders/1001").status_code == 404
    response = client.get(f"/{other_shop.slug}/account/orders/1001")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_anonymous_visitors_go_to_the_login(client, shop):
    response = client.get(f"/{shop.slug}/account/orders")
    assert response.status_code == 302
    assert f"/{shop.slug}/account/login" in response.headers["Location"]


def test_the_member_cancels_a_pending_order(app, client, shop, signed_in, make_order):
    order = make_order(shop, customer_id=signed_in.id)
    response = client.post(
        f"/{shop.slug}/account/orders/{order.number}/cancel", follow_redirects=True
    )
    assert response.status_code == 200
    assert f"Your order #{order.number} has been cancelled." in response.text
    assert status_of(app, order) == "cancelled"
    assert "Cancel this order" not in response.text


def test_an_order_the_shop_confirmed_cannot_be_cancelled_by_the_member(
    app, client, shop, signed_in, make_order
):
    order = make_order(shop, customer_id=signed_in.id, status="confirmed")
    page = client.get(f"/{shop.slug}/account/orders/{order.number}")
    assert "Cancel this order" not in page.text
    response = client.post(
        f"/{shop.slug}/account/orders/{order.number}/cancel", follow_redirects=True
    )
    assert "can no longer be cancelled" in response.text
    assert status_of(app, order) == "confirmed"


def test_guest_orders_show_once_the_email_is_confirmed(
    app, client, shopper, shop, unconfirmed, make_order
):
    before = make_order(shop, customer_id=unconfirmed.id, source="guest", email=unconfirmed.email)
    as_member = make_order(shop, customer_id=unconfirmed.id, source="member")
    shopper.login(unconfirmed)

    page = client.get(f"/{shop.slug}/account/orders")
    assert f"#{as_member.number}" in page.text
    assert f"#{before.number}" not in page.text
    assert "once you confirm your email address" in page.text
    assert client.get(f"/{shop.slug}/account/orders/{before.number}").status_code == 404
    overview = client.get(f"/{shop.slug}/account/")
    assert f"#{before.number}" not in overview.text

    with app.app_context():
        db.session.get(Customer, unconfirmed.id).email_verified_at = utcnow()
        db.session.commit()
    page = client.get(f"/{shop.slug}/account/orders")
    assert f"#{before.number}" in page.text
    assert client.get(f"/{shop.slug}/account/orders/{before.number}").status_code == 200


def test_the_overview_shows_the_three_latest_orders(client, shop, signed_in, make_order):
    now = utcnow()
    orders = [
        make_order(shop, customer_id=signed_in.id, created_at=now - timedelta(days=4 - i))
        for i in range(4)
    ]
    page = client.get(f"/{shop.slug}/account/")
    assert page.status_code == 200
    for order in orders[1:]:
        assert f"#{order.number}" in page.text
    assert f"#{orders[0].number}" not in page.text
    assert "All orders" in page.text


def test_the_overview_without_orders_invites_to_shop(client, shop, signed_in):
    page = client.get(f"/{shop.slug}/account/")
    assert "You have no orders yet." in page.text


def test_the_account_menu_leads_to_the_orders(client, shop, signed_in):
    page = client.get(f"/{shop.slug}/account/orders")
    assert f'href="/{shop.slug}/account/orders" aria-current="page"' in page.text


def test_statuses_read_in_vietnamese(client, shop, signed_in, make_order):
    make_order(shop, customer_id=signed_in.id, status="shipping")
    client.post("/language", data={"lang": "vi"})
    page = client.get(f"/{shop.slug}/account/orders")
    assert "Đang giao" in page.text
    assert "Đơn hàng" in page.text
