"""Orders written straight into the database (placing them has tests of its own), the
customers they belong to, and the products whose stock they hold.

The clients speak English here, so the tests read the texts as written in code."""

from dataclasses import dataclass

import pytest

from core.extensions import db
from models import (
    Customer,
    CustomerStatus,
    Order,
    OrderLine,
    Shop,
    utcnow,
)
from services import catalog as catalog_service
from services import customers as customer_service


@dataclass(frozen=True)
class OrderInfo:
    id: int
    number: int
    token: str
    shop_slug: str


@dataclass(frozen=True)
class Line:
    name: str = "Áo dài lụa"
    price: int = 500_000
    quantity: int = 1
    product_id: int | None = None


@pytest.fixture(autouse=True)
def in_english(client):
    client.post("/language", data={"lang": "en"})


@pytest.fixture
def make_order(app):
    """An order of ``shop`` as the checkout leaves it: a number from the shop's counter, a
    token, the buyer's contact copied, its lines and totals."""

    def make(
        shop,
        *,
        customer_id=None,
        lines=(Line(),),
        status="pending",
        payment_status="unpaid",
        payment_method="cod",
        source="member",
        full_name="Phạm Minh Anh",
        email="minh.anh@example.com",
        phone="+84912345678",
        shipping_fee=30_000,
        created_at=None,
    ):
        with app.app_context():
            shop_row = db.session.get(Shop, shop.id)
            shop_row.order_seq += 1
            order = Order(
                shop_id=shop_row.id,
                number=shop_row.order_seq,
                customer_id=customer_id,
                status=status,
                payment_status=payment_status,
                payment_method=payment_method,
                source=source,
                full_name=full_name,
                email=email,
                phone=phone,
                line1="12 Hàng Bạc",
                ward="Phường Hoàn Kiếm",
                province="Thành phố Hà Nội",
                shipping_fee=shipping_fee,
            )
            if created_at is not None:
                order.created_at = created_at
            for line in lines:
                order.lines.append(
                    OrderLine(
                        shop_id=shop_row.id,
                        product_id=line.product_id,
                        product_name=line.name,
                        unit_price=line.price,
                        quantity=line.quantity,
                        line_total=line.price * line.quantity,
                    )
                )
            order.subtotal = sum(line.price * line.quantity for line in lines)
            order.total = order.subtotal + shipping_fee
            db.session.add(order)
            db.session.commit()
            return OrderInfo(order.id, order.number, order.token, shop_row.slug)

    return make


@pytest.fixture
def make_customer(app):
    """A customer of ``shop``: a guest by default, or a member with a password."""

    def make(
        shop,
        *,
        first_name="Minh Anh",
        last_name="Phạm",
        email=None,
        phone=None,
        status=CustomerStatus.GUEST,
        verified=False,
    ):
        with app.app_context():
            shop_row = db.session.get(Shop, shop.id)
            customer = Customer(
                shop_id=shop_row.id,
                shop=shop_row,
                code=customer_service.next_customer_code(shop_row),
                first_name=first_name,
                last_name=last_name,
                email=email,
                status=status,
            )
            if verified:
                customer.email_verified_at = utcnow()
            db.session.add(customer)
            if phone:
                customer_service.add_phone(customer=customer, number=phone)
            db.session.commit()
            return customer.id

    return make


@pytest.fixture
def make_product(app):
    def make(shop, name="Áo dài lụa", price=500_000, **values):
        with app.app_context():
            shop_row = db.session.get(Shop, shop.id)
            product = catalog_service.create_product(
                shop=shop_row, name=name, price=price, **values
            )
            db.session.commit()
            return product.id

    return make
