import pytest

from app import create_app
from core.extensions import db


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_answers_503_when_the_database_is_gone(make_app, tmp_path):
    app = make_app(create_schema=False, DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/x")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] != "ok"


def test_pages_send_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_load_nothing_from_other_sites(client, shop):
    for path in ["/", "/signup", f"/{shop.slug}/", f"/{shop.slug}/admin/login", "/nope/"]:
        html = client.get(path).text
        assert "://" not in "".join(part.split('"')[0] for part in html.split('src="')[1:]), path
        for link in html.split("<link ")[1:]:
            assert 'href="/static/' in link.split(">")[0], path


def test_missing_page_is_a_translated_404(client):
    response = client.get("/khong-co/trang/nay")
    assert response.status_code == 404
    assert 'lang="vi"' in response.text


def test_session_cookie_is_httponly_and_lax(client, shop, owner, auth):
    response = auth.login_staff(owner)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("CUAHANG_ENV", "production")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_production_refuses_to_start_without_a_public_url(tmp_path, monkeypatch):
    monkeypatch.setenv("CUAHANG_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("CUAHANG_PUBLIC_URL", raising=False)
    with pytest.raises(RuntimeError, match="PUBLIC_URL"):
        create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "sqlite://"})


def test_production_cookies_are_secure(tmp_path, monkeypatch):
    monkeypatch.setenv("CUAHANG_ENV", "production")
    monkeypatch.setenv("CUAHANG_PUBLIC_URL", "https://cuahang.example.vn")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SECRET_KEY"] == "x" * 40


def test_development_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path)})
    second = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_configures_database_and_mail(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.internal/shop")
    monkeypatch.setenv("MAIL_SERVER", "smtp.internal")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    monkeypatch.setenv("CUAHANG_SIGNUP_ENABLED", "false")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.internal/shop"
    assert app.config["MAIL_PORT"] == 587
    assert app.config["MAIL_USE_TLS"] is True
    assert app.config["SIGNUP_ENABLED"] is False


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'cuahang.db'}"
    with app.app_context():
        assert db.engine.dialect.name == "sqlite"


def test_language_switch_shows_english_and_back(client, shop):
    client.post("/language", data={"lang": "en", "next": f"/{shop.slug}/"})
    assert 'lang="en"' in client.get(f"/{shop.slug}/").text
    response = client.post("/language", data={"lang": "vi", "next": f"/{shop.slug}/"})
    assert response.headers["Location"] == f"/{shop.slug}/"
    assert 'lang="vi"' in client.get(f"/{shop.slug}/").text


def test_language_switch_does_not_redirect_elsewhere(client):
    response = client.post("/language", data={"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_money_is_formatted_in_vietnamese_dong(app):
    from core.i18n import format_money

    with app.test_request_context("/"):
        assert format_money(1250000, "VND") == "1.250.000\xa0₫"


def test_an_unexpected_error_shows_a_translated_500_page(make_app):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    def boom():
        raise RuntimeError("hỏng")

    app.add_url_rule("/_boom", "boom", boom)
    response = app.test_client().get("/_boom")
    assert response.status_code == 500
    assert 'lang="vi"' in response.text
    assert "hỏng" not in response.text


def test_email_links_ignore_a_forged_host_header(client, shop, owner):
    from core.extensions import db
    from models import OutboxMessage

    client.post(
        "/signup",
        data={
            "shop_name": "Tiệm Hoa",
            "slug": "tiem-hoa",
            "email": "hoa@example.com",
            "password": "mat khau 123",
        },
        headers={"Host": "evil.example"},
    )
    with client.application.app_context():
        body = db.session.scalar(
            db.select(OutboxMessage.body_text).where(OutboxMessage.to_address == "hoa@example.com")
        )
    assert "evil.example" not in body
    assert "http://shop.test/tiem-hoa/admin/" in body
