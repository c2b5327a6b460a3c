"""Staff access: the owner invites a new manager by email, who joins from the link with a
password of their own; a manager signed in on two devices signs the other one out."""

import re
import uuid

import pytest

from tests.e2e.conftest import OWNER_EMAIL, PASSWORD, PHONE, SHOP, STAFF_EMAIL
from tests.e2e.mailbox import wait_for_link
from tests.e2e.test_member_flow import check, submit, visit


def staff_logs_in(page, base, email, password=PASSWORD, remember=False):
    visit(page, f"{base}/{SHOP}/admin/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    if remember:
        page.check("input[name=remember]")
    submit(page, "form:has(input[name=email])")
    assert page.url.endswith(f"/{SHOP}/admin/"), page.url


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_the_owner_invites_a_manager_who_joins_from_the_link(browser, live_server, shots, screen):
    base = live_server.url
    instance = live_server.env["CUAHANG_INSTANCE_PATH"]
    phone = screen == "phone"
    options = {"locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
    if phone:
        options.update(viewport=PHONE, is_mobile=True, has_touch=True)
    owner = browser.new_context(**options).new_page()
    invitee = browser.new_context(**options).new_page()
    email = f"quan.ly.moi.{uuid.uuid4().hex[:6]}@example.com"

    # The owner invites by email and role
    staff_logs_in(owner, base, OWNER_EMAIL)
    visit(owner, f"{base}/{SHOP}/admin/staff", shots, "01-staff", phone)
    owner.fill("input[name=email]", email)
    owner.fill("input[name=name]", "Đặng Quốc Bảo")
    owner.select_option("select[name=role]", "manager")
    submit(owner, "form:has(input[name=email])")
    check(owner, shots, "02-invitation-sent", phone)
    assert email in owner.content()

    # The invitation waits on the staff page; the email log shows it without its link
    visit(owner, f"{base}/{SHOP}/admin/staff", shots, "03-staff-waiting", phone)
    assert owner.locator("li", has_text=email).count() == 1
    link = wait_for_link(instance, email, rf"https?://\S+/{SHOP}/admin/invitations/\S+")
    token = link.rsplit("/", 1)[1]
    visit(owner, f"{base}/{SHOP}/admin/emails/log")
    with owner.expect_navigation():
        owner.locator("a", has_text=email).first.click()
    check(owner, shots, "04-email-log-entry", phone)
    assert token not in owner.content()

    # The new person opens the link, chooses a name and a password, and is in
    visit(invitee, link, shots, "05-invitation", phone)
    invitee.fill("input[name=password]", "bao mat 2026")
    invitee.fill("input[name=password_confirm]", "bao mat 2026")
    submit(invitee, "form:has(input[name=password_confirm])")
    check(invitee, shots, "06-joined", phone)
    assert re.search(rf"/{SHOP}/admin/$", invitee.url), invitee.url

    # The owner sees them on the staff; the link is spent
    visit(owner, f"{base}/{SHOP}/admin/staff", shots, "07-staff-joined", phone)
    assert owner.locator("li", has_text=email).count() == 1
    invitee.goto(link)
    assert "/admin/invitations/" in invitee.url
    assert invitee.locator("input[name=password_confirm]").count() == 0


def test_a_manager_signs_out_the_other_device(browser, live_server, shots):
    base = live_server.url
    options = {"locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
    desk = browser.new_context(**options).new_page()
    mobile = browser.new_context(
        **options,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        user_agent=(
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
        ),
    ).new_page()
    email = STAFF_EMAIL
    staff_logs_in(desk, base, email)
    staff_logs_in(mobile, base, email, remember=True)

    # The phone's page lists both devices, this one marked
    visit(mobile, f"{base}/{SHOP}/admin/sessions", shots, "01-sessions-phone", True)
    assert mobile.locator(".login-sessions .this-device").count() == 1
    assert "Android" in mobile.locator(".login-sessions .this-device").inner_text()
    assert mobile.locator(".login-sessions li").count() >= 2

    # From the phone, every other device is signed out
    mobile.on("dialog", lambda dialog: dialog.accept())
    with mobile.expect_navigation():
        mobile.locator("form[action$='/sessions/end-others'] button").click()
    check(mobile, shots, "02-others-signed-out", True)
    assert mobile.locator(".login-sessions li").count() == 1

    # The desk's browser is back at the login
    desk.goto(f"{base}/{SHOP}/admin/")
    assert f"/{SHOP}/admin/login" in desk.url
