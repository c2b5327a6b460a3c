"""One login, many shops: a person with an account logs in once and opens another shop,
which they own with the same account."""

from sqlalchemy import select

from core.extensions import db
from models import OutboxMessage, Shop, ShopMembership, StaffUser
from tests.conftest import PASSWORD

NEW_SHOP = {"shop_name": "Tiệm Bánh Hoa", "slug": "tiem-banh-hoa"}


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


def test_a_logged_in_owner_opens_a_second_shop_from_the_dashboard(app, client, auth, shop, owner):
    auth.login_staff(owner)
    dashboard = client.get(f"/{shop.slug}/admin/")
    assert 'href="/shops/new"' in dashboard.text
    form = client.get("/shops/new")
    assert form.status_code == 200
    assert owner.email in form.text
    assert 'name="password"' not in form.text
    response = client.post("/shops/new", data=NEW_SHOP)
    assert response.status_code == 302
    assert response.headers["Location"] == "/tiem-banh-hoa/admin/"
    new_admin = client.get("/tiem-banh-hoa/admin/")
    assert new_admin.status_code == 200
    assert "Tiệm Bánh Hoa" in new_admin.text
    assert shop.name in new_admin.text
    assert client.get(f"/{shop.slug}/admin/").status_code == 200
    assert count(app, StaffUser) == 1
    with app.app_context():
        new_shop = db.session.scalar(select(Shop).where(Shop.slug == "tiem-banh-hoa"))
        (membership,) = new_shop.memberships
        assert (membership.staff_id, membership.role) == (owner.id, "owner")
        assert new_shop.contact_email == owner.email
        welcome = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.shop_id == new_shop.id)
        )
        assert welcome.to_address == owner.email


def test_a_staff_member_opens_a_shop_of_their_own(app, client, auth, shop, staff_member):
    auth.login_staff(staff_member)
    assert client.post("/shops/new", data=NEW_SHOP).status_code == 302
    with app.app_context():
        roles = dict(
            db.session.execute(
                select(Shop.slug, ShopMembership.role)
                .join(ShopMembership.shop)
                .where(ShopMembership.staff_id == staff_member.id)
            ).all()
        )
    assert roles == {shop.slug: "staff", "tiem-banh-hoa": "owner"}


def test_opening_a_shop_refuses_a_taken_or_reserved_address(app, client, auth, shop, owner):
    auth.login_staff(owner)
    for slug in [shop.slug, "admin", "ab"]:
        response = client.post("/shops/new", data={**NEW_SHOP, "slug": slug})
        assert response.status_code == 200, slug
        assert "is-invalid" in response.text, slug
    assert count(app, Shop) == 1


def test_a_visitor_logs_in_first_and_comes_back_to_open_the_shop(app, client, shop, owner):
    response = client.get("/shops/new")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/shops/new"
    assert client.post("/shops/new", data=NEW_SHOP).status_code == 302
    assert count(app, Shop) == 1
    wrong = client.post(
        "/login?next=/shops/new", data={"email": owner.email, "password": "sai mat khau"}
    )
    assert wrong.status_code == 200
    assert "Email hoặc mật khẩu không đúng" in wrong.text
    response = client.post(
        "/login?next=/shops/new", data={"email": owner.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/shops/new"
    assert client.get("/shops/new").status_code == 200


def test_the_platform_login_lands_in_the_first_shop_and_follows_only_local_next(
    client, shop, owner
):
    data = {"email": owner.email, "password": PASSWORD}
    for target in ["https://evil.example/", "//evil.example/x", ""]:
        response = client.post(f"/login?next={target}", data=data)
        assert response.headers["Location"] == f"/{shop.slug}/admin/", target
        client.post(f"/{shop.slug}/admin/logout")


def test_a_customer_session_cannot_open_a_shop(app, client, shop):
    from tests.storefront import Shopper, make_member

    member = make_member(app, shop, "minh.anh@example.com")
    Shopper(client).login(member)
    assert client.get("/shops/new").status_code == 302
    assert client.post("/shops/new", data=NEW_SHOP).status_code == 302
    assert count(app, Shop) == 1


def test_opening_shops_is_off_with_the_signup(make_app):
    from tests.conftest import make_shop

    app = make_app(SIGNUP_ENABLED=False)
    make_shop(app, "thoi-trang-mai", "Thời Trang Mai", "mai@example.com")
    client = app.test_client()
    client.post("/login", data={"email": "mai@example.com", "password": PASSWORD})
    assert 'href="/shops/new"' not in client.get("/thoi-trang-mai/admin/").text
    assert client.get("/shops/new").status_code == 404
    assert client.post("/shops/new", data=NEW_SHOP).status_code == 404
    assert count(app, Shop) == 1


def test_opening_shops_shares_the_signup_rate_limit(make_app):
    from tests.conftest import make_shop

    app = make_app(SIGNUP_RATE_LIMIT="1 per hour")
    make_shop(app, "thoi-trang-mai", "Thời Trang Mai", "mai@example.com")
    client = app.test_client()
    client.post("/login", data={"email": "mai@example.com", "password": PASSWORD})
    assert client.post("/shops/new", data=NEW_SHOP).status_code == 302
    second = client.post("/shops/new", data={**NEW_SHOP, "slug": "tiem-banh-hoa-2"})
    assert second.status_code == 429
    assert count(app, Shop) == 2


def test_someone_removed_from_every_shop_logs_in_and_opens_their_own(
    app, client, auth, shop, owner, staff_member
):
    # Given a staff member taken off the only shop they worked for
    with app.app_context():
        membership = db.session.scalar(
            select(ShopMembership).where(ShopMembership.staff_id == staff_member.id)
        )
        db.session.delete(membership)
        db.session.commit()
    # When they log in on the platform's page, they are sent to open a shop
    response = client.post(
        "/login", data={"email": staff_member.email, "password": staff_member.password}
    )
    assert response.headers["Location"] == "/shops/new"
    # The old shop's admin is closed to them
    assert client.get(f"/{shop.slug}/admin/").status_code == 404
    # And the shop they open is theirs
    opened = client.post("/shops/new", data=NEW_SHOP)
    assert opened.headers["Location"] == "/tiem-banh-hoa/admin/"
    assert client.get("/tiem-banh-hoa/admin/").status_code == 200
