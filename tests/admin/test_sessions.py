"""A staff user's sessions end when they should, and the staff user sees and ends their
signed-in devices. An attacker holding a copy of an old cookie gets the login page."""

from sqlalchemy import select

from core.extensions import db
from models import LoginSession, Role, Shop, ShopMembership
from services.shops import add_staff, remove_staff
from tests.conftest import PASSWORD
from tests.storefront import Shopper, make_member

ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
MAC_SAFARI = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15"
)


def browser(app, user_agent=None, ip=None):
    client = app.test_client()
    if user_agent:
        client.environ_base["HTTP_USER_AGENT"] = user_agent
    if ip:
        client.environ_base["REMOTE_ADDR"] = ip
    return client


def staff_browser(app, staff, shop_slug=None, remember=False, **browser_args):
    client = browser(app, **browser_args)
    data = {"email": staff.email, "password": staff.password}
    if remember:
        data["remember"] = "y"
    response = client.post(f"/{shop_slug or staff.shop_slug}/admin/login", data=data)
    assert response.status_code == 302, response.text
    client.post("/language", data={"lang": "en"})
    return client


def with_cookie(app, client, name):
    copy = browser(app)
    copy.set_cookie(name, client.get_cookie(name).value)
    return copy


def dashboard(client, shop):
    return client.get(f"/{shop.slug}/admin/")


def is_login_redirect(response, shop):
    return response.status_code == 302 and response.headers["Location"].startswith(
        f"/{shop.slug}/admin/login"
    )


def session_ids(staff_id):
    return db.session.scalars(
        select(LoginSession.id).where(LoginSession.staff_id == staff_id).order_by(LoginSession.id)
    ).all()


def test_a_copy_of_the_session_cookie_opens_nothing_after_logout(app, shop, owner):
    client = staff_browser(app, owner)
    stolen = with_cookie(app, client, "session")
    assert dashboard(stolen, shop).status_code == 200

    client.post(f"/{shop.slug}/admin/logout")

    assert is_login_redirect(dashboard(stolen, shop), shop)
    assert is_login_redirect(dashboard(client, shop), shop)


def test_the_remember_cookie_opens_nothing_after_logout(app, shop, owner):
    client = staff_browser(app, owner, remember=True)
    kept = client.get_cookie("remember_token").value
    new_browser = browser(app)
    new_browser.set_cookie("remember_token", kept)
    assert dashboard(new_browser, shop).status_code == 200

    client.post(f"/{shop.slug}/admin/logout")

    thief = browser(app)
    thief.set_cookie("remember_token", kept)
    assert is_login_redirect(dashboard(thief, shop), shop)
    assert is_login_redirect(dashboard(new_browser, shop), shop)
    with app.app_context():
        assert session_ids(owner.id) == []


def test_a_staff_user_removed_from_a_shop_keeps_no_access_there(
    app, shop, other_shop, owner, manager
):
    with app.app_context():
        add_staff(shop=db.session.get(Shop, other_shop.id), email=manager.email, role=Role.STAFF)
        db.session.commit()
    client = staff_browser(app, manager, remember=True)
    remembered = with_cookie(app, client, "remember_token")
    assert dashboard(client, other_shop).status_code == 200

    with app.app_context():
        membership = db.session.scalar(
            select(ShopMembership).where(
                ShopMembership.shop_id == shop.id, ShopMembership.staff_id == manager.id
            )
        )
        remove_staff(shop=db.session.get(Shop, shop.id), membership=membership)
        db.session.commit()

    assert dashboard(client, shop).status_code == 404
    assert dashboard(remembered, shop).status_code == 404
    # The shop they still work for keeps them signed in.
    assert dashboard(client, other_shop).status_code == 200


# --- The signed-in devices page --------------------------------------------------------


def test_the_staff_user_sees_their_own_devices_and_signs_out_the_others(
    app, shop, other_shop, owner, manager
):
    with app.app_context():
        add_staff(shop=db.session.get(Shop, other_shop.id), email=owner.email, role=Role.STAFF)
        db.session.commit()
    desk = staff_browser(app, owner, ip="198.51.100.1")
    phone = staff_browser(app, owner, user_agent=ANDROID_CHROME, ip="198.51.100.2")
    laptop = staff_browser(
        app, owner, shop_slug=other_shop.slug, user_agent=MAC_SAFARI, ip="198.51.100.3"
    )
    colleague = staff_browser(app, manager, user_agent=MAC_SAFARI, ip="198.51.100.9")
    with app.app_context():
        desk_id, phone_id, laptop_id = session_ids(owner.id)

    page = desk.get(f"/{shop.slug}/admin/sessions")

    assert page.status_code == 200
    assert "Chrome on Android" in page.text
    assert "198.51.100.2" in page.text
    assert "Safari on macOS" in page.text
    assert "198.51.100.3" in page.text
    assert f"Signed in at {other_shop.name}" in page.text
    assert page.text.count("This device") == 1
    assert "198.51.100.9" not in page.text
    assert f'href="/{shop.slug}/admin/sessions"' in desk.get(f"/{shop.slug}/admin/").text

    desk.post(f"/{shop.slug}/admin/sessions/{phone_id}/end")
    assert is_login_redirect(dashboard(phone, shop), shop)
    assert dashboard(laptop, shop).status_code == 200

    desk.post(f"/{shop.slug}/admin/sessions/end-others")
    assert is_login_redirect(dashboard(laptop, other_shop), other_shop)
    assert dashboard(desk, shop).status_code == 200
    assert dashboard(colleague, shop).status_code == 200
    with app.app_context():
        assert session_ids(owner.id) == [desk_id]


def test_someone_elses_session_is_a_page_that_does_not_exist(
    app, shop, other_shop, owner, manager, other_owner
):
    desk = staff_browser(app, owner)
    staff_browser(app, manager)
    staff_browser(app, other_owner)
    member = make_member(app, shop, "minh.anh@example.com")
    Shopper(browser(app)).login(member)
    with app.app_context():
        others = db.session.scalars(
            select(LoginSession.id).where(
                LoginSession.staff_id.is_(None) | (LoginSession.staff_id != owner.id)
            )
        ).all()
    assert len(others) == 3

    for session_id in [*others, 999_999, 10**25]:
        response = desk.post(f"/{shop.slug}/admin/sessions/{session_id}/end")
        assert response.status_code == 404, session_id
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(LoginSession)) == 4


def test_signing_out_this_device_from_the_list_logs_out(app, shop, owner):
    desk = staff_browser(app, owner)
    with app.app_context():
        [desk_id] = session_ids(owner.id)

    response = desk.post(f"/{shop.slug}/admin/sessions/{desk_id}/end")

    assert response.headers["Location"] == f"/{shop.slug}/admin/login"
    assert is_login_redirect(dashboard(desk, shop), shop)


def test_the_sessions_page_needs_a_signed_in_staff_user_of_the_shop(
    app, client, shop, other_shop, other_owner
):
    assert is_login_redirect(client.get(f"/{shop.slug}/admin/sessions"), shop)
    elsewhere = staff_browser(app, other_owner)
    assert elsewhere.get(f"/{shop.slug}/admin/sessions").status_code == 404


# --- Caches ---------------------------------------------------------------------------


def test_every_admin_page_is_kept_out_of_caches(app, client, shop, owner):
    assert client.get(f"/{shop.slug}/admin/login").headers["Cache-Control"] == "no-store"
    client.post(f"/{shop.slug}/admin/login", data={"email": owner.email, "password": PASSWORD})
    for path in ["", "customers", "orders", "products", "sessions", "staff", "settings"]:
        response = client.get(f"/{shop.slug}/admin/{path}")
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
