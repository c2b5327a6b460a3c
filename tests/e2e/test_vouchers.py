"""Vouchers: the manager creates one in the admin; a shopper on a phone types a wrong code
at checkout (told why, nothing typed lost), applies the right one, sees the discount and
the new total, and places the order; the manager's list counts the use."""

import uuid

from tests.e2e.checks import new_phone, vi
from tests.e2e.conftest import PHONE, SHOP
from tests.e2e.test_member_flow import check, manager_logs_in, submit
from tests.e2e.test_purchase import add_to_cart, place_order


def test_a_shopper_applies_a_voucher_at_checkout_on_a_phone(browser, live_server, shots):
    base = live_server.url
    context = {"locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
    code = f"GIAM-{uuid.uuid4().hex[:5].upper()}"

    manager = browser.new_context(**context).new_page()
    manager_logs_in(manager, base)
    manager.goto(f"{base}/{SHOP}/admin/vouchers/new")
    manager.fill("input[name=code]", code.lower())
    manager.check("input[name=kind][value=amount]")
    manager.fill("input[name=value]", "50.000")
    manager.fill("input[name=min_order_total]", "100.000")
    manager.fill("input[name=usage_limit]", "10")
    check(manager, shots, "1-admin-voucher-form")
    submit(manager, "form.voucher-form")
    check(manager, shots, "2-admin-vouchers")
    row = manager.locator("tr.voucher-row", has_text=code)
    assert row.count() == 1
    assert vi("Active") in row.inner_text()

    guest = browser.new_context(**context, viewport=PHONE, is_mobile=True, has_touch=True)
    page = guest.new_page()
    add_to_cart(page, base, "ao-dai-lua-ha-dong", phone=True)
    page.goto(f"{base}/{SHOP}/checkout")
    page.fill("input[name=full_name]", "Lê Thị Voucher")
    page.fill("input[name=email]", f"voucher.{uuid.uuid4().hex[:6]}@example.com")
    page.fill("input[name=phone]", new_phone())
    page.fill("input[name=line1]", "45 Hai Bà Trưng")
    page.fill("input[name=ward]", "Phường Sài Gòn")
    page.select_option("select[name=province]", label="Hồ Chí Minh")

    page.fill("input[name=voucher_code]", "khong-co-ma")
    with page.expect_navigation():
        page.locator("button.voucher-apply").click()
    check(page, shots, "3-phone-checkout-refused", phone=True)
    assert vi("There is no voucher with this code. Please check it.") in page.content()
    assert page.input_value("input[name=full_name]") == "Lê Thị Voucher"
    assert page.input_value("input[name=line1]") == "45 Hai Bà Trưng"
    assert page.input_value("input[name=voucher_code]") == "KHONG-CO-MA"

    page.fill("input[name=voucher_code]", code.lower())
    with page.expect_navigation():
        page.locator("button.voucher-apply").click()
    page.locator(".order-discount").scroll_into_view_if_needed()
    check(page, shots, "4-phone-checkout-applied", phone=True)
    assert vi("Voucher %(code)s applied.", code=code) in page.content()
    assert page.input_value("input[name=phone]")  # still typed
    assert "50.000" in page.locator(".order-totals").inner_text()

    place_order(page, shots, "5-phone-order-placed", phone=True)
    assert code in page.locator(".order-totals").inner_text()

    manager.goto(f"{base}/{SHOP}/admin/vouchers")
    row = manager.locator("tr.voucher-row", has_text=code)
    assert row.locator(".voucher-uses").inner_text().strip() == "1 / 10"
    assert "50.000" in row.locator(".voucher-given").inner_text()
