"""The storefront keeps what its catalog pages show in memory, per shop, until the shop's
catalog changes. Each test fills that memory by showing a page first, changes the catalog
the way the shop or a shopper would, and reads the page again: it must show the change.
The pages are read in Vietnamese, the shop's language."""

from core.extensions import db
from models import Collection, Order, Product, ProductImage, Shop
from services import catalog as catalog_service
from services import order_status as order_status_service
from storefront import showcase
from storefront.showcase import CatalogCache
from tests.catalog.conftest import png_bytes
from tests.selling import Buyer, make_product
from tests.sql import Statements


def page(client, shop, slug):
    return client.get(f"/{shop.slug}/products/{slug}")


def edit(app, shop, product_id, change):
    """Run ``change(shop_row, product_row)`` in one transaction, as a view would."""
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        product = db.session.get(Product, product_id)
        change(shop_row, product)
        db.session.commit()


def update(shop_row, product, **values):
    current = {
        "name": product.name,
        "price": product.price,
        "description": product.description,
        "track_stock": product.track_stock,
        "stock": product.stock,
    }
    catalog_service.update_product(
        shop=shop_row, product=product, **{**current, **values}, slug=product.slug
    )


def test_a_shown_product_page_is_served_with_one_statement(app, client, shop):
    product = make_product(app, shop, "Áo dài lụa", 250_000)
    make_product(app, shop, "Nón lá Huế", 100_000)
    assert page(client, shop, product.slug).status_code == 200
    with Statements(app) as seen:
        again = page(client, shop, product.slug)
    assert again.status_code == 200
    assert "Áo dài lụa" in again.text
    assert len(seen) == 1, seen  # the shop's row: tenancy reads it on every request


def test_a_price_change_shows_at_once(app, client, shop):
    product = make_product(app, shop, "Áo dài lụa", 250_000)
    assert "250.000" in page(client, shop, product.slug).text
    edit(app, shop, product.id, lambda s, p: update(s, p, price=199_000))
    text = page(client, shop, product.slug).text
    assert "199.000" in text
    assert "250.000" not in text


def test_a_renamed_product_shows_its_new_name_on_every_catalog_page(app, client, shop):
    product = make_product(app, shop, "Áo dài lụa", 250_000, featured=True)
    assert "Áo dài lụa" in client.get(f"/{shop.slug}/").text
    assert "Áo dài lụa" in page(client, shop, product.slug).text
    edit(app, shop, product.id, lambda s, p: update(s, p, name="Áo dài gấm"))
    assert "Áo dài gấm" in client.get(f"/{shop.slug}/").text
    assert "Áo dài gấm" in page(client, shop, product.slug).text


def test_hiding_or_deleting_a_shown_product_makes_its_page_404(app, client, shop):
    kept = make_product(app, shop, "Áo dài lụa", 250_000)
    gone = make_product(app, shop, "Nón lá Huế", 100_000)
    assert page(client, shop, kept.slug).status_code == 200
    assert page(client, shop, gone.slug).status_code == 200
    edit(app, shop, kept.id, lambda s, p: catalog_service.hide_product(shop=s, product=p))
    edit(app, shop, gone.id, lambda s, p: catalog_service.delete_product(shop=s, product=p))
    assert page(client, shop, kept.slug).status_code == 404
    assert page(client, shop, gone.slug).status_code == 404
    assert "Áo dài lụa" not in client.get(f"/{shop.slug}/").text


def test_a_change_written_without_the_services_shows_too(app, client, shop):
    product = make_product(app, shop, "Áo dài lụa", 250_000)
    assert "Hết hàng" not in page(client, shop, product.slug).text
    with app.app_context():
        row = db.session.get(Product, product.id)
        row.track_stock, row.stock = True, 0
        db.session.commit()
    assert "Hết hàng" in page(client, shop, product.slug).text


def test_an_added_or_removed_image_shows(app, client, shop):
    product = make_product(app, shop, "Áo dài lụa", 250_000)
    assert "product-placeholder" in page(client, shop, product.slug).text

    def add(s, p):
        from io import BytesIO

        catalog_service.add_image(shop=s, product=p, stream=BytesIO(png_bytes()))

    edit(app, shop, product.id, add)
    with app.app_context():
        image = db.session.scalar(
            db.select(ProductImage).where(ProductImage.product_id == product.id)
        )
        filename = image.filename
    text = page(client, shop, product.slug).text
    assert filename in text
    assert "product-placeholder" not in text

    def remove(s, p):
        catalog_service.remove_image(shop=s, image=p.images[0])

    edit(app, shop, product.id, remove)
    text = page(client, shop, product.slug).text
    assert filename not in text
    assert "product-placeholder" in text


def test_collections_changes_show_on_the_product_and_in_the_menu(app, client, shop):
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        collection = catalog_service.create_collection(shop=shop_row, name="Áo dài")
        db.session.commit()
        collection_id = collection.id
    product = make_product(app, shop, "Áo dài lụa", 250_000)
    link = f'<a class="link-secondary" href="/{shop.slug}/collections/ao-dai">'
    before = page(client, shop, product.slug).text
    assert f"/{shop.slug}/collections/ao-dai" in before  # in the menu
    assert link not in before  # the product is in no collection yet
    edit(
        app,
        shop,
        product.id,
        lambda s, p: catalog_service.set_collections(
            shop=s, product=p, collections=[collection_id]
        ),
    )
    assert link in page(client, shop, product.slug).text
    with app.app_context():
        db.session.get(Collection, collection_id).name = "Áo dài cưới"
        db.session.commit()
    text = page(client, shop, product.slug).text
    assert "Áo dài cưới" in text
    assert ">Áo dài<" not in text


def test_stock_follows_orders_placed_and_cancelled(app, client, shop):
    product = make_product(app, shop, "Áo dài lụa", 250_000, track_stock=True, stock=1)
    assert "Còn hàng" in page(client, shop, product.slug).text
    buyer = Buyer(client, shop)
    buyer.add(product.id)
    placed = buyer.checkout()
    assert placed.status_code == 302, placed.text
    assert "Hết hàng" in page(client, shop, product.slug).text
    with app.app_context():
        order = db.session.scalar(db.select(Order))
        order_status_service.change_order_status(
            shop=db.session.get(Shop, shop.id), order=order, actor=None, status="cancelled"
        )
        db.session.commit()
    assert "Còn hàng" in page(client, shop, product.slug).text


def test_each_shop_sees_its_own_product_under_the_same_slug(app, client, shop, other_shop):
    ours = make_product(app, shop, "Áo dài lụa", 250_000, description="Của tiệm này")
    theirs = make_product(app, other_shop, "Áo dài lụa", 990_000, description="Của tiệm khác")
    assert ours.slug == theirs.slug
    for _ in range(2):
        assert "Của tiệm này" in page(client, shop, ours.slug).text
        assert "Của tiệm khác" in page(client, other_shop, theirs.slug).text
    edit(app, other_shop, theirs.id, lambda s, p: catalog_service.hide_product(shop=s, product=p))
    assert page(client, other_shop, theirs.slug).status_code == 404
    assert page(client, shop, ours.slug).status_code == 200


def test_a_big_catalog_is_kept_product_by_product(app, client, shop, monkeypatch):
    monkeypatch.setattr(showcase, "WHOLE_CATALOG_LIMIT", 2)
    products = [make_product(app, shop, f"Sản phẩm {n}", 10_000 * n) for n in range(1, 4)]
    hidden = make_product(app, shop, "Hàng ẩn", 1_000, hidden=True)
    for product in products:
        assert page(client, shop, product.slug).status_code == 200
    assert page(client, shop, hidden.slug).status_code == 404
    assert page(client, shop, "khong-co").status_code == 404
    with Statements(app) as seen:
        assert "Sản phẩm 2" in page(client, shop, products[1].slug).text
    assert len(seen) == 1
    edit(app, shop, products[1].id, lambda s, p: update(s, p, price=77_000))
    assert "77.000" in page(client, shop, products[1].slug).text


# --- The cache itself ---------------------------------------------------------------


class FakeShop:
    def __init__(self, id, catalog_version=0):
        self.id, self.catalog_version = id, catalog_version


def test_the_cache_keeps_a_value_per_shop_and_version():
    cache = CatalogCache()
    shop = FakeShop(1)
    built = []
    assert cache.get(shop, "k", lambda: built.append(1) or "v1") == "v1"
    assert cache.get(shop, "k", lambda: built.append(1) or "other") == "v1"
    assert len(built) == 1
    assert cache.get(FakeShop(2), "k", lambda: "shop two") == "shop two"
    shop.catalog_version = 1
    assert cache.get(shop, "k", lambda: "v2") == "v2"


def test_a_copy_of_an_older_version_does_not_replace_a_newer_one():
    cache = CatalogCache()
    assert cache.get(FakeShop(1, 5), "k", lambda: "new") == "new"
    # A request that read version 4 before the change finishes late: served, not kept.
    assert cache.get(FakeShop(1, 4), "k", lambda: "old") == "old"
    assert cache.get(FakeShop(1, 5), "k", lambda: "rebuilt") == "new"


def test_the_cache_drops_the_least_recently_used_shops_past_its_weight():
    cache = CatalogCache(max_weight=10)
    cache.get(FakeShop(1), "catalog", lambda: "one", weigh=lambda v: 6)
    cache.get(FakeShop(2), "catalog", lambda: "two", weigh=lambda v: 3)
    cache.get(FakeShop(1), "catalog", lambda: "rebuilt")  # shop 1 used last
    cache.get(FakeShop(3), "catalog", lambda: "three", weigh=lambda v: 3)
    assert cache.weight <= 10
    assert cache.get(FakeShop(2), "catalog", lambda: "two again") == "two again"
    assert cache.get(FakeShop(1), "catalog", lambda: "rebuilt") in ("one", "rebuilt")


def test_nothing_to_show_is_not_kept():
    cache = CatalogCache()
    assert cache.get(FakeShop(1), "k", lambda: None) is None
    assert cache.get(FakeShop(1), "k", lambda: "now there") == "now there"
