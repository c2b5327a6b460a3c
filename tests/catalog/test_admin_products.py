"""The catalog in the admin: managers create, edit and delete; staff only look; another
shop's product is a page that does not exist."""

from io import BytesIO

import pytest
from sqlalchemy import func, select

from core.extensions import db
from models import Collection, OrderLine, Product, ProductImage
from tests.catalog.conftest import png_bytes
from tests.selling import Buyer


def product_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Product))


def form(**values):
    data = {"name": "Áo dài lụa Hà Đông", "price": "1.250.000", "description": "Lụa tơ tằm"}
    data.update(values)
    return data


def test_manager_creates_a_product_with_a_slug_from_its_name(app, client, auth, shop, manager):
    auth.login_staff(manager)
    response = client.post(f"/{shop.slug}/admin/products/new", data=form(featured="y"))
    assert response.status_code == 302
    with app.app_context():
        product = db.session.scalar(select(Product))
        assert (product.slug, product.price, product.featured) == (
            "ao-dai-lua-ha-dong",
            1_250_000,
            True,
        )
        assert response.headers["Location"].endswith(f"/products/{product.id}/edit")


@pytest.mark.parametrize("price", ["-5000", "12.5", "năm trăm"])
def test_a_bad_price_shows_beside_the_field_and_writes_nothing(
    app, client, auth, shop, owner, price
):
    auth.login_staff(owner)
    response = client.post(f"/{shop.slug}/admin/products/new", data=form(price=price))
    assert response.status_code == 200
    assert 'id="price"' in response.text
    assert "is-invalid" in response.text
    assert product_count(app) == 0


def test_a_product_with_images_is_saved_with_them(app, client, auth, shop, owner):
    auth.login_staff(owner)
    files = [(BytesIO(png_bytes()), "a.png"), (BytesIO(png_bytes((50, 50))), "b.png")]
    response = client.post(
        f"/{shop.slug}/admin/products/new",
        data=form(images=files),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProductImage)) == 2


def test_a_refused_image_saves_nothing(app, client, auth, shop, owner):
    auth.login_staff(owner)
    response = client.post(
        f"/{shop.slug}/admin/products/new",
        data=form(images=[(BytesIO(b"just text"), "photo.jpg")]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert product_count(app) == 0


def test_edit_changes_the_named_fields_and_collections(
    app, client, auth, shop, owner, make_product
):
    product_id, _slug = make_product(shop)
    with app.app_context():
        collection = Collection(shop_id=shop.id, name="Áo dài", slug="ao-dai")
        db.session.add(collection)
        db.session.commit()
        collection_id = collection.id
    auth.login_staff(owner)
    page = client.get(f"/{shop.slug}/admin/products/{product_id}/edit")
    assert page.status_code == 200
    assert 'value="1250000"' in page.text
    response = client.post(
        f"/{shop.slug}/admin/products/{product_id}/edit",
        data=form(
            name="Áo dài mới",
            price="990000",
            hidden="y",
            collections=[collection_id],
            shop_id="999",
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        product = db.session.get(Product, product_id)
        assert (product.name, product.price, product.hidden, product.shop_id) == (
            "Áo dài mới",
            990_000,
            True,
            shop.id,
        )
        assert [c.id for c in product.collections] == [collection_id]


def test_list_searches_without_accents_and_marks_hidden(
    client, auth, shop, staff_member, make_product
):
    make_product(shop, name="Áo dài lụa", hidden=True)
    make_product(shop, name="Quần âu")
    auth.login_staff(staff_member)
    page = client.get(f"/{shop.slug}/admin/products", query_string={"q": "ao dai"})
    assert "Áo dài lụa" in page.text
    assert "Quần âu" not in page.text
    assert "product-hidden" in page.text


def test_list_is_paginated(client, auth, shop, owner, make_product):
    for n in range(51):
        make_product(shop, name=f"Áo {n}")
    auth.login_staff(owner)
    first = client.get(f"/{shop.slug}/admin/products")
    assert first.text.count("product-thumb ") == 50
    second = client.get(f"/{shop.slug}/admin/products?page=2")
    assert second.text.count("product-thumb ") == 1


def test_staff_may_look_but_not_change(app, client, auth, shop, staff_member, make_product):
    product_id, _ = make_product(shop)
    auth.login_staff(staff_member)
    assert client.get(f"/{shop.slug}/admin/products/{product_id}/edit").status_code == 200
    assert client.get(f"/{shop.slug}/admin/products/new").status_code == 403
    edit = client.post(f"/{shop.slug}/admin/products/{product_id}/edit", data=form(name="X"))
    assert edit.status_code == 403
    assert client.post(f"/{shop.slug}/admin/products/{product_id}/delete").status_code == 403
    assert client.post(f"/{shop.slug}/admin/collections", data={"name": "X"}).status_code == 403
    assert product_count(app) == 1


def test_another_shops_product_is_404(app, client, auth, shop, other_shop, owner, make_product):
    foreign_id, _ = make_product(other_shop)
    auth.login_staff(owner)
    base = f"/{shop.slug}/admin/products/{foreign_id}"
    assert client.get(f"{base}/edit").status_code == 404
    assert client.post(f"{base}/edit", data=form()).status_code == 404
    assert client.post(f"{base}/delete").status_code == 404
    assert product_count(app) == 1


def test_delete_and_image_delete(app, client, auth, shop, owner, make_product):
    product_id, _ = make_product(shop)
    auth.login_staff(owner)
    client.post(
        f"/{shop.slug}/admin/products/{product_id}/edit",
        data=form(images=[(BytesIO(png_bytes()), "a.png")]),
        content_type="multipart/form-data",
    )
    with app.app_context():
        image_id = db.session.scalar(select(ProductImage.id))
    other_id, _ = make_product(shop, name="Khác")
    wrong = client.post(f"/{shop.slug}/admin/products/{other_id}/images/{image_id}/delete")
    assert wrong.status_code == 404
    ok = client.post(f"/{shop.slug}/admin/products/{product_id}/images/{image_id}/delete")
    assert ok.status_code == 302
    assert client.post(f"/{shop.slug}/admin/products/{product_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Product, product_id) is None


def test_deleting_an_ordered_product_hides_it_and_keeps_the_order(
    app, client, auth, shop, owner, make_product
):
    product_id, slug = make_product(shop, name="Áo dài lụa")
    buyer = Buyer(client, shop)
    buyer.add(product_id)
    assert buyer.checkout().status_code == 302
    auth.login_staff(owner)
    done = client.post(f"/{shop.slug}/admin/products/{product_id}/delete", follow_redirects=True)
    assert "Áo dài lụa đã có đơn hàng nên được ẩn thay vì xoá." in done.text
    with app.app_context():
        product = db.session.get(Product, product_id)
        assert product is not None
        assert product.hidden
        line = db.session.scalar(select(OrderLine))
        assert line.product_id == product_id
        assert line.product_name == "Áo dài lụa"
    assert client.get(f"/{shop.slug}/products/{slug}").status_code == 404


def test_manager_creates_a_collection(app, client, auth, shop, manager):
    auth.login_staff(manager)
    response = client.post(f"/{shop.slug}/admin/collections", data={"name": "Công sở"})
    assert response.status_code == 302
    page = client.get(f"/{shop.slug}/admin/collections")
    assert "Công sở" in page.text
    assert "/collections/cong-so" in page.text
