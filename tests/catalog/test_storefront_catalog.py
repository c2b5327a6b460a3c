"""The catalog as shoppers see it: only this shop's visible products, prices in đồng,
search without accents, and images served from this shop's folder only."""

from io import BytesIO

import pytest

from core.extensions import db
from models import Collection, Product, Shop
from services import catalog as catalog_service
from tests.catalog.conftest import png_bytes


def test_home_shows_featured_and_newest_with_prices_in_dong(client, shop, make_product):
    make_product(shop, name="Áo dài lụa", price=1_250_000, featured=True)
    make_product(shop, name="Áo sơ mi linen", price=420_000)
    make_product(shop, name="Váy ẩn", price=1, hidden=True)
    page = client.get(f"/{shop.slug}/")
    assert "Áo dài lụa" in page.text
    assert "Áo sơ mi linen" in page.text
    assert "Váy ẩn" not in page.text
    assert "1.250.000\xa0₫" in page.text
    assert page.text.count("<h1") == 1


def test_product_page_shows_price_discount_stock_and_description(client, shop, make_product):
    _, slug = make_product(
        shop,
        price=890_000,
        compare_at_price=1_090_000,
        description="Lụa tơ tằm",
        track_stock=True,
        stock=0,
    )
    page = client.get(f"/{shop.slug}/products/{slug}")
    assert page.status_code == 200
    assert "<del" in page.text
    assert "1.090.000\xa0₫" in page.text
    assert "Hết hàng" in page.text
    assert "Lụa tơ tằm" in page.text
    assert page.text.count("<h1") == 1
    assert "product-placeholder" in page.text


def test_a_product_in_stock_says_so(client, shop, make_product):
    _, slug = make_product(shop, track_stock=True, stock=3)
    assert "Còn hàng" in client.get(f"/{shop.slug}/products/{slug}").text


def test_hidden_product_is_404(client, shop, make_product):
    _, slug = make_product(shop, hidden=True)
    assert client.get(f"/{shop.slug}/products/{slug}").status_code == 404


def test_another_shops_product_slug_is_404(client, shop, other_shop, make_product):
    _, slug = make_product(other_shop, name="Chỉ ở shop khác")
    assert client.get(f"/{other_shop.slug}/products/{slug}").status_code == 200
    assert client.get(f"/{shop.slug}/products/{slug}").status_code == 404


@pytest.mark.parametrize("q", ["ao dai", "ÁO DÀI", "dai lua"])
def test_search_ignores_accents(client, shop, other_shop, make_product, q):
    make_product(shop, name="Áo dài lụa")
    make_product(shop, name="Quần âu")
    make_product(other_shop, name="Áo dài của shop khác")
    page = client.get(f"/{shop.slug}/search", query_string={"q": q})
    assert "Áo dài lụa" in page.text
    assert "Quần âu" not in page.text
    assert "shop khác" not in page.text


def test_collection_lists_its_visible_products(app, client, shop, other_shop):
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        office = catalog_service.create_collection(shop=shop_row, name="Công sở")
        db.session.flush()
        for name, hidden in (("Chân váy xếp ly", False), ("Váy ẩn", True)):
            catalog_service.create_product(
                shop=shop_row, name=name, price=1, hidden=hidden, collections=[office]
            )
        catalog_service.create_product(shop=shop_row, name="Ngoài bộ sưu tập", price=1)
        db.session.commit()
    page = client.get(f"/{shop.slug}/collections/cong-so")
    assert page.status_code == 200
    assert "Chân váy xếp ly" in page.text
    assert "Váy ẩn" not in page.text
    assert "Ngoài bộ sưu tập" not in page.text
    assert client.get(f"/{other_shop.slug}/collections/cong-so").status_code == 404


def test_media_serves_only_this_shops_files(app, client, shop, other_shop):
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        product = catalog_service.create_product(shop=shop_row, name="Áo", price=1)
        image = catalog_service.add_image(
            shop=shop_row, product=product, stream=BytesIO(png_bytes())
        )
        db.session.commit()
        filename, thumbnail = image.filename, image.thumbnail
    with client.get(f"/{shop.slug}/media/{thumbnail}") as own:
        assert own.status_code == 200
        assert own.mimetype == "image/png"
    with client.get(f"/{shop.slug}/media/{filename}") as full:
        assert full.status_code == 200
    assert client.get(f"/{other_shop.slug}/media/{filename}").status_code == 404
    for bad in ("..%2F..%2Fconfig.py", "%2e%2e", "0" * 32 + ".png", "notes.txt"):
        assert client.get(f"/{shop.slug}/media/{bad}").status_code == 404
    page = client.get(f"/{shop.slug}/products/ao")
    assert f"/{shop.slug}/media/{filename}" in page.text
    assert 'alt="Áo"' in page.text


def test_models_keep_money_as_integers(app, shop, make_product):
    product_id, _ = make_product(shop, price="1.250.000")
    with app.app_context():
        assert db.session.get(Product, product_id).price == 1_250_000
        assert isinstance(db.session.get(Product, product_id).price, int)
        assert Collection.__table__.c.shop_id.index


def test_the_menu_shows_the_collections_on_every_storefront_page(app, client, shop):
    with app.app_context():
        catalog_service.create_collection(shop=db.session.get(Shop, shop.id), name="Áo dài")
        db.session.commit()
    link = f'href="/{shop.slug}/collections/ao-dai"'
    for path in ("/", "/cart", "/account/login", "/account/register", "/search?q=ao"):
        page = client.get(f"/{shop.slug}{path}")
        assert page.status_code == 200, path
        assert link in page.text, path
