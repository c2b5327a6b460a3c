from core.extensions import db
from models import OutboxMessage, Shop, ShopMembership, StaffUser
from tests.conftest import make_shop
from tests.storefront import without_tokens

FORM = {
    "shop_name": "Tiệm Bánh Hoa",
    "slug": "tiem-banh-hoa",
    "email": "hoa@example.com",
    "password": "banh ngon 2026",
}


def count(app, model):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_signup_creates_the_shop_and_its_owner_who_lands_in_the_admin(app, client):
    response = client.post("/signup", data=FORM)
    assert response.status_code == 302
    assert response.headers["Location"] == "/tiem-banh-hoa/admin/"
    dashboard = client.get("/tiem-banh-hoa/admin/")
    assert dashboard.status_code == 200
    assert "Tiệm Bánh Hoa" in dashboard.text
    with app.app_context():
        shop = db.session.scalar(db.select(Shop).where(Shop.slug == "tiem-banh-hoa"))
        assert shop.locale == "vi"
        assert shop.currency == "VND"
        assert shop.timezone == "Asia/Ho_Chi_Minh"
        assert shop.auto_approve_members is False
        (membership,) = shop.memberships
        assert membership.role == "owner"
        assert membership.staff.email == "hoa@example.com"
        welcome = db.session.scalar(db.select(OutboxMessage))
        assert welcome.to_address == "hoa@example.com"
        assert "http://shop.test/tiem-banh-hoa/admin/" in welcome.body_text


def test_signup_refuses_bad_slugs_and_writes_nothing(app, client):
    for slug in ["admin", "static", "healthz", "ab", "hoa_mai", "-hoa", "hoa-", "a" * 41]:
        response = client.post("/signup", data={**FORM, "slug": slug})
        assert response.status_code == 200, slug
        assert "is-invalid" in response.text, slug
    assert count(app, Shop) == 0
    assert count(app, StaffUser) == 0


def test_signup_refuses_a_taken_slug(app, client, shop):
    response = client.post("/signup", data={**FORM, "slug": shop.slug})
    assert response.status_code == 200
    assert "is-invalid" in response.text
    assert count(app, Shop) == 1


def test_signup_refuses_bad_email_and_short_password(app, client):
    assert "is-invalid" in client.post("/signup", data={**FORM, "email": "khong-phai-email"}).text
    assert "is-invalid" in client.post("/signup", data={**FORM, "password": "ngan"}).text
    assert count(app, Shop) == 0


def test_signup_with_a_taken_email_says_to_log_in_and_checks_no_password(app, client, owner):
    """Before, the right password of the other account added the shop to it, and a wrong one
    said so: /signup was a way to guess another person's password."""
    answers = []
    for password in ["khong phai mat khau", owner.password]:
        response = client.post("/signup", data={**FORM, "email": owner.email, "password": password})
        assert response.status_code == 200
        assert "Email này đã có tài khoản. Hãy đăng nhập" in response.text
        assert 'href="/login?next=/shops/new"' in response.text
        answers.append(without_tokens(response.text))
    assert answers[0] == answers[1]
    assert count(app, Shop) == 1
    assert count(app, ShopMembership) == 1
    assert client.get("/tiem-banh-hoa/admin/").status_code == 404


def test_signup_with_a_taken_email_counts_against_the_rate_limit(make_app):
    app = make_app(SIGNUP_RATE_LIMIT="2 per hour")
    make_shop(app, "thoi-trang-mai", "Thời Trang Mai", "mai@example.com")
    client = app.test_client()
    for _ in range(2):
        assert client.post("/signup", data={**FORM, "email": "mai@example.com"}).status_code == 200
    assert client.post("/signup", data={**FORM, "email": "mai@example.com"}).status_code == 429


def test_signup_can_be_turned_off(make_app):
    app = make_app(SIGNUP_ENABLED=False)
    client = app.test_client()
    assert client.get("/signup").status_code == 404
    assert client.post("/signup", data=FORM).status_code == 404
    assert count(app, Shop) == 0


def test_signup_is_rate_limited(make_app):
    app = make_app(SIGNUP_RATE_LIMIT="2 per hour")
    client = app.test_client()
    for n in range(2):
        client.post("/signup", data={**FORM, "slug": f"shop-so-{n}", "email": f"s{n}@example.com"})
    response = client.post("/signup", data={**FORM, "slug": "shop-so-9", "email": "s9@example.com"})
    assert response.status_code == 429
    assert count(app, Shop) == 2
