"""A guest who bought before registers with the same email: nothing of the guest's record
shows until the link sent to that email is followed with the registration's password; then
the manager approves and the member finds the guest order in their account."""

import re
import uuid

import pytest

from tests.e2e.checks import new_phone
from tests.e2e.conftest import PHONE, SHOP
from tests.e2e.mailbox import wait_for_link
from tests.e2e.test_member_flow import check, manager_logs_in, shopper_logs_in, submit, visit
from tests.e2e.test_purchase import add_to_cart, place_order


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_a_guest_registers_and_finds_their_order_after_the_mailbox_answers(
    browser, live_server, shots, screen
):
    base = live_server.url
    instance = live_server.env["CUAHANG_INSTANCE_PATH"]
    phone = screen == "phone"
    options = {"locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
    if phone:
        options.update(viewport=PHONE, is_mobile=True, has_touch=True)
    shopper = browser.new_context(**options).new_page()
    manager = browser.new_context(**options).new_page()
    email = f"hoa.{uuid.uuid4().hex[:6]}@example.com"
    password = "mua he 2026"

    # A guest buys
    add_to_cart(shopper, base, "ao-dai-lua-ha-dong", phone)
    shopper.goto(f"{base}/{SHOP}/checkout")
    shopper.fill("input[name=full_name]", "Lê Thị Hoa")
    shopper.fill("input[name=email]", email)
    shopper.fill("input[name=phone]", new_phone())
    shopper.fill("input[name=line1]", "8 Trần Phú")
    shopper.fill("input[name=ward]", "Phường Ba Đình")
    shopper.select_option("select[name=province]", label="Hà Nội")
    shopper.check("input[name=payment_method][value=cod]")
    number = place_order(shopper, shots, "01-guest-order", phone)

    # Then registers with the same email: the usual page, nothing more
    visit(shopper, f"{base}/{SHOP}/account/register")
    shopper.fill("input[name=last_name]", "Lê")
    shopper.fill("input[name=first_name]", "Thị Hoa")
    shopper.fill("input[name=email]", email)
    shopper.fill("input[name=password]", password)
    shopper.fill("input[name=password_confirm]", password)
    submit(shopper, "form:has(input[name=first_name])")
    check(shopper, shots, "02-registered", phone)
    assert f"/{SHOP}/account/register/done" in shopper.url

    # The guest record is still a guest's: nobody can log in to it yet
    shopper_logs_in(shopper, base, email, password)
    assert "/account/login" in shopper.url

    # The mailbox's link asks for the registration's password
    link = wait_for_link(instance, email, rf"https?://\S+/{SHOP}/account/register/confirm/\S+")
    visit(shopper, link, shots, "03-finish-registration", phone)
    shopper.fill("input[name=password]", password)
    submit(shopper, "form:has(input[name=password])")
    check(shopper, shots, "04-confirmed-waiting", phone)
    assert f"/{SHOP}/account/login" in shopper.url

    # The manager approves the member, who now sees the guest order
    manager_logs_in(manager, base)
    visit(manager, f"{base}/{SHOP}/admin/customers?status=temporary", None, None, phone)
    row = manager.locator("tr", has_text=email)
    assert row.count() == 1
    with manager.expect_navigation():
        row.locator("button[formaction$='/approve']").click()
    shopper_logs_in(shopper, base, email, password)
    assert re.search(rf"/{SHOP}/account/$", shopper.url)
    visit(shopper, f"{base}/{SHOP}/account/orders", shots, "05-orders", phone)
    assert f"#{number}" in shopper.content()
