"""Every admin page refuses people who are not staff of that shop. The routes are read from
the app's URL map, so a new admin page is covered without being listed here."""

import re

import pytest

from tests.conftest import PASSWORD

# Pages for people who are not (yet) staff here: the login, and the page an invitation's link
# opens (tests/admin/test_invitations.py: without a pending invitation's token it is 404).
PUBLIC = {"admin.login", "admin.invitation"}


def admin_urls(app, shop_slug):
    """(method, path) of every admin route, with harmless values for its arguments."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or rule.endpoint in PUBLIC:
            continue
        path = rule.rule.replace("<shop>", shop_slug)
        path = re.sub(r"<(?:int:)?[a-z_]+>", "1", path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            urls.append((method, path))
    assert urls, "no admin routes found"
    return urls


def request(client, method, path):
    return client.open(path, method=method, data={})


def test_every_admin_route_sends_anonymous_visitors_to_the_login(app, client, shop):
    for method, path in admin_urls(app, shop.slug):
        response = request(client, method, path)
        if path.endswith("/logout"):
            assert response.status_code == 302
            continue
        assert response.status_code == 302, (method, path)
        assert response.headers["Location"].startswith(f"/{shop.slug}/admin/login"), path


def test_every_admin_route_is_404_for_staff_of_another_shop(app, client, auth, shop, other_owner):
    auth.login_staff(other_owner)
    assert client.get(f"/{other_owner.shop_slug}/admin/").status_code == 200
    for method, path in admin_urls(app, shop.slug):
        if path.endswith("/logout"):
            continue
        response = request(client, method, path)
        assert response.status_code == 404, (method, path, response.status_code)


def test_another_shops_admin_answers_like_a_missing_page(client, auth, shop, other_owner):
    auth.login_staff(other_owner)
    foreign = client.get(f"/{shop.slug}/admin/")
    missing = client.get(f"/{other_owner.shop_slug}/admin/no-such-page")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.text.replace(shop.slug, "").count("404") == missing.text.count("404")


def test_unknown_shop_is_404(client):
    assert client.get("/khong-co-shop/").status_code == 404
    assert client.get("/khong-co-shop/admin/").status_code == 404
    assert client.get("/khong-co-shop/admin/login").status_code == 404


def test_staff_cannot_log_in_at_a_shop_they_do_not_belong_to(client, shop, other_owner):
    response = client.post(
        f"/{shop.slug}/admin/login",
        data={"email": other_owner.email, "password": PASSWORD},
        follow_redirects=True,
    )
    assert "/admin/login" in response.request.path
    assert client.get(f"/{shop.slug}/admin/").status_code == 302


def test_staff_role_cannot_open_manager_pages(client, auth, shop, staff_member):
    auth.login_staff(staff_member)
    assert client.get(f"/{shop.slug}/admin/").status_code == 200
    assert client.get(f"/{shop.slug}/admin/staff").status_code == 403


@pytest.mark.parametrize("path", ["/admin/", "/admin/emails"])
def test_a_staff_member_of_two_shops_sees_each_admin(app, client, auth, shop, other_shop, path):
    from tests.conftest import make_staff

    person = make_staff(app, shop, "hai.shop@example.com", "manager")
    make_staff(app, other_shop, "hai.shop@example.com", "staff")
    auth.login_staff(person)
    assert client.get(f"/{shop.slug}{path}").status_code == 200
    assert client.get(f"/{other_shop.slug}{path}").status_code == 200


# --- Customers are not staff ----------------------------------------------------------


def signed_in_customer(app, client, shop, email="khach.quen@example.com", phone="+84912000333"):
    """An official member of ``shop``, logged in through the storefront with ``client``."""
    from core.extensions import db
    from models import Customer, CustomerStatus, Shop
    from services import customers as customer_service

    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        customer = Customer(
            shop_id=shop_row.id,
            shop=shop_row,
            code=customer_service.next_customer_code(shop_row),
            email=email,
            first_name="Quen",
            last_name="Khách",
            status=CustomerStatus.OFFICIAL,
        )
        customer.set_password(PASSWORD)
        db.session.add(customer)
        customer_service.add_phone(customer=customer, number=phone)
        db.session.commit()
    response = client.post(
        f"/{shop.slug}/account/login", data={"login": email, "password": PASSWORD}
    )
    # A broken member login fails the test: it must never pass as a skip.
    assert response.status_code == 302, response.text
    return email


def assert_refused(response, shop_slug, method, path):
    """A customer is treated like a visitor: sent to the staff login, or 404; never served."""
    assert response.status_code in (302, 404), (method, path, response.status_code)
    if response.status_code == 302:
        assert response.headers["Location"].startswith(f"/{shop_slug}/admin/login"), path


def test_every_admin_route_refuses_a_signed_in_customer(app, client, shop):
    signed_in_customer(app, client, shop)
    for method, path in admin_urls(app, shop.slug):
        if path.endswith("/logout"):
            continue
        assert_refused(request(client, method, path), shop.slug, method, path)
    # And the customer is still signed in at the storefront: nothing was mixed up
    account = client.get(f"/{shop.slug}/account/", follow_redirects=True)
    assert account.status_code == 200
    assert "/login" not in account.request.path


def test_every_admin_route_refuses_a_customer_of_another_shop(app, client, shop, other_shop):
    signed_in_customer(app, client, other_shop)
    for method, path in admin_urls(app, shop.slug):
        if path.endswith("/logout"):
            continue
        assert_refused(request(client, method, path), shop.slug, method, path)


def test_a_signed_in_customer_cannot_approve_anyone(app, client, shop):
    from core.extensions import db
    from models import Customer, CustomerEvent, CustomerStatus, Shop
    from services import customers as customer_service

    with app.app_context():
        waiting = customer_service.register_member(
            shop=db.session.get(Shop, shop.id),
            first_name="Chờ",
            last_name="Duyệt",
            email="cho.duyet@example.com",
            phone="0987 000 111",
            password=PASSWORD,
        )
        db.session.commit()
        waiting_id = waiting.id
    signed_in_customer(app, client, shop)

    for action in ("approve", "cancel", "reinstate"):
        client.post(f"/{shop.slug}/admin/customers/{waiting_id}/{action}")
    client.post(
        f"/{shop.slug}/admin/customers/bulk",
        data={"action": "approve", "customer_ids": [waiting_id]},
    )
    client.post(f"/{shop.slug}/admin/settings", data={"name": "Bị chiếm", "locale": "vi"})

    with app.app_context():
        assert db.session.get(Customer, waiting_id).status == CustomerStatus.TEMPORARY
        assert db.session.get(Shop, shop.id).name == shop.name
        staff_events = db.session.scalars(
            db.select(CustomerEvent).where(CustomerEvent.actor == "staff")
        ).all()
        assert staff_events == []
