"""CSRF protection as in production (the other tests turn it off): every POST route, read
from the app's URL map so that a new one is covered without being listed, answers 400 to a
post without its token and writes nothing; a real form post with the token works."""

import re

import pytest
from sqlalchemy import select

from core.extensions import db
from models import Address, Customer, CustomerStatus, Shop
from services import customers as customer_service
from tests.conftest import PASSWORD, csrf_token_of

ARGUMENT = re.compile(r"<(?:[a-z]+:)?[a-z_]+>")

# What the forms ask for, so that a post let through without its token would have what it
# needs to change something (and the "nothing written" check would see it).
FORM = {
    "email": "ke.gian@example.com",
    "login": "ke.gian@example.com",
    "password": "mat khau ke gian 1",
    "password_confirm": "mat khau ke gian 1",
    "current_password": PASSWORD,
    "first_name": "Gian",
    "last_name": "Kẻ",
    "name": "Kẻ Gian",
    "slug": "cua-hang-ke-gian",
    "shop_name": "Cửa hàng kẻ gian",
    "owner_email": "ke.gian@example.com",
    "owner_password": "mat khau ke gian 1",
    "phone": "0987 654 321",
    "new_phone": "0987 654 322",
    "role": "staff",
    "reason": "không có lý do",
    "action": "approve",
    "ids": "1",
    "customer_ids": "1",
    "locale": "en",
    "language": "en",
    "full_name": "Kẻ Gian",
    "line1": "1 Đường Giả",
    "ward": "Phường Giả",
    "province": "Hà Nội",
    "auto_approve_members": "y",
}


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def post_routes(app, shop_slug):
    """(endpoint, path) of every route that takes a POST, its arguments given as 1 (the
    rows the fixtures below make first) and its shop as ``shop_slug``."""
    routes = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            path = ARGUMENT.sub("1", rule.rule.replace("<shop>", shop_slug))
            routes.append((rule.endpoint, path))
    assert routes, "no POST routes found"
    return sorted(routes)


def everything(app):
    """Every row of every table: a post refused for its token must leave all of it as it was."""
    with app.app_context():
        return {
            table.name: db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
            for table in db.metadata.sorted_tables
        }


@pytest.fixture
def member(app, shop):
    """An official member with a phone and an address: customer, phone and address 1."""
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        customer = Customer(
            shop_id=shop.id,
            shop=shop_row,
            code=customer_service.next_customer_code(shop_row),
            email="minh.anh@example.com",
            first_name="Minh Anh",
            status=CustomerStatus.OFFICIAL,
        )
        customer.set_password(PASSWORD)
        db.session.add(customer)
        customer_service.add_phone(customer=customer, number="+84912345678")
        customer.addresses.append(
            Address(shop_id=shop.id, full_name="Minh Anh", line1="1 Lý Thái Tổ", province="Hà Nội")
        )
        db.session.commit()
        assert customer.id == customer.phones[0].id == customer.addresses[0].id == 1
        return customer.email


def posts_without_a_token(client, app, shop_slug):
    """Post every route with the form but no token; return the answers that are not 400."""
    let_through = []
    for endpoint, path in post_routes(app, shop_slug):
        response = client.post(path, data=FORM)
        if response.status_code != 400:
            let_through.append((endpoint, path, response.status_code))
    return let_through


def log_in(client, path, data):
    page = client.get(path)
    assert page.status_code == 200
    response = client.post(path, data={**data, "csrf_token": csrf_token_of(page.text)})
    assert response.status_code == 302, response.text
    return response


# --- Refused without the token --------------------------------------------------------


def test_every_post_route_refuses_an_anonymous_post_without_a_token(app, client, shop, member):
    before = everything(app)
    assert posts_without_a_token(client, app, shop.slug) == []
    assert everything(app) == before


def test_every_post_route_refuses_the_owners_post_without_a_token(app, client, shop, owner, member):
    log_in(client, f"/{shop.slug}/admin/login", {"email": owner.email, "password": PASSWORD})
    before = everything(app)
    assert posts_without_a_token(client, app, shop.slug) == []
    assert everything(app) == before
    # Logging out without the token did not log out either.
    assert client.get(f"/{shop.slug}/admin/").status_code == 200


def test_every_post_route_refuses_a_members_post_without_a_token(app, client, shop, member):
    log_in(client, f"/{shop.slug}/account/login", {"login": member, "password": PASSWORD})
    before = everything(app)
    assert posts_without_a_token(client, app, shop.slug) == []
    assert everything(app) == before
    assert client.get(f"/{shop.slug}/account/").status_code == 200


def test_a_made_up_token_or_another_visitors_token_is_refused(app, shop, owner):
    mine, theirs = app.test_client(), app.test_client()
    path = f"/{shop.slug}/admin/login"
    their_token = csrf_token_of(theirs.get(path).text)
    mine.get(path)
    data = {"email": owner.email, "password": PASSWORD}
    for token in ["", "made-up", their_token, their_token + "x"]:
        assert mine.post(path, data={**data, "csrf_token": token}).status_code == 400, token
    assert mine.get(f"/{shop.slug}/admin/").status_code == 302


@pytest.mark.parametrize("path", ["/language", "/{shop}/cart/add", "/{shop}/admin/logout"])
def test_a_refused_post_says_the_form_has_expired_in_the_readers_language(app, client, shop, path):
    # Each page once answered a missing token its own way; one handler answers them all now.
    with client.session_transaction() as session:
        session["lang"] = "en"
    response = client.post(path.format(shop=shop.slug), data=FORM)
    assert response.status_code == 400
    assert "The form has expired. Please try again." in response.text
    as_json = client.post(
        path.format(shop=shop.slug), data=FORM, headers={"Accept": "application/json"}
    )
    assert as_json.status_code == 400
    assert as_json.json["message"] == "The form has expired. Please try again."


# --- Accepted with it -----------------------------------------------------------------


def test_the_admin_login_form_works_with_its_token(app, client, shop, owner):
    response = log_in(
        client, f"/{shop.slug}/admin/login", {"email": owner.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == f"/{shop.slug}/admin/"
    dashboard = client.get(f"/{shop.slug}/admin/")
    assert dashboard.status_code == 200
    # The logout button carries its own token.
    logout = client.post(
        f"/{shop.slug}/admin/logout", data={"csrf_token": csrf_token_of(dashboard.text)}
    )
    assert logout.status_code == 302
    assert client.get(f"/{shop.slug}/admin/").status_code == 302


def test_the_storefront_registration_form_works_with_its_token(app, client, shop):
    assert "storefront.register" in {rule.endpoint for rule in app.url_map.iter_rules()}
    path = f"/{shop.slug}/account/register"
    page = client.get(path)
    assert page.status_code == 200
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token_of(page.text),
            "last_name": "Nguyễn Văn",
            "first_name": "An",
            "email": "an@example.com",
            "phone": "0912 345 678",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )
    assert response.status_code == 302, response.text
    with app.app_context():
        customer = db.session.scalars(select(Customer)).one()
        assert (customer.email, customer.status) == ("an@example.com", "temporary")
