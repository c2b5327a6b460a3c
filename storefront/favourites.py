"""The member's favourites: the heart on a product (its card and its page) and the list in
their account. Only this shop's visible products can be favourites here: another shop's
product, or a hidden one, is a page that does not exist.

Whoever is not this shop's signed-in member (a visitor, a member of another shop, a staff
user) is sent to the member login, which brings them back to the product afterwards."""

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from wtforms import HiddenField

from core.auth import current_customer, customer_required, safe_next
from core.extensions import db
from core.forms import Form
from core.inputs import paginate
from core.tenancy import shop_query
from models import Product
from services import favourites as favourite_service
from storefront import bp

PER_PAGE = 24


class FavouriteToggleForm(Form):
    """The heart. ``favourite`` is the state wanted ("1" or "0"), so that a double click
    leaves what the shopper saw; without it the favourite turns over."""

    favourite = HiddenField()
    next = HiddenField()


@bp.app_template_global("is_favourite")
def is_favourite(product):
    """Whether the signed-in member of this shop likes ``product``; one query per page."""
    customer = current_customer()
    if customer is None:
        return False
    if "favourite_ids" not in g:
        g.favourite_ids = favourite_service.favourite_product_ids(shop=g.shop, customer=customer)
    return product.id in g.favourite_ids


@bp.post("/favourites/<int:product_id>")
def favourite_toggle(product_id):
    product = db.session.scalar(
        shop_query(Product).where(Product.id == product_id, Product.hidden.is_(False))
    )
    customer = current_customer()
    if customer is None:
        # Like every member page, a visitor goes to the login whatever the id: back to the
        # product afterwards when there is one to show.
        flash(_("Please log in to keep your favourite products."), "info")
        back = url_for("storefront.product", slug=product.slug) if product else None
        return redirect(url_for("storefront.login", next=back))
    if product is None:
        abort(404)
    product_page = url_for("storefront.product", slug=product.slug)
    form = FavouriteToggleForm()
    if form.validate_on_submit():
        wanted = {"1": True, "0": False}.get(form.favourite.data or "")
        now = favourite_service.toggle_favourite(
            shop=g.shop, customer=customer, product=product, favourite=wanted
        )
        db.session.commit()
        if now:
            flash(_("%(name)s is now one of your favourites.", name=product.name), "success")
        else:
            flash(_("%(name)s was removed from your favourites.", name=product.name), "info")
    target = safe_next(form.next.data, url_for("storefront.home"))
    return redirect(target or product_page)


@bp.get("/account/favourites")
@customer_required
def favourites():
    customer = current_customer()
    page = paginate(
        favourite_service.favourites_query(shop=g.shop, customer=customer), per_page=PER_PAGE
    )
    return render_template("storefront/account/favourites.html", customer=customer, page=page)
