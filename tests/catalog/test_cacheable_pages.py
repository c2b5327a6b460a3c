"""The catalog shows nobody's own data: its pages are not marked personal (their caching is
the catalog's business), even for a signed-in member."""

from tests.storefront import Shopper, make_member


def test_catalog_pages_are_not_marked_personal(app, client, shop, make_product):
    _id, slug = make_product(shop)
    Shopper(client).login(make_member(app, shop, "minh.anh@example.com"))

    for path in ["", f"products/{slug}", "search?q=ao"]:
        response = client.get(f"/{shop.slug}/{path}")
        assert response.status_code == 200, path
        assert "no-store" not in response.headers.get("Cache-Control", ""), path
