"""Selling: a guest buys two products with cash on delivery; a member buys with a saved
address and sees the status change the manager makes."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.checks import check_no_horizontal_overflow, check_page, new_phone, vi
from tests.e2e.conftest import MEMBER_EMAIL, PASSWORD, PHONE, SHOP
from tests.e2e.test_member_flow import check, manager_logs_in, shopper_logs_in, submit


def add_to_cart(page, base, slug, phone=False):
    page.goto(f"{base}/{SHOP}/products/{slug}")
    check_page(page)
    if phone:
        check_no_horizontal_overflow(page)
    with page.expect_navigation():
        page.locator("form.add-to-cart button[type=submit]").first.click()


def place_order(page, shots, name, phone=False):
    submit(page, "form:has(input[name=payment_method])")
    check(page, shots, name, phone)
    assert re.search(rf"/{SHOP}/orders/[\w-]+$", page.url), page.url
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
    guest.goto(f"{base}/{SHOP}/cart")
    check(guest, shots, "1-cart", phone)
    assert guest.locator("input[name^=quantity-]").count() == 2
    with guest.expect_navigation():
        guest.locator(f"a[href$='/{SHOP}/checkout']").first.click()
    check(guest, shots, "2-checkout", phone)
    guest.fill("input[name=full_name]", "Trần Thị Khách")
    guest.fill("input[name=email]", email)
    guest.fill("input[name=phone]", new_phone())
    guest.fill("input[name=line1]", "45 Hai Bà Trưng")
    guest.fill("input[name=ward]", "Phường Sài Gòn")
    guest.select_option("select[name=province]", label="Hồ Chí Minh")
    guest.check("input[name=payment_method][value=cod]")
    number = place_order(guest, shots, "3-order-placed", phone)

    manager = browser.new_context(**context).new_page()
    manager_logs_in(manager, base)
    manager.goto(f"{base}/{SHOP}/admin/orders")
    check(manager, shots, "4-admin-orders")
    assert f"#{number}" in manager.content()
    manager.goto(f"{base}/{SHOP}/admin/customers?q={email}")
    assert manager.locator("tr", has_text=email).count() == 1  # the guest is a customer now
    manager.goto(f"{base}/{SHOP}/admin/emails/log")
    assert email in manager.content()


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_a_member_buys_with_a_saved_address_and_follows_the_status(
    browser, live_server, shots, screen
):
    base = live_server.url
    phone = screen == "phone"
    context = {"locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
    member_context = {**context, **({"viewport": PHONE, "is_mobile": True} if phone else {})}
    member = browser.new_context(**member_context).new_page()
    shopper_logs_in(member, base, MEMBER_EMAIL, PASSWORD)
    add_to_cart(member, base, "khan-lua-to-tam", phone)
    member.goto(f"{base}/{SHOP}/checkout")
    check(member, shots, "1-checkout-member", phone)
    # The address book is offered, its default chosen and readable in full; the fields for
    # a new address show only when the shopper asks for one.
    book = member.get_by_role("group", name=vi("Deliver to"))
    saved = book.locator("label", has_text="12 Nguyễn Trãi")
    expect(saved.locator("input[name=address_id]")).to_be_checked()
    expect(saved).to_contain_text("Võ Thanh Tâm")
    expect(saved).to_contain_text("12 Nguyễn Trãi, Phường Bến Thành, Hồ Chí Minh")
    expect(saved).to_contain_text(vi("Default"))
    fits_the_screen(saved, phone)
    new_address = member.get_by_label(vi("House number, street"))
    expect(new_address).to_be_hidden()
    book.get_by_text(vi("A new address (fill in below)")).click()
    expect(new_address).to_be_visible()
    saved.click()
    expect(saved.locator("input[name=address_id]")).to_be_checked()
    expect(new_address).to_be_hidden()
    member.check("input[name=payment_method][value=cod]")
    fits_the_screen(member.get_by_role("button", name=vi("Place order")), phone)
    number = place_order(member, shots, "2-order-placed", phone)
    expect(member.locator("h1")).to_contain_text(vi("Order %(number)s", number=f"#{number}"))
    expect(member.locator("h1 .order-status")).to_have_text(vi("Pending"))
    expect(member.locator(".alert-success")).to_contain_text(
        vi("Thank you! Your order %(number)s was placed.", number=f"#{number}")
    )
    delivery = member.locator("address")
    expect(delivery).to_contain_text("Võ Thanh Tâm")
    expect(delivery).to_contain_text("12 Nguyễn Trãi")
    expect(delivery).to_contain_text("Phường Bến Thành")
    expect(member.locator(".payment-method")).to_have_text(vi("Cash on delivery (COD)"))
    total = member.locator(".order-totals dd").last.inner_text()
    assert re.fullmatch(r"[\d.]+\s₫", total), total

    manager = browser.new_context(**context).new_page()
    manager.on("dialog", lambda dialog: dialog.accept())
    manager_logs_in(manager, base)
    manager.goto(f"{base}/{SHOP}/admin/orders?q={number}")
    with manager.expect_navigation():
        manager.locator("a", has_text=f"#{number}").first.click()
    for status in ("confirmed", "shipping"):
        manager.select_option("select[name=status]", status)
        with manager.expect_navigation():
            manager.locator("form:has(select[name=status]) button[type=submit]").click()
    check(manager, shots, "3-admin-shipping")

    member.goto(f"{base}/{SHOP}/account/orders")
    check(member, shots, "4-member-orders", phone)
    row = member.locator(".member-orders li", has_text=f"#{number}")
    expect(row.locator(".order-status")).to_have_text(vi("Shipping"))
    expect(row).to_contain_text(total)
    fits_the_screen(row.locator(".order-status"), phone)
    with member.expect_navigation():
        row.locator("a").click()
    check(member, shots, "5-member-order", phone)
    expect(member.locator("h1")).to_contain_text(vi("Order %(number)s", number=f"#{number}"))
    expect(member.locator("h1 .order-status")).to_have_text(vi("Shipping"))
    expect(member.locator(".order-lines")).to_contain_text("Khăn lụa tơ tằm")
    expect(member.locator("address")).to_contain_text("12 Nguyễn Trãi")
    # A parcel on its way can no longer be cancelled by the shopper.
    expect(member.get_by_role("button", name=vi("Cancel this order"))).to_have_count(0)


def fits_the_screen(locator, phone):
    """On a phone the element is wholly inside the screen's width, not cut off at its edge."""
    if not phone:
        return
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not shown"
    assert box["x"] >= 0, (locator, box)
    assert box["x"] + box["width"] <= PHONE["width"], (locator, box)
    clipped = locator.evaluate("el => el.scrollWidth - el.clientWidth")
    assert clipped <= 0, f"{locator} cuts {clipped}px of its content off"
