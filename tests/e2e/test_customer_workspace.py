"""Flow 6: the customer workspace. A manager finds customers by an unaccented fragment of
their name, tags every customer matching the search in one action (the confirmation says how
many), opens one, writes a note and adds a second phone, and sees both on the timeline. A
staff user finds none of them: they see only the customers assigned to them."""

import re
import secrets
import string
import subprocess
import sys

import pytest

from tests.e2e.checks import new_phone
from tests.e2e.conftest import PASSWORD, PHONE, ROOT, SHOP, STAFF_EMAIL
from tests.e2e.test_member_flow import check, manager_logs_in, submit, visit

FAIR = 37  # the customers met at a fair, found and tagged together

# Guests met at a fair, named "Hội Chợ <word> Số NN"; prints nothing.
SEED_FAIR = """
import sys

from core.extensions import db
from models import Customer, CustomerStatus, Shop
from services import customers as customer_service
from services import events
from wsgi import app

word, slug, count, *phones = sys.argv[1:]
with app.app_context():
    shop = db.session.scalar(db.select(Shop).where(Shop.slug == slug))
    for i in range(int(count)):
        customer = Customer(
            shop_id=shop.id,
            shop=shop,
            code=customer_service.next_customer_code(shop),
            first_name=f"Số {i + 1:02d}",
            last_name=f"Hội Chợ {word}",
            status=CustomerStatus.GUEST,
        )
        db.session.add(customer)
        customer_service.add_phone(customer=customer, number='+84' + phones[i][1:])
        events.created_from_checkout(customer=customer)
    db.session.commit()
"""


def seed_fair(live_server, word):
    phones = [new_phone() for _ in range(FAIR)]
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SEED_FAIR, word, SHOP, str(FAIR), *phones],
        cwd=ROOT,
        env=live_server.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def a_word():
    """A made-up Vietnamese-looking word no other run uses, written with accents."""
    letters = "".join(secrets.choice(string.ascii_lowercase) for _ in range(5))
    return "Đ" + letters + "ế"


def listed_count(page):
    return int(re.search(r"\d+", page.locator(".result-count").inner_text()).group())


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_a_manager_finds_tags_notes_and_adds_a_phone(browser, live_server, shots, screen):
    base = live_server.url
    phone = screen == "phone"
    options = {"locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
    if phone:
        options.update(viewport=PHONE, is_mobile=True, has_touch=True)
    word = a_word()
    plain = "d" + word[1:-1] + "e"  # the same word without accents, as a hurried manager types
    seed_fair(live_server, word)
    manager = browser.new_context(**options).new_page()
    manager_logs_in(manager, base)

    # An unaccented fragment of the name finds all of them
    visit(manager, f"{base}/{SHOP}/admin/customers", shots, "01-list", phone)
    manager.fill("#customer-search", f"hoi cho {plain}")
    with manager.expect_navigation():
        manager.press("#customer-search", "Enter")
    check(manager, shots, "02-searched", phone)
    assert listed_count(manager) == FAIR

    # Every customer matching the search, beyond this page, gets the tag in one action
    tag = f"hội chợ {plain}"
    manager.select_option("#bulk-scope", "filter")
    manager.select_option("#bulk-action", "add_tag")
    manager.fill("#bulk-tag", tag)
    questions = []
    manager.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    with manager.expect_navigation():
        manager.locator(".bulk-bar button.bulk-apply").click()
    check(manager, shots, "03-tagged", phone)
    assert str(FAIR) in questions[0]
    assert f"{FAIR} khách hàng" in manager.locator(".alert").first.inner_text()
    visit(manager, f"{base}/{SHOP}/admin/customers?tag={tag}", shots, "04-by-tag", phone)
    assert listed_count(manager) == FAIR

    # One of them: a note and a second phone, both on the timeline
    manager.locator(".customer-table .cell-name a").first.click()
    manager.wait_for_load_state()
    check(manager, shots, "05-record", phone)
    note = f"Gặp ở hội chợ {plain}, muốn mua sỉ áo dài"
    manager.fill("#new-note", note)
    submit(manager, "form:has(#new-note)")
    second = new_phone()
    manager.fill("#new-phone", second)
    submit(manager, "form.phone-add")
    check(manager, shots, "06-note-and-phone", phone)
    timeline = manager.locator(".timeline").inner_text()
    assert note in timeline
    shown = f"{second[:4]} {second[4:7]} {second[7:]}"
    assert shown in manager.locator("#contact-title + dl, .detail-list").first.inner_text()
    assert shown in timeline
    assert tag in timeline

    # The record's tag editor: Enter or a comma adds a tag, × takes one off
    manager.locator(".tag-editor-box summary").click()
    typing = manager.locator("#record-tag-list")
    typing.fill("khách quen")
    typing.press("Enter")
    typing.type("mua sỉ,")
    chips = manager.locator(".tag-editor .tag-chip")
    assert chips.count() == 3
    manager.locator(".tag-editor .tag-chip", has_text=tag).locator("button").click()
    assert chips.count() == 2
    check(manager, shots, "07-tag-editor", phone)
    submit(manager, "form:has(#record-tag-list-value)")
    shown_tags = manager.locator("dd.customer-tags").inner_text()
    assert "khách quen" in shown_tags
    assert "mua sỉ" in shown_tags
    assert tag not in shown_tags
    assert "khách quen" in manager.locator(".timeline").inner_text()

    # A staff user sees none of them: they are not assigned to anyone
    staff = browser.new_context(**options).new_page()
    visit(staff, f"{base}/{SHOP}/admin/login")
    staff.fill("input[name=email]", STAFF_EMAIL)
    staff.fill("input[name=password]", PASSWORD)
    submit(staff, "form:has(input[name=email])")
    visit(staff, f"{base}/{SHOP}/admin/customers?q=hoi+cho+{plain}", shots, "08-staff", phone)
    assert listed_count(staff) == 0
