"""The demo shop that ``make run`` serves, with the logins it prints."""

from core.extensions import db
from models import Role, Shop
from services.shops import add_staff, create_shop, send_welcome

DEMO_SLUG = "demo"
DEMO_PASSWORD = "demo1234"  # noqa: S105  (printed by make run; a demo, not a secret)
DEMO_STAFF = [
    (Role.OWNER, "chu.shop@demo.cuahang.vn", "Nguyễn Thị Mai"),
    (Role.MANAGER, "quan.ly@demo.cuahang.vn", "Trần Văn Hùng"),
    (Role.STAFF, "nhan.vien@demo.cuahang.vn", "Lê Thu Hà"),
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
    return True


def demo_logins():
    if db.session.scalar(db.select(Shop.id).where(Shop.slug == DEMO_SLUG)) is None:
        return None
    return {
        "shop": DEMO_SLUG,
        "staff": [(role.value, email, DEMO_PASSWORD) for role, email, _ in DEMO_STAFF],
    }
