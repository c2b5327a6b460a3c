"""Checking out under ``/<shop>/checkout``, as a guest or as a signed-in member, and the
order page that the link in the confirmation email opens (``/<shop>/orders/<token>``)."""

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from core.auth import current_customer
from core.extensions import db
from core.forms import show_error
from services import ServiceError
from services import orders as order_service
from services.phones import display_phone
from storefront import bp
from storefront.basket import cart_summary, clear_cart
from storefront.checkout_forms import CheckoutForm


def shown_total(value):
    """The total the page showed, or None when the form did not say (no check then)."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 16 else None


def show_refusal(form, error):
    """Beside the field the service names (the hidden total shows nothing), else flashed."""
    if error.field != "expected_total" and show_error(form, error) is not None:
        flash(_("Please check the highlighted fields."), "danger")
    else:
        flash(str(error.message), "danger")


def checkout_form(member):
    shop_takes_transfers = bool((g.shop.bank_details or "").strip())
    if member is None:
        return CheckoutForm(bank_transfer=shop_takes_transfers)
    default = member.default_address
    return CheckoutForm(
        addresses=member.addresses,
        bank_transfer=shop_takes_transfers,
        data={
            "full_name": member.full_name,
            "email": member.email,
            "phone": display_phone(member.primary_phone),
            "address_id": str(default.id) if default is not None else "",
        },
    )


@bp.route("/checkout", methods=["GET", "POST"])
def checkout():
    summary = cart_summary()
    if not summary.lines:
        flash(_("Your cart is empty. Add a product before checking out."), "info")
        return redirect(url_for("storefront.cart"))
    member = current_customer()
    form = checkout_form(member)
    if form.validate_on_submit():
        try:
            order = order_service.place_order(
                shop=g.shop,
                lines=list(summary.items.items()),
                full_name=form.full_name.data,
                email=form.email.data,
                phone=form.phone.data,
                line1=form.line1.data,
                ward=form.ward.data,
                district=form.district.data,
                province=form.province.data,
                # Only a member has an address book; a guest's address_id means nothing.
                address_id=form.address_id.data if member is not None else None,
                payment_method=form.payment_method.data,
                note=form.note.data,
                customer=member,
                expected_total=shown_total(form.expected_total.data),
                source="member" if member is not None else "guest",
            )
        except order_service.PriceChanged as error:
            db.session.rollback()
            flash(str(error.message), "warning")
            summary = cart_summary()
        except ServiceError as error:
            db.session.rollback()
            show_refusal(form, error)
            summary = cart_summary()
        else:
            db.session.commit()
            clear_cart()
            flash(
                _("Thank you! Your order %(number)s was placed.", number=order.display_number),
                "success",
            )
            return redirect(url_for("storefront.order", token=order.token))
    elif form.is_submitted() and form.errors:
        flash(_("Please check the highlighted fields."), "danger")
    # Whatever was posted, the hidden total is the one this page shows.
    form.expected_total.data = str(summary.total)
    return render_template(
        "storefront/checkout.html",
        form=form,
        summary=summary,
        member=member,
        bank_details=(g.shop.bank_details or "").strip(),
    )


@bp.get("/orders/<token>")
def order(token):
    found = order_service.order_by_token(g.shop, token)
    if found is None:
        abort(404)
    return render_template(
        "storefront/order.html",
        order=found,
        invite_to_register=found.source == "guest" and current_customer() is None,
    )
