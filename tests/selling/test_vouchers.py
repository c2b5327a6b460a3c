"""Vouchers in ``place_order`` and the voucher service: what a code takes off, each reason a
code is refused (and that nothing is then placed), the use a cancelled order gives back, and
twenty checkouts at once for the last five uses."""

import threading
from datetime import timedelta

import pytest
from flask_babel import force_locale

from core.extensions import db
from models import Customer, Order, Shop, Tag, Voucher, VoucherUse, utcnow
from services import ServiceError, order_status, vouchers
from services import orders as svc
from tests.factories import make_guest, make_member, make_voucher, tag_member
from tests.selling import GUEST, count, make_product

CONTACT = {k: v for k, v in GUEST.items() if k != "note"}


def place(shop_id, lines, customer_id=None, **fields):
    shop = db.session.get(Shop, shop_id)
    customer = db.session.get(Customer, customer_id) if customer_id else None
    values = {**CONTACT, "note": "", **fields}
    source = "member" if customer is not None else "guest"
    return svc.place_order(shop=shop, lines=lines, customer=customer, source=source, **values)


def refusal(shop_id, lines, **fields):
    """The English reason ``place_order`` gives, with nothing placed."""
    before = count(Order), count(VoucherUse), db.session.scalar(db.select(Voucher.used_count))
    with pytest.raises(vouchers.VoucherRefused) as refused:
        place(shop_id, lines, **fields)
    db.session.rollback()
    after = count(Order), count(VoucherUse), db.session.scalar(db.select(Voucher.used_count))
    assert after == before
    assert refused.value.field == "voucher_code"
    with force_locale("en"):
        return str(refused.value.message)


@pytest.fixture
def tagged(app, shop):
    """A member tagged “tiềm năng”."""
    member = make_member(app, shop, "tiem.nang@example.com", "+84912000111")
    tag_member(app, member.id, "tiềm năng")
    return member


# --- What a code takes off ------------------------------------------------------------


def terms(kind="amount", value=50_000, max_discount=None, free_shipping=False):
    return Voucher(kind=kind, value=value, max_discount=max_discount, free_shipping=free_shipping)


@pytest.mark.parametrize(
    ("voucher", "subtotal", "amount", "fee"),
    [
        (terms(value=50_000), 300_000, 50_000, 30_000),
        (terms(value=500_000), 300_000, 300_000, 30_000),  # never more than the goods
        (terms("percent", 10), 333_333, 33_333, 30_000),  # whole đồng, rounded down
        (terms("percent", 20, max_discount=40_000), 300_000, 40_000, 30_000),
        (terms("percent", 100), 120_000, 120_000, 30_000),
        (terms(value=10_000, free_shipping=True), 300_000, 10_000, 0),
    ],
)
def test_the_discount_of_each_kind(voucher, subtotal, amount, fee):
    discount = vouchers.discount_for(voucher, subtotal, 30_000)
    assert (discount.amount, discount.shipping_fee) == (amount, fee)


def test_an_order_keeps_the_code_the_discount_and_the_terms(app, shop):
    product = make_product(app, shop, "Áo dài lụa", 350_000)
    make_voucher(app, shop, "TET-2027", kind="percent", value=20, max_discount=60_000)
    with app.app_context():
        order = place(shop.id, [(product.id, 1)], voucher_code=" tet-2027 ", expected_total=320_000)
        db.session.commit()
        assert (order.voucher_code, order.discount, order.shipping_fee) == (
            "TET-2027",
            60_000,
            30_000,
        )
        assert order.total == 350_000 + 30_000 - 60_000
        assert order.voucher_terms["kind"] == "percent"
        assert order.voucher_terms["max_discount"] == 60_000
        assert db.session.scalar(db.select(Voucher.used_count)) == 1
        # The voucher changes later: the order keeps what it was given.
        voucher = db.session.scalar(db.select(Voucher))
        vouchers.update_voucher(
            shop=order.customer.shop, voucher=voucher, code="TET-2027", kind="amount", value=1000
        )
        db.session.commit()
        db.session.refresh(order)
        assert order.voucher_terms["value"] == 20
        assert order.discount == 60_000


def test_free_shipping_zeroes_the_fee(app, shop):
    product = make_product(app, shop, "Nón lá", 100_000)
    make_voucher(app, shop, "FREESHIP", value=5_000, free_shipping=True)
    with app.app_context():
        order = place(shop.id, [(product.id, 1)], voucher_code="freeship")
        db.session.commit()
        assert (order.shipping_fee, order.discount, order.total) == (0, 5_000, 95_000)
        assert order.voucher_terms["shipping_waived"] == 30_000


# --- Refusals -------------------------------------------------------------------------


@pytest.fixture
def goods(app, shop):
    return make_product(app, shop, "Áo dài lụa", 350_000)


def test_an_unknown_code_and_another_shops_code_are_unknown(app, shop, other_shop, goods):
    make_voucher(app, other_shop, "BINH50")
    with app.app_context():
        assert "no voucher with this code" in refusal(
            shop.id, [(goods.id, 1)], voucher_code="BINH50"
        )
        assert "no voucher" in refusal(shop.id, [(goods.id, 1)], voucher_code="KHONG-CO")
        assert "no voucher" in refusal(shop.id, [(goods.id, 1)], voucher_code="x" * 300)


def test_expired_not_started_and_switched_off_codes(app, shop, goods):
    now = utcnow()
    make_voucher(
        app, shop, "HET-HAN", starts_at=now - timedelta(days=9), ends_at=now - timedelta(days=1)
    )
    make_voucher(app, shop, "SAP-TOI", starts_at=now + timedelta(days=2))
    make_voucher(app, shop, "DA-TAT", active=False)
    with app.app_context():
        assert "expired on" in refusal(shop.id, [(goods.id, 1)], voucher_code="het-han")
        assert "can be used from" in refusal(shop.id, [(goods.id, 1)], voucher_code="SAP-TOI")
        assert "no longer valid" in refusal(shop.id, [(goods.id, 1)], voucher_code="DA-TAT")


def test_the_minimum_is_the_goods_total_before_shipping(app, shop):
    cheap = make_product(app, shop, "Khăn", 280_000)
    make_voucher(app, shop, "GIAM50K", min_order_total=300_000)
    with app.app_context():
        # 280.000 ₫ + 30.000 ₫ shipping passes 300.000 ₫, the goods do not
        assert "300.000" in refusal(shop.id, [(cheap.id, 1)], voucher_code="GIAM50K")
        order = place(shop.id, [(cheap.id, 2)], voucher_code="GIAM50K")
        assert order.discount == 50_000


def test_a_tagged_voucher_is_for_tagged_members_only(app, shop, goods, tagged):
    untagged = make_member(app, shop, "khong.tag@example.com", "+84912000222")
    make_voucher(app, shop, "TIEMNANG", tags=["tiềm năng"], min_order_total=300_000)
    with app.app_context():
        assert "please log in" in refusal(shop.id, [(goods.id, 1)], voucher_code="TIEMNANG")
        assert "not for your account" in refusal(
            shop.id, [(goods.id, 1)], customer_id=untagged.id, voucher_code="TIEMNANG"
        )
        order = place(shop.id, [(goods.id, 1)], customer_id=tagged.id, voucher_code="TIEMNANG")
        db.session.commit()
        assert order.discount == 50_000
        # once per customer by default
        assert "already used" in refusal(
            shop.id, [(goods.id, 1)], customer_id=tagged.id, voucher_code="TIEMNANG"
        )


def test_a_guest_with_a_members_email_does_not_get_a_members_voucher(app, shop, goods, tagged):
    make_voucher(app, shop, "TIEMNANG", tags=["tiềm năng"])
    with app.app_context():
        reason = refusal(shop.id, [(goods.id, 1)], email=tagged.email, voucher_code="TIEMNANG")
        assert "please log in" in reason


def test_a_voucher_for_one_customer(app, shop, goods, tagged):
    other = make_member(app, shop, "lan@example.com", "+84912000333")
    make_voucher(app, shop, "RIENG-LAN", customer_ids=[other.id])
    with app.app_context():
        assert "not for your account" in refusal(
            shop.id, [(goods.id, 1)], customer_id=tagged.id, voucher_code="RIENG-LAN"
        )
        assert place(
            shop.id, [(goods.id, 1)], customer_id=other.id, voucher_code="RIENG-LAN"
        ).discount


def test_a_guest_uses_an_open_voucher_once_per_customer_record(app, shop, goods):
    make_voucher(app, shop, "MOI-NGUOI", per_customer_limit=1)
    with app.app_context():
        place(shop.id, [(goods.id, 1)], voucher_code="MOI-NGUOI")
        db.session.commit()
        with pytest.raises(vouchers.VoucherRefused) as refused:
            place(shop.id, [(goods.id, 1)], voucher_code="MOI-NGUOI")
        with force_locale("en"):
            assert "already used" in str(refused.value.message)
        db.session.rollback()
        assert count(Order) == 1


def test_a_used_up_voucher(app, shop, goods):
    make_voucher(app, shop, "HAI-LAN", usage_limit=2, per_customer_limit=5)
    with app.app_context():
        for i in (1, 2):
            place(
                shop.id,
                [(goods.id, 1)],
                voucher_code="HAI-LAN",
                email=f"k{i}@example.com",
                phone=f"0903 000 00{i}",
            )
            db.session.commit()
    with app.app_context():
        with pytest.raises(vouchers.VoucherRefused) as refused:
            place(
                shop.id,
                [(goods.id, 1)],
                voucher_code="HAI-LAN",
                email="c@example.com",
                phone="0903 000 003",
            )
        with force_locale("en"):
            assert "used up" in str(refused.value.message)


def test_a_cancelled_or_returned_order_gives_its_use_back(app, shop, goods):
    make_voucher(app, shop, "MOT-LAN", usage_limit=1)
    with app.app_context():
        order = place(shop.id, [(goods.id, 1)], voucher_code="MOT-LAN")
        db.session.commit()
        assert vouchers.status_of(db.session.scalar(db.select(Voucher))) == "used_up"
        order_status.change_order_status(
            shop=order.customer.shop, order=order, actor=None, status="cancelled"
        )
        db.session.commit()
        voucher = db.session.scalar(db.select(Voucher))
        assert voucher.used_count == 0
        assert vouchers.status_of(voucher) == "active"
        again = place(shop.id, [(goods.id, 1)], voucher_code="MOT-LAN")
        db.session.commit()
        for status in ("confirmed", "shipping", "returned"):
            order_status.change_order_status(
                shop=again.customer.shop, order=again, actor=None, status=status
            )
        db.session.commit()
        assert db.session.scalar(db.select(Voucher.used_count)) == 0
        assert count(VoucherUse, VoucherUse.released_at.is_(None)) == 0


# --- Writing vouchers ------------------------------------------------------------------


def create(app, shop, **fields):
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        try:
            voucher = vouchers.create_voucher(
                shop=shop_row, **{"kind": "amount", "value": "50.000", **fields}
            )
        except ServiceError as error:
            db.session.rollback()
            return error
        db.session.commit()
        return voucher.code


def test_a_blank_code_is_generated_and_codes_are_unique_ignoring_case(app, shop):
    generated = create(app, shop, code="")
    assert len(generated) == 8
    assert generated.isalnum()
    assert generated.isupper()
    assert create(app, shop, code="tet-2027") == "TET-2027"
    duplicate = create(app, shop, code="Tet-2027")
    assert duplicate.field == "code"


@pytest.mark.parametrize("code", ["GIẢM-50", "a b", "-DAU", "CUOI-", "A--B", "50%", "x" * 41])
def test_a_code_is_letters_digits_and_hyphens(app, shop, code):
    assert create(app, shop, code=code).field == "code"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"value": "0"}, "value"),
        ({"value": "abc"}, "value"),
        ({"kind": "percent", "value": "101"}, "value"),
        ({"kind": "free"}, "kind"),
        ({"usage_limit": "0"}, "usage_limit"),
        ({"per_customer_limit": "0"}, "per_customer_limit"),
        ({"starts_at": "2027-02-01T00:00", "ends_at": "2027-01-01T00:00"}, "ends_at"),
        ({"ends_at": "mai"}, "ends_at"),
        ({"starts_at": "0001-01-01T00:00"}, "starts_at"),
        ({"customer_tags": ["abc"]}, "customer_tags"),
        ({"customer_ids": ["99999999999999999999999"]}, "customer_ids"),
    ],
)
def test_bad_values_are_refused_beside_their_field(app, shop, fields, field):
    assert create(app, shop, code="X", **fields).field == field
    with app.app_context():
        assert count(Voucher) == 0


def test_customers_and_tags_of_another_shop_are_refused(app, shop, other_shop):
    foreign = make_guest(app, other_shop, email="khach@binh.vn")
    assert create(app, shop, code="A", customer_ids=[str(foreign)]).field == "customer_ids"
    with app.app_context():
        tag = Tag(shop_id=other_shop.id, name="VIP")
        db.session.add(tag)
        db.session.commit()
        tag_id = tag.id
    assert create(app, shop, code="B", customer_tags=[str(tag_id)]).field == "customer_tags"


def test_dates_are_read_in_the_shops_time_zone(app, shop):
    create(app, shop, code="TET", starts_at="2027-02-06T00:00", ends_at="2027-02-10")
    with app.app_context():
        voucher = db.session.scalar(db.select(Voucher))
        # Midnight in Hồ Chí Minh is 17:00 UTC the day before; a date alone ends that day.
        assert voucher.starts_at.isoformat() == "2027-02-05T17:00:00+00:00"
        assert voucher.ends_at.isoformat() == "2027-02-10T16:59:59+00:00"


# --- Racing for the last uses -------------------------------------------------------------


@pytest.fixture
def app(make_app, database):
    url, _ = database
    if url.startswith("sqlite"):
        # SQLite has one writer: the twenty take turns, the last may wait longer than 5 s.
        return make_app(SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 60}})
    return make_app()


def test_twenty_checkouts_for_five_uses_place_five_discounted_orders(app, shop):
    product = make_product(app, shop, "Áo dài lụa", 350_000)
    make_voucher(app, shop, "NAM-LAN", usage_limit=5)
    start = threading.Barrier(20)
    outcomes, crashes = [], []

    def checkout(i):
        try:
            with app.app_context():
                start.wait(timeout=60)
                try:
                    order = place(
                        shop.id,
                        [(product.id, 1)],
                        voucher_code="NAM-LAN",
                        email=f"k{i}@example.com",
                        phone=f"0903 000 {i:03d}",
                    )
                    db.session.commit()
                except ServiceError as refused:
                    db.session.rollback()
                    outcomes.append(("refused", refused.field))
                else:
                    outcomes.append(("placed", order.discount))
        except Exception as error:  # noqa: BLE001 - the test reports whatever escaped
            crashes.append(error)

    threads = [threading.Thread(target=checkout, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "a checkout hung"
    assert crashes == []
    assert sorted(outcomes).count(("placed", 50_000)) == 5
    assert outcomes.count(("refused", "voucher_code")) == 15
    with app.app_context():
        assert count(Order) == 5
        assert db.session.scalar(db.select(Voucher.used_count)) == 5
        assert count(VoucherUse) == 5
