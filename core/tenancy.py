"""The current shop, taken from the first path segment, and the one way to query its rows.

Every tenant-owned row carries ``shop_id``. Views load such rows only through
``shop_query`` / ``get_for_shop_or_404``, so an id of another shop is a 404, never the row.
"""

from functools import cache

from flask import abort, g
from sqlalchemy import bindparam

from core.extensions import db
from core.inputs import parse_id

# The model of shops, given by ``models.shop`` (see ``bind_model``).
Shop = None


def bind_model(model):
    """Class decorator of the model of shops (``models.shop``): core works that table
    without importing the models, which sit above it."""
    global Shop
    Shop = model
    return model


@cache
def _shop_by_slug():
    """Built once: every request of every shop runs it."""
    return db.select(Shop).where(Shop.slug == bindparam("slug"))


def load_shop_from_url(endpoint, values):
    """``url_value_preprocessor`` of the shop blueprints: pop ``shop`` into ``g.shop``."""
    if not values or "shop" not in values:
        return
    slug = values.pop("shop")
    shop = db.session.scalar(_shop_by_slug(), {"slug": slug})
    if shop is None:
        abort(404)
    g.shop = shop


def add_shop_to_url(endpoint, values):
    """``url_defaults`` of the shop blueprints: ``url_for`` needs no slug inside a shop."""
    if "shop" in values:
        return
    shop = g.get("shop")
    if shop is not None:
        values["shop"] = shop.slug


def current_shop():
    shop = g.get("shop")
    if shop is None:
        raise RuntimeError("no shop in this request")
    return shop


def for_shop(model, shop):
    """A select of ``model`` rows that belong to ``shop``; services use it with their shop."""
    return db.select(model).where(model.shop_id == shop.id)


def shop_query(model):
    """A select of ``model`` rows of the current request's shop."""
    return for_shop(model, current_shop())


def get_for_shop(model, id_, shop, lock=False):
    """``shop``'s row of ``model`` with this id (as given by anyone: see ``parse_id``), or
    None. ``lock``: held until the commit, so two people changing it at once change it once."""
    id_ = parse_id(id_)
    if id_ is None:
        return None
    query = for_shop(model, shop).where(model.id == id_)
    if lock:
        query = query.with_for_update()
    return db.session.scalar(query)


def get_for_shop_or_404(model, id_, lock=False):
    """The current shop's row of ``model`` with this id; another shop's id is a 404."""
    row = get_for_shop(model, id_, current_shop(), lock=lock)
    if row is None:
        abort(404)
    return row
