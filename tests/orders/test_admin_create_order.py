"""Staff create an order for a customer from the admin (``/<shop>/admin/orders/new``): what
the manager sees, and what the database holds afterwards."""

import re

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from core.extensions import db
from models import (
    Customer,
    CustomerEvent,
    CustomerStatus,
    Order,
    OrderLine,
    OutboxMessage,
    Product,
    Shop,
)
from services import ServiceError
from services import orders as order_service
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


def test_a_stock_refusal_shows_beside_its_products_row(
    app, client, auth, shop, manager, customer, ao_dai
):
    member, address_id = customer
    non_la = make_product(app, shop, "Nón lá", 100_000)
    auth.login_staff(manager)
    fields = {
        **valid_fields(address_id, non_la.id),
        "product_id-3": ao_dai.id,
        "quantity-3": "4",
        "product_id-4": ao_dai.id,
        "quantity-4": "2",
    }
    response = new_order(client, shop, member.id, **fields)
    assert response.status_code == 200
    # The first row of the product, which the stock is counted against, however many rows.
    assert '<div id="line-error-3" class="invalid-feedback">Only 5 of' in response.text
    assert "line-error-4" not in response.text
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


# --- Customers without an email -------------------------------------------------------

NO_EMAIL_NOTE = "The customer has no email on this order: no confirmation email was sent"


def phone_order_fields(product_id, **changes):
    """A phone order typed by staff: no email, a typed address."""
    return {
        "product_id-1": product_id,
        "quantity-1": "1",
        "full_name": "Lê Văn Tám",
        "email": "",
        "phone": "0903 222 333",
        "line1": "7 Trần Phú",
        "ward": "Phường Hải Châu",
        "province": "Đà Nẵng",
        **changes,
    }


def email_field_of(html):
    """The email field's block on the form: its input and the messages beside it."""
    match = re.search(
        r'<input[^>]*name="email"[^>]*>.*?(?=<div class="mb-3|</div>\s*</div>)', html, re.S
    )
    assert match, "no email field on the page"
    return match.group(0)


def test_a_phone_only_customer_gets_an_order_without_email(
    app, client, auth, shop, manager, make_customer, ao_dai
):
    guest = make_customer(shop, first_name="Văn Tám", last_name="Lê", phone="+84903222333")
    auth.login_staff(manager)
    page = client.get(f"{PATH.format(slug=shop.slug)}?customer_id={guest}")
    assert page.status_code == 200
    assert 'value=""' in email_field_of(page.text)
    assert "Leave it blank when they have no email" in page.text

    response = new_order(client, shop, guest, **phone_order_fields(ao_dai.id))
    assert response.status_code == 302, response.text
    with app.app_context():
        order = db.session.scalar(select(Order))
        assert order.email is None
        assert order.customer_id == guest
        assert order.phone == "+84903222333"
        assert db.session.get(Product, ao_dai.id).stock == 4
        assert count(OutboxMessage) == 0
        assert count(CustomerEvent, CustomerEvent.type == "email_sent") == 0
        assert count(CustomerEvent, CustomerEvent.type == "order_placed") == 1
        assert db.session.get(Customer, guest).email is None

    detail = client.get(response.headers["Location"])
    assert "Order #1001 was created." in detail.text
    assert NO_EMAIL_NOTE in detail.text
    assert "The customer gets an email about it." not in detail.text


def test_the_no_email_note_is_in_vietnamese(
    app, client, auth, shop, manager, make_customer, ao_dai
):
    guest = make_customer(shop, phone="+84903222333")
    auth.login_staff(manager)
    response = new_order(client, shop, guest, **phone_order_fields(ao_dai.id))
    assert response.status_code == 302
    client.post("/language", data={"lang": "vi"})
    detail = client.get(response.headers["Location"])
    assert "Khách chưa có email: không gửi email xác nhận" in detail.text


def test_an_order_with_an_email_does_not_show_the_note(
    client, auth, shop, manager, customer, ao_dai
):
    member, address_id = customer
    auth.login_staff(manager)
    response = new_order(client, shop, member.id, **valid_fields(address_id, ao_dai.id))
    assert response.status_code == 302
    detail = client.get(response.headers["Location"])
    assert "minh.anh@example.com" in detail.text
    assert NO_EMAIL_NOTE not in detail.text


def test_a_cleared_email_is_respected_for_a_customer_who_has_one(
    app, client, auth, shop, manager, customer, ao_dai
):
    """The form offers the customer's email; when staff clear it (the customer asked not to
    be emailed, or the address is out of date) the order is placed without one and nobody is
    emailed. The customer's record keeps its email: an order does not erase it."""
    member, address_id = customer
    auth.login_staff(manager)
    page = client.get(f"{PATH.format(slug=shop.slug)}?customer_id={member.id}")
    assert 'value="minh.anh@example.com"' in email_field_of(page.text)

    response = new_order(
        client, shop, member.id, **{**valid_fields(address_id, ao_dai.id), "email": "  "}
    )
    assert response.status_code == 302, response.text
    with app.app_context():
        order = db.session.scalar(select(Order))
        assert order.email is None
        assert order.customer_id == member.id
        assert count(OutboxMessage) == 0
        assert db.session.get(Customer, member.id).email == "minh.anh@example.com"
    assert NO_EMAIL_NOTE in client.get(response.headers["Location"]).text


def test_an_email_typed_for_a_phone_only_customer_gets_the_confirmation(
    app, client, auth, shop, manager, make_customer, ao_dai
):
    guest = make_customer(shop, phone="+84903222333")
    auth.login_staff(manager)
    response = new_order(
        client, shop, guest, **phone_order_fields(ao_dai.id, email="Tam.Le@Example.com")
    )
    assert response.status_code == 302, response.text
    with app.app_context():
        order = db.session.scalar(select(Order))
        assert order.email == "tam.le@example.com"
        mails = db.session.scalars(select(OutboxMessage)).all()
        assert [m.to_address for m in mails] == ["tam.le@example.com"]
        # The record had no email: it gets the one the customer gave on the phone.
        assert db.session.get(Customer, guest).email == "tam.le@example.com"
    assert NO_EMAIL_NOTE not in client.get(response.headers["Location"]).text


@pytest.mark.parametrize("email", ["tam.le", "tam le@example.com", "@example.com", "a@b@c.vn"])
def test_an_invalid_email_is_refused_beside_the_field(
    app, client, auth, shop, manager, make_customer, ao_dai, email
):
    guest = make_customer(shop, phone="+84903222333")
    auth.login_staff(manager)
    response = new_order(client, shop, guest, **phone_order_fields(ao_dai.id, email=email))
    assert response.status_code == 200
    field = email_field_of(response.text)
    assert "is-invalid" in field
    assert "This email address is not valid." in field
    with app.app_context():
        nothing_written()
        assert db.session.get(Product, ao_dai.id).stock == 5
        assert db.session.get(Customer, guest).email is None


def test_a_status_change_of_an_order_without_email_sends_nothing(
    app, client, auth, shop, manager, make_customer, ao_dai
):
    guest = make_customer(shop, phone="+84903222333")
    auth.login_staff(manager)
    created = new_order(client, shop, guest, **phone_order_fields(ao_dai.id))
    assert created.status_code == 302
    with app.app_context():
        order_id = db.session.scalar(select(Order.id))
    for status, label in (("confirmed", "Confirmed"), ("cancelled", "Cancelled")):
        response = client.post(
            f"/{shop.slug}/admin/orders/{order_id}/status",
            data={"status": status},
            follow_redirects=True,
        )
        assert response.status_code == 200
        assert f"Order #1001 is now “{label}”." in response.text
        assert "We emailed the customer." not in response.text
        with app.app_context():
            assert db.session.get(Order, order_id).status == status
            assert count(OutboxMessage) == 0
            assert count(CustomerEvent, CustomerEvent.type == "email_sent") == 0
            assert count(CustomerEvent, CustomerEvent.type == "order_status_changed") == (
                1 if status == "confirmed" else 2
            )


def test_storefront_orders_still_need_an_email(app, shop, ao_dai):
    """Only orders staff enter may go without an email; a checkout is refused without one."""
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        for source in ("guest", "member"):
            with pytest.raises(ServiceError) as refused:
                order_service.place_order(
                    shop=shop_row,
                    lines=[(ao_dai.id, 1)],
                    source=source,
                    **{**PHONE_CONTACT, "email": ""},
                )
            assert refused.value.field == "email"
            db.session.rollback()
        assert count(Order) == count(Customer) == 0


PHONE_CONTACT = {
    "full_name": "Lê Văn Tám",
    "email": "",
    "phone": "0903 222 333",
    "line1": "7 Trần Phú",
    "ward": "Phường Hải Châu",
    "province": "Đà Nẵng",
}


def test_without_email_the_buyer_is_matched_by_phone_only(app, shop, make_customer, ao_dai):
    """An order without email and without a chosen record goes to the customer with that
    phone; it never goes to a customer merely because neither has an email."""
    no_email = make_customer(shop, first_name="Không", last_name="Email", phone="+84911000000")
    by_phone = make_customer(shop, first_name="Văn Tám", last_name="Lê", phone="+84903222333")
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        order = order_service.place_order(
            shop=shop_row, lines=[(ao_dai.id, 1)], source="admin", **PHONE_CONTACT
        )
        db.session.commit()
        assert order.customer_id == by_phone
        assert order.email is None

        stranger = order_service.place_order(
            shop=shop_row,
            lines=[(ao_dai.id, 1)],
            source="admin",
            **{**PHONE_CONTACT, "full_name": "Hồ Thị Mới", "phone": "0977 123 456"},
        )
        db.session.commit()
        assert stranger.customer_id not in (no_email, by_phone)
        assert stranger.customer.email is None
        assert stranger.customer.status == "guest"
        assert stranger.customer.primary_phone == "+84977123456"
        assert count(Order, Order.customer_id == no_email) == 0
        assert count(OutboxMessage) == 0


# --- Cancelled customers --------------------------------------------------------------

CANCELLED_MESSAGE = (
    "This customer&#39;s account has been cancelled. "
    "Reinstate it before creating an order for them."
)


@pytest.fixture
def cancelled(app, shop):
    return make_member(
        app,
        shop,
        "huy@example.com",
        "+84988777666",
        first_name="Minh Huy",
        status=CustomerStatus.CANCELLED,
    )


def test_the_picker_does_not_offer_cancelled_customers(
    client, auth, shop, manager, customer, cancelled
):
    auth.login_staff(manager)
    page = client.get(f"{PATH.format(slug=shop.slug)}?q=minh")
    assert page.status_code == 200
    assert f"customer_id={customer[0].id}" in page.text
    assert f"customer_id={cancelled.id}" not in page.text
    assert "Phạm Minh Huy" not in page.text
    assert "Customers whose account was cancelled are not listed." in page.text
    for q in ("huy@example.com", "0988 777 666"):
        page = client.get(f"{PATH.format(slug=shop.slug)}?q={q}")
        assert f"customer_id={cancelled.id}" not in page.text
        assert "No customer matches" in page.text


def test_a_cancelled_customers_id_is_refused_and_nothing_written(
    app, client, auth, shop, manager, cancelled, ao_dai
):
    address_id = add_address(app, cancelled.id)
    auth.login_staff(manager)
    url = f"{PATH.format(slug=shop.slug)}?customer_id={cancelled.id}"
    page = client.get(url, follow_redirects=True)
    assert CANCELLED_MESSAGE in page.text
    assert 'name="product_id-1"' not in page.text

    response = new_order(client, shop, cancelled.id, **valid_fields(address_id, ao_dai.id))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{shop.slug}/admin/customers/{cancelled.id}"
    landed = client.get(response.headers["Location"])
    assert CANCELLED_MESSAGE in landed.text
    with app.app_context():
        nothing_written()
        assert db.session.get(Product, ao_dai.id).stock == 5
        assert db.session.get(Customer, cancelled.id).status == "cancelled"


def test_the_service_refuses_a_cancelled_customer(app, shop, cancelled, ao_dai):
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        with pytest.raises(ServiceError) as refused:
            order_service.place_order(
                shop=shop_row,
                lines=[(ao_dai.id, 1)],
                customer=db.session.get(Customer, cancelled.id),
                source="admin",
                **{**PHONE_CONTACT, "email": "huy@example.com"},
            )
        with force_locale("vi"):
            assert str(refused.value.message) == (
                "Tài khoản của khách hàng này đã bị huỷ. "
                "Hãy khôi phục tài khoản trước khi tạo đơn cho khách."
            )
        db.session.rollback()
        nothing_written()
        assert db.session.get(Product, ao_dai.id).stock == 5


def test_a_cancelled_customers_page_offers_no_new_order(
    app, client, auth, shop, manager, cancelled
):
    auth.login_staff(manager)
    page = client.get(f"/{shop.slug}/admin/customers/{cancelled.id}")
    assert page.status_code == 200
    assert "orders/new?customer_id=" not in page.text
    assert "Reinstate it before creating an order for them." in page.text

    reinstated = client.post(
        f"/{shop.slug}/admin/customers/{cancelled.id}/reinstate", follow_redirects=True
    )
    assert reinstated.status_code == 200
    with app.app_context():
        assert db.session.get(Customer, cancelled.id).status != "cancelled"
    page = client.get(f"/{shop.slug}/admin/customers/{cancelled.id}")
    assert f"orders/new?customer_id={cancelled.id}" in page.text
    assert "Reinstate it before creating an order for them." not in page.text
