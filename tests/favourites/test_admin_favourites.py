"""The customer's record in the admin lists their favourite products."""

from core.extensions import db
from models import Customer, Product, Shop
from services import favourites as favourite_service


def like(app, shop, member_id, product_id):
    with app.app_context():
        favourite_service.add_favourite(
            shop=db.session.get(Shop, shop.id),
            customer=db.session.get(Customer, member_id),
            product=db.session.get(Product, product_id),
        )
        db.session.commit()


def test_the_customer_record_lists_their_favourites(
    app, client, auth, shop, owner, member, make_product
):
    scarf, _ = make_product(shop, name="Khăn lụa", price=350_000)
    secret, _ = make_product(shop, name="Sắp ra mắt", hidden=True)
    like(app, shop, member.id, scarf)
    like(app, shop, member.id, secret)
    auth.login_staff(owner)

    page = client.get(f"/{shop.slug}/admin/customers/{member.id}")
    assert page.status_code == 200
    html = page.text
    assert "customer-favourites" in html
    assert f'href="/{shop.slug}/admin/products/{scarf}/edit"' in html
    assert f'href="/{shop.slug}/admin/products/{secret}/edit"' in html
    assert "Khăn lụa" in html
    assert "Sắp ra mắt" in html


def test_a_customer_without_favourites_says_so(client, auth, shop, owner, member):
    auth.login_staff(owner)
    html = client.get(f"/{shop.slug}/admin/customers/{member.id}").text
    assert "customer-favourites" not in html
    assert "favourites-title" in html
