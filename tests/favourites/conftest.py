"""Favourites fixtures: a member of each test shop, and products made through the services."""

import pytest

from tests import factories
from tests.storefront import MEMBER_EMAIL, MEMBER_PHONE, Shopper, make_member


@pytest.fixture(autouse=True)
def in_english(client):
    client.post("/language", data={"lang": "en"})


@pytest.fixture
def member(app, shop):
    return make_member(app, shop, MEMBER_EMAIL, MEMBER_PHONE)


@pytest.fixture
def other_member(app, other_shop):
    """A member of the other shop (the same person may be a member of both)."""
    return make_member(app, other_shop, "binh.khach@example.com", "+84903999888")


@pytest.fixture
def shopper(client):
    return Shopper(client)


@pytest.fixture
def signed_in(shopper, member):
    response = shopper.login(member)
    assert response.status_code == 302, response.text
    return member


@pytest.fixture
def make_product(app):
    """Create a product of ``shop`` with the services; returns (id, slug)."""

    def make(shop, name="Áo dài lụa", price=1_250_000, **values):
        product = factories.make_product(app, shop, name, price, **values)
        return product.id, product.slug

    return make


@pytest.fixture
def product(shop, make_product):
    return make_product(shop)
