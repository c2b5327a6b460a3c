"""The limit for the product page: a bare Flask app rendering the SAME template
(templates/storefront/product.html with its base templates) from data held in memory.

No database, no tenancy lookup, no session, no login manager, no CSRF: what is left is
Flask's routing, Jinja rendering, Flask-Babel translations and the money filter — the cost
any product page must pay. The products come from the JSON file the seeding step wrote
(``BENCH_BARE_DATA``), so both servers render the same products.

The URL rules (not the views) are copied from the real app at start-up, so links build the
same addresses. Served by gunicorn:
``BENCH_BARE_DATA=… gunicorn -w 2 -b 127.0.0.1:PORT bench.bare_app:app`` (from the root).
"""

import json
import os
from pathlib import Path
from types import SimpleNamespace

from flask import Flask, abort, g, render_template, request
from flask_babel import Babel
from flask_login import AnonymousUserMixin
from jinja2 import ChainableUndefined

from core.i18n import LANGUAGE_NAMES, format_money, format_when
from models.catalog import ShownProduct

ROOT = Path(__file__).resolve().parent.parent


class BareProduct(ShownProduct, SimpleNamespace):
    """What the product template reads of a ``models.Product``, as plain attributes."""


def load_data(path):
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    shop = SimpleNamespace(**data["shop"])
    nav = [SimpleNamespace(**c) for c in data["nav"]]
    products = {}
    for row in data["products"]:
        values = dict(row)
        values["images"] = [SimpleNamespace(**i) for i in row["images"]]
        values["collections"] = [SimpleNamespace(**c) for c in row["collections"]]
        products[row["slug"]] = BareProduct(**values)
    return shop, nav, products


def dummy_view(**kwargs):
    abort(404)


class LenientUndefined(ChainableUndefined):
    """A helper a newer template calls that this app does not know renders as nothing
    (the HTML comparison in bench/storefront.py then reports the difference)."""

    def __call__(self, *args, **kwargs):
        return self


def real_rules():
    """(rule, endpoint, methods) of the storefront and platform pages, read from the real
    app's URL map once at start-up, so that every ``url_for`` of the templates builds the
    same address. The real app is not used afterwards."""
    from app import create_app

    real = create_app()
    return [
        (rule.rule, rule.endpoint, rule.methods)
        for rule in real.url_map.iter_rules()
        if rule.endpoint.startswith(("storefront.", "platform."))
    ]


def create_bare_app(data_path):
    shop, nav, products = load_data(data_path)
    app = Flask(
        "bare",
        root_path=str(ROOT),
        template_folder="templates",
        static_folder="static",
    )
    app.config.update(
        BABEL_DEFAULT_LOCALE=shop.locale,
        BABEL_DEFAULT_TIMEZONE=shop.timezone,
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "translations"),
    )
    app.jinja_env.undefined = LenientUndefined
    Babel(app, locale_selector=lambda: shop.locale, timezone_selector=lambda: shop.timezone)
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["datetime"] = format_when
    app.jinja_env.globals.update(
        csrf_token=lambda: "bench-csrf-token",
        current_user=AnonymousUserMixin(),
        is_favourite=lambda product: False,
        status_label=lambda kind, status: str(status),
        role_label=str,
    )

    def product(slug):
        found = products.get(slug)
        if found is None:
            abort(404)
        return render_template("storefront/product.html", product=found)

    for rule, endpoint, methods in real_rules():
        view = product if endpoint == "storefront.product" else dummy_view
        app.add_url_rule(rule, endpoint, view, methods=methods)

    @app.url_value_preprocessor
    def pop_shop(endpoint, values):
        if values:
            values.pop("shop", None)

    @app.url_defaults
    def add_shop(endpoint, values):
        if "shop" not in values and app.url_map.is_endpoint_expecting(endpoint, "shop"):
            values["shop"] = shop.slug

    @app.before_request
    def set_shop():
        g.shop = shop

    @app.context_processor
    def template_values():
        return {
            "current_member": None,
            "shop_collections": nav,
            "current_locale": shop.locale,
            "language_names": LANGUAGE_NAMES,
            "request_path": request.full_path.rstrip("?"),
        }

    return app


app = create_bare_app(os.environ["BENCH_BARE_DATA"])
