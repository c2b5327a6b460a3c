"""A voucher on the cart and the checkout pages (``voucher_code``): applied and removed
without losing what was typed, the discount line and the new total, each refusal's reason
beside the field with the code kept; and the admin's order for a customer with a code."""

import re

import pytest

from core.extensions import db
from models import Order, Voucher, VoucherUse
from tests.factories import make_member, make_voucher, tag_member
from tests.mail import sent_text
from tests.selling import GUEST, count, orders, set_shop
from tests.storefront import Shopper


@pytest.fixture
def voucher(app, shop):
    """50.000 ₫ off goods of 300.000 ₫ or more."""
    return make_voucher(app, shop, "GIAM50K", min_order_total=300_000)


def voucher_post(buyer, code, action="apply"):
    return buyer.client.post(
        f"/{buyer.slug}/cart/voucher",
        data={"voucher_code": code, "voucher_action": action},
        follow_redirects=True,
    )


def test_the_cart_shows_the_discount_and_the_new_total(buyer, ao_dai, voucher):
    buyer.add(ao_dai.id, 2)
    page = voucher_post(buyer, "giam50k").text
    assert "Voucher GIAM50K applied." in page
    assert "−₫50,000" in page
    assert "480,000" in page  # 500.000 + 30.000 - 50.000


def test_the_cart_keeps_a_refused_code_with_its_reason(buyer, ao_dai, voucher):
    buyer.add(ao_dai.id, 1)  # 250.000 ₫: under the minimum
    page = voucher_post(buyer, "giam50k").text
    assert "This voucher is for orders of ₫300,000" in page
    assert 'value="GIAM50K"' in page
    assert "280,000" in page  # no discount
    # More goods and the same code now applies
    page = buyer.update(**{f"quantity-{ao_dai.id}": "2"}).text
    assert "Voucher GIAM50K applied." in page
    page = voucher_post(buyer, "", action="remove").text
    assert "The voucher was removed." in page
    assert "−₫50,000" not in page


def test_applying_at_checkout_keeps_what_was_typed(app, buyer, ao_dai, voucher):
    buyer.add(ao_dai.id, 2)
    page = buyer.checkout(voucher_code="giam50k", voucher_action="apply")
    assert page.status_code == 200
    assert "Voucher GIAM50K applied." in page.text
    assert "12 Nguyễn Trãi" in page.text
    assert "Trần Thị Bình" in page.text
    assert 'name="expected_total" type="hidden" value="480000"' in page.text
    with app.app_context():
        assert count(Order) == 0

    response = buyer.checkout(voucher_code="GIAM50K", expected_total="480000")
    assert response.status_code == 302
    with app.app_context():
        [order] = orders()
        assert (order.voucher_code, order.discount, order.total) == ("GIAM50K", 50_000, 480_000)
        assert order.voucher_terms["min_order_total"] == 300_000
    # The order's page and its email show the discount; the next cart starts without it
    assert "−₫50,000" in buyer.client.get(response.headers["Location"]).text
    with app.app_context():
        email = sent_text("order_placed")
    assert re.search(r"GIAM50K: −(₫50,000|50\.000\s₫)", email), email
    assert "GIAM50K" not in buyer.cart().text


def test_the_manager_sees_the_voucher_on_the_order(
    app, client, auth, shop, buyer, manager, ao_dai, voucher
):
    buyer.add(ao_dai.id, 2)
    buyer.checkout(voucher_code="GIAM50K", voucher_action="apply")
    buyer.checkout(voucher_code="GIAM50K", expected_total="480000")
    auth.login_staff(manager)
    client.post("/language", data={"lang": "en"})
    with app.app_context():
        [order] = orders()
    page = client.get(f"/{shop.slug}/admin/orders/{order.id}").text
    assert "Voucher GIAM50K" in page
    assert "−₫50,000" in page


def test_a_code_typed_but_not_applied_is_applied_before_anything_is_placed(
    app, buyer, ao_dai, voucher
):
    buyer.add(ao_dai.id, 2)
    page = buyer.checkout(voucher_code="GIAM50K", expected_total="530000")
    assert page.status_code == 200
    assert "Your voucher was applied: please check the new total." in page.text
    with app.app_context():
        assert count(Order) == 0


def test_removing_at_checkout_keeps_what_was_typed(app, buyer, ao_dai, voucher):
    buyer.add(ao_dai.id, 2)
    buyer.checkout(voucher_code="GIAM50K", voucher_action="apply")
    page = buyer.checkout(voucher_code="GIAM50K", voucher_action="remove", full_name="Lê Văn Tám")
    assert "Lê Văn Tám" in page.text
    assert "−₫50,000" not in page.text
    assert 'name="expected_total" type="hidden" value="530000"' in page.text


def test_a_code_refused_when_placing_is_shown_and_the_order_goes_without(
    app, buyer, ao_dai, voucher
):
    buyer.add(ao_dai.id, 2)
    buyer.checkout(voucher_code="GIAM50K", voucher_action="apply")
    with app.app_context():  # the shop switches it off meanwhile
        db.session.get(Voucher, voucher.id).active = False
        db.session.commit()
    page = buyer.checkout(voucher_code="GIAM50K", expected_total="480000")
    assert page.status_code == 200
    assert "This voucher is no longer valid." in page.text
    assert 'value="GIAM50K"' in page.text
    assert "12 Nguyễn Trãi" in page.text
    with app.app_context():
        assert count(Order) == count(VoucherUse) == 0
    # The shopper removes the code and orders without it
    buyer.checkout(voucher_code="GIAM50K", voucher_action="remove")
    assert buyer.checkout(voucher_code="", expected_total="530000").status_code == 302
    with app.app_context():
        [order] = orders()
        assert (order.voucher_code, order.discount, order.total) == (None, 0, 530_000)


def test_an_unknown_code_at_checkout(buyer, ao_dai, other_shop, app):
    make_voucher(app, other_shop, "BINH50")
    buyer.add(ao_dai.id, 2)
    page = buyer.checkout(voucher_code="binh50", voucher_action="apply").text
    assert "There is no voucher with this code. Please check it." in page
    assert 'value="BINH50"' in page


def test_a_tagged_voucher_asks_a_guest_to_log_in_and_serves_a_tagged_member(
    app, client, shop, buyer, ao_dai
):
    make_voucher(app, shop, "TIEMNANG", tags=["tiềm năng"], min_order_total=300_000)
    tagged = make_member(app, shop, "tiem.nang@example.com", "+84912000111")
    tag_member(app, tagged.id, "tiềm năng")
    untagged = make_member(app, shop, "khong.tag@example.com", "+84912000222")
    buyer.add(ao_dai.id, 2)
    page = buyer.checkout(voucher_code="TIEMNANG", voucher_action="apply").text
    assert "This voucher is for chosen customers: please log in to use it." in page

    Shopper(client).login(untagged)
    buyer.add(ao_dai.id, 2)
    page = buyer.checkout(voucher_code="TIEMNANG", voucher_action="apply").text
    assert "This voucher is not for your account." in page
    Shopper(client).logout(shop.slug)

    Shopper(client).login(tagged)
    buyer.add(ao_dai.id, 2)
    page = buyer.checkout(voucher_code="TIEMNANG", voucher_action="apply").text
    assert "Voucher TIEMNANG applied." in page
    shown = re.search(r'name="expected_total" type="hidden" value="(\d+)"', page).group(1)
    assert buyer.checkout(voucher_code="TIEMNANG", expected_total=shown).status_code == 302
    with app.app_context():
        [order] = orders()
        assert (order.customer_id, order.discount) == (tagged.id, 50_000)


def test_free_shipping_shows_on_the_checkout(app, shop, buyer, ao_dai):
    make_voucher(app, shop, "FREESHIP", value=1, free_shipping=True)
    set_shop(app, shop, shipping_fee=30_000)
    buyer.add(ao_dai.id, 1)
    page = buyer.checkout(voucher_code="FREESHIP", voucher_action="apply").text
    assert 'name="expected_total" type="hidden" value="249999"' in page
    assert "Free" in page


# --- The admin's order for a customer ----------------------------------------------------


def test_the_manager_enters_a_voucher_for_the_customer(app, client, auth, shop, manager, ao_dai):
    member = make_member(app, shop, "lan@example.com", "+84912000333")
    make_voucher(app, shop, "RIENG-LAN", customer_ids=[member.id], value=100_000)
    auth.login_staff(manager)
    fields = {
        "product_id-1": ao_dai.id,
        "quantity-1": "2",
        "full_name": "Nguyễn Lan",
        "email": "lan@example.com",
        "phone": "0912000333",
        **{k: GUEST[k] for k in ("line1", "ward", "province")},
        "payment_method": "cod",
    }
    url = f"/{shop.slug}/admin/orders/new?customer_id={member.id}"
    refused = client.post(url, data={**fields, "voucher_code": "KHONG-CO"})
    assert refused.status_code == 200
    assert "There is no voucher with this code. Please check it." in refused.text
    assert 'value="KHONG-CO"' in refused.text
    with app.app_context():
        assert count(Order) == 0
    assert client.post(url, data={**fields, "voucher_code": "rieng-lan"}).status_code == 302
    with app.app_context():
        [order] = orders()
        assert (order.voucher_code, order.discount, order.total) == ("RIENG-LAN", 100_000, 430_000)


def test_enter_in_a_checkout_field_places_the_order_not_the_voucher(buyer, ao_dai, voucher):
    """A browser submits a form on Enter with its first submit button: that one places the
    order (the voucher's Apply comes later in the form)."""
    buyer.add(ao_dai.id, 2)
    page = buyer.client.get(f"/{buyer.slug}/checkout").text
    form = page[page.index(f'action="/{buyer.slug}/checkout"') :]
    first_button = re.search(r"<button[^>]*>", form).group(0)
    assert 'type="submit"' in first_button
    assert "voucher_action" not in first_button
    assert "formaction" not in first_button
