"""The demo shop that ``make run`` serves, with the logins it prints, and the lean copy of
it the browser suite works on (``flask demo --slug e2e --lean``)."""

from datetime import timedelta

from core.extensions import db
from models import Address, Customer, CustomerStatus, Role, Shop, utcnow
from services import catalog as catalog_service
from services import customers as customer_service
from services import events
from services.demo_people import dated, seed_people
from services.shops import add_staff, create_shop, send_welcome

DEMO_SLUG = "demo"
DEMO_NAME = "Thời Trang Mai"
DEMO_PASSWORD = "demo1234"  # noqa: S105  (printed by make run; a demo, not a secret)
# (role, login before the @, name): the mailbox is at the shop's address, so that the demo
# and the browser suite's shop have logins of their own (chu.shop@demo.cuahang.vn …).
STAFF = [
    (Role.OWNER, "chu.shop", "Nguyễn Thị Mai"),
    (Role.MANAGER, "quan.ly", "Trần Văn Hùng"),
    (Role.STAFF, "nhan.vien", "Lê Thu Hà"),
]
# (status, last name, first name, login before the @, phone, province, days since they came)
CUSTOMERS = [
    ("official", "Phạm", "Minh Anh", "minh.anh", "0912345678", "Hà Nội", 320),
    ("official", "Võ", "Thanh Tâm", "thanh.tam", "0987654321", "Hồ Chí Minh", 250),
    ("temporary", "Đặng", "Quốc Bảo", "quoc.bao", "0903123456", "Đà Nẵng", 3),
    ("temporary", "Bùi", "Ngọc Lan", "ngoc.lan", "0938765432", "Cần Thơ", 1),
    ("cancelled", "Hoàng", "Đức Long", "duc.long", "0977111222", "Huế", 180),
    ("guest", "Ngô", "Thị Hồng", "thi.hong", "0966333444", "Hải Phòng", 40),
]
# The demo shop's approvals come a day after registering; its cancelled member was
# cancelled this many days ago (after refusing parcels).
CANCELLED_DAYS_AGO = 9


def demo_email(login, slug=DEMO_SLUG):
    return f"{login}@{slug}.cuahang.vn"


def staff_accounts(slug=DEMO_SLUG):
    """(role, email, name) of the shop's staff."""
    return [(role, demo_email(login, slug), name) for role, login, name in STAFF]


def customer_accounts(slug=DEMO_SLUG):
    """(status, last name, first name, email, phone, province) of the classic customers."""
    return [
        (status, last, first, demo_email(login, slug), phone, province)
        for status, last, first, login, phone, province, _days in CUSTOMERS
    ]


DEMO_STAFF = staff_accounts()
DEMO_CUSTOMERS = customer_accounts()


def seed_demo(slug=DEMO_SLUG, *, lean=False):
    """Create the demo shop and its people if missing. Returns True when it created them.
    ``lean``: only the staff, the classic customers and the catalog (the browser suite's
    shop), without the generated customers and orders."""
    if db.session.scalar(db.select(Shop).where(Shop.slug == slug)) is not None:
        return False
    (_role, owner_email, owner_name), *others = staff_accounts(slug)
    shop, owner = create_shop(
        slug=slug,
        name=DEMO_NAME,
        owner_email=owner_email,
        owner_password=DEMO_PASSWORD,
        owner_name=owner_name,
    )
    staff = [owner]
    for role, email, name in others:
        staff.append(
            add_staff(shop=shop, email=email, role=role, password=DEMO_PASSWORD, name=name)
        )
    send_welcome(shop, owner)
    classics = seed_demo_customers(shop, staff)
    products = seed_demo_catalog(shop)
    if not lean:
        seed_people(
            shop=shop, staff=staff, classics=classics, products=products, password=DEMO_PASSWORD
        )
    return True


def seed_demo_customers(shop, staff):
    """One or two customers in every status, each reached the way a real one would be.
    Returns them by the part of their email before the @."""
    owner, manager, _clerk = staff
    now = utcnow()
    classics = {}
    for status, last, first, login, phone, province, days in CUSTOMERS:
        came = now - timedelta(days=days)
        email = demo_email(login, shop.slug)
        if status == CustomerStatus.GUEST:
            customer = Customer(
                shop_id=shop.id,
                shop=shop,
                code=customer_service.next_customer_code(shop),
                first_name=first,
                last_name=last,
                email=email,
                status=CustomerStatus.GUEST,
            )
            db.session.add(customer)
            customer_service.add_phone(customer=customer, number="+84" + phone[1:])
            with dated(customer, came):
                events.created_from_checkout(customer=customer)
        else:
            customer = customer_service.register_member(
                shop=shop,
                first_name=first,
                last_name=last,
                email=email,
                phone=phone,
                password=DEMO_PASSWORD,
                accepts_marketing=status == CustomerStatus.OFFICIAL,
            )
            for event in customer.events:
                event.created_at = came
            customer.registered_at = customer.email_verified_at = came
            customer.marketing_consent_at = came
            if status in (CustomerStatus.OFFICIAL, CustomerStatus.CANCELLED):
                with dated(customer, came + timedelta(days=1)):
                    customer_service.approve(shop=shop, customer=customer, actor=manager)
            if status == CustomerStatus.CANCELLED:
                with dated(customer, now - timedelta(days=CANCELLED_DAYS_AGO)):
                    customer_service.cancel(
                        shop=shop, customer=customer, actor=owner, reason="Bom hàng nhiều lần"
                    )
        customer.created_at = came
        customer.addresses.append(
            Address(
                shop_id=shop.id,
                full_name=f"{last} {first}",
                phone="+84" + phone[1:],
                line1="12 Nguyễn Trãi",
                ward="Phường Bến Thành" if province == "Hồ Chí Minh" else "Phường Trung Tâm",
                province=province,
                is_default=True,
            )
        )
        db.session.flush()
        classics[login] = customer
    return classics


def demo_logins():
    if db.session.scalar(db.select(Shop.id).where(Shop.slug == DEMO_SLUG)) is None:
        return None
    # One login of each kind of member: the official one can log in, the others are told why.
    first_of = {}
    for status, _last, _first, email, _phone, _province in DEMO_CUSTOMERS:
        first_of.setdefault(status, email)
    labels = [("official", "member"), ("temporary", "waiting"), ("cancelled", "cancelled")]
    return {
        "shop": DEMO_SLUG,
        "staff": [(role.value, email, DEMO_PASSWORD) for role, email, _ in DEMO_STAFF],
        "customers": [(label, first_of[status], DEMO_PASSWORD) for status, label in labels],
    }


# (collection name, description)
DEMO_COLLECTIONS = [
    ("Áo dài", "Áo dài may đo từ lụa và gấm, cho ngày lễ và ngày thường."),
    ("Công sở", "Thanh lịch từ thứ Hai đến thứ Sáu."),
    ("Dạo phố", "Thoải mái cho những ngày cuối tuần."),
]
# (name, price, compare-at price, collections, featured, stock or None, description)
DEMO_PRODUCTS = [
    (
        "Áo dài lụa Hà Đông",
        1_250_000,
        1_490_000,
        ["Áo dài"],
        True,
        None,
        "Lụa tơ tằm Hà Đông mềm mại, tà dài thướt tha. May theo số đo trong 5 ngày.",
    ),
    (
        "Áo dài cách tân họa tiết sen",
        890_000,
        None,
        ["Áo dài"],
        True,
        12,
        "Dáng suông ngắn, dễ mặc đi chơi Tết và chụp ảnh.",
    ),
    (
        "Áo sơ mi linen",
        420_000,
        None,
        ["Công sở", "Dạo phố"],
        True,
        30,
        "Vải linen thoáng mát, hợp thời tiết nóng ẩm.",
    ),
    (
        "Chân váy xếp ly",
        350_000,
        450_000,
        ["Công sở"],
        False,
        18,
        "Chân váy midi xếp ly, cạp chun sau tiện lợi.",
    ),
    (
        "Quần âu ống suông",
        480_000,
        None,
        ["Công sở"],
        False,
        0,
        "Quần âu cạp cao, ống suông tôn dáng.",
    ),
    (
        "Áo len cổ tròn",
        390_000,
        None,
        ["Dạo phố"],
        False,
        25,
        "Len mỏng dệt kim, mặc đẹp cả thu lẫn đông Hà Nội.",
    ),
    (
        "Váy maxi hoa nhí",
        560_000,
        690_000,
        ["Dạo phố"],
        True,
        8,
        "Váy dài voan hoa nhí, có lớp lót, cho những chuyến đi biển.",
    ),
    (
        "Khăn lụa tơ tằm",
        290_000,
        None,
        ["Áo dài", "Dạo phố"],
        False,
        None,
        "Khăn lụa vuông 90 cm, in thủ công.",
    ),
]


def seed_demo_catalog(shop):
    """A small fashion catalog in three collections (no image files: cards show a
    placeholder). Returns the products."""
    collections = {
        name: catalog_service.create_collection(shop=shop, name=name, description=description)
        for name, description in DEMO_COLLECTIONS
    }
    db.session.flush()
    return [
        catalog_service.create_product(
            shop=shop,
            name=name,
            price=price,
            compare_at_price=compare_at,
            description=description,
            featured=featured,
            track_stock=stock is not None,
            stock=stock or 0,
            collections=[collections[c] for c in in_collections],
        )
        for name, price, compare_at, in_collections, featured, stock, description in DEMO_PRODUCTS
    ]
