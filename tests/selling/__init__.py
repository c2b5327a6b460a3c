"""Selling: the cart, the checkout and placing orders, as guests and as members. Helpers
shared by the tests of this package."""

from sqlalchemy import func, select

from core.extensions import db
from models import Order, Product, Shop
from tests.factories import ProductInfo, add_address, make_product  # noqa: F401

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
