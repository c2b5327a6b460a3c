"""Checking out through the storefront's pages, as a guest and as a member, and the order
page the confirmation email links to."""

import re

import pytest

from core.extensions import db
from models import Customer, CustomerStatus, Order, OrderLine, OutboxMessage
from tests.mail import link_in, sent_text
from tests.selling import add_address, count, orders, set_product, set_shop, stock_of
from tests.storefront import event_types


def placed(response):
    """The order page a successful checkout redirects to."""
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert re.search(r"/orders/[A-Za-z0-9_-]{20,}$", location), location
    return location


def test_a_guest_buys_two_products_with_cash_on_delivery(app, client, buyer, ao_dai, non_la):
    buyer.add(ao_dai.id, 2)
    buyer.add(non_la.id, 1)
    page = buyer.checkout_page().text
    assert "Áo dài lụa" in page
    assert "630,000" in page

    location = placed(buyer.checkout())

    with app.app_context():
        [order] = orders()
        assert order.number == 1001
        assert (order.subtotal, order.shipping_fee, order.total) == (600_000, 30_000, 630_000)
        assert order.source == "guest"
        assert order.payment_method == "cod"
        assert order.status == "pending"
        assert order.payment_status == "unpaid"
        assert (order.full_name, order.email, order.phone) == (
            "Trần Thị Bình",
            "binh.tran@example.com",
            "+84903111222",
        )
        assert (order.line1, order.ward, order.province) == (
            "12 Nguyễn Trãi",
            "Phường Bến Thành",
            "Hồ Chí Minh",
        )
        assert order.note == "Giao giờ hành chính"
        lines = [
            (x.product_name, x.sku, x.unit_price, x.quantity, x.line_total) for x in order.lines
        ]
        assert lines == [
            ("Áo dài lụa", "AD-01", 250_000, 2, 500_000),
            ("Nón lá Huế", None, 100_000, 1, 100_000),
        ]
        assert stock_of(ao_dai.id) == 3

        customer = order.customer
        assert customer.status == CustomerStatus.GUEST
        assert customer.password_hash is None
        assert (customer.last_name, customer.first_name) == ("Trần", "Thị Bình")
        assert customer.email == "binh.tran@example.com"
        assert customer.primary_phone == "+84903111222"
        assert customer.code.startswith("KH")
        assert "order_placed" in event_types(customer.id)

        mail = db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.kind == "order_placed")
        ).one()
        assert mail.to_address == "binh.tran@example.com"
        assert "#1001" in mail.subject
        sent = sent_text("order_placed")
        link = link_in(sent, "storefront.order", buyer.slug)
        assert location.endswith(link)
        assert "630,000" in sent or "630.000" in sent

    order_page = client.get(location)
    assert order_page.status_code == 200
    text = order_page.text
    assert "Order #1001" in text
    assert "Thank you! Your order #1001 was placed." in text
    assert "Pending" in text
    assert "Áo dài lụa" in text
    assert "630,000" in text
    assert "12 Nguyễn Trãi" in text
    assert "Cash on delivery (COD)" in text
    assert f'href="/{buyer.slug}/account/register"' in text
    assert buyer.cart_items() == {}


def test_the_next_order_is_1002(app, buyer, non_la):
    buyer.add(non_la.id, 1)
    placed(buyer.checkout())
    buyer.add(non_la.id, 2)
    placed(buyer.checkout(email="khach.khac@example.com", phone="0987 222 333"))
    with app.app_context():
        assert [o.number for o in orders()] == [1001, 1002]
        assert count(Customer) == 2


def test_a_returning_guest_is_the_same_customer(app, buyer, non_la):
    buyer.add(non_la.id, 1)
    placed(buyer.checkout())
    buyer.add(non_la.id, 1)
    # Same phone written another way, email in capitals: the same person.
    placed(buyer.checkout(email="BINH.TRAN@example.com", phone="+84 903 111 222"))
    with app.app_context():
        assert count(Customer) == 1
        assert {o.customer_id for o in orders()} == {db.session.scalar(db.select(Customer.id))}


def test_a_guest_with_a_members_email_is_linked_without_being_told(
    app, client, buyer, member, non_la
):
    buyer.add(non_la.id, 1)
    location = placed(buyer.checkout(email=member.email.upper(), phone="0903 444 555"))
    with app.app_context():
        [order] = orders()
        assert order.customer_id == member.id
        assert order.source == "guest"
        customer = db.session.get(Customer, member.id)
        assert customer.status == CustomerStatus.OFFICIAL
        assert count(Customer) == 1
    text = client.get(location).text
    main = text[text.index("<main") : text.index("</main>")]
    # The same page as any guest's: an invitation to register, nothing about an account.
    assert f'href="/{buyer.slug}/account/register"' in main
    for telling in ("already", "member", "account exists", "log in", "Log in", "Phạm"):
        assert telling not in main
    # And nobody was signed in.
    assert "Log out" not in text
    assert client.get(f"/{buyer.slug}/account/").status_code == 302


def test_a_member_checks_out_with_a_saved_address(app, client, buyer, signed_in, non_la):
    address_id = add_address(app, signed_in.id, line1="45 Lê Lợi", full_name="Phạm Minh Anh")
    buyer.add(non_la.id, 2)
    page = buyer.checkout_page().text
    # Contact prefilled, the saved address offered and chosen.
    assert 'value="minh.anh@example.com"' in page
    assert 'value="Phạm Minh Anh"' in page
    assert f'name="address_id" value="{address_id}" checked>' in page

    location = placed(
        buyer.checkout(
            full_name="Phạm Minh Anh",
            email=signed_in.email,
            phone="0912 345 678",
            address_id=str(address_id),
            line1="",
            ward="",
            province="",
        )
    )
    with app.app_context():
        [order] = orders()
        assert order.customer_id == signed_in.id
        assert order.source == "member"
        assert (order.line1, order.ward, order.province) == (
            "45 Lê Lợi",
            "Phường Sài Gòn",
            "Hồ Chí Minh",
        )
        assert order.full_name == "Phạm Minh Anh"
    assert f'/{buyer.slug}/account/register"' not in client.get(location).text


def test_another_customers_address_is_refused(app, buyer, signed_in, other_member, non_la):
    foreign_address = add_address(app, other_member.id, line1="99 Hai Bà Trưng")
    buyer.add(non_la.id, 1)
    response = buyer.checkout(
        email=signed_in.email, address_id=str(foreign_address), line1="", ward="", province=""
    )
    assert response.status_code == 200
    assert "Choose one of your saved addresses." in response.text
    with app.app_context():
        assert count(Order) == 0


def test_a_guest_cannot_use_an_address_id(app, buyer, member, non_la):
    address_id = add_address(app, member.id, line1="45 Lê Lợi")
    buyer.add(non_la.id, 1)
    # A guest's address_id is ignored: the typed address is the one used.
    placed(buyer.checkout(address_id=str(address_id)))
    with app.app_context():
        assert orders()[0].line1 == "12 Nguyễn Trãi"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"full_name": ""}, "Please fill in this field."),
        ({"email": ""}, "Please fill in this field."),
        ({"phone": ""}, "Please fill in this field."),
        ({"email": "not-an-email"}, "This email address is not valid."),
        ({"phone": "12345"}, "This phone number is not valid."),
        ({"line1": ""}, "Enter the house number and street."),
        ({"ward": ""}, "Enter the ward or commune."),
        ({"province": "Atlantis"}, "Choose a province or city from the list."),
        ({"payment_method": "crypto"}, "Choose a payment method."),
        ({"payment_method": "bank_transfer"}, "This shop does not take bank transfers."),
    ],
)
def test_bad_input_is_refused_and_nothing_written(app, buyer, ao_dai, fields, message):
    buyer.add(ao_dai.id, 1)
    response = buyer.checkout(**fields)
    assert response.status_code == 200
    assert message in response.text
    with app.app_context():
        assert count(Order) == count(OrderLine) == count(Customer) == 0
        assert count(OutboxMessage) == 0
        assert stock_of(ao_dai.id) == 5
    assert buyer.cart_items() == {str(ao_dai.id): 1}


def test_an_old_province_name_is_mapped(app, buyer, non_la):
    buyer.add(non_la.id, 1)
    placed(buyer.checkout(province="Bình Dương"))
    with app.app_context():
        assert orders()[0].province == "Hồ Chí Minh"


def test_tampered_price_fields_are_ignored(app, buyer, non_la):
    buyer.add(non_la.id, 2)
    placed(
        buyer.checkout(
            price="1", unit_price="1", subtotal="1", total="1", shipping_fee="0", line_total="1"
        )
    )
    with app.app_context():
        order = orders()[0]
        assert (order.subtotal, order.shipping_fee, order.total) == (200_000, 30_000, 230_000)
        assert order.lines[0].unit_price == 100_000


def test_a_price_changed_since_the_page_is_shown_not_placed(app, buyer, non_la):
    buyer.add(non_la.id, 1)
    page = buyer.checkout_page().text
    assert 'name="expected_total" type="hidden" value="130000"' in page
    set_product(app, non_la.id, price=150_000)

    response = buyer.checkout(expected_total="130000")
    assert response.status_code == 200
    assert "Prices have changed" in response.text
    assert "180,000" in response.text
    assert 'value="180000"' in response.text
    with app.app_context():
        assert count(Order) == 0

    # Seen the new total, the shopper places the order.
    placed(buyer.checkout(expected_total="180000"))
    with app.app_context():
        assert orders()[0].total == 180_000


def test_out_of_stock_at_checkout_writes_nothing(app, buyer, ao_dai, non_la):
    buyer.add(ao_dai.id, 3)
    buyer.add(non_la.id, 1)
    set_product(app, ao_dai.id, stock=2)
    response = buyer.checkout()
    assert response.status_code == 200
    assert "Only 2 of “Áo dài lụa” left in stock." in response.text
    with app.app_context():
        assert count(Order) == count(Customer) == count(OutboxMessage) == 0
        assert stock_of(ao_dai.id) == 2


def test_an_empty_cart_goes_back_to_the_cart(buyer):
    response = buyer.checkout_page()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/{buyer.slug}/cart")
    response = buyer.checkout()
    assert response.status_code == 302


def test_free_shipping_from_the_threshold(app, shop, buyer, ao_dai, non_la):
    set_shop(app, shop, free_shipping_threshold=500_000, shipping_fee=25_000)
    buyer.add(non_la.id, 1)
    assert "125,000" in buyer.checkout_page().text
    buyer.add(ao_dai.id, 2)  # 600,000: free from 500,000
    page = buyer.checkout_page().text
    assert "Free" in page
    placed(buyer.checkout())
    with app.app_context():
        order = orders()[0]
        assert (order.subtotal, order.shipping_fee, order.total) == (600_000, 0, 600_000)


def test_bank_transfer_shows_the_bank_details(app, client, shop, buyer, non_la):
    set_shop(app, shop, bank_details="Vietcombank 0123456789\nCTK: Nguyễn Thị Mai")
    buyer.add(non_la.id, 1)
    assert "Vietcombank 0123456789" in buyer.checkout_page().text
    location = placed(buyer.checkout(payment_method="bank_transfer"))
    text = client.get(location).text
    assert "Bank transfer" in text
    assert "Vietcombank 0123456789" in text
    assert "#1001" in text


def test_an_order_of_another_shop_or_unknown_is_404(app, client, buyer, other_shop, non_la):
    buyer.add(non_la.id, 1)
    location = placed(buyer.checkout())
    token = location.rsplit("/", 1)[1]
    assert client.get(f"/{other_shop.slug}/orders/{token}").status_code == 404
    assert client.get(f"/{buyer.slug}/orders/not-a-real-token").status_code == 404
    assert client.get(f"/{buyer.slug}/orders/{'x' * 100}").status_code == 404
