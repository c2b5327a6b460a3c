"""Selling: the cart, the checkout and placing orders, as guests and as members. Helpers
shared by the tests of this package."""

from dataclasses import dataclass

from sqlalchemy import func, select

from core.extensions import db
from models import Address, Customer, Order, Product, Shop

GUEST = {
    "full_name": "Trần Thị Bình",
    "email": "binh.tran@example.com",
    "phone": "0903 111 222",
    "line1": "12 Nguyễn Trãi",
    "ward": "Phường Bến Thành",
    "district": "",
    "province": "Hồ Chí Minh",
    "note": "Giao giờ hành chính",
    "payment_method": "cod",
}


@dataclass(frozen=True)
class ProductInfo:
    id: int
    slug: str
    price: int


def make_product(app, shop, name, price, **values):
    from services import catalog as catalog_service

    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        product = catalog_service.create_product(shop=shop_row, name=name, price=price, **values)
        db.session.commit()
        return ProductInfo(product.id, product.slug, product.price)


def set_product(app, product_id, **values):
    with app.app_context():
        product = db.session.get(Product, product_id)
        for key, value in values.items():
            setattr(product, key, value)
        db.session.commit()


def set_shop(app, shop, **values):
    with app.app_context():
        row = db.session.get(Shop, shop.id)
        for key, value in values.items():
            setattr(row, key, value)
        db.session.commit()


def add_address(app, member_id, **values):
    with app.app_context():
        customer = db.session.get(Customer, member_id)
        address = Address(
            shop_id=customer.shop_id,
            full_name=values.pop("full_name", "Phạm Minh Anh"),
            phone=values.pop("phone", "+84912345678"),
            line1=values.pop("line1", "45 Lê Lợi"),
            ward=values.pop("ward", "Phường Sài Gòn"),
            province=values.pop("province", "Hồ Chí Minh"),
            is_default=values.pop("is_default", True),
            **values,
        )
        customer.addresses.append(address)
        db.session.commit()
        return address.id


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def stock_of(product_id):
    return db.session.get(Product, product_id).stock


def orders():
    return db.session.scalars(select(Order).order_by(Order.number)).all()


class Buyer:
    """A shopper with the test client, at one shop."""

    def __init__(self, client, shop):
        self.client = client
        self.slug = shop.slug
        self.shop_id = shop.id

    def add(self, product_id, quantity=1, shop_slug=None):
        """The page the shopper lands on (redirects followed), flashed messages and all."""
        return self.client.post(
            f"/{shop_slug or self.slug}/cart/add",
            data={"product_id": product_id, "quantity": quantity},
            follow_redirects=True,
        )

    def cart(self):
        return self.client.get(f"/{self.slug}/cart")

    def update(self, **quantities):
        return self.client.post(f"/{self.slug}/cart/update", data=quantities, follow_redirects=True)

    def remove(self, product_id):
        return self.client.post(
            f"/{self.slug}/cart/remove", data={"product_id": product_id}, follow_redirects=True
        )

    def checkout_page(self):
        return self.client.get(f"/{self.slug}/checkout")

    def checkout(self, **fields):
        return self.client.post(f"/{self.slug}/checkout", data={**GUEST, **fields})

    def cart_items(self):
        with self.client.session_transaction() as session:
            return dict((session.get("carts") or {}).get(str(self.shop_id), {}))
