"""The shopper's cart: which of the shop's products, and how many of each.

A cart is a plain mapping ``{product_id: quantity}`` that the caller keeps (the storefront
keeps it in the session, one per shop). It never holds a price: every total is read from
the products as they are now. Functions here check what a shopper asks for and return a
new mapping; a refusal (``ServiceError``) leaves the caller's cart as it was."""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from core.extensions import db
from core.inputs import parse_id
from core.tenancy import for_shop
from models import Product
from services import ServiceError

MAX_QUANTITY = 99
# Distinct products in one cart: the session cookie that holds it stays small.
MAX_LINES = 50


def parse_quantity(value, *, field="quantity", allow_zero=False):
    """A whole number of items from 1 (0 when ``allow_zero``) to 99, from what was typed."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, int):
        number = value
    else:
        text = (value or "").strip() if isinstance(value, str) else ""
        number = int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None
    lowest = 0 if allow_zero else 1
    if number is None or not lowest <= number <= MAX_QUANTITY:
        raise ServiceError(
            _l("Enter a quantity from %(low)s to %(high)s.", low=lowest, high=MAX_QUANTITY),
            field,
        )
    return number


# A product id is a row id like any other: one bounded parser for all.
parse_product_id = parse_id


def visible_product(shop, product_id):
    """The shop's product a shopper may buy, or None (unknown, hidden or another shop's)."""
    product_id = parse_id(product_id)
    if product_id is None:
        return None
    return db.session.scalar(
        for_shop(Product, shop).where(Product.id == product_id, Product.hidden.is_(False))
    )


def check_stock(product, quantity, field="quantity"):
    """Refuse more items than a product that counts its stock has left."""
    if not product.track_stock or quantity <= product.stock:
        return
    if product.stock <= 0:
        raise ServiceError(_l("“%(name)s” is out of stock.", name=product.name), field)
    raise ServiceError(
        _l("Only %(n)s of “%(name)s” left in stock.", n=product.stock, name=product.name), field
    )


def not_available():
    return ServiceError(_l("This product is not available."), "product_id")


def add_item(*, shop, items, product_id, quantity):
    """(new cart, product): ``quantity`` more of a product; the sum obeys the same limits."""
    product = visible_product(shop, product_id)
    if product is None:
        raise not_available()
    quantity = parse_quantity(quantity)
    total = items.get(product.id, 0) + quantity
    if total > MAX_QUANTITY:
        raise ServiceError(
            _l("You can buy at most %(n)s of one product in an order.", n=MAX_QUANTITY),
            "quantity",
        )
    if product.id not in items and len(items) >= MAX_LINES:
        raise ServiceError(
            _l("Your cart is full. Please place an order for what it holds first."), "quantity"
        )
    check_stock(product, total)
    return {**items, product.id: total}, product


def update_items(*, shop, items, quantities):
    """New cart from ``{product_id: typed quantity}``; 0 removes the product. Product ids
    that are not in the cart are ignored; any refusal changes nothing."""
    updated = dict(items)
    for product_id, value in quantities.items():
        if product_id not in items:
            continue
        quantity = parse_quantity(value, field=f"quantity-{product_id}", allow_zero=True)
        if quantity == 0:
            updated.pop(product_id)
            continue
        product = visible_product(shop, product_id)
        if product is None:
            raise not_available()
        check_stock(product, quantity, field=f"quantity-{product_id}")
        updated[product_id] = quantity
    return updated


def remove_item(*, items, product_id):
    product_id = parse_id(product_id)
    return {pid: qty for pid, qty in items.items() if pid != product_id}


def shipping_fee_for(shop, subtotal):
    """The shop's flat fee, nothing from its free-shipping threshold up (when it has one)."""
    threshold = shop.free_shipping_threshold
    if threshold is not None and subtotal >= threshold:
        return 0
    return shop.shipping_fee


@dataclass
class CartLine:
    product: Product
    quantity: int

    @property
    def unit_price(self):
        return self.product.price

    @property
    def line_total(self):
        return self.product.price * self.quantity

    @property
    def short_of_stock(self):
        return self.product.track_stock and self.quantity > self.product.stock


@dataclass
class CartSummary:
    lines: list[CartLine] = field(default_factory=list)
    # Product ids the cart held that can no longer be bought (hidden or deleted since).
    dropped: list[int] = field(default_factory=list)
    subtotal: int = 0
    shipping_fee: int = 0
    # A voucher applied (``services.vouchers.apply_to``): its code and the goods discount.
    voucher_code: str | None = None
    discount: int = 0

    @property
    def total(self):
        return self.subtotal + self.shipping_fee - self.discount

    @property
    def count(self):
        return sum(line.quantity for line in self.lines)

    @property
    def items(self):
        """The cart without the dropped products."""
        return {line.product.id: line.quantity for line in self.lines}


def summarise(*, shop, items):
    """The cart's lines with today's prices, its subtotal, shipping fee and total."""
    ids = [pid for pid in items if isinstance(pid, int)]
    products = {}
    if ids:
        rows = db.session.scalars(
            for_shop(Product, shop).where(Product.id.in_(ids), Product.hidden.is_(False))
        )
        products = {product.id: product for product in rows}
    summary = CartSummary()
    for product_id, quantity in items.items():
        product = products.get(product_id)
        if product is None:
            summary.dropped.append(product_id)
        else:
            summary.lines.append(CartLine(product, quantity))
    summary.subtotal = sum(line.line_total for line in summary.lines)
    summary.shipping_fee = shipping_fee_for(shop, summary.subtotal) if summary.lines else 0
    return summary
