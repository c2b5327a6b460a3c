"""Flows 1 and 2: a shopper registers and waits; a manager approves; the shopper logs in and
keeps an address book; the manager cancels; the shopper is told why they cannot log in.
The same at a phone-sized screen, where every control must be reachable and nothing may
overflow sideways."""

import re
import uuid

import pytest

from tests.e2e.checks import check_no_horizontal_overflow, check_page, new_phone, vi
from tests.e2e.conftest import MANAGER_EMAIL, PASSWORD, PHONE, SHOP

WAITING = "Your account is waiting for the shop's approval. We will email you when it is approved."
CANCELLED = (
    "This account has been cancelled. Please contact the shop if you think this is a mistake."
)


def visit(page, url, shots=None, name=None, phone=False):
    page.goto(url)
    check(page, shots, name, phone)


def check(page, shots=None, name=None, phone=False):
    page.wait_for_load_state()
    check_page(page)
    if phone:
        check_no_horizontal_overflow(page)
    if shots and name:
        shots(page, name)


def submit(page, form_selector):
    with page.expect_navigation():
        page.locator(f"{form_selector} button[type=submit]").last.click()


def shopper_logs_in(page, base, email, password):
    visit(page, f"{base}/{SHOP}/account/login")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    submit(page, "form:has(input[name=login])")


def manager_logs_in(page, base):
    visit(page, f"{base}/{SHOP}/admin/login")
    page.fill("input[name=email]", MANAGER_EMAIL)
    page.fill("input[name=password]", PASSWORD)
    submit(page, "form:has(input[name=email])")
    assert page.url.endswith(f"/{SHOP}/admin/")


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_member_registers_is_approved_then_cancelled(browser, live_server, shots, screen):
    base = live_server.url
    phone = screen == "phone"
    options = {"locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
    if phone:
        options.update(viewport=PHONE, is_mobile=True, has_touch=True)
    shopper = browser.new_context(**options).new_page()
    manager = browser.new_context(**options).new_page()
    email = f"lan.{uuid.uuid4().hex[:6]}@example.com"
    password = "hoa sen 2026"
    number = new_phone()

    # The shopper registers and is told to wait.
    visit(shopper, f"{base}/{SHOP}/", shots, "01-storefront", phone)
    visit(shopper, f"{base}/{SHOP}/account/register", shots, "02-register", phone)
    shopper.fill("input[name=last_name]", "Nguyễn")
    shopper.fill("input[name=first_name]", "Thị Lan")
    shopper.fill("input[name=email]", email)
    shopper.fill("input[name=phone]", number)
    shopper.fill("input[name=password]", password)
    shopper.fill("input[name=password_confirm]", password)
    shopper.check("input[name=accepts_marketing]")
    submit(shopper, "form:has(input[name=first_name])")
    check(shopper, shots, "03-registered-waiting", phone)
    assert f"/{SHOP}/account/register/done" in shopper.url

    # Logging in now is refused with the reason.
    shopper_logs_in(shopper, base, email, password)
    check(shopper, shots, "04-login-waiting", phone)
    assert vi(WAITING) in shopper.content()
    assert "/account/login" in shopper.url

    # The manager finds them in the waiting list and approves.
    manager_logs_in(manager, base)
    waiting = f"{base}/{SHOP}/admin/customers?status=temporary"
    visit(manager, waiting, shots, "05-waiting-list", phone)
    row = manager.locator("tr", has_text=email)
    assert row.count() == 1
    with manager.expect_navigation():
        row.locator("button[formaction$='/approve']").click()
    check(manager, shots, "06-approved", phone)
    assert manager.locator("tr", has_text=email).count() == 0

    # The shopper logs in, adds an address and makes it the default.
    shopper_logs_in(shopper, base, email, password)
    check(shopper, shots, "07-account", phone)
    assert re.search(rf"/{SHOP}/account/$", shopper.url)
    visit(shopper, f"{base}/{SHOP}/account/addresses/new", shots, "08-address-form", phone)
    shopper.fill("input[name=full_name]", "Nguyễn Thị Lan")
    shopper.fill("input[name=phone]", number)
    shopper.select_option("select[name=province]", label="Hồ Chí Minh")
    shopper.fill("input[name=ward]", "Phường Bến Thành")
    shopper.fill("input[name=line1]", "12 Lê Lợi")
    submit(shopper, "form:has(input[name=line1])")
    shopper.goto(f"{base}/{SHOP}/account/addresses/new")
    shopper.fill("input[name=full_name]", "Nguyễn Thị Lan (công ty)")
    shopper.select_option("select[name=province]", label="Hà Nội")
    shopper.fill("input[name=ward]", "Phường Hoàn Kiếm")
    shopper.fill("input[name=line1]", "5 Tràng Tiền")
    submit(shopper, "form:has(input[name=line1])")
    visit(shopper, f"{base}/{SHOP}/account/addresses", None, None, phone)
    work = shopper.locator(".list-group-item, .card, li", has_text="5 Tràng Tiền").last
    with shopper.expect_navigation():
        work.locator("form[action$='/default'] button").click()
    check(shopper, shots, "09-addresses-default", phone)
    first = shopper.locator("text=5 Tràng Tiền").first
    assert first.is_visible()
    html = shopper.content()
    assert html.index("5 Tràng Tiền") < html.index("12 Lê Lợi")  # the default comes first

    # The manager cancels the account with a reason.
    visit(manager, f"{base}/{SHOP}/admin/customers?q={email}", None, None, phone)
    with manager.expect_navigation():
        manager.locator("a", has_text="Nguyễn Thị Lan").first.click()
    check(manager, shots, "10-customer-record", phone)
    manager.locator("button[data-bs-target='#cancel-dialog']").click()
    dialog = manager.locator("#cancel-dialog")
    dialog.wait_for(state="visible")
    dialog.locator("textarea, input[name=reason]").first.fill("Khách yêu cầu xoá tài khoản")
    shots(manager, "11-cancel-dialog")
    with manager.expect_navigation():
        dialog.locator("button[type=submit]").click()
    check(manager, shots, "12-cancelled", phone)
    assert "Khách yêu cầu xoá tài khoản" in manager.content()

    # The shopper is signed out and told the account is cancelled.
    shopper.goto(f"{base}/{SHOP}/account/")
    assert "/account/login" in shopper.url
    shopper_logs_in(shopper, base, email, password)
    check(shopper, shots, "13-login-cancelled", phone)
    assert vi(CANCELLED) in shopper.content()

    # The emails the shopper got are in the shop's email log.
    visit(manager, f"{base}/{SHOP}/admin/emails/log", shots, "14-email-log", phone)
    assert manager.locator("text=" + email).count() >= 3
