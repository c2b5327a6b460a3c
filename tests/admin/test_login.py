import re

from models import StaffUser
from tests.conftest import PASSWORD


def without_tokens(html):
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


def test_owner_logs_in_and_sees_the_dashboard(client, auth, shop, owner):
    response = auth.login_staff(owner)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{shop.slug}/admin/"
    page = client.get(f"/{shop.slug}/admin/")
    assert page.status_code == 200
    assert shop.name in page.text


def test_wrong_password_and_unknown_email_get_the_same_answer(client, shop, owner):
    wrong = client.post(
        f"/{shop.slug}/admin/login", data={"email": owner.email, "password": "sai mat khau"}
    )
    unknown = client.post(
        f"/{shop.slug}/admin/login", data={"email": "ai.do@example.com", "password": PASSWORD}
    )
    assert wrong.status_code == unknown.status_code == 200
    # CSRF tokens carry a timestamp; everything else must be the same.
    assert without_tokens(wrong.text).replace(owner.email, "") == without_tokens(
        unknown.text
    ).replace("ai.do@example.com", "")


def test_login_follows_next_only_inside_this_shops_admin(client, shop, owner, other_shop):
    data = {"email": owner.email, "password": PASSWORD}
    for target in ["https://evil.example/", "//evil.example/x", f"/{other_shop.slug}/admin/"]:
        response = client.post(f"/{shop.slug}/admin/login?next={target}", data=data)
        assert response.headers["Location"] == f"/{shop.slug}/admin/", target
        client.post(f"/{shop.slug}/admin/logout")
    response = client.post(f"/{shop.slug}/admin/login?next=/{shop.slug}/admin/emails", data=data)
    assert response.headers["Location"] == f"/{shop.slug}/admin/emails"


def test_logout_is_a_post_and_ends_the_session(client, auth, shop, owner):
    auth.login_staff(owner)
    assert client.get(f"/{shop.slug}/admin/logout").status_code == 405
    assert client.get(f"/{shop.slug}/admin/").status_code == 200
    client.post(f"/{shop.slug}/admin/logout")
    assert client.get(f"/{shop.slug}/admin/").status_code == 302


def test_deactivated_staff_is_signed_out_and_cannot_log_in(app, client, auth, shop, owner):
    from core.extensions import db

    auth.login_staff(owner)
    with app.app_context():
        db.session.get(StaffUser, owner.id).active = False
        db.session.commit()
    assert client.get(f"/{shop.slug}/admin/").status_code == 302
    auth.login_staff(owner)
    assert client.get(f"/{shop.slug}/admin/").status_code == 302


def test_ending_all_of_a_staff_users_sessions_signs_out_every_browser(
    app, client, auth, shop, owner
):
    from core.extensions import db
    from core.sessions import end_all_sessions

    auth.login_staff(owner, remember=True)
    remembered = app.test_client()
    remembered.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert remembered.get(f"/{shop.slug}/admin/").status_code == 200
    with app.app_context():
        end_all_sessions(db.session.get(StaffUser, owner.id))
        db.session.commit()
    assert client.get(f"/{shop.slug}/admin/").status_code == 302
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remembered.get_cookie("remember_token").value)
    assert fresh.get(f"/{shop.slug}/admin/").status_code == 302


def test_too_many_login_attempts_get_a_translated_429(make_app, shop_and_owner):
    app = make_app(create_schema=False, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    shop, owner = shop_and_owner
    data = {"email": owner.email, "password": "sai"}
    for _ in range(3):
        assert client.post(f"/{shop.slug}/admin/login", data=data).status_code == 200
    response = client.post(f"/{shop.slug}/admin/login", data=data)
    assert response.status_code == 429
    assert 'lang="vi"' in response.text
    assert "Retry-After" in response.headers
    # Looking at the page is not an attempt.
    assert client.get(f"/{shop.slug}/admin/login").status_code == 200


def test_one_account_is_limited_across_addresses(make_app, shop_and_owner):
    app = make_app(create_schema=False, LOGIN_ACCOUNT_RATE_LIMIT="2 per hour")
    shop, owner = shop_and_owner
    data = {"email": owner.email, "password": "sai"}
    for n in range(2):
        client = app.test_client()
        env = {"REMOTE_ADDR": f"10.0.0.{n + 1}"}
        assert (
            client.post(f"/{shop.slug}/admin/login", data=data, environ_base=env).status_code == 200
        )
    client = app.test_client()
    response = client.post(
        f"/{shop.slug}/admin/login", data=data, environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert response.status_code == 429
