"""Orders written straight into the database (placing them has tests of its own), the
customers they belong to, and the products whose stock they hold.

The clients speak English here, so the tests read the texts as written in code."""

from functools import partial

import pytest

from tests import factories
from tests.factories import Line, OrderInfo  # noqa: F401 (tests import them from here)


@pytest.fixture(autouse=True)
def in_english(client):
    client.post("/language", data={"lang": "en"})


@pytest.fixture
def make_order(app):
    """An order of ``shop`` as the checkout leaves it (``tests.factories.make_order``)."""
    return partial(factories.make_order, app)


@pytest.fixture
def make_customer(app):
    """A customer of ``shop``: a guest by default, or a member with a password."""
    return partial(factories.make_guest, app)


@pytest.fixture
def make_product(app):
    def make(shop, name="Áo dài lụa", price=500_000, **values):
        return factories.make_product(app, shop, name, price, **values).id

    return make
