"""Seed the benchmark shop: 1,000 products in a few collections and 10,000 customers.

Run after ``flask --app wsgi db upgrade`` against the same instance
(``CUAHANG_INSTANCE_PATH``). Rows are bulk-inserted for speed but filled the way the app
reads them: slugs from ``slugify``, ``search_text`` from ``fold``, customer codes from the
shop's counter. Writes ``<instance>/bench-data.json``: the shop, the visible product slugs
and the same products as plain data for the bare app (bench/bare_app.py).

Usage: python -m bench.seed OUTPUT.json  (from the project root)
"""

import json
import random
import secrets
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from app import create_app
from core.extensions import db
from core.passwords import hash_password
from models import (
    Collection,
    Customer,
    CustomerStatus,
    Product,
    ProductImage,
    Shop,
    fold,
    product_collections,
    slugify,
)
from services import catalog as catalog_service
from services.shops import create_shop

SHOP_SLUG = "bench-shop"
PRODUCTS = 1_000
CUSTOMERS = 10_000
COLLECTIONS = [
    ("Áo dài", "Áo dài lụa, gấm và voan may sẵn."),
    ("Đầm công sở", "Đầm thanh lịch cho ngày làm việc."),
    ("Dạo phố", "Quần áo thoải mái cho cuối tuần."),
    ("Phụ kiện", "Khăn, túi và trang sức."),
    ("Giày dép", "Giày búp bê, sandal và dép."),
    ("Khuyến mãi", "Hàng giảm giá trong tuần."),
]
KINDS = ["Áo dài lụa", "Đầm suông", "Áo sơ mi", "Quần ống rộng", "Khăn lụa", "Túi cói", "Giày"]
COLOURS = ["đỏ đô", "xanh ngọc", "trắng ngà", "vàng nghệ", "hồng phấn", "đen", "tím than"]
PLACES = ["Hà Đông", "Bảo Lộc", "Hội An", "Sài Gòn", "Huế", "Đà Lạt"]
DESCRIPTION = (
    "Chất liệu {kind} mềm mại, thoáng mát, phù hợp thời tiết nhiệt đới. "
    "May tại xưởng {place}, đường may tỉ mỉ, màu {colour} bền màu sau nhiều lần giặt. "
    "Giặt tay bằng nước lạnh, phơi trong bóng râm.\n\n"
    "Kích cỡ: S, M, L, XL. Liên hệ shop để được tư vấn chọn size."
)
LAST_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
FIRST_NAMES = ["Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thu Hà", "Gia Huy", "Ngọc Lan"]


def seed_catalog(shop, rng):
    collections = [
        catalog_service.create_collection(shop=shop, name=name, description=description)
        for name, description in COLLECTIONS
    ]
    db.session.flush()
    start = datetime.now(UTC) - timedelta(days=PRODUCTS)
    rows = []
    for i in range(1, PRODUCTS + 1):
        kind, colour, place = rng.choice(KINDS), rng.choice(COLOURS), rng.choice(PLACES)
        name = f"{kind} {colour} {place} mẫu {i:04d}"
        price = rng.randrange(90, 3_000) * 1_000
        compare_at = price + rng.randrange(50, 500) * 1_000 if i % 4 == 0 else None
        sku = f"SP-{i:05d}"
        description = DESCRIPTION.format(kind=kind.lower(), place=place, colour=colour)
        track = i % 3 == 0
        when = start + timedelta(days=i)
        rows.append(
            {
                "shop_id": shop.id,
                "name": name,
                "slug": slugify(name),
                "description": description,
                "price": price,
                "compare_at_price": compare_at,
                "sku": sku,
                "track_stock": track,
                "stock": (i % 7) if track else 0,
                "hidden": i % 50 == 0,
                "featured": i % 40 == 1,
                "search_text": fold(f"{name} {sku} {description}"),
                "created_at": when,
                "updated_at": when,
            }
        )
    db.session.execute(insert(Product), rows)
    ids = db.session.execute(
        select(Product.id, Product.slug).where(Product.shop_id == shop.id)
    ).all()
    images, links = [], []
    for product_id, _slug in ids:
        for position in range(rng.randint(1, 4)):
            token = secrets.token_hex(16)
            images.append(
                {
                    "shop_id": shop.id,
                    "product_id": product_id,
                    "filename": f"{token}.jpg",
                    "thumbnail": f"{token}-thumb.jpg",
                    "position": position,
                }
            )
        for collection in rng.sample(collections, rng.randint(1, 2)):
            links.append(
                {"shop_id": shop.id, "product_id": product_id, "collection_id": collection.id}
            )
    db.session.execute(insert(ProductImage), images)
    db.session.execute(product_collections.insert(), links)


def seed_customers(shop, rng):
    password_hash = hash_password(secrets.token_urlsafe(16))  # one hash, shared: seeding stays fast
    start = datetime.now(UTC) - timedelta(days=400)
    rows = []
    for i in range(1, CUSTOMERS + 1):
        code = f"KH{i:06d}"
        last, first = rng.choice(LAST_NAMES), rng.choice(FIRST_NAMES)
        official = i % 3 != 0
        email = f"khach{i:05d}@example.vn" if official or i % 2 else None
        when = start + timedelta(minutes=i * 50)
        rows.append(
            {
                "shop_id": shop.id,
                "code": code,
                "first_name": first,
                "last_name": last,
                "email": email,
                "status": CustomerStatus.OFFICIAL if official else CustomerStatus.GUEST,
                "password_hash": password_hash if official else None,
                "email_verified_at": when if official else None,
                "registered_at": when if official else None,
                "search_text": fold(" ".join(p for p in (last, first, email, code) if p)),
                "created_at": when,
                "updated_at": when,
            }
        )
    db.session.execute(insert(Customer), rows)
    shop.customer_seq = CUSTOMERS


def bare_data(shop):
    """The visible products as plain data, read back the way the storefront reads them."""
    products = db.session.scalars(
        select(Product)
        .where(Product.shop_id == shop.id, Product.hidden.is_(False))
        .order_by(Product.id)
    ).all()
    nav = db.session.scalars(
        select(Collection).where(Collection.shop_id == shop.id).order_by(Collection.name).limit(12)
    ).all()
    return {
        "shop": {
            "slug": shop.slug,
            "name": shop.name,
            "contact_email": shop.contact_email,
            "currency": shop.currency,
            "locale": shop.locale,
            "timezone": shop.timezone,
        },
        "nav": [{"name": c.name, "slug": c.slug} for c in nav],
        "products": [
            {
                "id": p.id,
                "name": p.name,
                "slug": p.slug,
                "description": p.description,
                "price": p.price,
                "compare_at_price": p.compare_at_price,
                "sku": p.sku,
                "track_stock": p.track_stock,
                "stock": p.stock,
                "images": [{"filename": i.filename, "thumbnail": i.thumbnail} for i in p.images],
                "collections": [{"name": c.name, "slug": c.slug} for c in p.collections],
            }
            for p in products
        ],
    }


def main(out_path):
    rng = random.Random(20250101)  # the same shop on every run
    app = create_app()
    with app.app_context():
        shop, _owner = create_shop(
            slug=SHOP_SLUG,
            name="Lụa Hà Đông (bench)",
            owner_email="owner@bench.example.vn",
            owner_password=secrets.token_urlsafe(16),  # nobody signs in to the bench shop
        )
        seed_catalog(shop, rng)
        seed_customers(shop, rng)
        db.session.commit()
        shop = db.session.scalar(select(Shop).where(Shop.slug == SHOP_SLUG))
        data = bare_data(shop)
        counts = {
            "products": db.session.scalar(select(db.func.count()).select_from(Product)),
            "customers": db.session.scalar(select(db.func.count()).select_from(Customer)),
        }
    with open(out_path, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False)
    print(
        f"seeded shop {SHOP_SLUG}: {counts['products']} products "
        f"({len(data['products'])} visible), {counts['customers']} customers"
    )


if __name__ == "__main__":
    main(sys.argv[1])
