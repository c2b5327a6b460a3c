"""The catalog services: slugs from Vietnamese names, amounts, collections, images."""

from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from core.extensions import db
from models import Product, ProductImage, Shop
from services import ServiceError
from services import catalog as catalog_service
from tests.catalog.conftest import png_bytes


@pytest.fixture
def ctx(app, shop):
    """An app context and this test's shop row, for calling services directly."""
    with app.app_context():
        yield db.session.get(Shop, shop.id)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_slug_is_made_from_the_vietnamese_name_without_accents(ctx):
    product = catalog_service.create_product(shop=ctx, name="Áo dài lụa Hà Đông", price=100)
    db.session.commit()
    assert product.slug == "ao-dai-lua-ha-dong"
    assert product.search_text == "ao dai lua ha dong"


def test_duplicate_names_get_numbered_slugs(ctx):
    slugs = [
        catalog_service.create_product(shop=ctx, name="Chân váy xếp ly", price=1).slug
        for _ in range(3)
    ]
    assert slugs == ["chan-vay-xep-ly", "chan-vay-xep-ly-2", "chan-vay-xep-ly-3"]


def test_the_same_slug_is_free_in_another_shop(app, ctx, other_shop):
    catalog_service.create_product(shop=ctx, name="Áo sơ mi linen", price=1)
    other = db.session.get(Shop, other_shop.id)
    assert catalog_service.create_product(shop=other, name="Áo sơ mi linen", price=1).slug == (
        "ao-so-mi-linen"
    )


def test_a_typed_slug_already_in_use_is_refused(ctx):
    catalog_service.create_product(shop=ctx, name="Áo dài", price=1)
    with pytest.raises(ServiceError) as refused:
        catalog_service.create_product(shop=ctx, name="Khác", price=1, slug="Áo dài")
    assert refused.value.field == "slug"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("1250000", 1_250_000), ("1.250.000", 1_250_000), ("1 250 000 ₫", 1_250_000), (0, 0)],
)
def test_prices_are_read_as_whole_dong(ctx, typed, expected):
    assert catalog_service.create_product(shop=ctx, name="A", price=typed).price == expected


@pytest.mark.parametrize("typed", ["-1000", "12.5", "abc", "1e6", "", None, -5, "1,5"])
def test_a_bad_price_is_a_field_error_and_nothing_is_written(ctx, typed):
    with pytest.raises(ServiceError) as refused:
        catalog_service.create_product(shop=ctx, name="Áo", price=typed)
    assert refused.value.field == "price"
    db.session.rollback()
    assert count(Product) == 0


def test_compare_at_price_must_be_above_the_price(ctx):
    with pytest.raises(ServiceError) as refused:
        catalog_service.create_product(shop=ctx, name="Áo", price=500, compare_at_price="400")
    assert refused.value.field == "compare_at_price"


def test_update_keeps_the_slug_and_sets_only_this_shops_collections(app, ctx, other_shop):
    mine = catalog_service.create_collection(shop=ctx, name="Công sở")
    theirs = catalog_service.create_collection(
        shop=db.session.get(Shop, other_shop.id), name="Của người khác"
    )
    product = catalog_service.create_product(shop=ctx, name="Quần âu", price=480_000)
    db.session.flush()
    catalog_service.update_product(
        shop=ctx,
        product=product,
        name="Quần âu ống suông",
        price="480.000",
        collections=[mine.id, theirs.id],
    )
    db.session.commit()
    assert product.slug == "quan-au"
    assert [c.name for c in product.collections] == ["Công sở"]


def test_delete_removes_a_product_without_orders(ctx):
    product = catalog_service.create_product(shop=ctx, name="Áo", price=1)
    db.session.flush()
    assert catalog_service.delete_product(shop=ctx, product=product) == "deleted"
    assert count(Product) == 0


# --- Images ---------------------------------------------------------------------------


def test_a_real_png_is_stored_with_a_400px_thumbnail(app, ctx):
    product = catalog_service.create_product(shop=ctx, name="Áo", price=1)
    image = catalog_service.add_image(
        shop=ctx, product=product, stream=BytesIO(png_bytes((1200, 900)))
    )
    db.session.commit()
    folder = Path(app.instance_path) / "uploads" / ctx.slug
    assert image.filename.endswith(".png")
    assert image.filename != image.thumbnail
    with Image.open(folder / image.thumbnail) as thumb:
        assert thumb.format == "PNG"
        assert max(thumb.size) == 400
    with Image.open(folder / image.filename) as full:
        assert full.size == (1200, 900)


def test_a_text_file_named_jpg_is_refused_and_nothing_is_written(app, ctx):
    product = catalog_service.create_product(shop=ctx, name="Áo", price=1)
    with pytest.raises(ServiceError) as refused:
        catalog_service.add_image(
            shop=ctx, product=product, stream=BytesIO(b"<html>not a picture</html>")
        )
    assert refused.value.field == "images"
    assert product.images == []
    folder = Path(app.instance_path) / "uploads" / ctx.slug
    assert not folder.exists() or not any(folder.iterdir())


def test_an_image_over_5_mb_is_refused(ctx):
    product = catalog_service.create_product(shop=ctx, name="Áo", price=1)
    big = png_bytes((10, 10)) + b"\0" * (5 * 1024 * 1024)
    with pytest.raises(ServiceError, match="5 MB"):
        catalog_service.add_image(shop=ctx, product=product, stream=BytesIO(big))


def test_a_gif_is_refused(ctx):
    product = catalog_service.create_product(shop=ctx, name="Áo", price=1)
    out = BytesIO()
    Image.new("RGB", (4, 4)).save(out, "GIF")
    with pytest.raises(ServiceError):
        catalog_service.add_image(shop=ctx, product=product, stream=BytesIO(out.getvalue()))


def test_removing_an_image_deletes_its_files(app, ctx):
    product = catalog_service.create_product(shop=ctx, name="Áo", price=1)
    image = catalog_service.add_image(shop=ctx, product=product, stream=BytesIO(png_bytes()))
    db.session.commit()
    folder = Path(app.instance_path) / "uploads" / ctx.slug
    files = [folder / image.filename, folder / image.thumbnail]
    catalog_service.remove_image(shop=ctx, image=image)
    db.session.commit()
    assert count(ProductImage) == 0
    assert not any(f.exists() for f in files)
