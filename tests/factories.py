"""One place for the rows tests start from: shops, staff, members, guests, products, orders
and addresses, written through the services where the services make them. The fixtures of
each test folder call these; nothing here holds an app context open after it returns."""

from dataclasses import dataclass

from core.extensions import db
from models import Address, Customer, CustomerStatus, Order, OrderLine, Shop, utcnow
from services import catalog as catalog_service
from services import customers as customer_service
from services import tags as tag_service
from services import vouchers as voucher_service
from services.shops import add_staff, create_shop
from services.totals import refresh_totals

PASSWORD = "correct horse 42"
MEMBER_EMAIL = "minh.anh@example.com"
MEMBER_PHONE = "+84912345678"


# --- Shops and their staff ------------------------------------------------------------


@dataclass(frozen=True)
class ShopInfo:
    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class StaffInfo:
    id: int
    email: str
    password: str
    role: str
    shop_slug: str


def make_shop(app, slug, name, owner_email):
    """A shop and its owner, as the sign-up makes them."""
    with app.app_context():
        shop, owner = create_shop(
            slug=slug,
            name=name,
            owner_email=owner_email,
            owner_password=PASSWORD,
            owner_name="Chủ " + name,
        )
        db.session.commit()
        return ShopInfo(shop.id, shop.slug, shop.name), StaffInfo(
            owner.id, owner.email, PASSWORD, "owner", shop.slug
        )


def make_staff(app, shop, email, role):
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        staff = add_staff(shop=shop_row, email=email, role=role, password=PASSWORD, name="")
        db.session.commit()
        return StaffInfo(staff.id, staff.email, PASSWORD, str(role), shop.slug)


# --- Customers: members and guests ----------------------------------------------------


@dataclass(frozen=True)
class MemberInfo:
    id: int
    email: str
    phone: str | None
    password: str
    shop_slug: str


def make_member(app, shop, email, phone=None, status=CustomerStatus.OFFICIAL, **fields):
    """A member of ``shop`` who signs in with ``PASSWORD``."""
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        customer = Customer(
            shop_id=shop_row.id,
            shop=shop_row,
            code=customer_service.next_customer_code(shop_row),
            email=email,
            first_name=fields.pop("first_name", "Minh Anh"),
            last_name=fields.pop("last_name", "Phạm"),
            status=status,
            **fields,
        )
        customer.set_password(PASSWORD)
        db.session.add(customer)
        if phone:
            customer_service.add_phone(customer=customer, number=phone)
        db.session.commit()
        return MemberInfo(customer.id, email, phone, PASSWORD, shop.slug)


def make_guest(
    app,
    shop,
    *,
    first_name="Minh Anh",
    last_name="Phạm",
    email=None,
    phone=None,
    status=CustomerStatus.GUEST,
    verified=False,
    accepts_marketing=False,
    assigned_staff_id=None,
):
    """A customer of ``shop`` with no password: a guest by default. Returns the id."""
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        customer = Customer(
            shop_id=shop_row.id,
            shop=shop_row,
            code=customer_service.next_customer_code(shop_row),
            first_name=first_name,
            last_name=last_name,
            email=email,
            status=status,
            assigned_staff_id=assigned_staff_id,
        )
        if accepts_marketing:
            customer_service.set_marketing(customer, True, "registration")
        if verified:
            customer.email_verified_at = utcnow()
        db.session.add(customer)
        if phone:
            customer_service.add_phone(customer=customer, number=phone)
        db.session.commit()
        return customer.id


def add_address(app, member_id, **values):
    with app.app_context():
        customer = db.session.get(Customer, member_id)
        address = Address(
            shop_id=customer.shop_id,
            full_name=values.pop("full_name", "Phạm Minh Anh"),
            phone=values.pop("phone", "+84912345678"),
            line1=values.pop("line1", "45 Lê Lợi"),
            ward=values.pop("ward", "Phường Sài Gòn"),
            province=values.pop("province", "Hồ Chí Minh"),
            is_default=values.pop("is_default", True),
            **values,
        )
        customer.addresses.append(address)
        db.session.commit()
        return address.id


# --- Products and orders --------------------------------------------------------------


@dataclass(frozen=True)
class ProductInfo:
    id: int
    slug: str
    price: int


def make_product(app, shop, name="Áo dài lụa", price=500_000, **values):
    """A product of ``shop``, made with the catalog service."""
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        product = catalog_service.create_product(shop=shop_row, name=name, price=price, **values)
        db.session.commit()
        return ProductInfo(product.id, product.slug, product.price)


@dataclass(frozen=True)
class OrderInfo:
    id: int
    number: int
    token: str
    shop_slug: str


@dataclass(frozen=True)
class Line:
    name: str = "Áo dài lụa"
    price: int = 500_000
    quantity: int = 1
    product_id: int | None = None


def make_order(
    app,
    shop,
    *,
    customer_id=None,
    lines=(Line(),),
    status="pending",
    payment_status="unpaid",
    payment_method="cod",
    source="member",
    full_name="Phạm Minh Anh",
    email="minh.anh@example.com",
    phone="+84912345678",
    shipping_fee=30_000,
    created_at=None,
):
    """An order of ``shop`` as the checkout leaves it: a number from the shop's counter, a
    token, the buyer's contact copied, its lines and totals. Written straight into the
    database: placing orders has tests of its own."""
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        shop_row.order_seq += 1
        order = Order(
            shop_id=shop_row.id,
            number=shop_row.order_seq,
            customer_id=customer_id,
            status=status,
            payment_status=payment_status,
            payment_method=payment_method,
            source=source,
            full_name=full_name,
            email=email,
            phone=phone,
            line1="12 Hàng Bạc",
            ward="Phường Hoàn Kiếm",
            province="Thành phố Hà Nội",
            shipping_fee=shipping_fee,
        )
        if created_at is not None:
            order.created_at = created_at
        for line in lines:
            order.lines.append(
                OrderLine(
                    shop_id=shop_row.id,
                    product_id=line.product_id,
                    product_name=line.name,
                    unit_price=line.price,
                    quantity=line.quantity,
                    line_total=line.price * line.quantity,
                )
            )
        order.subtotal = sum(line.price * line.quantity for line in lines)
        order.total = order.subtotal + shipping_fee
        db.session.add(order)
        if customer_id is not None:
            refresh_totals(db.session.get(Customer, customer_id))
        db.session.commit()
        return OrderInfo(order.id, order.number, order.token, shop_row.slug)


# --- Vouchers -------------------------------------------------------------------------


@dataclass(frozen=True)
class VoucherInfo:
    id: int
    code: str


def make_voucher(app, shop, code="GIAM50K", *, tags=(), customer_ids=(), **fields):
    """A voucher of ``shop`` made with the voucher service (50.000 ₫ off by default);
    ``tags`` are tag names of the shop, made when missing."""
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        chosen = [tag_service.tag_named(shop_row, name) for name in tags]
        db.session.flush()
        tag_ids = [tag.id for tag in chosen]
        voucher = voucher_service.create_voucher(
            shop=shop_row,
            code=code,
            kind=fields.pop("kind", "amount"),
            value=fields.pop("value", 50_000),
            customer_tags=tag_ids,
            customer_ids=list(customer_ids),
            **fields,
        )
        db.session.commit()
        return VoucherInfo(voucher.id, voucher.code)


def tag_member(app, customer_id, name):
    """Put the shop's tag ``name`` (made when missing) on the customer."""
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        tag_service.tag_customer(customer, tag_service.tag_named(customer.shop, name))
        db.session.commit()
