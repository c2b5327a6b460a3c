"""Selling: a guest buys two products with cash on delivery; a member buys with a saved
address and sees the status change the manager makes."""

import re
import uuid

import pytest

from tests.e2e.checks import check_no_horizontal_overflow, check_page
from tests.e2e.conftest import PHONE
from tests.e2e.test_member_flow import check, manager_logs_in, shopper_logs_in, submit


def add_to_cart(page, base, slug, phone=False):
    page.goto(f"{base}/demo/products/{slug}")
    check_page(page)
    if phone:
        check_no_horizontal_overflow(page)
    with page.expect_navigation():
        page.locator("form.add-to-cart button[type=submit]").first.click()


def place_order(page, shots, name, phone=False):
    submit(page, "form:has(input[name=payment_method])")
    check(page, shots, name, phone)
    assert re.search(r"/demo/orders/[\w-]+$", page.url), page.url
    return re.search(r"#(\d{4,})", page.content()).group(1)


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_a_guest_buys_two_products_and_the_manager_sees_the_order(
    browser, live_server, shots, screen
):
    base = live_server.url
    phone = screen == "phone"
    context = {"locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
    shopper_context = {**context, **({"viewport": PHONE, "is_mobile": True} if phone else {})}
    guest = browser.new_context(**shopper_context).new_page()
    email = f"khach.{uuid.uuid4().hex[:6]}@example.com"

    add_to_cart(guest, base, "ao-dai-lua-ha-dong", phone)
    add_to_cart(guest, base, "ao-so-mi-linen", phone)
    guest.goto(f"{base}/demo/cart")
    check(guest, shots, "1-cart", phone)
    assert guest.locator("input[name^=quantity-]").count() == 2
    with guest.expect_navigation():
        guest.locator("a[href$='/demo/checkout']").first.click()
    check(guest, shots, "2-checkout", phone)
    guest.fill("input[name=full_name]", "Trần Thị Khách")
    guest.fill("input[name=email]", email)
    guest.fill("input[name=phone]", f"09{uuid.uuid4().int % 10**8:08d}")
    guest.fill("input[name=line1]", "45 Hai Bà Trưng")
    guest.fill("input[name=ward]", "Phường Sài Gòn")
    guest.select_option("select[name=province]", label="Hồ Chí Minh")
    guest.check("input[name=payment_method][value=cod]")
    number = place_order(guest, shots, "3-order-placed", phone)

    manager = browser.new_context(**context).new_page()
    manager_logs_in(manager, base)
    manager.goto(f"{base}/demo/admin/orders")
    check(manager, shots, "4-admin-orders")
    assert f"#{number}" in manager.content()
    manager.goto(f"{base}/demo/admin/customers?q={email}")
    assert manager.locator("tr", has_text=email).count() == 1  # the guest is a customer now
    manager.goto(f"{base}/demo/admin/emails")
    assert email in manager.content()


def test_a_member_buys_with_a_saved_address_and_follows_the_status(browser, live_server, shots):
    base = live_server.url
    context = {"locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
    member = browser.new_context(**context).new_page()
    shopper_logs_in(member, base, "thanh.tam@demo.cuahang.vn", "demo1234")
    add_to_cart(member, base, "khan-lua-to-tam")
    member.goto(f"{base}/demo/checkout")
    check(member, shots, "1-checkout-member")
    saved = member.locator("select[name=address_id] option").nth(1).get_attribute("value")
    member.select_option("select[name=address_id]", saved)
    member.check("input[name=payment_method][value=cod]")
    number = place_order(member, shots, "2-order-placed")

    manager = browser.new_context(**context).new_page()
    manager.on("dialog", lambda dialog: dialog.accept())
    manager_logs_in(manager, base)
    manager.goto(f"{base}/demo/admin/orders?q={number}")
    with manager.expect_navigation():
        manager.locator("a", has_text=f"#{number}").first.click()
    for status in ("confirmed", "shipping"):
        manager.select_option("select[name=status]", status)
        with manager.expect_navigation():
            manager.locator("form:has(select[name=status]) button[type=submit]").click()
    check(manager, shots, "3-admin-shipping")

    member.goto(f"{base}/demo/account/orders")
    check(member, shots, "4-member-orders")
    row = member.locator("tr, li, .list-group-item, .card", has_text=f"#{number}").last
    assert "Đang giao" in row.inner_text()
