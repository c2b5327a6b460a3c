"""What happens to an order after it is placed, through the services: the moves a shop may
make, the emails and timeline lines they leave, the stock a cancelled or refused order puts
back, the "hay hoàn" tag, and the totals that count."""

import pytest

from core.extensions import db
from models import Customer, CustomerTag, Order, OrderStatus, OutboxMessage, Shop, StaffUser
from services import ServiceError
from services import order_status as order_service
from tests.mail import sent_text
from tests.orders import count, events_of, mails, stock_of
from tests.orders.conftest import Line


@pytest.fixture
def buyer(make_customer, shop):
    return make_customer(shop, email="minh.anh@example.com", phone="+84912345678")


def change(app, shop, order, status, actor_id=None):
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        row = db.session.get(Order, order.id)
        actor = db.session.get(StaffUser, actor_id) if actor_id else None
        order_service.change_order_status(shop=shop_row, order=row, actor=actor, status=status)
        db.session.commit()


def status_of(app, order):
    with app.app_context():
        return db.session.get(Order, order.id).status


def test_an_order_goes_from_pending_to_completed(app, shop, owner, buyer, make_order):
    order = make_order(shop, customer_id=buyer)
    for status in ("confirmed", "shipping", "completed"):
        change(app, shop, order, status, actor_id=owner.id)
        assert status_of(app, order) == status
    with app.app_context():
        sent = mails()
        assert [to for to, _subject in sent] == ["minh.anh@example.com"] * 3
        # In the shop's language (Vietnamese), one subject per step, each naming the order.
        assert [subject for _to, subject in sent] == [
            f"Đơn hàng #{order.number} tại Thời Trang Mai đã được xác nhận",
            f"Đơn hàng #{order.number} tại Thời Trang Mai đang được giao",
            f"Đơn hàng #{order.number} tại Thời Trang Mai đã hoàn thành",
        ]
        changes = events_of(buyer, "order_status_changed")
        assert [(e.data["from"], e.data["to"]) for e in changes] == [
            ("pending", "confirmed"),
            ("confirmed", "shipping"),
            ("shipping", "completed"),
        ]
        assert all(e.staff_id == owner.id and e.data["order_id"] == order.id for e in changes)
        assert [e.data["template"] for e in events_of(buyer, "email_sent")] == ["order_status"] * 3


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("pending", "shipping"),
        ("pending", "completed"),
        ("pending", "returned"),
        ("confirmed", "completed"),
        ("confirmed", "returned"),
        ("shipping", "cancelled"),
        ("completed", "cancelled"),
        ("completed", "returned"),
        ("cancelled", "pending"),
        ("cancelled", "confirmed"),
        ("returned", "shipping"),
        ("pending", "pending"),
        ("pending", "lost"),
    ],
)
def test_a_move_the_status_does_not_allow_is_refused_with_nothing_changed(
    app, shop, buyer, make_order, make_product, start, target
):
    product = make_product(shop, track_stock=True, stock=5)
    order = make_order(
        shop, customer_id=buyer, status=start, lines=[Line(quantity=2, product_id=product)]
    )
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        row = db.session.get(Order, order.id)
        with pytest.raises(order_service.InvalidTransition) as refused:
            order_service.change_order_status(shop=shop_row, order=row, actor=None, status=target)
        assert isinstance(refused.value, ServiceError)
        db.session.rollback()
        assert count(OutboxMessage) == 0
        assert events_of(buyer, "order_status_changed") == []
        assert stock_of(product) == 5
    assert status_of(app, order) == start


@pytest.mark.parametrize(
    ("start", "target"),
    [("pending", "cancelled"), ("confirmed", "cancelled"), ("shipping", "returned")],
)
def test_cancelling_or_a_refused_parcel_puts_tracked_stock_back(
    app, shop, buyer, make_order, make_product, start, target
):
    tracked = make_product(shop, name="Áo dài lụa", track_stock=True, stock=3)
    untracked = make_product(shop, name="Khăn lụa", track_stock=False, stock=0)
    order = make_order(
        shop,
        customer_id=buyer,
        status=start,
        lines=[
            Line("Áo dài lụa", 500_000, 2, tracked),
            Line("Khăn lụa", 150_000, 1, untracked),
            Line("Sản phẩm đã xoá", 90_000, 4, None),
        ],
    )
    change(app, shop, order, target)
    with app.app_context():
        assert stock_of(tracked) == 5
        assert stock_of(untracked) == 0
        row = db.session.get(Order, order.id)
        assert row.status == target
        assert (row.cancelled_at is not None) == (target == "cancelled")


def test_completing_an_order_does_not_touch_stock(app, shop, buyer, make_order, make_product):
    product = make_product(shop, track_stock=True, stock=3)
    order = make_order(
        shop, customer_id=buyer, status="shipping", lines=[Line(quantity=2, product_id=product)]
    )
    change(app, shop, order, "completed")
    with app.app_context():
        assert stock_of(product) == 3


def test_an_order_without_email_changes_without_mail(app, shop, buyer, make_order):
    order = make_order(shop, customer_id=buyer, email=None)
    change(app, shop, order, "confirmed")
    with app.app_context():
        assert mails() == []
        assert len(events_of(buyer, "order_status_changed")) == 1


def test_the_buyer_of_an_order_whose_customer_was_deleted_is_still_told(app, shop, make_order):
    order = make_order(shop, customer_id=None, email="khach@example.com")
    change(app, shop, order, "confirmed")
    with app.app_context():
        assert [to for to, _ in mails()] == ["khach@example.com"]
        assert f"/orders/{order.token}" in sent_text("order_status")


def test_a_members_email_links_to_their_account_and_a_guests_to_the_order_page(
    app, shop, make_customer, make_order
):
    member = make_customer(shop, email="thanh.vien@example.com", status="official", verified=True)
    with app.app_context():
        db.session.get(Customer, member).set_password("correct horse 42")
        db.session.commit()
    mine = make_order(shop, customer_id=member, email="thanh.vien@example.com")
    guest = make_customer(shop, email="khach@example.com")
    theirs = make_order(shop, customer_id=guest, email="khach@example.com", source="guest")
    change(app, shop, mine, "confirmed")
    change(app, shop, theirs, "confirmed")
    with app.app_context():
        assert f"/account/orders/{mine.number}" in sent_text(
            "order_status", "thanh.vien@example.com"
        )
        assert f"/orders/{theirs.token}" in sent_text("order_status", "khach@example.com")


def test_bank_details_are_in_the_confirmation_of_an_unpaid_transfer(app, shop, buyer, make_order):
    with app.app_context():
        db.session.get(Shop, shop.id).bank_details = "Vietcombank 0123456789 NGUYEN THI MAI"
        db.session.commit()
    order = make_order(shop, customer_id=buyer, payment_method="bank_transfer")
    change(app, shop, order, "confirmed")
    with app.app_context():
        body = db.session.scalars(db.select(OutboxMessage.body_text)).one()
        assert "Vietcombank 0123456789" in body


def test_refused_parcels_tag_the_customer_once_at_the_threshold(app, shop, buyer, make_order):
    orders = [make_order(shop, customer_id=buyer, status="shipping") for _ in range(3)]
    change(app, shop, orders[0], "returned")
    with app.app_context():
        assert count(CustomerTag) == 0
    change(app, shop, orders[1], "returned")
    with app.app_context():
        tags = db.session.scalars(db.select(CustomerTag)).all()
        assert [(t.name, t.customer_id, t.shop_id) for t in tags] == [("hay hoàn", buyer, shop.id)]
        assert [e.data["refusals"] for e in events_of(buyer, "tag_added")] == [2]
    change(app, shop, orders[2], "returned")
    with app.app_context():
        assert count(CustomerTag) == 1
        assert len(events_of(buyer, "tag_added")) == 1


def test_a_threshold_of_zero_never_tags(app, shop, buyer, make_order):
    with app.app_context():
        db.session.get(Shop, shop.id).refusal_tag_threshold = 0
        db.session.commit()
    for _ in range(3):
        change(app, shop, make_order(shop, customer_id=buyer, status="shipping"), "returned")
    with app.app_context():
        assert count(CustomerTag) == 0


def test_totals_leave_out_cancelled_orders_and_refused_parcels(
    app, shop, buyer, make_order, make_customer
):
    other = make_customer(shop, email="khac@example.com")
    make_order(shop, customer_id=buyer, lines=[Line(price=100_000)], shipping_fee=0)
    make_order(
        shop, customer_id=buyer, status="completed", lines=[Line(price=200_000)], shipping_fee=0
    )
    make_order(
        shop, customer_id=buyer, status="cancelled", lines=[Line(price=400_000)], shipping_fee=0
    )
    make_order(
        shop, customer_id=buyer, status="returned", lines=[Line(price=800_000)], shipping_fee=0
    )
    make_order(shop, customer_id=other, lines=[Line(price=1_600_000)], shipping_fee=0)
    with app.app_context():
        customer = db.session.get(Customer, buyer)
        assert order_service.customer_totals(customer) == (300_000, 2)
        assert order_service.refusals_count(customer) == 1
        assert order_service.customer_totals(db.session.get(Customer, other)) == (1_600_000, 1)


def test_a_customer_without_orders_has_zero_totals(app, shop, buyer):
    with app.app_context():
        customer = db.session.get(Customer, buyer)
        assert order_service.customer_totals(customer) == (0, 0)
        assert order_service.refusals_count(customer) == 0


def test_marking_paid_once(app, shop, owner, buyer, make_order):
    order = make_order(shop, customer_id=buyer, payment_method="bank_transfer")
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        row = db.session.get(Order, order.id)
        staff = db.session.get(StaffUser, owner.id)
        order_service.mark_paid(shop=shop_row, order=row, actor=staff)
        db.session.commit()
        assert row.payment_status == "paid"
        assert row.paid_at is not None
        assert [e.staff_id for e in events_of(buyer, "order_paid")] == [owner.id]
        with pytest.raises(order_service.InvalidTransition):
            order_service.mark_paid(shop=shop_row, order=row, actor=staff)


def test_a_cancelled_order_cannot_be_marked_paid(app, shop, buyer, make_order):
    order = make_order(shop, customer_id=buyer, status="cancelled")
    with app.app_context():
        row = db.session.get(Order, order.id)
        with pytest.raises(order_service.InvalidTransition):
            order_service.mark_paid(shop=db.session.get(Shop, shop.id), order=row, actor=None)


def test_the_customer_cancels_only_their_own_pending_order(
    app, shop, buyer, make_order, make_customer
):
    other = make_customer(shop, email="khac@example.com")
    pending = make_order(shop, customer_id=buyer)
    confirmed = make_order(shop, customer_id=buyer, status="confirmed")
    theirs = make_order(shop, customer_id=other)
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        customer = db.session.get(Customer, buyer)
        with pytest.raises(order_service.InvalidTransition):
            order_service.cancel_by_customer(
                shop=shop_row, order=db.session.get(Order, confirmed.id), customer=customer
            )
        with pytest.raises(ServiceError):
            order_service.cancel_by_customer(
                shop=shop_row, order=db.session.get(Order, theirs.id), customer=customer
            )
        order_service.cancel_by_customer(
            shop=shop_row, order=db.session.get(Order, pending.id), customer=customer
        )
        db.session.commit()
        (event,) = events_of(buyer, "order_status_changed")
        assert (event.actor, event.staff_id, event.data["to"]) == ("customer", None, "cancelled")
    assert status_of(app, pending) == OrderStatus.CANCELLED
    assert status_of(app, confirmed) == OrderStatus.CONFIRMED
    assert status_of(app, theirs) == OrderStatus.PENDING


def test_an_order_of_another_shop_is_refused(app, shop, other_shop, buyer, make_order):
    order = make_order(other_shop)
    with app.app_context():
        with pytest.raises(ServiceError):
            order_service.change_order_status(
                shop=db.session.get(Shop, shop.id),
                order=db.session.get(Order, order.id),
                actor=None,
                status="confirmed",
            )
    assert status_of(app, order) == "pending"
