"""Staff create an order for a customer from the admin (``/<shop>/admin/orders/new``): what
the manager sees, and what the database holds afterwards."""

import pytest
from sqlalchemy import select

from core.extensions import db
from models import CustomerEvent, Order, OrderLine, OutboxMessage, Product, Shop
from tests.selling import add_address, count, make_product
from tests.storefront import make_member

PATH = "/{slug}/admin/orders/new"


@pytest.fixture
def ao_dai(app, shop):
    return make_product(app, shop, "Áo dài lụa", 250_000, sku="AD-01", track_stock=True, stock=5)


@pytest.fixture
def customer(app, shop):
    member = make_member(app, shop, "minh.anh@example.com", "+84912345678")
    address_id = add_address(app, member.id)
    return member, address_id


def new_order(client, shop, customer_id, **fields):
    data = {"payment_method": "cod", "note": "", **fields}
    return client.post(f"{PATH.format(slug=shop.slug)}?customer_id={customer_id}", data=data)


def nothing_written():
    assert count(Order) == count(OrderLine) == 0
    assert count(OutboxMessage) == 0
    assert count(CustomerEvent, CustomerEvent.type == "order_placed") == 0
    assert db.session.scalar(select(Shop.order_seq).order_by(Shop.id).limit(1)) == 1000


def test_a_manager_creates_an_order_with_a_saved_address(
    app, client, auth, shop, manager, customer, ao_dai
):
    member, address_id = customer
    auth.login_staff(manager)
    page = client.get(f"{PATH.format(slug=shop.slug)}?customer_id={member.id}")
    assert page.status_code == 200
    assert "Áo dài lụa" in page.text
    assert "45 Lê Lợi" in page.text

    response = new_order(
        client,
        shop,
        member.id,
        **{"product_id-1": ao_dai.id, "quantity-1": "2"},
        full_name="Phạm Minh Anh",
        email="minh.anh@example.com",
        phone="0912 345 678",
        address_id=str(address_id),
        note="Khách gọi điện",
    )
    assert response.status_code == 302, response.text
    with app.app_context():
        order = db.session.scalar(select(Order))
        assert response.headers["Location"] == f"/{shop.slug}/admin/orders/{order.id}"
        assert order.number == 1001
        assert order.source == "admin"
        assert order.customer_id == member.id
        assert order.created_by_staff_id is not None
        assert order.line1 == "45 Lê Lợi"
        assert order.note == "Khách gọi điện"
        assert order.subtotal == 500_000
        assert db.session.get(Product, ao_dai.id).stock == 3
        mails = db.session.scalars(select(OutboxMessage)).all()
        assert [m.to_address for m in mails] == ["minh.anh@example.com"]
        assert mails[0].customer_id == member.id
        placed = db.session.scalar(
            select(CustomerEvent).where(CustomerEvent.type == "order_placed")
        )
        assert placed.customer_id == member.id
        assert placed.staff_id == order.created_by_staff_id

    detail = client.get(response.headers["Location"])
    assert "Order #1001 was created." in detail.text
    timeline = client.get(f"/{shop.slug}/admin/customers/{member.id}")
    assert "Placed order #1001" in timeline.text


def test_a_typed_address_is_used_without_a_saved_one(app, client, auth, shop, owner, ao_dai):
    member = make_member(app, shop, "lan@example.com", "+84987000111", first_name="Lan")
    auth.login_staff(owner)
    response = new_order(
        client,
        shop,
        member.id,
        **{"product_id-2": ao_dai.id, "quantity-2": "1"},
        full_name="Nguyễn Lan",
        email="lan@example.com",
        phone="0987 000 111",
        line1="12 Nguyễn Trãi",
        ward="Phường Bến Thành",
        province="Hồ Chí Minh",
        payment_method="cod",
    )
    assert response.status_code == 302, response.text
    with app.app_context():
        order = db.session.scalar(select(Order))
        assert order.line1 == "12 Nguyễn Trãi"
        assert order.customer_id == member.id


def test_the_customer_picker_lists_only_this_shops_customers(
    app, client, auth, shop, other_shop, manager, customer
):
    make_member(app, other_shop, "minh.anh@example.com", first_name="Người khác")
    auth.login_staff(manager)
    page = client.get(f"{PATH.format(slug=shop.slug)}?q=minh")
    assert page.status_code == 200
    assert f"customer_id={customer[0].id}" in page.text
    assert "Người khác" not in page.text


def test_staff_may_not_create_orders(client, auth, shop, staff_member, customer):
    auth.login_staff(staff_member)
    assert (
        client.get(f"{PATH.format(slug=shop.slug)}?customer_id={customer[0].id}").status_code == 403
    )
    assert new_order(client, shop, customer[0].id).status_code == 403


def test_another_shops_customer_is_404(app, client, auth, shop, other_shop, manager, ao_dai):
    stranger = make_member(app, other_shop, "la@example.com")
    auth.login_staff(manager)
    assert client.get(f"{PATH.format(slug=shop.slug)}?customer_id={stranger.id}").status_code == 404
    response = new_order(
        client, shop, stranger.id, **{"product_id-1": ao_dai.id, "quantity-1": "1"}
    )
    assert response.status_code == 404
    assert client.get(f"{PATH.format(slug=shop.slug)}?customer_id=abc").status_code == 404
    with app.app_context():
        nothing_written()


def valid_fields(address_id, product_id, quantity="1"):
    return {
        "product_id-1": product_id,
        "quantity-1": quantity,
        "full_name": "Phạm Minh Anh",
        "email": "minh.anh@example.com",
        "phone": "0912345678",
        "address_id": str(address_id),
    }


def test_bad_lines_write_nothing(app, client, auth, shop, other_shop, manager, customer, ao_dai):
    member, address_id = customer
    hidden = make_product(app, shop, "Hàng ẩn", 50_000, hidden=True)
    foreign = make_product(app, other_shop, "Gốm Bát Tràng", 80_000)
    auth.login_staff(manager)
    cases = [
        ({"product_id-1": ""}, "Add at least one product."),
        ({"quantity-1": "0"}, "Enter a quantity from 1 to 99."),
        ({"quantity-1": "6"}, "Only 5 of “Áo dài lụa” left in stock."),
        ({"product_id-1": hidden.id}, "This product is not available."),
        ({"product_id-1": foreign.id}, "This product is not available."),
    ]
    for changes, message in cases:
        response = new_order(
            client, shop, member.id, **{**valid_fields(address_id, ao_dai.id), **changes}
        )
        assert response.status_code == 200, changes
        assert message in response.text, changes
        with app.app_context():
            nothing_written()
            assert db.session.get(Product, ao_dai.id).stock == 5


def test_another_customers_address_is_refused(
    app, client, auth, shop, other_shop, manager, customer, ao_dai
):
    member, _own = customer
    other = make_member(app, shop, "lan@example.com", "+84987000111", first_name="Lan")
    others_address = add_address(app, other.id, line1="99 Hai Bà Trưng")
    stranger = make_member(app, other_shop, "la@example.com")
    foreign_address = add_address(app, stranger.id)
    auth.login_staff(manager)
    for address_id in (others_address, foreign_address, 424242):
        response = new_order(client, shop, member.id, **valid_fields(address_id, ao_dai.id))
        assert response.status_code == 200
        assert "Choose one of the customer&#39;s saved addresses." in response.text
        with app.app_context():
            nothing_written()


def test_missing_contact_fields_are_shown(app, client, auth, shop, manager, customer, ao_dai):
    member, _address_id = customer
    auth.login_staff(manager)
    response = new_order(
        client,
        shop,
        member.id,
        **{"product_id-1": ao_dai.id, "quantity-1": "1"},
        full_name="Phạm Minh Anh",
        email="minh.anh@example.com",
        phone="0912345678",
        line1="12 Nguyễn Trãi",
        province="Hồ Chí Minh",
    )
    assert response.status_code == 200
    assert "Enter the ward or commune." in response.text
    with app.app_context():
        nothing_written()


def test_the_buttons_lead_to_the_new_page(client, auth, shop, manager, staff_member, customer):
    member, _address_id = customer
    auth.login_staff(manager)
    assert (
        f"orders/new?customer_id={member.id}"
        in client.get(f"/{shop.slug}/admin/customers/{member.id}").text
    )
    assert "/admin/orders/new" in client.get(f"/{shop.slug}/admin/orders").text
    auth.logout_staff(shop.slug)
    auth.login_staff(staff_member)
    assert "/admin/orders/new" not in client.get(f"/{shop.slug}/admin/orders").text
