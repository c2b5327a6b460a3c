"""Catalog fixtures: products made through the services, and real image files."""

from io import BytesIO

import pytest
from PIL import Image

from core.extensions import db
from models import Product
from tests import factories


def png_bytes(size=(800, 600), colour=(200, 80, 60)):
    out = BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def make_product(app):
    """Create a product of ``shop`` with the services; returns (id, slug)."""

    def make(shop, name="Áo dài lụa", price=1_250_000, **values):
        product = factories.make_product(app, shop, name, price, **values)
        return product.id, product.slug

    return make


@pytest.fixture
def product_of(app):
    def get(product_id):
        with app.app_context():
            product = db.session.get(Product, product_id)
            if product is not None:
                product.images  # noqa: B018  (loaded while the session is open)
                db.session.expunge(product)
            return product

    return get
