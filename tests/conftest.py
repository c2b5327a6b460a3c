"""Fixtures: a fresh database per test (SQLite in a temporary folder, or a schema of its own
in PostgreSQL when TEST_DATABASE_URL is set), and an app that holds no context open while
the test client runs.

Most of a test used to be set-up: every app compiled its URL map and its templates again,
and every test built the schema table by table. The schema is now built once per run and
copied into each test's database, and what the apps compile is shared (see ``speedups``):
each test still gets its own app from ``create_app`` on a database of its own."""

import os
import re
import shutil

import pytest
from sqlalchemy.engine import make_url

from app import create_app
from core.config import Defaults, normalise_database_url
from core.extensions import db
from core.jobs import drain
from models import Role
from tests import speedups
from tests.factories import (  # noqa: F401 (PASSWORD, ShopInfo, StaffInfo: tests import them from here)
    PASSWORD,
    ShopInfo,
    StaffInfo,
    make_shop,
    make_staff,
)
from tests.pg_schemas import SchemaPool, TestSchema

# Browser tests run with ``make e2e`` only: ``make test`` stays fast and needs no browser.
collect_ignore_glob = [] if os.environ.get("CUAHANG_E2E") else ["e2e/*"]
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
# Tests sign in and register as often as they need: a limit they could reach would make a
# test fail on a slow machine or in a long module. The limiter's own tests set theirs.
HIGH_RATE_LIMITS = {
    name: "1000 per minute" for name in vars(Defaults) if name.endswith("_RATE_LIMIT")
}


speedups.install()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A SQLite file holding the empty schema, built once per run: a test's database is a
    copy of it, which costs a file copy instead of some hundred statements."""
    path = tmp_path_factory.mktemp("template") / "schema.db"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "INSTANCE_PATH": str(path.parent / "instance"),
            "DATABASE_URL": f"sqlite:///{path}",
            "JOBS_BACKEND": "memory",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_schemas():
    pool = SchemaPool(TEST_DATABASE_URL)
    yield pool
    pool.close()


@pytest.fixture
def postgres_schema(request):
    """This test's PostgreSQL schema (``None`` on SQLite), made when an app first needs it."""
    if not TEST_DATABASE_URL:
        yield None
        return
    schema = TestSchema(request.getfixturevalue("postgres_schemas"))
    yield schema
    schema.release()


@pytest.fixture
def database(tmp_path, postgres_schema):
    """(url, engine options) of an empty database for this test."""
    if postgres_schema:
        yield (
            TEST_DATABASE_URL,
            {"connect_args": {"options": f"-csearch_path={postgres_schema.search_path}"}},
        )
    else:
        yield f"sqlite:///{tmp_path / 'test.db'}", {}


def fill_sqlite_from_template(url, template):
    """Copy the schema into this test's SQLite file if nothing has touched it yet; ``False``
    when the file already exists (another app of the test made it), so the caller builds
    the missing tables as before and keeps what the file holds."""
    path = make_url(url).database
    if not path or os.path.exists(path):
        return False
    shutil.copyfile(template, path)
    return True


@pytest.fixture
def make_app(request, tmp_path, database, postgres_schema):
    """Build an app on this test's database; ``create_schema=False`` leaves it empty."""
    url, engine_options = database
    postgres_schema_uri = normalise_database_url(url)
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
        speedups.share_templates(app)
        uri = app.config["SQLALCHEMY_DATABASE_URI"]
        if uri.startswith("sqlite"):
            built = create_schema and fill_sqlite_from_template(
                uri, request.getfixturevalue("sqlite_template")
            )
        elif postgres_schema and uri == postgres_schema_uri:
            built = postgres_schema.make(with_tables=create_schema)
        else:
            built = False
        if create_schema and not built:
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
