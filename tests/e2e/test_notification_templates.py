"""A manager writes the shop's own "order status changed" email: from the emails area to the
list of notification emails (each "default"), the editor starts from the built-in Vietnamese
text; the manager writes a subject and a body, adding a placeholder with its button, previews
it on the sample order, saves it (the list says "edited"), then brings back the default."""

import pytest
from playwright.sync_api import expect

from tests.e2e.checks import vi
from tests.e2e.conftest import PHONE, SHOP
from tests.e2e.test_member_flow import check, manager_logs_in, visit

SUBJECT = "{{ shop_name }}: đơn {{ order_number }} {{ order_status }}"


def click(page, selector):
    with page.expect_navigation():
        page.locator(selector).click()


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_a_manager_edits_the_order_status_email_with_a_preview(browser, live_server, shots, screen):
    base = live_server.url
    phone = screen == "phone"
    options = {"locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
    if phone:
        options.update(viewport=PHONE, is_mobile=True, has_touch=True)
    manager = browser.new_context(**options).new_page()
    manager_logs_in(manager, base)

    # From the emails area to the notification emails: every one is the default
    visit(manager, f"{base}/{SHOP}/admin/emails", phone=phone)
    click(manager, f"a[href$='/{SHOP}/admin/emails/notifications']")
    check(manager, shots, f"1-notification-emails-{screen}", phone)
    row = manager.locator(".notification-row[data-kind='order_status']")
    expect(row).to_contain_text(vi("Order status changed"))
    expect(row.locator(".notification-state")).to_have_text(vi("Default"))

    # The editor starts from the built-in text, in Vietnamese, previewed on a sample order
    click(manager, ".notification-row[data-kind='order_status']")
    check(manager, shots, f"2-editor-default-{screen}", phone)
    expect(manager.locator("h1")).to_have_text(vi("Order status changed"))
    assert manager.input_value("#body").startswith("Xin chào {{ full_name }},")
    expect(manager.locator(".preview-body")).to_contain_text("Xin chào Nguyễn Văn An,")

    # The manager writes the shop's own words, with a placeholder from its button
    manager.fill("#subject", SUBJECT)
    body = manager.locator("#body")
    body.fill("Chào **")
    manager.locator("button[data-insert='{{ first_name }}']").click()
    body.press("End")
    body.type(
        "**,\n\nĐơn {{ order_number }} của bạn giờ là: {{ order_status }}.\n\n"
        "[Theo dõi đơn hàng]({{ order_url }})"
    )
    assert "Chào **{{ first_name }}**," in body.input_value()
    click(manager, "form.notification-form button[name=preview]")
    check(manager, shots, f"3-preview-{screen}", phone)
    expect(manager.locator(".preview-subject")).to_contain_text(": đơn #1024 ")
    expect(manager.locator(".preview-body strong")).to_have_text("An")
    expect(manager.locator(".preview-body")).to_contain_text("Đơn #1024 của bạn giờ là:")
    expect(manager.locator(".notification-state")).to_have_text(vi("Default"))

    # Saved: it is the shop's email now
    click(manager, "form.notification-form button[name=save]")
    check(manager, shots, f"4-saved-{screen}", phone)
    expect(manager.locator(".alert-success")).to_be_visible()
    expect(manager.locator(".notification-state")).to_have_text(vi("Edited"))
    assert manager.input_value("#subject") == SUBJECT
    visit(manager, f"{base}/{SHOP}/admin/emails/notifications", phone=phone)
    expect(row.locator(".notification-state")).to_have_text(vi("Edited"))

    # And back to the default, after saying yes
    click(manager, ".notification-row[data-kind='order_status']")
    manager.once("dialog", lambda dialog: dialog.accept())
    click(manager, "form.notification-form button[name=reset]")
    check(manager, shots, f"5-reset-{screen}", phone)
    expect(manager.locator(".notification-state")).to_have_text(vi("Default"))
    assert manager.input_value("#body").startswith("Xin chào {{ full_name }},")
