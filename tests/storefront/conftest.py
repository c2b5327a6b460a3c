"""Members of the test shops and a shopper who logs in with them.

Members are written straight into the database (the registration pages have tests of their
own); the storefront client speaks English, so the tests read the texts as written in code,
whatever the Vietnamese catalog says."""

import pytest

from models import CustomerStatus
from tests.storefront import MEMBER_EMAIL, MEMBER_PHONE, Shopper, make_member


@pytest.fixture(autouse=True)
def in_english(client):
    """Shoppers may switch the storefront to English; these tests read it that way."""
    client.post("/language", data={"lang": "en"})


@pytest.fixture
def member(app, shop):
    return make_member(app, shop, MEMBER_EMAIL, MEMBER_PHONE)


@pytest.fixture
def temporary_member(app, shop):
    return make_member(
        app, shop, "cho.duyet@example.com", "+84987654321", status=CustomerStatus.TEMPORARY
    )


@pytest.fixture
def cancelled_member(app, shop):
    return make_member(
        app, shop, "da.huy@example.com", "+84903123456", status=CustomerStatus.CANCELLED
    )


@pytest.fixture
def shopper(client):
    return Shopper(client)


@pytest.fixture
def signed_in(shopper, member):
    """The official member, logged in at their shop."""
    response = shopper.login(member)
    assert response.status_code == 302, response.text
    return member
