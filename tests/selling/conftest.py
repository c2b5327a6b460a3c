"""Selling fixtures: products of the test shops, a member with an address book, a buyer."""

import pytest

from tests.selling import Buyer, make_product
from tests.storefront import MEMBER_EMAIL, MEMBER_PHONE, Shopper, make_member


@pytest.fixture(autouse=True)
def in_english(client):
    """The tests read the pages in English, the texts as written in code."""
    client.post("/language", data={"lang": "en"})


@pytest.fixture
def ao_dai(app, shop):
    """A product that counts its stock: five left."""
    return make_product(app, shop, "Áo dài lụa", 250_000, sku="AD-01", track_stock=True, stock=5)


@pytest.fixture
def non_la(app, shop):
    """A product whose stock is not counted."""
    return make_product(app, shop, "Nón lá Huế", 100_000)


@pytest.fixture
def hidden_product(app, shop):
    return make_product(app, shop, "Hàng ẩn", 50_000, hidden=True)


@pytest.fixture
def foreign_product(app, other_shop):
    return make_product(app, other_shop, "Gốm Bát Tràng", 80_000)


@pytest.fixture
def member(app, shop):
    return make_member(app, shop, MEMBER_EMAIL, MEMBER_PHONE)


@pytest.fixture
def other_member(app, shop):
    return make_member(app, shop, "lan.nguyen@example.com", "+84987000111", first_name="Lan")


@pytest.fixture
def buyer(client, shop):
    return Buyer(client, shop)


@pytest.fixture
def signed_in(client, member):
    response = Shopper(client).login(member)
    assert response.status_code == 302, response.text
    return member
