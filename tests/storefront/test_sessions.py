"""A member's sessions end when they should: logging out, a new password, a reset, the
shop's cancellation, the end of "remember me"; and the member sees and ends their signed-in
devices. An attacker holding a copy of an old cookie gets the login page."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from core.extensions import db
from core.sessions import TOUCH_EVERY
from models import Customer, LoginSession, utcnow
from services import customers as customer_service
from tests.conftest import PASSWORD
from tests.sql import Statements
from tests.storefront import Shopper, last_mail, link_in, make_member

ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0"
NEW_PASSWORD = "mat khau moi 2025"


def browser(app, user_agent=None, ip=None):
    """A new browser: a test client with no cookies."""
    client = app.test_client()
    if user_agent:
        client.environ_base["HTTP_USER_AGENT"] = user_agent
    if ip:
        client.environ_base["REMOTE_ADDR"] = ip
    return client


def signed_in_browser(app, member, remember=False, **browser_args):
    client = browser(app, **browser_args)
    extra = {"remember": "y"} if remember else {}
    assert Shopper(client).login(member, **extra).status_code == 302
    return client


def with_cookie(app, client, name):
    """A new browser that holds only a copy of ``client``'s cookie ``name``."""
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    copy = browser(app)
    copy.set_cookie(name, cookie.value)
    return copy


def account(client, shop):
    return client.get(f"/{shop.slug}/account/")


def is_login_redirect(response, shop):
    return response.status_code == 302 and response.headers["Location"].startswith(
        f"/{shop.slug}/account/login"
    )


def session_ids(customer_id):
    return db.session.scalars(
        select(LoginSession.id)
        .where(LoginSession.customer_id == customer_id)
        .order_by(LoginSession.id)
    ).all()


# --- Logging out ----------------------------------------------------------------------


def test_a_copy_of_the_session_cookie_opens_nothing_after_logout(app, client, shop, signed_in):
    stolen = with_cookie(app, client, "session")
    assert account(stolen, shop).status_code == 200

    Shopper(client).logout(shop.slug)

    assert is_login_redirect(account(stolen, shop), shop)
    assert is_login_redirect(account(client, shop), shop)
    with app.app_context():
        assert session_ids(signed_in.id) == []


def test_the_remember_cookie_opens_nothing_after_logout(app, shop, member):
    client = signed_in_browser(app, member, remember=True)
    kept = client.get_cookie("remember_token").value
    new_browser = browser(app)
    new_browser.set_cookie("remember_token", kept)
    assert account(new_browser, shop).status_code == 200

    Shopper(client).logout(shop.slug)

    assert client.get_cookie("remember_token") is None
    thief = browser(app)
    thief.set_cookie("remember_token", kept)
    assert is_login_redirect(account(thief, shop), shop)
    assert is_login_redirect(account(new_browser, shop), shop)


def test_logging_in_as_someone_else_ends_the_browsers_previous_login(
    app, client, shop, owner, member
):
    client.post(f"/{shop.slug}/admin/login", data={"email": owner.email, "password": PASSWORD})
    stolen = with_cookie(app, client, "session")
    assert stolen.get(f"/{shop.slug}/admin/").status_code == 200

    Shopper(client).login(member)

    assert account(client, shop).status_code == 200
    assert stolen.get(f"/{shop.slug}/admin/").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(LoginSession)) == 1


# --- Passwords and the shop's cancellation --------------------------------------------


def test_a_new_password_ends_the_other_sessions_and_their_remember_cookies(
    app, client, shop, signed_in
):
    phone = signed_in_browser(app, signed_in, remember=True, user_agent=ANDROID_CHROME)
    remembered = phone.get_cookie("remember_token").value

    response = client.post(
        f"/{shop.slug}/account/profile/password",
        data={
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )

    assert response.headers["Location"] == f"/{shop.slug}/account/profile"
    assert account(client, shop).status_code == 200
    assert is_login_redirect(account(phone, shop), shop)
    thief = browser(app)
    thief.set_cookie("remember_token", remembered)
    assert is_login_redirect(account(thief, shop), shop)
    with app.app_context():
        assert len(session_ids(signed_in.id)) == 1


def test_the_session_that_changed_the_password_keeps_its_remember_cookie(app, shop, member):
    client = signed_in_browser(app, member, remember=True)
    client.post(
        f"/{shop.slug}/account/profile/password",
        data={
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert account(with_cookie(app, client, "remember_token"), shop).status_code == 200


def test_a_password_reset_ends_every_session(app, shop, member):
    laptop = signed_in_browser(app, member, remember=True)
    stolen = with_cookie(app, laptop, "remember_token")
    helper = browser(app)
    helper.post(f"/{shop.slug}/account/password/forgot", data={"email": member.email})
    with app.app_context():
        link = link_in(last_mail("member_password_reset"), "storefront.reset_password", shop.slug)

    helper.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})

    assert is_login_redirect(account(laptop, shop), shop)
    assert is_login_redirect(account(stolen, shop), shop)
    with app.app_context():
        assert session_ids(member.id) == []


def test_the_shops_cancellation_ends_every_session_for_good(app, client, shop, owner, signed_in):
    phone = signed_in_browser(app, signed_in, remember=True)
    stolen = [with_cookie(app, client, "session"), with_cookie(app, phone, "remember_token")]
    with app.app_context():
        customer = db.session.get(Customer, signed_in.id)
        customer_service.cancel(shop=customer.shop, customer=customer, actor=None)
        db.session.commit()
        assert session_ids(signed_in.id) == []
        # Even once the shop takes the member back, the old cookies stay dead.
        customer_service.reinstate(shop=customer.shop, customer=customer, actor=None)
        db.session.commit()

    for browser_ in (client, phone, *stolen):
        assert is_login_redirect(account(browser_, shop), shop)


# --- Lifetimes ------------------------------------------------------------------------


def days_until(when):
    return (when.replace(tzinfo=UTC) - datetime.now(UTC)) / timedelta(days=1)


def test_remember_me_lasts_thirty_days(app, shop, member):
    client = signed_in_browser(app, member, remember=True)

    assert 29.9 < days_until(client.get_cookie("remember_token").expires) <= 30
    with app.app_context():
        [row] = db.session.scalars(select(LoginSession)).all()
        assert row.remember
        assert 29.9 < days_until(row.expires_at) <= 30


def test_the_length_of_remember_me_is_a_setting(make_app, shop, member):
    app = make_app(create_schema=False, REMEMBER_DAYS=7)
    client = signed_in_browser(app, member, remember=True)

    assert 6.9 < days_until(client.get_cookie("remember_token").expires) <= 7
    with app.app_context():
        [row] = db.session.scalars(select(LoginSession)).all()
        assert 6.9 < days_until(row.expires_at) <= 7


def test_a_session_past_its_end_opens_nothing(app, shop, member):
    client = signed_in_browser(app, member, remember=True)
    remembered = with_cookie(app, client, "remember_token")
    with app.app_context():
        db.session.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()

    assert is_login_redirect(account(client, shop), shop)
    assert is_login_redirect(account(remembered, shop), shop)


def test_a_login_without_remember_me_sets_no_remember_cookie(app, shop, member):
    client = signed_in_browser(app, member)
    assert client.get_cookie("remember_token") is None
    with app.app_context():
        [row] = db.session.scalars(select(LoginSession)).all()
        assert not row.remember


# --- Last seen, written once in a while -----------------------------------------------


def test_a_page_view_soon_after_the_last_writes_nothing(app, client, shop, signed_in):
    with Statements(app) as statements:
        assert account(client, shop).status_code == 200
    assert not [s for s in statements if s.lstrip().upper().startswith(("UPDATE", "INSERT"))]


def test_a_page_view_after_a_while_notes_when_and_where_the_member_was_seen(app, shop, member):
    client = signed_in_browser(app, member, ip="203.0.113.5")
    long_ago = utcnow() - TOUCH_EVERY - timedelta(minutes=1)
    with app.app_context():
        db.session.execute(update(LoginSession).values(last_seen_at=long_ago))
        db.session.commit()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.77"

    assert account(client, shop).status_code == 200

    with app.app_context():
        [row] = db.session.scalars(select(LoginSession)).all()
        assert row.last_seen_at > long_ago + TOUCH_EVERY
        assert row.ip == "203.0.113.77"
        # A session that ends with the browser is forgotten after the idle time from now.
        assert days_until(row.expires_at) > 13.9


def test_an_anonymous_visitor_costs_no_session_lookup(app, client, shop):
    with Statements(app) as statements:
        assert client.get(f"/{shop.slug}/").status_code == 200
    assert not [s for s in statements if "login_sessions" in s]


# --- The signed-in devices page --------------------------------------------------------


@pytest.fixture
def three_devices(app, shop, member):
    """The member on a laptop (English, this test's client), an Android phone and an iPhone;
    another member of the shop on Windows."""
    laptop = signed_in_browser(app, member, ip="198.51.100.1")
    laptop.post("/language", data={"lang": "en"})
    phone = signed_in_browser(app, member, user_agent=ANDROID_CHROME, ip="198.51.100.2")
    iphone = signed_in_browser(app, member, user_agent=IPHONE_SAFARI, ip="198.51.100.3")
    other = make_member(app, shop, "khac@example.com", "+84987654321")
    signed_in_browser(app, other, user_agent=WINDOWS_FIREFOX, ip="198.51.100.4")
    with app.app_context():
        ids = session_ids(member.id)
    return laptop, phone, iphone, ids, other


def test_the_member_sees_their_own_devices_only(app, shop, three_devices):
    laptop, _phone, _iphone, _ids, _other = three_devices

    page = laptop.get(f"/{shop.slug}/account/sessions")

    assert page.status_code == 200
    assert "Chrome on Android" in page.text
    assert "Safari on iPhone" in page.text
    assert "198.51.100.2" in page.text
    assert "198.51.100.3" in page.text
    assert page.text.count("This device") == 1
    assert "Firefox" not in page.text
    assert "198.51.100.4" not in page.text
    assert f'href="/{shop.slug}/account/sessions"' in laptop.get(f"/{shop.slug}/account/").text


def test_the_page_speaks_vietnamese_and_shows_times_in_the_shops_zone(app, shop, member):
    client = signed_in_browser(app, member, user_agent=ANDROID_CHROME)
    # Seen a moment from now (so that the page view writes no newer time over it)
    seen = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=2)
    with app.app_context():
        db.session.execute(update(LoginSession).values(last_seen_at=seen))
        db.session.commit()

    page = client.get(f"/{shop.slug}/account/sessions")

    assert "Chrome trên Android" in page.text
    assert seen.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y %H:%M") in page.text


def test_the_member_signs_out_one_other_device(app, shop, three_devices):
    laptop, phone, iphone, ids, _other = three_devices

    response = laptop.post(f"/{shop.slug}/account/sessions/{ids[1]}/end")

    assert response.headers["Location"] == f"/{shop.slug}/account/sessions"
    assert is_login_redirect(account(phone, shop), shop)
    assert account(iphone, shop).status_code == 200
    assert account(laptop, shop).status_code == 200


def test_the_member_signs_out_every_other_device(app, shop, member, three_devices):
    laptop, phone, iphone, ids, other = three_devices

    laptop.post(f"/{shop.slug}/account/sessions/end-others")

    assert is_login_redirect(account(phone, shop), shop)
    assert is_login_redirect(account(iphone, shop), shop)
    assert account(laptop, shop).status_code == 200
    with app.app_context():
        assert session_ids(member.id) == ids[:1]
        assert len(session_ids(other.id)) == 1


def test_signing_out_this_device_from_the_list_logs_out(app, shop, three_devices):
    laptop, _phone, _iphone, ids, _other = three_devices

    response = laptop.post(f"/{shop.slug}/account/sessions/{ids[0]}/end")

    assert response.headers["Location"] == f"/{shop.slug}/"
    assert is_login_redirect(account(laptop, shop), shop)


def test_someone_elses_session_is_a_page_that_does_not_exist(
    app, shop, other_shop, owner, three_devices
):
    laptop, _phone, _iphone, _ids, other = three_devices
    elsewhere = make_member(app, other_shop, "minh.anh@example.com", "+84912345678")
    signed_in_browser(app, elsewhere)
    staff = browser(app)
    staff.post(f"/{shop.slug}/admin/login", data={"email": owner.email, "password": PASSWORD})
    with app.app_context():
        others = db.session.scalars(
            select(LoginSession.id).where(
                (LoginSession.customer_id.in_([other.id, elsewhere.id]))
                | LoginSession.staff_id.is_not(None)
            )
        ).all()
    assert len(others) == 3

    for session_id in [*others, 999_999, 10**25]:
        response = laptop.post(f"/{shop.slug}/account/sessions/{session_id}/end")
        assert response.status_code == 404, session_id
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(LoginSession)) == 6


def test_the_sessions_page_is_for_this_shops_member_only(app, client, shop, other_shop, signed_in):
    assert is_login_redirect(client.get(f"/{other_shop.slug}/account/sessions"), other_shop)
    assert is_login_redirect(browser(app).get(f"/{shop.slug}/account/sessions"), shop)


# --- Caches ---------------------------------------------------------------------------


def test_personal_pages_are_kept_out_of_caches(app, client, shop, signed_in):
    for path in [
        "account/",
        "account/profile",
        "account/sessions",
        "account/addresses",
        "account/orders",
        "account/login",
        "cart",
        "checkout",
    ]:
        response = client.get(f"/{shop.slug}/{path}")
        assert response.headers.get("Cache-Control") == "no-store", path
