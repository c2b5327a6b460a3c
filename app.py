"""The application factory, on top of everything: it wires the infrastructure of ``core``,
the blueprints and the CLI commands into one app."""

import os
from datetime import timedelta
from pathlib import Path

from flask import Flask

import commands
from admin import bp as admin_bp
from core import auth, errors, inputs, jobs, outbox, sessions
from core import config as cfg
from core.extensions import babel, csrf, db, limiter, login_manager, mail, migrate
from core.i18n import register_i18n, select_locale, select_timezone
from core.security import register_security_headers
from landing import bp as landing_bp
from storefront import bp as storefront_bp

ROOT = Path(__file__).resolve().parent


def create_app(test_config=None):
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "CUAHANG_INSTANCE_PATH", str(ROOT / "instance")
    )
    app = Flask(
        "cuahang",
        root_path=str(ROOT),
        instance_path=str(instance_path),
        instance_relative_config=True,
        template_folder="templates",
        static_folder="static",
    )
    register_converters(app)
    configure(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_jobs(app)
    register_errorhandlers(app)
    register_cli(app)
    return app


def configure(app, test_config):
    app.config.from_object(cfg.Defaults)
    app.config.from_pyfile("config.py", silent=True)
    cfg.load_environment(app.config)
    if test_config:
        app.config.from_mapping(test_config)

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["SECRET_KEY"]:
        if app.config["ENV"] == "production":
            raise RuntimeError("SECRET_KEY must be set when CUAHANG_ENV=production")
        app.config["SECRET_KEY"] = cfg.development_secret_key(app.instance_path)
    if app.config["ENV"] == "production" and not app.config["PUBLIC_URL"]:
        # Links in emails must not be built from a Host header a visitor can forge.
        raise RuntimeError("CUAHANG_PUBLIC_URL must be set when CUAHANG_ENV=production")

    url = app.config["DATABASE_URL"] or f"sqlite:///{Path(app.instance_path) / 'cuahang.db'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = cfg.normalise_database_url(url)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # One writer at a time: wait for it rather than fail a burst of writes at once. A
        # file never drops a connection, so no ping before each checkout.
        options = {"connect_args": {"timeout": 30}}
    else:
        # A server may have closed an idle connection: test it before handing it out.
        options = {"pool_pre_ping": True}
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", options)

    duration = app.config.setdefault(
        "REMEMBER_COOKIE_DURATION", timedelta(days=app.config["REMEMBER_DAYS"])
    )
    if not isinstance(duration, timedelta):
        app.config["REMEMBER_COOKIE_DURATION"] = timedelta(seconds=duration)
    if app.config["ENV"] == "production":
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if not app.config["RATELIMIT_STORAGE_URI"]:
        redis_url = app.config["REDIS_URL"]
        app.config["RATELIMIT_STORAGE_URI"] = redis_url or "memory://"
    if not app.config["JOBS_BACKEND"]:
        app.config["JOBS_BACKEND"] = "redis" if app.config["REDIS_URL"] else "sqlite"
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "translations")


def register_converters(app):
    inputs.register_converters(app)


def register_extensions(app):
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    mail.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)
    register_i18n(app)
    register_security_headers(app)
    auth.init_app(app)
    sessions.init_app(app)
    outbox.init_app(app)


def register_blueprints(app):
    app.register_blueprint(landing_bp)
    app.register_blueprint(admin_bp, url_prefix="/<shop>/admin")
    app.register_blueprint(storefront_bp, url_prefix="/<shop>")


def register_jobs(app):
    """The background tasks of the services the blueprints and commands import are known by
    now (they registered on import), in the server and in every worker alike."""
    jobs.init_app(app)


def register_errorhandlers(app):
    errors.register_errorhandlers(app)


def register_cli(app):
    commands.register_commands(app)
