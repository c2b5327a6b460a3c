"""The demo shop that ``make run`` serves, with the logins it prints."""

from core.extensions import db
from models import Address, Customer, CustomerStatus, Role, Shop, StaffUser, utcnow
from services import customers as customer_service
from services.shops import add_staff, create_shop, send_welcome

DEMO_SLUG = "demo"
DEMO_PASSWORD = "demo1234"  # noqa: S105  (printed by make run; a demo, not a secret)
DEMO_STAFF = [
    (Role.OWNER, "chu.shop@demo.cuahang.vn", "Nguyễn Thị Mai"),
    (Role.MANAGER, "quan.ly@demo.cuahang.vn", "Trần Văn Hùng"),
    (Role.STAFF, "nhan.vien@demo.cuahang.vn", "Lê Thu Hà"),
]
# (status, last name, first name, email, phone, province)
DEMO_CUSTOMERS = [
    ("official", "Phạm", "Minh Anh", "minh.anh@demo.cuahang.vn", "0912345678", "Hà Nội"),
    ("official", "Võ", "Thanh Tâm", "thanh.tam@demo.cuahang.vn", "0987654321", "Hồ Chí Minh"),
    ("temporary", "Đặng", "Quốc Bảo", "quoc.bao@demo.cuahang.vn", "0903123456", "Đà Nẵng"),
    ("temporary", "Bùi", "Ngọc Lan", "ngoc.lan@demo.cuahang.vn", "0938765432", "Cần Thơ"),
    ("cancelled", "Hoàng", "Đức Long", "duc.long@demo.cuahang.vn", "0977111222", "Huế"),
    ("guest", "Ngô", "Thị Hồng", "thi.hong@demo.cuahang.vn", "0966333444", "Hải Phòng"),
]


def seed_demo():
    """Create the demo shop and its people if missing. Returns True when it created them."""
    if db.session.scalar(db.select(Shop).where(Shop.slug == DEMO_SLUG)) is not None:
        return False
    owner_role, owner_email, owner_name = DEMO_STAFF[0]
    shop, owner = create_shop(
        slug=DEMO_SLUG,
        name="Thời Trang Mai",
        owner_email=owner_email,
        owner_password=DEMO_PASSWORD,
        owner_name=owner_name,
    )
    for role, email, name in DEMO_STAFF[1:]:
        add_staff(shop=shop, email=email, role=role, password=DEMO_PASSWORD, name=name)
    send_welcome(shop, owner)
    seed_demo_customers(shop, owner)
    return True


def seed_demo_customers(shop, owner):
    """One or two customers in every status, each reached the way a real one would be."""
    manager = db.session.scalar(db.select(StaffUser).where(StaffUser.email == DEMO_STAFF[1][1]))
    for status, last, first, email, phone, province in DEMO_CUSTOMERS:
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
            customer_service.record_event(customer=customer, type="created_from_checkout")
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
            customer.email_verified_at = utcnow()
            if status in (CustomerStatus.OFFICIAL, CustomerStatus.CANCELLED):
                customer_service.approve(shop=shop, customer=customer, actor=manager)
            if status == CustomerStatus.CANCELLED:
                customer_service.cancel(
                    shop=shop, customer=customer, actor=owner, reason="Bom hàng nhiều lần"
                )
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
