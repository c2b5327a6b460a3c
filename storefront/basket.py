"""The shopper's cart as the session keeps it, one per shop: the cart pages and the checkout
both use it (a module without routes, so that route modules import it, never each other).

The session holds product ids and quantities only; the cart service checks every change
and reads prices from the products each time the cart is shown."""

from flask import flash, g, session
from flask_babel import gettext as _

from services import cart as cart_service
from services import vouchers
from services.vouchers import VoucherRefused, normalise_code

SESSION_KEY = "carts"
VOUCHER_KEY = "vouchers"


def cart_items():
    """This shop's cart from the session as ``{product_id: quantity}`` (ints)."""
    carts = session.get(SESSION_KEY)
    raw = carts.get(str(g.shop.id)) if isinstance(carts, dict) else None
    items = {}
    for key, value in (raw or {}).items() if isinstance(raw, dict) else ():
        if str(key).isdigit() and isinstance(value, int) and value > 0:
            items[int(key)] = value
    return items


def save_cart_items(items):
    carts = session.get(SESSION_KEY)
    carts = dict(carts) if isinstance(carts, dict) else {}
    if items:
        carts[str(g.shop.id)] = {str(pid): quantity for pid, quantity in items.items()}
    else:
        carts.pop(str(g.shop.id), None)
    session[SESSION_KEY] = carts


def clear_cart():
    save_cart_items({})
    save_voucher_code("")


def voucher_code():
    """The voucher code the shopper entered at this shop ("" for none)."""
    codes = session.get(VOUCHER_KEY)
    code = codes.get(str(g.shop.id)) if isinstance(codes, dict) else None
    return normalise_code(code) if isinstance(code, str) else ""


def save_voucher_code(code):
    codes = session.get(VOUCHER_KEY)
    codes = dict(codes) if isinstance(codes, dict) else {}
    code = normalise_code(code)[: vouchers.CODE_MAX]
    if code:
        codes[str(g.shop.id)] = code
    else:
        codes.pop(str(g.shop.id), None)
    session[VOUCHER_KEY] = codes


def priced_cart(member):
    """(the cart with the entered voucher applied, the reason it is refused or None)."""
    summary = cart_summary()
    code = voucher_code()
    if not code or not summary.lines:
        return summary, None
    try:
        vouchers.apply_to(summary, shop=g.shop, code=code, customer=member)
    except VoucherRefused as refused:
        return summary, str(refused.message)
    return summary, None


def cart_summary():
    """The cart with today's prices; products that can no longer be bought leave it."""
    items = cart_items()
    summary = cart_service.summarise(shop=g.shop, items=items)
    if summary.dropped:
        save_cart_items(summary.items)
        flash(
            _("Some products are no longer available and were taken out of your cart."),
            "warning",
        )
    return summary
