"""Placing an order: a guest's, a member's, or one staff enter for a customer.

``place_order`` is one transaction that the caller commits: it locks the shop's row (which
also hands out the order number) and the products, reads their prices and stock again,
writes the order with a copy of the contact, the address and each line, takes the items out
of stock, links the order to a customer record, and queues the confirmation email. Any
refusal is a ``ServiceError`` and leaves nothing written."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from core.inputs import multi_line, one_line, parse_id
from core.tenancy import for_shop
from core.urls import external_url
from models import (
    Address,
    Customer,
    CustomerStatus,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    Product,
    Shop,
)
from models.order import order_token
from services import ServiceError, events, vouchers
from services.cart import (
    MAX_QUANTITY,
    check_stock,
    parse_quantity,
    shipping_fee_for,
)
from services.customers import (
    add_phone,
    find_by_email,
    find_guest_by_phone,
    next_customer_code,
)
from services.emails import normalise_email
from services.notifications import email_customer
from services.phones import normalise_phone
from services.places import current_province
from services.totals import refresh_totals
from services.vouchers import normalise_code

SOURCES = ("guest", "member", "admin")
MAX_LINES = 100

# What a buyer fills in, as ``place_order`` names it. The checkout's and the admin's order
# forms name their fields the same, so both hand them on with ``order_details(form.data)``.
DETAILS = (
    "full_name",
    "email",
    "phone",
    "line1",
    "ward",
    "district",
    "province",
    "address_id",
    "payment_method",
    "note",
    "voucher_code",
)


class PriceChanged(ServiceError):
    """The total differs from the one the shopper was shown: show the new one first."""

    def __init__(self, total):
        super().__init__(
            _l(
                "Prices have changed since you opened this page. "
                "Please check the new total and place your order again."
            )
        )
        self.total = total


class OutOfStock(ServiceError):
    """More of a product than it has left: ``product_id`` says which, so that a form with a
    row per product can show the message beside that row."""

    def __init__(self, message, field=None, *, product_id=None):
        super().__init__(message, field)
        self.product_id = product_id


class CustomerCancelled(ServiceError):
    """Staff chose a customer whose account was cancelled: reinstate it first."""

    def __init__(self):
        super().__init__(
            _l(
                "This customer's account has been cancelled. "
                "Reinstate it before creating an order for them."
            )
        )


def check_can_order(customer):
    """Refuse a new order for a customer whose account was cancelled."""
    if customer is not None and customer.status == CustomerStatus.CANCELLED:
        raise CustomerCancelled()


# --- Checking what was given ----------------------------------------------------------


def _text(value, *, field, max_length, required_message=None):
    text = one_line(value)
    if required_message is not None and not text:
        raise ServiceError(required_message, field)
    if len(text) > max_length:
        raise ServiceError(_l("Please use at most %(max)d characters.", max=max_length), field)
    return text


def _contact(full_name, email, phone, *, email_optional=False):
    """The buyer's name, email and phone, checked. A blank email is refused, except where
    ``email_optional`` (an order staff take by phone): then the order has none (None)."""
    email = (email or "").strip()
    return {
        "full_name": _text(
            full_name, field="full_name", max_length=200, required_message=_l("Enter your name.")
        ),
        "email": normalise_email(email, field="email") if email or not email_optional else None,
        "phone": normalise_phone(phone, field="phone"),
    }


def _typed_address(line1, ward, district, province):
    line1 = _text(
        line1,
        field="line1",
        max_length=255,
        required_message=_l("Enter the house number and street."),
    )
    ward = _text(
        ward, field="ward", max_length=120, required_message=_l("Enter the ward or commune.")
    )
    district = _text(district, field="district", max_length=120) or None
    current = current_province(province)
    if current is None:
        raise ServiceError(_l("Choose a province or city from the list."), "province")
    return {"line1": line1, "ward": ward, "district": district, "province": current}


def _saved_address(shop, customer, address_id, *, for_staff=False):
    """One of the customer's own saved addresses; anyone else's is refused, in words for
    the member themselves or for ``for_staff`` entering the order."""
    wrong = ServiceError(
        _l("Choose one of the customer's saved addresses.")
        if for_staff
        else _l("Choose one of your saved addresses."),
        "address_id",
    )
    address_id = parse_id(address_id)
    if customer is None or address_id is None:
        raise wrong
    address = db.session.scalar(
        for_shop(Address, shop).where(Address.id == address_id, Address.customer_id == customer.id)
    )
    if address is None:
        raise wrong
    return address


def _wanted(lines):
    """``{product_id: quantity}`` from ``[(product_id, quantity)]``, in the given order."""
    wanted = {}
    for product_id, quantity in lines or ():
        pid = parse_id(product_id)
        if pid is None:
            raise ServiceError(_l("One of the products is not available any more."), "lines")
        wanted[pid] = wanted.get(pid, 0) + parse_quantity(quantity, field="lines")
        if wanted[pid] > MAX_QUANTITY:
            raise ServiceError(
                _l("You can buy at most %(n)s of one product in an order.", n=MAX_QUANTITY),
                "lines",
            )
    if not wanted:
        raise ServiceError(_l("Your cart is empty."), "lines")
    if len(wanted) > MAX_LINES:
        raise ServiceError(_l("Too many different products in one order."), "lines")
    return wanted


def _payment_method(shop, value):
    try:
        method = PaymentMethod(value or PaymentMethod.COD)
    except ValueError:
        raise ServiceError(_l("Choose a payment method."), "payment_method") from None
    if method == PaymentMethod.BANK_TRANSFER and not (shop.bank_details or "").strip():
        raise ServiceError(_l("This shop does not take bank transfers."), "payment_method")
    return method


# --- Numbers, stock and customers -----------------------------------------------------


def lock_shop(shop):
    """Hold the shop's row until the transaction ends: the shop's checkouts take turns, so
    each sees the stock the one before it left. A write rather than ``FOR UPDATE``: SQLite
    has no row locks, and its write lock also opens the transaction a savepoint needs."""
    db.session.execute(
        update(Shop)
        .where(Shop.id == shop.id)
        .values(order_seq=Shop.order_seq)
        .execution_options(synchronize_session=False)
    )


def next_order_number(shop):
    """#1001, #1002, … per shop; the counter row serialises concurrent checkouts."""
    while True:
        number = db.session.execute(
            update(Shop)
            .where(Shop.id == shop.id)
            .values(order_seq=Shop.order_seq + 1)
            .returning(Shop.order_seq)
        ).scalar_one()
        taken = db.session.scalar(
            for_shop(Order, shop).where(Order.number == number).with_only_columns(Order.id)
        )
        if taken is None:
            return number


def _locked_products(shop, wanted):
    """The wanted products, read again under a row lock (PostgreSQL), checked and in order."""
    rows = db.session.scalars(
        for_shop(Product, shop)
        .where(Product.id.in_(list(wanted)))
        .order_by(Product.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    by_id = {product.id: product for product in rows}
    products = []
    for product_id, quantity in wanted.items():
        product = by_id.get(product_id)
        if product is None or product.hidden:
            raise ServiceError(
                _l("One of the products is not available any more. Please check your cart."),
                "lines",
            )
        try:
            check_stock(product, quantity, field="lines")
        except ServiceError as error:
            raise OutOfStock(error.message, "lines", product_id=product.id) from None
        products.append((product, quantity))
    return products


def split_name(full_name):
    """``Phạm Minh Anh`` → (last ``Phạm``, first ``Minh Anh``): family name first."""
    parts = full_name.split()
    if len(parts) < 2:
        return "", full_name
    return parts[0], " ".join(parts[1:])


def _fill_blanks(customer, contact):
    """Complete a customer record with what the buyer typed; nothing known is overwritten."""
    if not customer.first_name and not customer.last_name:
        customer.last_name, customer.first_name = split_name(contact["full_name"])
    if (
        not customer.email
        and contact["email"]
        and find_by_email(customer.shop, contact["email"]) is None
    ):
        customer.email = contact["email"]
    if not customer.phones:
        add_phone(customer=customer, number=contact["phone"], primary=True)


def buyer_record(shop, contact, staff=None):
    """The shop's customer this contact belongs to (by email, then a guest by phone), or a
    new guest. A member found by email gets the order on their record, and nobody is told
    they exist; it shows in their account only if that email is confirmed there
    (``member_can_see``). A phone, which proves nothing, only ever finds a guest's record.
    Without an email only the phone is matched: a blank email never matches a record."""
    customer = None
    if contact["email"]:
        customer = find_by_email(shop, contact["email"])
    if customer is None:
        customer = find_guest_by_phone(shop, contact["phone"])
    if customer is None:
        last_name, first_name = split_name(contact["full_name"])
        customer = Customer(
            shop_id=shop.id,
            shop=shop,
            code=next_customer_code(shop),
            first_name=first_name,
            last_name=last_name,
            email=contact["email"],
            status=CustomerStatus.GUEST,
        )
        db.session.add(customer)
        add_phone(customer=customer, number=contact["phone"], primary=True)
        events.created_from_checkout(customer=customer, actor="customer", staff=staff)
    return customer


# --- Placing --------------------------------------------------------------------------


def order_details(data, *, address_book=True):
    """``place_order``'s keywords for what a buyer filled in (``DETAILS``), from an order
    form's ``data``. A blank choice of address is none. Without an ``address_book`` (a
    guest's checkout) a posted ``address_id`` means nothing and is dropped."""
    details = {name: data.get(name) for name in DETAILS}
    details["address_id"] = (details["address_id"] or "").strip() or None
    if not address_book:
        details["address_id"] = None
    return details


def place_order(
    *,
    shop,
    lines,
    full_name,
    email,
    phone,
    line1="",
    ward="",
    district=None,
    province="",
    address_id=None,
    payment_method=PaymentMethod.COD,
    note="",
    customer=None,
    expected_total=None,
    source="guest",
    staff=None,
    voucher_code=None,
):
    """Place an order of ``lines`` (``[(product_id, quantity)]``) and return it.

    ``customer`` is the member buying (or the record staff chose, never a cancelled one);
    without one the contact is matched to the shop's customers or becomes a new guest. An
    order staff enter (``source="admin"``) may have no email: then none is sent.
    ``address_id`` picks one of that customer's saved addresses instead of the typed one.
    ``expected_total`` is the total the shopper was shown: when today's prices make another,
    ``PriceChanged`` is raised and nothing is placed. ``voucher_code`` is checked again
    here and its use recorded; a refusal (``VoucherRefused``) places nothing."""
    if source not in SOURCES:
        raise ValueError(f"unknown order source {source!r}")
    if customer is not None and customer.shop_id != shop.id:
        raise ServiceError(_l("This customer does not belong to this shop."))
    check_can_order(customer)
    contact = _contact(full_name, email, phone, email_optional=source == "admin")
    if address_id not in (None, ""):
        saved = _saved_address(shop, customer, address_id, for_staff=source == "admin")
        address = {
            "line1": saved.line1,
            "ward": saved.ward or "",
            "district": saved.district,
            "province": current_province(saved.province) or saved.province,
        }
        recipient = {"full_name": saved.full_name or contact["full_name"]}
        recipient["phone"] = saved.phone or contact["phone"]
    else:
        address = _typed_address(line1, ward, district, province)
        recipient = {"full_name": contact["full_name"], "phone": contact["phone"]}
    method = _payment_method(shop, payment_method)
    note = (multi_line(note) or "").strip()
    if len(note) > 1000:
        raise ServiceError(_l("Please use at most %(max)d characters.", max=1000), "note")
    wanted = _wanted(lines)

    lock_shop(shop)
    # A savepoint: a refusal below undoes the order number and everything else of this
    # order, and nothing of the caller's.
    savepoint = db.session.begin_nested()
    try:
        order = _write_order(
            shop=shop,
            wanted=wanted,
            contact=contact,
            recipient=recipient,
            address=address,
            method=method,
            note=note,
            customer=customer,
            expected_total=expected_total,
            source=source,
            staff=staff,
            voucher_code=normalise_code(voucher_code),
        )
        db.session.flush()
    except IntegrityError as error:
        # A customer with this email or phone was written meanwhile by something that does
        # not take the shop's lock (an import, the admin).
        savepoint.rollback()
        raise ServiceError(
            _l("Your order could not be placed just now. Please try again.")
        ) from error
    except ServiceError:
        savepoint.rollback()
        raise
    savepoint.commit()
    if order.email:
        email_customer(
            shop=shop,
            customer=order.customer,
            to=order.email,
            template="order_placed",
            subject=_l(
                "We received your order %(number)s at %(shop)s",
                number=order.display_number,
                shop=shop.name,
            ),
            order=order,
            order_url=external_url("storefront.order", shop=shop.slug, token=order.token),
        )
    return order


def order_line(shop, product, quantity):
    """A line of ``quantity`` of ``product``, with the product's name and today's price
    copied: the order keeps them whatever becomes of the product."""
    return OrderLine(
        shop_id=shop.id,
        product_id=product.id,
        product_name=product.name,
        sku=product.sku,
        unit_price=product.price,
        quantity=quantity,
        line_total=product.price * quantity,
    )


def _write_order(
    *,
    shop,
    wanted,
    contact,
    recipient,
    address,
    method,
    note,
    customer,
    expected_total,
    source,
    staff,
    voucher_code,
):
    products = _locked_products(shop, wanted)
    subtotal = sum(product.price * quantity for product, quantity in products)
    shipping_fee = shipping_fee_for(shop, subtotal)
    order = Order(
        shop_id=shop.id,
        number=next_order_number(shop),
        token=order_token(),
        status=OrderStatus.PENDING,
        payment_status=PaymentStatus.UNPAID,
        payment_method=method,
        source=source,
        created_by_staff_id=staff.id if staff is not None else None,
        full_name=recipient["full_name"],
        email=contact["email"],
        phone=recipient["phone"],
        country="VN",
        note=note,
        subtotal=subtotal,
        **address,
    )
    for product, quantity in products:
        if product.track_stock:
            product.stock -= quantity
        order.lines.append(order_line(shop, product, quantity))
    buyer = customer if customer is not None else buyer_record(shop, contact, staff)
    if customer is not None or not buyer.is_member:
        # A member's profile is theirs to write: a stranger's checkout with the member's
        # email must not put the stranger's phone or name on it.
        _fill_blanks(buyer, contact)
    order.customer = buyer
    order.cancelled_member_email = buyer.status == CustomerStatus.CANCELLED
    _apply_voucher(shop, order, voucher_code, customer, buyer, shipping_fee)
    if expected_total is not None and expected_total != order.total:
        raise PriceChanged(order.total)
    db.session.add(order)
    events.order_placed(customer=buyer, order=order, staff=staff)
    refresh_totals(buyer)
    return order


def _apply_voucher(shop, order, code, customer, buyer, shipping_fee):
    """The order's shipping fee, discount and total, with the voucher (when a code was
    given) checked again and its use taken."""
    discount = vouchers.Discount(shipping_fee=shipping_fee)
    if code:
        discount = vouchers.use_voucher(
            shop=shop,
            order=order,
            code=code,
            customer=customer,
            buyer=buyer,
            subtotal=order.subtotal,
            shipping_fee=shipping_fee,
        )
        order.voucher_code = discount.voucher.code
        order.voucher_terms = vouchers.terms_of(discount.voucher, discount)
    order.discount = discount.amount
    order.shipping_fee = discount.shipping_fee
    order.total = order.subtotal + order.shipping_fee - order.discount


def order_by_token(shop, token):
    """The shop's order with this link token, or None."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(for_shop(Order, shop).where(Order.token == token))
