"""The header's cart link at phone size, where the header folds into its menu: a number
while the cart holds something, none once the order is placed."""

import uuid

from playwright.sync_api import expect

from tests.e2e.checks import new_phone, vi
from tests.e2e.conftest import PHONE, SHOP
from tests.e2e.test_member_flow import check
from tests.e2e.test_purchase import add_to_cart, place_order


def open_menu(page):
    page.get_by_role("button", name=vi("Menu")).click()
    page.locator("#shop-nav.collapse.show").wait_for()  # opened, not still sliding open
    link = page.locator("a.cart-link")
    expect(link).to_be_visible()
    return link


def test_the_cart_link_counts_items_and_shows_no_number_when_empty(browser, live_server, shots):
    base = live_server.url
    page = browser.new_context(viewport=PHONE, is_mobile=True).new_page()

    add_to_cart(page, base, "ao-dai-lua-ha-dong", phone=True)
    link = open_menu(page)
    expect(link).to_have_accessible_name(f"{vi('Cart')} 1 {vi('items')}")
    expect(link.locator(".cart-count")).to_be_visible()
    check(page, shots, "1-menu-with-an-item", phone=True)

    page.goto(f"{base}/{SHOP}/checkout")
    page.fill("input[name=full_name]", "Trần Thị Khách")
    page.fill("input[name=email]", f"khach.{uuid.uuid4().hex[:6]}@example.com")
    page.fill("input[name=phone]", new_phone())
    page.fill("input[name=line1]", "45 Hai Bà Trưng")
    page.fill("input[name=ward]", "Phường Sài Gòn")
    page.select_option("select[name=province]", label="Hồ Chí Minh")
    page.check("input[name=payment_method][value=cod]")
    place_order(page, None, None, phone=True)

    link = open_menu(page)
    expect(link).to_have_accessible_name(vi("Cart"))
    expect(link.locator(".cart-count")).to_have_count(0)
    check(page, shots, "2-menu-after-the-order", phone=True)
