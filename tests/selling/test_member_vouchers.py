"""A member's vouchers at ``/<shop>/account/vouchers``: the ones meant for them (by name or
by one of their tags) that they may still use; nobody else's, and nobody else sees them."""

from datetime import timedelta

from core.extensions import db
from models import Customer, Shop, utcnow
from services import orders as order_service
from tests.factories import make_member, make_product, make_voucher, tag_member
from tests.selling import GUEST
from tests.storefront import Shopper


def test_a_member_sees_the_vouchers_meant_for_them(app, client, shop, other_shop):
    member = make_member(app, shop, "tiem.nang@example.com", "+84912000111")
    other = make_member(app, shop, "lan@example.com", "+84912000222")
    tag_member(app, member.id, "tiềm năng")
    now = utcnow()
    make_voucher(
        app,
        shop,
        "TIEMNANG",
        tags=["tiềm năng"],
        min_order_total=300_000,
        ends_at=now + timedelta(days=10),
    )
    make_voucher(
        app, shop, "RIENG", customer_ids=[member.id], kind="percent", value=10, max_discount=100_000
    )
    make_voucher(app, shop, "CHO-MOI-NGUOI")
    make_voucher(app, shop, "CUA-LAN", customer_ids=[other.id])
    make_voucher(app, shop, "VIP-ONLY", tags=["VIP"])
    make_voucher(app, shop, "HET-HAN", customer_ids=[member.id], ends_at=now - timedelta(days=1))
    make_voucher(app, shop, "DA-TAT", customer_ids=[member.id], active=False)
    make_voucher(app, shop, "DA-DUNG", customer_ids=[member.id])
    foreign = make_member(app, other_shop, "tiem.nang@example.com", "+84912000111")
    tag_member(app, foreign.id, "tiềm năng")
    make_voucher(app, other_shop, "SHOP-KHAC", tags=["tiềm năng"])
    product = make_product(app, shop, "Áo dài lụa", 350_000)
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        buyer = db.session.get(Customer, member.id)
        order_service.place_order(
            shop=shop_row,
            lines=[(product.id, 1)],
            customer=buyer,
            source="member",
            voucher_code="DA-DUNG",
            **GUEST,
        )
        db.session.commit()

    Shopper(client).login(member)
    page = client.get(f"/{shop.slug}/account/vouchers")
    assert page.status_code == 200
    for code in ("TIEMNANG", "RIENG"):
        assert code in page.text
    for code in (
        "CHO-MOI-NGUOI",
        "CUA-LAN",
        "VIP-ONLY",
        "HET-HAN",
        "DA-TAT",
        "DA-DUNG",
        "SHOP-KHAC",
    ):
        assert code not in page.text
    assert "₫50,000 off" in page.text
    assert "10% off (up to ₫100,000)" in page.text
    assert "For goods of ₫300,000 or more" in page.text
    assert "Until" in page.text


def test_only_the_shops_signed_in_member_opens_the_page(app, client, auth, shop, other_shop, owner):
    path = f"/{shop.slug}/account/vouchers"
    assert client.get(path).headers["Location"].startswith(f"/{shop.slug}/account/login")
    foreign = make_member(app, other_shop, "khach@binh.vn", "+84912000999")
    Shopper(client).login(foreign)
    assert client.get(path).headers["Location"].startswith(f"/{shop.slug}/account/login")
    auth.login_staff(owner)
    assert client.get(path).headers["Location"].startswith(f"/{shop.slug}/account/login")
