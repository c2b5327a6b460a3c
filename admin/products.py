"""The shop's catalog in the admin: products (list, search, create, edit, images, delete)
and collections. Everyone on the staff may look; managers and the owner change things."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import and_
from sqlalchemy.orm import selectinload

from admin import bp
from admin.product_forms import CollectionForm, ProductForm
from core.auth import staff_may, staff_required
from core.extensions import db
from core.forms import EmptyForm, show_error
from core.inputs import paginate, search_text
from core.tenancy import get_for_shop_or_404, shop_query
from models import Collection, Product, ProductImage, Role, fold, product_collections
from services import ServiceError
from services import catalog as catalog_service

PER_PAGE = 50
PRODUCT_FIELDS = (
    "name",
    "slug",
    "description",
    "price",
    "compare_at_price",
    "sku",
    "track_stock",
    "stock",
    "hidden",
    "featured",
)


def require_editor():
    """Staff may read the product pages; a POST needs a manager or the owner."""
    if not staff_may(Role.MANAGER):
        abort(403)


def product_search(q):
    words = fold(q).split()
    if not words:
        return None
    return and_(*(Product.search_text.contains(word, autoescape=True) for word in words))


def shop_collections():
    return db.session.scalars(shop_query(Collection).order_by(Collection.name)).all()


@bp.get("/products")
@staff_required()
def products():
    q = search_text(request.args.get("q"))
    query = shop_query(Product)
    condition = product_search(q)
    if condition is not None:
        query = query.where(condition)
    query = query.order_by(Product.created_at.desc(), Product.id.desc()).options(
        selectinload(Product.images)
    )
    page = paginate(query, per_page=PER_PAGE)
    return render_template("admin/products.html", page=page, q=q, can_edit=staff_may(Role.MANAGER))


def save_product(form, product=None):
    """Create or update from the form; the images go last, so a refused image leaves the
    product unsaved too. Returns the product, or None when the form shows an error."""
    values = {name: getattr(form, name).data for name in PRODUCT_FIELDS}
    try:
        if product is None:
            product = catalog_service.create_product(
                shop=g.shop, collections=form.collections.data or [], **values
            )
        else:
            catalog_service.update_product(
                shop=g.shop, product=product, collections=form.collections.data or [], **values
            )
        for upload in form.images.data or []:
            if upload and upload.filename:
                catalog_service.add_image(shop=g.shop, product=product, stream=upload.stream)
    except ServiceError as error:
        db.session.rollback()
        show_error(form, error, form.name)
        return None
    db.session.commit()
    return product


def product_form(product=None):
    """The form, filled from ``product`` on a GET (named fields only)."""
    data = {}
    if product is not None and request.method != "POST":
        data = {name: getattr(product, name) for name in PRODUCT_FIELDS}
        data["price"] = str(product.price)
        data["compare_at_price"] = (
            "" if product.compare_at_price is None else str(product.compare_at_price)
        )
        data["stock"] = str(product.stock)
        data["collections"] = [c.id for c in product.collections]
    form = ProductForm(data=data)
    form.collections.choices = [(c.id, c.name) for c in shop_collections()]
    return form


@bp.route("/products/new", methods=["GET", "POST"])
@staff_required(Role.MANAGER)
def product_new():
    form = product_form()
    if form.validate_on_submit():
        product = save_product(form)
        if product is not None:
            flash(_("%(name)s was added to the catalog.", name=product.name), "success")
            return redirect(url_for("admin.product_edit", product_id=product.id))
    return render_template("admin/product_form.html", form=form, product=None, can_edit=True)


@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
@staff_required()
def product_edit(product_id):
    product = get_for_shop_or_404(Product, product_id)
    if request.method == "POST":
        require_editor()
    form = product_form(product)
    if form.validate_on_submit():
        if save_product(form, product) is not None:
            flash(_("%(name)s was saved.", name=product.name), "success")
            return redirect(url_for("admin.product_edit", product_id=product.id))
    return render_template(
        "admin/product_form.html",
        form=form,
        product=product,
        can_edit=staff_may(Role.MANAGER),
        action_form=EmptyForm(formdata=None),
    )


@bp.post("/products/<int:product_id>/delete")
@staff_required(Role.MANAGER)
def product_delete(product_id):
    product = get_for_shop_or_404(Product, product_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    name = product.name
    outcome = catalog_service.delete_product(shop=g.shop, product=product)
    db.session.commit()
    if outcome == "hidden":
        flash(_("%(name)s has orders, so it was hidden instead of deleted.", name=name), "info")
    else:
        flash(_("%(name)s was deleted.", name=name), "info")
    return redirect(url_for("admin.products"))


@bp.post("/products/<int:product_id>/images/<int:image_id>/delete")
@staff_required(Role.MANAGER)
def product_image_delete(product_id, image_id):
    product = get_for_shop_or_404(Product, product_id)
    image = get_for_shop_or_404(ProductImage, image_id)
    if image.product_id != product.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    catalog_service.remove_image(shop=g.shop, image=image)
    db.session.commit()
    flash(_("The image was removed."), "info")
    return redirect(url_for("admin.product_edit", product_id=product.id))


@bp.route("/collections", methods=["GET", "POST"])
@staff_required()
def collections():
    form = CollectionForm()
    if request.method == "POST":
        require_editor()
    if form.validate_on_submit():
        try:
            collection = catalog_service.create_collection(
                shop=g.shop,
                name=form.name.data,
                slug=form.slug.data,
                description=form.description.data,
            )
        except ServiceError as error:
            db.session.rollback()
            show_error(form, error, form.name)
        else:
            db.session.commit()
            flash(_("The collection %(name)s was created.", name=collection.name), "success")
            return redirect(url_for("admin.collections"))
    counts = dict(
        db.session.execute(
            db.select(product_collections.c.collection_id, db.func.count())
            .where(product_collections.c.shop_id == g.shop.id)
            .group_by(product_collections.c.collection_id)
        ).all()
    )
    return render_template(
        "admin/collections.html",
        form=form,
        collections=shop_collections(),
        counts=counts,
        can_edit=staff_may(Role.MANAGER),
    )
