"""Configuration defaults. Values are overridden, in order, by ``instance/config.py``,
the environment and the ``test_config`` mapping given to ``create_app``."""

import json
import os
import secrets
from pathlib import Path

# Plain environment names read as they are; everything else comes as CUAHANG_<NAME>.
PLAIN_ENV = (
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_USE_TLS",
    "MAIL_USE_SSL",
    "MAIL_DEFAULT_SENDER",
)
TRUE_WORDS = {"1", "true", "yes", "on"}


class Defaults:
    ENV = "development"
    SECRET_KEY = None
    DATABASE_URL = None  # default: SQLite in the instance folder
    REDIS_URL = None

    SIGNUP_ENABLED = True
    PUBLIC_URL = None  # e.g. https://shop.example.vn, used for links in emails from jobs

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # A login without "remember me" is forgotten after this many seconds without a visit.
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 14
    REMEMBER_DAYS = 30  # how long "remember me" keeps a person signed in

    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")

    RATELIMIT_STORAGE_URI = None  # memory, or Redis when REDIS_URL is set
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    LOGIN_ACCOUNT_RATE_LIMIT = "20 per hour"
    SIGNUP_RATE_LIMIT = "10 per hour"
    MEMBER_REGISTER_RATE_LIMIT = "20 per hour"
    MEMBER_PHONE_RATE_LIMIT = "20 per hour"  # a member's phone changes

    # Customer import: the largest file accepted, and the most rows read from it.
    IMPORT_MAX_BYTES = 5 * 1024 * 1024
    IMPORT_MAX_ROWS = 100_000
    # Customer export: up to this many rows download at once; more are written by a job and
    # the link is emailed.
    EXPORT_MAX_DOWNLOAD_ROWS = 5000

    MAIL_SERVER = None  # unset: messages are written to instance/mail/ as .eml files
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "Cửa Hàng <no-reply@localhost>"
    MAIL_TIMEOUT = 20
    OUTBOX_BATCH_SIZE = 100
    OUTBOX_MAX_ATTEMPTS = 8

    # "sqlite" (a file in instance/), "redis" (REDIS_URL) or "memory" (tests).
    JOBS_BACKEND = None
    JOBS_WORKERS = 2
    JOBS_QUEUE_NAME = "cuahang"
    JOBS_STALE_AFTER = 15 * 60  # seconds without progress before a running job is resumed


def normalise_database_url(url):
    """Use psycopg 3 for every PostgreSQL URL, whatever scheme the operator wrote."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def parse_env_value(name, value):
    if name in ("MAIL_USE_TLS", "MAIL_USE_SSL"):
        return value.strip().lower() in TRUE_WORDS
    if name == "MAIL_PORT":
        return int(value)
    return value


def load_environment(config, environ=None):
    environ = os.environ if environ is None else environ
    for name in PLAIN_ENV:
        if environ.get(name):
            config[name] = parse_env_value(name, environ[name])
    prefixed = {k: v for k, v in environ.items() if k.startswith("CUAHANG_")}
    if prefixed:
        config.from_prefixed_env("CUAHANG", loads=_loads)


def _loads(value):
    """Environment values: JSON where it parses (numbers, true/false), else the string."""
    try:
        return json.loads(value)
    except ValueError:
        return value


def development_secret_key(instance_path):
    """A random key written once into the instance folder, so sessions survive restarts."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
