"""Members log in and out; the account pages belong to this shop's signed-in member only."""

import re

import pytest

from core.extensions import db
from models import Customer, CustomerStatus
from tests.conftest import PASSWORD
from tests.storefront import make_member, without_tokens

GENERIC = "The email, phone or password is incorrect."


def test_an_official_member_logs_in_and_sees_their_account(app, client, shopper, shop, member):
    response = shopper.login(member)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/{shop.slug}/account/"
    page = client.get(f"/{shop.slug}/account/")
    assert page.status_code == 200
    assert "Hello, Minh Anh" in page.text
    assert "Official member" in page.text
    with app.app_context():
        assert db.session.get(Customer, member.id).last_login_at is not None


@pytest.mark.parametrize("login", ["0912 345 678", "0912345678", "+84 912 345 678", "84912345678"])
def test_a_member_logs_in_with_their_phone_written_any_way(client, shopper, shop, member, login):
    response = shopper.login(member, login=login)
    assert response.headers["Location"] == f"/{shop.slug}/account/"


def test_a_temporary_member_is_told_to_wait_for_approval(client, shopper, shop, temporary_member):
    response = shopper.login(temporary_member)

    assert response.status_code == 200
    assert "waiting for the shop&#39;s approval" in response.text
    assert client.get(f"/{shop.slug}/account/").status_code == 302


def test_a_cancelled_member_is_told_the_account_is_cancelled(
    client, shopper, shop, cancelled_member
):
    response = shopper.login(cancelled_member)

    assert response.status_code == 200
    assert "This account has been cancelled" in response.text
    assert client.get(f"/{shop.slug}/account/").status_code == 302


def test_a_wrong_password_does_not_reveal_the_status_or_the_account(
    client, shopper, shop, temporary_member
):
    wrong = shopper.login(temporary_member, password="sai mat khau")
    unknown = shopper.login(temporary_member, login="ai.do@example.com")

    assert wrong.status_code == unknown.status_code == 200
    assert GENERIC in wrong.text
    assert "approval" not in wrong.text
    assert without_tokens(wrong.text).replace(temporary_member.email, "") == without_tokens(
        unknown.text
    ).replace("ai.do@example.com", "")


def test_a_guest_without_a_password_cannot_log_in(app, client, shopper, shop):
    guest = make_member(app, shop, "khach@example.com", status=CustomerStatus.GUEST)
    with app.app_context():
        db.session.get(Customer, guest.id).password_hash = None
        db.session.commit()
    response = shopper.login(guest)
    assert GENERIC in response.text


def test_login_follows_next_only_inside_this_shop(client, shopper, shop, other_shop, member):
    for target in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        f"/{other_shop.slug}/account/",
        "javascript:alert(1)",
    ]:
        response = client.post(
            f"/{shop.slug}/account/login",
            query_string={"next": target},
            data={"login": member.email, "password": PASSWORD},
        )
        assert response.headers["Location"] == f"/{shop.slug}/account/", target
        shopper.logout(shop.slug)
    response = client.post(
        f"/{shop.slug}/account/login",
        query_string={"next": f"/{shop.slug}/account/addresses"},
        data={"login": member.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == f"/{shop.slug}/account/addresses"


def test_an_account_page_sends_the_visitor_to_log_in_and_back(client, shopper, shop, member):
    response = client.get(f"/{shop.slug}/account/addresses")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url.startswith(f"/{shop.slug}/account/login?next=")

    back = client.post(login_url, data={"login": member.email, "password": PASSWORD})
    assert back.headers["Location"] == f"/{shop.slug}/account/addresses"


def test_logout_is_a_post_and_ends_the_session(client, shopper, shop, signed_in):
    assert client.get(f"/{shop.slug}/account/logout").status_code == 405
    assert client.get(f"/{shop.slug}/account/").status_code == 200

    response = shopper.logout(shop.slug)

    assert response.headers["Location"] == f"/{shop.slug}/"
    assert "You have logged out." in client.get(response.headers["Location"]).text
    assert client.get(f"/{shop.slug}/account/").status_code == 302


def test_logging_out_at_another_shop_leaves_the_session_alone(
    client, shopper, shop, other_shop, signed_in
):
    shopper.logout(other_shop.slug)
    assert client.get(f"/{shop.slug}/account/").status_code == 200


def test_a_member_of_one_shop_is_nobody_at_another(client, shopper, shop, other_shop, signed_in):
    response = client.get(f"/{other_shop.slug}/account/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/{other_shop.slug}/account/login")
    # Nor can they log in there with the same details.
    refused = shopper.login(signed_in, shop_slug=other_shop.slug)
    assert GENERIC in refused.text


def test_a_staff_session_is_not_a_member_session(client, auth, shop, owner):
    auth.login_staff(owner)
    assert client.get(f"/{shop.slug}/admin/").status_code == 200
    response = client.get(f"/{shop.slug}/account/")
    assert response.headers["Location"].startswith(f"/{shop.slug}/account/login")


def test_a_member_cancelled_while_signed_in_is_signed_out(app, client, shop, signed_in):
    from services import customers as customer_service

    with app.app_context():
        customer = db.session.get(Customer, signed_in.id)
        customer_service.cancel(shop=customer.shop, customer=customer, actor=None)
        db.session.commit()
    assert client.get(f"/{shop.slug}/account/").status_code == 302


def test_the_menu_offers_log_in_and_register_to_visitors_and_the_account_to_members(
    client, shopper, shop, member
):
    visitor = client.get(f"/{shop.slug}/").text
    assert f'href="/{shop.slug}/account/login"' in visitor
    assert f'href="/{shop.slug}/account/register"' in visitor
    assert f'action="/{shop.slug}/account/logout"' not in visitor

    shopper.login(member)
    signed = client.get(f"/{shop.slug}/").text
    assert f'href="/{shop.slug}/account/"' in signed
    assert f'action="/{shop.slug}/account/logout"' in signed
    assert f'href="/{shop.slug}/account/register"' not in signed


def test_too_many_login_attempts_get_a_429(make_app, shop, member):
    app = make_app(create_schema=False, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    data = {"login": member.email, "password": "sai"}
    for _ in range(3):
        assert client.post(f"/{shop.slug}/account/login", data=data).status_code == 200
    assert client.post(f"/{shop.slug}/account/login", data=data).status_code == 429
    # Looking at the page is not an attempt.
    assert client.get(f"/{shop.slug}/account/login").status_code == 200


def test_one_account_is_limited_across_addresses_however_its_phone_is_written(
    make_app, shop, member
):
    app = make_app(create_schema=False, LOGIN_ACCOUNT_RATE_LIMIT="2 per hour")
    logins = ["0912 345 678", "+84912345678", "0912.345.678"]
    statuses = []
    for n, login in enumerate(logins):
        client = app.test_client()
        response = client.post(
            f"/{shop.slug}/account/login",
            data={"login": login, "password": "sai"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n + 1}"},
        )
        statuses.append(response.status_code)
    assert statuses == [200, 200, 429]


# --- Every account page, read from the URL map ----------------------------------------

PUBLIC = {
    "storefront.home",
    "storefront.register",
    "storefront.register_done",
    "storefront.login",
    "storefront.logout",
    "storefront.forgot_password",
    "storefront.reset_password",
    "storefront.confirm_email",
    "storefront.confirm_registration",
    "storefront.accept_invitation",
    "storefront.collection",
    "storefront.product",
    "storefront.search",
    "storefront.media",
    # Anyone may shop: the cart, the checkout and the order page its link opens.
    "storefront.cart",
    "storefront.cart_add",
    "storefront.cart_update",
    "storefront.cart_remove",
    "storefront.cart_voucher",
    "storefront.checkout",
    "storefront.order",
    # The unsubscribe link of a marketing email works without logging in (its token names
    # the customer): tests/storefront/test_unsubscribe.py.
    "storefront.unsubscribe",
}


def member_urls(app, shop_slug):
    """(method, path) of every storefront route that needs a signed-in member."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("storefront.") or rule.endpoint in PUBLIC:
            continue
        path = re.sub(r"<(?:int:)?[a-z_]+>", "1", rule.rule.replace("<shop>", shop_slug))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            urls.append((method, path))
    assert len(urls) > 10, urls
    return urls


def test_every_member_page_sends_visitors_to_the_login(app, client, shop):
    for method, path in member_urls(app, shop.slug):
        response = client.open(path, method=method, data={})
        assert response.status_code == 302, (method, path)
        assert response.headers["Location"].startswith(f"/{shop.slug}/account/login"), path


def test_every_member_page_sends_another_shops_member_to_the_login(
    app, client, shop, other_shop, signed_in
):
    for method, path in member_urls(app, other_shop.slug):
        response = client.open(path, method=method, data={})
        assert response.status_code == 302, (method, path)
        assert response.headers["Location"].startswith(f"/{other_shop.slug}/account/login")
    with app.app_context():
        assert db.session.get(Customer, signed_in.id).events == []
