"""Fixtures: a fresh database per test (SQLite in a temporary folder, or a schema of its own
in PostgreSQL when TEST_DATABASE_URL is set), and an app that holds no context open while
the test client runs."""

import os
import re
import uuid
from dataclasses import dataclass

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app import create_app
from core.config import Defaults
from core.extensions import db
from core.jobs import drain
from models import Role, Shop
from services.shops import add_staff, create_shop

PASSWORD = "correct horse 42"

# Browser tests run with ``make e2e`` only: ``make test`` stays fast and needs no browser.
collect_ignore_glob = [] if os.environ.get("CUAHANG_E2E") else ["e2e/*"]
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
# Tests sign in and register as often as they need: a limit they could reach would make a
# test fail on a slow machine or in a long module. The limiter's own tests set theirs.
HIGH_RATE_LIMITS = {
    name: "1000 per minute" for name in vars(Defaults) if name.endswith("_RATE_LIMIT")
}


def postgres_schema_url(url):
    """A new schema for one test and the engine options that put it first on the path."""
    schema = "t_" + uuid.uuid4().hex[:16]
    plain = make_url(url).set(drivername="postgresql")
    with psycopg.connect(plain.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return schema, {"connect_args": {"options": f"-csearch_path={schema}"}}


def drop_postgres_schema(url, schema):
    plain = make_url(url).set(drivername="postgresql")
    with psycopg.connect(plain.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def database(tmp_path):
    """(url, engine options) of an empty database for this test."""
    if TEST_DATABASE_URL:
        schema, options = postgres_schema_url(TEST_DATABASE_URL)
        yield TEST_DATABASE_URL, options
        drop_postgres_schema(TEST_DATABASE_URL, schema)
    else:
        yield f"sqlite:///{tmp_path / 'test.db'}", {}


@pytest.fixture
def make_app(tmp_path, database):
    """Build an app on this test's database; ``create_schema=False`` leaves it empty."""
    url, engine_options = database
    made = []

    def make(create_schema=True, **config):
        settings = {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, **engine_options},
            "WTF_CSRF_ENABLED": False,
            "JOBS_BACKEND": "memory",
            "RATELIMIT_STORAGE_URI": "memory://",
            **HIGH_RATE_LIMITS,
            "MAIL_SERVER": None,
            "PUBLIC_URL": "http://shop.test",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "SERVER_NAME": None,
        }
        settings.update(config)
        app = create_app(settings)
        if create_schema:
            with app.app_context():
                db.create_all()
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def run_jobs(app):
    """Run what the background queue holds, as a worker would."""
    return lambda: drain(app)


@dataclass(frozen=True)
class ShopInfo:
    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class StaffInfo:
    id: int
    email: str
    password: str
    role: str
    shop_slug: str


def make_shop(app, slug, name, owner_email):
    with app.app_context():
        shop, owner = create_shop(
            slug=slug,
            name=name,
            owner_email=owner_email,
            owner_password=PASSWORD,
            owner_name="Chủ " + name,
        )
        db.session.commit()
        return ShopInfo(shop.id, shop.slug, shop.name), StaffInfo(
            owner.id, owner.email, PASSWORD, "owner", shop.slug
        )


@pytest.fixture
def shop_and_owner(app):
    return make_shop(app, "thoi-trang-mai", "Thời Trang Mai", "mai@example.com")


@pytest.fixture
def shop(shop_and_owner):
    return shop_and_owner[0]


@pytest.fixture
def owner(shop_and_owner):
    return shop_and_owner[1]


@pytest.fixture
def other_shop_and_owner(app):
    return make_shop(app, "cua-hang-binh", "Cửa hàng Bình", "binh@example.com")


@pytest.fixture
def other_shop(other_shop_and_owner):
    return other_shop_and_owner[0]


@pytest.fixture
def other_owner(other_shop_and_owner):
    return other_shop_and_owner[1]


def make_staff(app, shop, email, role):
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        staff = add_staff(shop=shop_row, email=email, role=role, password=PASSWORD, name="")
        db.session.commit()
        return StaffInfo(staff.id, staff.email, PASSWORD, str(role), shop.slug)


@pytest.fixture
def manager(app, shop):
    return make_staff(app, shop, "quanly@example.com", Role.MANAGER)


@pytest.fixture
def staff_member(app, shop):
    return make_staff(app, shop, "nhanvien@example.com", Role.STAFF)


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login_staff(self, staff, shop_slug=None, remember=False):
        return self.client.post(
            f"/{shop_slug or staff.shop_slug}/admin/login",
            data={"email": staff.email, "password": staff.password, "remember": remember},
        )

    def logout_staff(self, shop_slug):
        return self.client.post(f"/{shop_slug}/admin/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


def csrf_token_of(html):
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)
