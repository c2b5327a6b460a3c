"""Checking out under ``/<shop>/checkout``, as a guest or as a signed-in member.

``services.orders.place_order`` checks everything that was posted (the contact, the saved
address, the stock, the total shown); this view shows its refusals beside their fields."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core.auth import current_customer
from core.extensions import db
from core.forms import show_error
from services import ServiceError
from services import orders as order_service
from services.phones import display_phone
from services.vouchers import normalise_code
from storefront import bp
from storefront.basket import (
    cart_summary,
    clear_cart,
    priced_cart,
    save_voucher_code,
    voucher_code,
)
from storefront.checkout_forms import CheckoutForm


def shown_total(value):
    """The total the page showed, or None when the form did not say (no check then)."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 16 else None


def show_refusal(form, error):
    """A refusal beside the field it names, with a message to look there; a changed total,
    or a refusal of the cart itself, as a message of its own."""
    if isinstance(error, order_service.PriceChanged):
        flash(str(error.message), "warning")
    elif show_error(form, error) is not None:
        flash(_("Please check the highlighted fields."), "danger")
    else:
        flash(str(error.message), "danger")


def checkout_form(member):
    shop_takes_transfers = bool((g.shop.bank_details or "").strip())
    if member is None:
        return CheckoutForm(
            bank_transfer=shop_takes_transfers, data={"voucher_code": voucher_code()}
        )
    default = member.default_address
    return CheckoutForm(
        addresses=member.addresses,
        bank_transfer=shop_takes_transfers,
        data={
            "full_name": member.full_name,
            "email": member.email,
            "phone": display_phone(member.primary_phone),
            "address_id": str(default.id) if default is not None else "",
            "voucher_code": voucher_code(),
        },
    )


def voucher_changed(form):
    """Whether this post applies or removes the voucher instead of placing the order (the
    page then shows the new total with everything typed kept). A code typed but not
    applied yet is applied first, so that nobody orders at a total they were not shown."""
    if request.method != "POST":
        return False
    action = request.form.get("voucher_action")
    typed = normalise_code(form.voucher_code.data)
    if action == "remove":
        typed = form.voucher_code.data = ""
    elif action != "apply" and typed == voucher_code():
        return False
    form.voucher_code.data = typed
    save_voucher_code(typed)
    if typed and action != "apply":
        flash(_("Your voucher was applied: please check the new total."), "info")
    return True


def placed_order(form, summary, member):
    """The order placed from the checkout form, or None with the refusal shown."""
    try:
        return order_service.place_order(
            shop=g.shop,
            lines=list(summary.items.items()),
            customer=member,
            source="member" if member is not None else "guest",
            expected_total=shown_total(form.expected_total.data),
            # Only a member has an address book; a guest's address_id means nothing.
            **order_service.order_details(form.data, address_book=member is not None),
        )
    except ServiceError as error:
        db.session.rollback()
        show_refusal(form, error)
        return None


@bp.route("/checkout", methods=["GET", "POST"])
def checkout():
    summary = cart_summary()
    if not summary.lines:
        flash(_("Your cart is empty. Add a product before checking out."), "info")
        return redirect(url_for("storefront.cart"))
    member = current_customer()
    form = checkout_form(member)
    if voucher_changed(form):
        pass
    elif form.validate_on_submit():
        order = placed_order(form, summary, member)
        if order is not None:
            db.session.commit()
            clear_cart()
            flash(
                _("Thank you! Your order %(number)s was placed.", number=order.display_number),
                "success",
            )
            return redirect(url_for("storefront.order", token=order.token))
    elif form.is_submitted() and form.errors:
        flash(_("Please check the highlighted fields."), "danger")
    summary, refusal = priced_cart(member)
    if refusal and not form.voucher_code.errors:
        form.voucher_code.errors = [refusal]
    # Whatever was posted, the hidden total is the one this page shows.
    form.expected_total.data = str(summary.total)
    return render_template(
        "storefront/checkout.html",
        form=form,
        summary=summary,
        member=member,
        bank_details=(g.shop.bank_details or "").strip(),
    )
