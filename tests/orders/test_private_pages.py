"""An order's pages show a person's name, phone and address: no browser or proxy keeps a
copy of them (the back button on a shared computer shows nothing once the buyer has left)."""

from tests.storefront import Shopper, make_member


def test_the_order_page_of_its_link_is_kept_out_of_caches(client, shop, make_order):
    order = make_order(shop, source="guest")

    response = client.get(f"/{shop.slug}/orders/{order.token}")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_the_members_order_pages_are_kept_out_of_caches(app, client, shop, make_order):
    member = make_member(app, shop, "minh.anh@example.com", "+84912345678")
    order = make_order(shop, customer_id=member.id)
    Shopper(client).login(member)

    for path in ["account/orders", f"account/orders/{order.number}"]:
        response = client.get(f"/{shop.slug}/{path}")
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
