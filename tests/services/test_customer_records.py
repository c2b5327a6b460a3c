"""What a customer's record keeps by itself: the shop's tags (one row per name, the defaults
in every new shop), the totals of the orders that count, and the province of the default
address."""

from datetime import UTC, datetime

from core.extensions import db
from models import Customer, CustomerTag, OrderStatus, Shop, StaffUser, Tag
from services import addresses as address_service
from services import order_status as order_service
from services.tags import DEFAULT_TAGS, tag_customer, tag_named
from tests.factories import Line, make_guest, make_order


def tag_names(shop_id):
    return sorted(db.session.scalars(db.select(Tag.name).where(Tag.shop_id == shop_id)))


def test_every_new_shop_starts_with_the_default_tags(app, shop, other_shop):
    with app.app_context():
        assert tag_names(shop.id) == sorted(DEFAULT_TAGS)
        assert tag_names(other_shop.id) == sorted(DEFAULT_TAGS)
        assert "tiềm năng" in DEFAULT_TAGS
        assert "hay hoàn" in DEFAULT_TAGS


def test_a_tag_is_one_row_per_shop_whatever_the_case(app, shop, other_shop):
    with app.app_context():
        mine = db.session.get(Shop, shop.id)
        theirs = db.session.get(Shop, other_shop.id)
        vip = tag_named(mine, "VIP")
        db.session.flush()
        # Vietnamese capitals too: "Tiềm Năng" is the default "tiềm năng"
        assert tag_named(mine, "  vip ") is vip
        assert tag_named(mine, "TIỀM NĂNG").name == "tiềm năng"
        # Another shop's tag of the same name is its own
        assert tag_named(theirs, "VIP") is not vip
        db.session.commit()
        assert tag_names(shop.id) == sorted([*DEFAULT_TAGS, "VIP"])


def test_a_customer_carries_a_tag_once(app, shop):
    guest = make_guest(app, shop, phone="0912345678")
    with app.app_context():
        customer = db.session.get(Customer, guest)
        vip = tag_named(db.session.get(Shop, shop.id), "VIP")
        assert tag_customer(customer, vip) is True
        assert tag_customer(customer, vip) is False
        db.session.commit()
        assert db.session.get(Customer, guest).tag_names == ["VIP"]
        assert db.session.scalar(db.select(db.func.count(CustomerTag.id))) == 1


def test_the_record_keeps_the_totals_of_the_orders_that_count(app, shop, owner):
    # Given a guest with two orders, then one cancelled and a parcel refused
    guest = make_guest(app, shop, phone="0912345678")
    first = make_order(
        app,
        shop,
        customer_id=guest,
        lines=(Line(price=200_000),),
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    second = make_order(
        app,
        shop,
        customer_id=guest,
        lines=(Line(price=500_000),),
        created_at=datetime(2026, 11, 20, tzinfo=UTC),
    )
    with app.app_context():
        customer = db.session.get(Customer, guest)
        assert (customer.total_spent, customer.orders_count) == (760_000, 2)
        assert customer.last_order_at == datetime(2026, 11, 20, tzinfo=UTC)

    # When the shop cancels the second one
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        staff = db.session.get(StaffUser, owner.id)
        order = db.session.get(order_service.Order, second.id)
        order_service.change_order_status(
            shop=shop_row, order=order, actor=staff, status=OrderStatus.CANCELLED
        )
        db.session.commit()

    # Then it no longer counts, and the record says so at once
    with app.app_context():
        customer = db.session.get(Customer, guest)
        assert (customer.total_spent, customer.orders_count) == (230_000, 1)
        assert (customer.total_spent, customer.orders_count) == order_service.customer_totals(
            customer
        )
        assert first.number < second.number


def test_the_province_is_the_default_addresss(app, shop):
    guest = make_guest(app, shop, phone="0912345678")
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        customer = db.session.get(Customer, guest)
        assert customer.province is None
        values = {"full_name": "Lan", "line1": "1 Lê Lợi", "ward": "Phường Bến Thành"}
        hanoi = address_service.create_address(
            shop=shop_row, customer=customer, province="Hà Nội", **values
        )
        db.session.commit()
        assert db.session.get(Customer, guest).province == "Hà Nội"

        hue = address_service.create_address(
            shop=shop_row, customer=customer, province="Huế", is_default=True, **values
        )
        db.session.commit()
        assert db.session.get(Customer, guest).province == "Huế"

        address_service.delete_address(shop=shop_row, customer=customer, address=hue)
        db.session.commit()
        customer = db.session.get(Customer, guest)
        assert customer.province == "Hà Nội"
        assert customer.addresses == [hanoi]
