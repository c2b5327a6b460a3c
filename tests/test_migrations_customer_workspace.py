"""The upgrade to the customer workspace: each shop's tags become rows of its own (with the
two every shop starts with), and the totals and province the list sorts by are filled in from
the orders and addresses already there."""

from datetime import UTC, datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from core.extensions import db
from models import Customer, Tag
from tests.migration_rows import insert

REVISION = "0011_customer_workspace"


def shop(slug):
    return insert("shops", slug=slug, name=slug, locale="vi")


def customer(shop_id, code):
    return insert("customers", shop_id=shop_id, code=code, status="guest")


def tag(shop_id, customer_id, name):
    insert("customer_tags", shop_id=shop_id, customer_id=customer_id, name=name)


def order(shop_id, customer_id, number, status, total, day):
    at = datetime(2026, 11, day, 9, 0, tzinfo=UTC)
    insert(
        "orders",
        shop_id=shop_id,
        number=number,
        token=f"t{shop_id}-{number}",
        customer_id=customer_id,
        status=status,
        total=total,
        created_at=at,
    )


def address(shop_id, customer_id, province, is_default):
    insert(
        "customer_addresses",
        shop_id=shop_id,
        customer_id=customer_id,
        province=province,
        is_default=is_default,
    )


def test_the_upgrade_gives_each_shop_its_tags_and_the_list_its_totals(make_app):
    # Given two shops before the upgrade, both using the tag "VIP", one a refusal tag, with
    # orders in several statuses and addresses
    app = make_app(create_schema=False)
    with app.app_context():
        upgrade(revision=f"{REVISION}-1")
        a, b = shop("shop-a"), shop("shop-b")
        lan, minh, empty = customer(a, "KH1"), customer(a, "KH2"), customer(a, "KH3")
        hoa = customer(b, "KH1")
        tag(a, lan, "VIP")
        tag(a, minh, "VIP")
        tag(a, minh, "hay hoàn")
        tag(b, hoa, "VIP")
        order(a, lan, 1001, "completed", 300_000, 3)
        order(a, lan, 1002, "pending", 200_000, 5)
        order(a, lan, 1003, "cancelled", 900_000, 9)
        order(a, minh, 1004, "returned", 150_000, 4)
        address(a, lan, "Hà Nội", False)
        address(a, lan, "Thành phố Hồ Chí Minh", True)
        address(a, minh, "Đà Nẵng", False)
        db.session.commit()

    # When the schema is upgraded (to the head: the models read the rows)
    with app.app_context():
        upgrade()

    # Then each shop has its own tags, the defaults included, and the customers keep theirs
    with app.app_context():
        names = {(t.shop_id, t.name) for t in db.session.scalars(db.select(Tag)).all()}
        assert names == {
            (a, "VIP"),
            (a, "hay hoàn"),
            (a, "tiềm năng"),
            (b, "VIP"),
            (b, "hay hoàn"),
            (b, "tiềm năng"),
        }
        by_id = {c.id: c for c in db.session.scalars(db.select(Customer)).all()}
        assert by_id[lan].tag_names == ["VIP"]
        assert sorted(by_id[minh].tag_names) == ["VIP", "hay hoàn"]
        assert by_id[hoa].tags[0].tag.shop_id == b
        # The totals count neither a cancelled order nor a refused parcel
        assert (by_id[lan].total_spent, by_id[lan].orders_count) == (500_000, 2)
        assert by_id[lan].last_order_at == datetime(2026, 11, 9, 9, 0, tzinfo=UTC)
        assert (by_id[minh].total_spent, by_id[minh].orders_count) == (0, 0)
        assert (by_id[empty].total_spent, by_id[empty].orders_count) == (0, 0)
        assert by_id[empty].last_order_at is None
        # A customer's province is their default address's, else their first address's
        assert by_id[lan].province == "Thành phố Hồ Chí Minh"
        assert by_id[minh].province == "Đà Nẵng"
        assert by_id[empty].province is None

    # And the downgrade gives the tags back by name
    with app.app_context():
        downgrade(revision=f"{REVISION}-1")
        rows = db.session.execute(
            text("SELECT customer_id, name FROM customer_tags ORDER BY customer_id, name")
        ).all()
        assert [tuple(r) for r in rows] == [
            (lan, "VIP"),
            (minh, "VIP"),
            (minh, "hay hoàn"),
            (hoa, "VIP"),
        ]
