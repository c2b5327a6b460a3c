"""The shop's catalog for shoppers: collections, product pages, search and the uploaded
images. A hidden product, or a slug of another shop, is a page that does not exist."""

from flask import abort, g, render_template, request, send_file
from sqlalchemy import and_

from core.extensions import db
from core.inputs import paginate, search_text
from core.tenancy import shop_query
from models import Collection, Product, fold, product_collections
from services.catalog import media_path
from storefront import bp, showcase

PER_PAGE = 24
MEDIA_MAX_AGE = 60 * 60 * 24 * 365  # file names are random and never reused


def visible_products():
    """This shop's products a shopper may see, newest first, with their images."""
    return showcase.visible_products(g.shop)


@bp.context_processor
def inject_collections():
    """The shop's collections in the menu of every storefront page."""
    if g.get("shop") is None:
        return {}
    return {"shop_collections": showcase.nav_collections(g.shop)}


@bp.get("/collections/<slug>")
def collection(slug):
    found = db.session.scalar(shop_query(Collection).where(Collection.slug == slug))
    if found is None:
        abort(404)
    query = (
        visible_products()
        .join(
            product_collections,
            and_(
                product_collections.c.product_id == Product.id,
                product_collections.c.shop_id == Product.shop_id,
            ),
        )
        .where(product_collections.c.collection_id == found.id)
    )
    page = paginate(query, per_page=PER_PAGE)
    return render_template("storefront/collection.html", collection=found, page=page)


@bp.get("/products/<slug>")
def product(slug):
    found = showcase.product_view(g.shop, slug)
    if found is None:
        abort(404)
    return render_template("storefront/product.html", product=found)


@bp.get("/search")
def search():
    q = search_text(request.args.get("q"))
    words = fold(q).split()
    page = None
    if words:
        query = visible_products().where(
            and_(*(Product.search_text.contains(word, autoescape=True) for word in words))
        )
        page = paginate(query, per_page=PER_PAGE)
    return render_template("storefront/search.html", q=q, page=page)


@bp.get("/media/<filename>")
def media(filename):
    path = media_path(g.shop, filename)
    if path is None:
        abort(404)
    return send_file(path, max_age=MEDIA_MAX_AGE, conditional=True)
