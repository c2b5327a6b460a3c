"""The order page the confirmation email links to (``/<shop>/orders/<token>``): its status
reads as it does in the member's account, colour and all."""

import re

import pytest

from models import OrderStatus
from tests.storefront import Shopper, make_member

COLOURS = {
    "pending": "warning",
    "confirmed": "info",
    "shipping": "primary",
    "completed": "success",
    "cancelled": "secondary",
    "returned": "danger",
}


def status_badge(page):
    """The status badge beside the order's title."""
    heading = re.search(r"<h1.*?</h1>", page, re.S).group(0)
    return re.search(r'<span class="badge[^"]*order-status">[^<]*</span>', heading).group(0)


def test_every_status_is_covered_here():
    assert set(COLOURS) == set(OrderStatus)


@pytest.mark.parametrize("status", sorted(COLOURS))
def test_a_guests_order_page_colours_the_status(client, shop, make_order, status):
    order = make_order(shop, status=status, source="guest")

    page = client.get(f"/{shop.slug}/orders/{order.token}")

    assert page.status_code == 200
    badge = status_badge(page.text)
    assert f"text-bg-{COLOURS[status]}" in badge
    assert "text-bg-light" not in badge


@pytest.mark.parametrize("status", ["pending", "shipping", "returned"])
def test_the_order_page_shows_the_status_as_the_account_does(app, client, shop, make_order, status):
    member = make_member(app, shop, "minh.anh@example.com", "+84912345678")
    assert Shopper(client).login(member).status_code == 302
    order = make_order(shop, customer_id=member.id, status=status)
    client.post("/language", data={"lang": "vi"})

    by_link = status_badge(client.get(f"/{shop.slug}/orders/{order.token}").text)
    in_account = status_badge(client.get(f"/{shop.slug}/account/orders/{order.number}").text)

    assert by_link == in_account
    listed = client.get(f"/{shop.slug}/account/orders").text
    assert by_link.replace(" align-middle fs-6", "") in listed
    overview = client.get(f"/{shop.slug}/account/").text
    assert by_link.replace(" align-middle fs-6", "") in overview
