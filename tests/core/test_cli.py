from core.extensions import db
from models import OutboxMessage, Shop, ShopMembership, StaffUser


def count(app, model):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def shop_create(app, *args):
    return app.test_cli_runner().invoke(args=["shop", "create", *args])


def test_shop_create_makes_a_shop_whose_owner_can_log_in(app):
    result = shop_create(
        app,
        "gom-su-an",
        "--name",
        "Gốm Sứ An",
        "--owner-email",
        "an@example.com",
        "--owner-password",
        "gom su dep 1",
    )
    assert result.exit_code == 0, result.output
    assert "gom-su-an" in result.output
    client = app.test_client()
    login = client.post(
        "/gom-su-an/admin/login", data={"email": "an@example.com", "password": "gom su dep 1"}
    )
    assert login.headers["Location"] == "/gom-su-an/admin/"
    assert "Gốm Sứ An" in client.get("/gom-su-an/admin/").text
    with app.app_context():
        welcome = db.session.scalar(db.select(OutboxMessage))
        assert welcome.to_address == "an@example.com"
        assert "http://shop.test/gom-su-an/" in welcome.body_text


def test_shop_create_refuses_with_one_line_and_writes_nothing(app, shop):
    cases = [
        ("admin", "an@example.com"),
        ("Gom Su", "an@example.com"),
        (shop.slug, "an@example.com"),
        ("gom-su-an", "khong-phai-email"),
    ]
    for slug, email in cases:
        result = shop_create(
            app, slug, "--name", "Gốm", "--owner-email", email, "--owner-password", "12345678"
        )
        assert result.exit_code == 1, (slug, email, result.output)
        assert len(result.output.strip().splitlines()) == 1, result.output
    assert count(app, Shop) == 1
    assert count(app, StaffUser) == 1
    assert count(app, OutboxMessage) == 0


def test_shop_list_shows_slugs_and_owners(app, shop, owner, other_shop):
    result = app.test_cli_runner().invoke(args=["shop", "list"])
    assert result.exit_code == 0
    assert shop.slug in result.output
    assert owner.email in result.output
    assert other_shop.slug in result.output


def test_staff_add_gives_a_role_that_can_log_in(app, shop):
    result = app.test_cli_runner().invoke(
        args=[
            "staff",
            "add",
            shop.slug,
            "hung@example.com",
            "--role",
            "manager",
            "--password",
            "quan ly 123",
        ]
    )
    assert result.exit_code == 0, result.output
    client = app.test_client()
    client.post(
        f"/{shop.slug}/admin/login", data={"email": "hung@example.com", "password": "quan ly 123"}
    )
    assert client.get(f"/{shop.slug}/admin/staff").status_code == 200


def test_staff_add_refuses_unknown_shop_and_duplicates(app, shop, owner):
    runner = app.test_cli_runner()
    assert (
        runner.invoke(
            args=["staff", "add", "khong-co", "x@example.com", "--password", "12345678"]
        ).exit_code
        == 1
    )
    assert runner.invoke(args=["staff", "add", shop.slug, owner.email]).exit_code == 1
    assert runner.invoke(args=["staff", "add", shop.slug, "new@example.com"]).exit_code == 1
    assert count(app, ShopMembership) == 1


def test_demo_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    counts = [count(app, m) for m in (Shop, StaffUser, ShopMembership, OutboxMessage)]
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert [count(app, m) for m in (Shop, StaffUser, ShopMembership, OutboxMessage)] == counts
    assert counts[0] == 1
    assert counts[1] == 3


def test_demo_logins_work(app):
    from services.demo import DEMO_PASSWORD, DEMO_STAFF

    app.test_cli_runner().invoke(args=["demo"])
    client = app.test_client()
    for _role, email, _name in DEMO_STAFF:
        response = client.post(
            "/demo/admin/login", data={"email": email, "password": DEMO_PASSWORD}
        )
        assert response.headers["Location"] == "/demo/admin/", email
        client.post("/demo/admin/logout")
