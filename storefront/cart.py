"""The shopper's cart under ``/<shop>/cart``, kept in the session, one per shop.

The session holds product ids and quantities only; the cart service checks every change
and reads prices from the products each time the cart is shown."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core.auth import current_customer
from services import ServiceError
from services import cart as cart_service
from storefront import bp
from storefront.basket import (
    cart_items,
    priced_cart,
    save_cart_items,
    save_voucher_code,
    voucher_code,
)
from storefront.checkout_forms import CartAddForm, CartRemoveForm, CartUpdateForm, VoucherForm


@bp.context_processor
def inject_cart_count():
    if g.get("shop") is None:
        return {}
    return {"cart_count": sum(cart_items().values())}


def back_to(product):
    if product is not None:
        return redirect(url_for("storefront.product", slug=product.slug))
    return redirect(url_for("storefront.cart"))


@bp.post("/cart/add")
def cart_add():
    form = CartAddForm()
    product = cart_service.visible_product(g.shop, form.product_id.data)
    try:
        items, product = cart_service.add_item(
            shop=g.shop,
            items=cart_items(),
            product_id=form.product_id.data,
            quantity=form.quantity.data,
        )
    except ServiceError as error:
        flash(str(error.message), "danger")
        return back_to(product)
    save_cart_items(items)
    flash(_("“%(name)s” was added to your cart.", name=product.name), "success")
    return redirect(url_for("storefront.cart"))


@bp.get("/cart")
def cart():
    summary, refusal = priced_cart(current_customer())
    return render_template(
        "storefront/cart.html",
        summary=summary,
        voucher_code=voucher_code(),
        voucher_refusal=refusal,
        update_form=CartUpdateForm(),
        remove_form=CartRemoveForm(),
    )


@bp.post("/cart/voucher")
def cart_voucher():
    """Apply the typed voucher code (kept even when refused: the cart says why) or remove it."""
    form = VoucherForm()
    if form.validate_on_submit():
        remove = request.form.get("voucher_action") == "remove"
        save_voucher_code("" if remove else form.voucher_code.data)
        if remove:
            flash(_("The voucher was removed."), "success")
    return redirect(url_for("storefront.cart"))


@bp.post("/cart/update")
def cart_update():
    items = cart_items()
    quantities = {
        pid: request.form[f"quantity-{pid}"] for pid in items if f"quantity-{pid}" in request.form
    }
    try:
        items = cart_service.update_items(shop=g.shop, items=items, quantities=quantities)
    except ServiceError as error:
        flash(str(error.message), "danger")
    else:
        save_cart_items(items)
        flash(_("Your cart was updated."), "success")
    return redirect(url_for("storefront.cart"))


@bp.post("/cart/remove")
def cart_remove():
    form = CartRemoveForm()
    if form.validate_on_submit():
        items = cart_items()
        remaining = cart_service.remove_item(items=items, product_id=form.product_id.data)
        if remaining != items:
            save_cart_items(remaining)
            flash(_("The product was taken out of your cart."), "success")
    return redirect(url_for("storefront.cart"))
