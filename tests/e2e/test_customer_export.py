"""Flow 8: a manager saves an export template (their columns, in their order), exports the
whole shop with it, and, the shop being larger than one download, gets the file from the
exports page and from the link in the email the job sends."""

import csv
import io
import time

from playwright.sync_api import expect

from tests.e2e.conftest import EXPORT_MAX_DOWNLOAD_ROWS, MANAGER_EMAIL, SHOP
from tests.e2e.mailbox import wait_for_link
from tests.e2e.test_customer_workspace import a_word
from tests.e2e.test_member_flow import check, manager_logs_in, submit, visit

CHOSEN = [("phone", "Điện thoại"), ("last_name", "Họ"), ("first_name", "Tên")]


def rows_of(download):
    text = download.path().read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_a_manager_exports_the_shop_with_a_saved_template(browser, live_server, shots):
    base = live_server.url
    name = f"Giao hàng {a_word()}"
    page = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()
    manager_logs_in(page, base)

    # The template: three columns, the phone first
    visit(page, f"{base}/{SHOP}/admin/customers")
    page.locator("details.customer-export summary").click()
    page.locator("details.customer-export a[href$='/customers/export/templates']").click()
    page.wait_for_load_state()
    page.locator("a[href$='/customers/export/templates/new']").click()
    page.wait_for_load_state()
    page.fill("input[name=name]", name)
    for position, (key, _header) in enumerate(CHOSEN, start=1):
        page.check(f"#column-{key}")
        page.fill(f"input[name=position-{key}]", str(position))
    check(page, shots, "01-template")
    submit(page, "form.export-template-form")
    check(page, shots, "02-templates")
    expect(page.locator("main")).to_contain_text(name)

    # The whole shop with it: more customers than one download, so a job prepares the file
    visit(page, f"{base}/{SHOP}/admin/customers")
    page.locator("details.customer-export summary").click()
    menu = page.locator("form[data-export]")
    menu.locator("select[name=scope]").select_option("all")
    menu.locator("select[name=format]").select_option("csv")
    menu.locator("select[name=template]").select_option(label=name)
    shots(page, "03-menu")
    with page.expect_navigation():
        menu.locator("button[type=submit]").click()
    check(page, shots, "04-asked")
    expect(page.locator(".alert").first).to_contain_text("email")

    visit(page, f"{base}/{SHOP}/admin/exports")
    deadline = time.monotonic() + 60
    while not page.locator(".export-download").count() and time.monotonic() < deadline:
        time.sleep(1)
        page.reload()
    check(page, shots, "05-exports")
    with page.expect_download() as listed:
        page.locator(".export-download").first.click()
    rows = rows_of(listed.value)
    assert rows[0] == [header for _key, header in CHOSEN]
    assert len(rows) - 1 > EXPORT_MAX_DOWNLOAD_ROWS

    # The email's link gives the same file to the manager signed in
    instance = live_server.env["CUAHANG_INSTANCE_PATH"]
    link = wait_for_link(instance, MANAGER_EMAIL, rf"https?://\S+/{SHOP}/admin/exports/\d+")
    with page.expect_download() as emailed:
        page.evaluate("url => { window.location.href = url; }", link)
    assert rows_of(emailed.value) == rows
