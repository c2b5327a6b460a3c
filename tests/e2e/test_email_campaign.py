"""Flow 8: a manager writes a care email to the 37 customers met at a fair, saved as a
segment. The page says 30 receive it and why 7 do not; the preview shows a real customer's
name; a test reaches the manager; sent, it goes out as a job to the 30, each in their own
name. One customer unsubscribes with one click from the link in the email, and their record
shows it; another's mail app does it with the List-Unsubscribe post."""

import subprocess
import sys

from playwright.sync_api import expect

from tests.e2e.checks import vi
from tests.e2e.conftest import MANAGER_EMAIL, PHONE, ROOT, SHOP
from tests.e2e.mailbox import messages_to, wait_for_link
from tests.e2e.test_customer_workspace import a_word
from tests.e2e.test_member_flow import check, manager_logs_in, submit, visit

FAIR = 37
NO_CONSENT, NO_EMAIL, CANCELLED = 3, 2, 2
RECEIVE = FAIR - NO_CONSENT - NO_EMAIL - CANCELLED  # 30

# Customers met at a fair, "Hội Chợ <word> Số NN": the first 30 accept marketing emails, then
# 3 who do not, 2 without an address and 2 cancelled members; prints nothing.
SEED_FAIR = """
import sys

from core.extensions import db
from models import Customer, CustomerStatus, Shop
from services import customers as customer_service
from services import events
from wsgi import app

word, slug, ascii_word, receive, no_consent, no_email, cancelled = sys.argv[1:]
receive, no_consent, no_email, cancelled = map(int, (receive, no_consent, no_email, cancelled))
with app.app_context():
    shop = db.session.scalar(db.select(Shop).where(Shop.slug == slug))
    for i in range(receive + no_consent + no_email + cancelled):
        n = i + 1
        has_email = not receive + no_consent <= i < receive + no_consent + no_email
        customer = Customer(
            shop_id=shop.id,
            shop=shop,
            code=customer_service.next_customer_code(shop),
            first_name=f"Số {n:02d}",
            last_name=f"Hội Chợ {word}",
            email=f"hoicho.{ascii_word}.{n:02d}@example.com" if has_email else None,
            status=CustomerStatus.CANCELLED if i >= receive + no_consent + no_email
            else CustomerStatus.GUEST,
        )
        db.session.add(customer)
        accepts = i < receive or i >= receive + no_consent
        customer_service.set_marketing(customer, accepts, "checkout")
        events.created_from_checkout(customer=customer)
    db.session.commit()
"""


def seed_fair(live_server, word, ascii_word):
    done = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            SEED_FAIR,
            word,
            SHOP,
            ascii_word,
            *map(str, (RECEIVE, NO_CONSENT, NO_EMAIL, CANCELLED)),
        ],
        cwd=ROOT,
        env=live_server.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def address(ascii_word, n):
    return f"hoicho.{ascii_word}.{n:02d}@example.com"


def test_a_manager_emails_a_segment_and_a_customer_unsubscribes_with_one_click(
    browser, live_server, shots
):
    base = live_server.url
    instance = live_server.env["CUAHANG_INSTANCE_PATH"]
    word = a_word()
    plain = "d" + word[1:-1] + "e"
    seed_fair(live_server, word, plain)
    options = {"locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
    manager = browser.new_context(**options).new_page()
    manager_logs_in(manager, base)

    # The fair's customers, found; the list's bulk bar writes to all of them
    visit(manager, f"{base}/{SHOP}/admin/customers?q=hoi+cho+{plain}")
    manager.select_option("#bulk-scope", "filter")
    with manager.expect_navigation():
        manager.locator(".bulk-bar button.bulk-email").click()
    check(manager, shots, "00-compose-from-the-list")
    expect(manager.locator(".campaign-to")).to_contain_text(f"{FAIR} khách hàng khớp bộ lọc")

    # Kept as a segment instead
    visit(manager, f"{base}/{SHOP}/admin/customers?q=hoi+cho+{plain}")
    segment = f"Hội chợ {plain}"
    manager.fill("#segment-name", segment)
    submit(manager, "form.save-segment")
    check(manager, shots, "01-segments")
    row = manager.locator(".segment-row", has_text=segment)
    expect(row).to_contain_text(f"{FAIR} khách hàng")

    # Written for the segment: a care email with the customer's name in it
    with manager.expect_navigation():
        row.locator("a.segment-email").click()
    check(manager, shots, "02-compose")
    expect(manager.locator(".campaign-to")).to_contain_text(
        f"{FAIR} khách hàng của phân khúc “{segment}”"
    )
    manager.fill("#subject", "Chào {{ first_name }}, quà nhỏ từ hội chợ")
    body = manager.locator("#body")
    body.fill("Chào **")
    manager.locator("button[data-insert='{{ full_name }}']").click()
    body.press("End")
    body.type(
        "**,\n\nCảm ơn anh chị đã ghé gian hàng của {{ shop_name }}. "
        "Tặng anh chị mã **HOICHO10** giảm 10% cho đơn tiếp theo.\n\n"
        "[Xem hàng mới]({{ shop_url }})"
    )
    assert "Chào **{{ full_name }}**," in body.input_value()
    check(manager, shots, "03-written")
    submit(manager, "form.campaign-form")
    campaign_url = manager.url

    # The confirmation: 30 receive it, 7 are left out and why; the preview is a real customer's
    check(manager, shots, "04-review")
    expect(manager.locator(".tally-receive")).to_have_text(str(RECEIVE))
    reasons = manager.locator(".campaign-tally .tally-reasons")
    expect(reasons).to_contain_text(f"{NO_EMAIL} — {vi('no email address')}")
    expect(reasons).to_contain_text(f"{NO_CONSENT} — {vi('do not accept marketing emails')}")
    expect(reasons).to_contain_text(f"{CANCELLED} — {vi('account cancelled')}")
    expect(manager.locator(".preview-subject")).to_have_text("Chào Số 01, quà nhỏ từ hội chợ")
    frame = manager.frame_locator("iframe.mail-preview")
    expect(frame.locator("strong").first).to_have_text(f"Hội Chợ {word} Số 01")
    manager.select_option("#preview-customer", label=f"Hội Chợ {word} Số 07")
    submit(manager, "form.preview-customer")
    expect(manager.locator(".preview-subject")).to_have_text("Chào Số 07, quà nhỏ từ hội chợ")
    check(manager, shots, "05-preview-another")

    # A test to the manager, marked as one
    submit(manager, "form:has(button.campaign-test)")
    expect(manager.locator(".alert-success")).to_contain_text(MANAGER_EMAIL)
    wait_for_link(instance, MANAGER_EMAIL, rf"https?://\S+/{SHOP}/unsubscribe/test")
    subjects = [subject for subject, _ in messages_to(instance, MANAGER_EMAIL)]
    assert "[Thử] Chào Số 07, quà nhỏ từ hội chợ" in subjects

    # Sent: the page follows the job, then shows what it did
    manager.once("dialog", lambda dialog: dialog.accept())
    submit(manager, "form:has(button.campaign-send)")
    expect(manager.locator(".alert-success")).to_contain_text(str(RECEIVE))
    expect(manager.locator(".campaign-result .result-sent .fs-4")).to_have_text(
        str(RECEIVE), timeout=120_000
    )
    check(manager, shots, "06-sent")
    visit(manager, f"{base}/{SHOP}/admin/emails", shots, "07-email-list")
    listed = manager.locator(".campaign-row", has_text="Chào {{ first_name }}, quà nhỏ").first
    expect(listed.locator(".campaign-sent")).to_have_text(str(RECEIVE))

    # Each of the 30 gets it in their own name; the 7 get nothing
    first = address(plain, 1)
    link = wait_for_link(instance, first, rf"https?://\S+/{SHOP}/unsubscribe/[\w.-]+")
    assert [s for s, _ in messages_to(instance, first)] == ["Chào Số 01, quà nhỏ từ hội chợ"]
    last = wait_for_link(
        instance, address(plain, RECEIVE), rf"https?://\S+/{SHOP}/unsubscribe/[\w.-]+"
    )
    for n in range(RECEIVE + 1, FAIR + 1):
        assert messages_to(instance, address(plain, n)) == [], n

    # The customer opens the link in the email and unsubscribes with one click
    customer = browser.new_context(**options).new_page()
    visit(customer, link, shots, "08-unsubscribe-page")
    expect(customer.locator("button.unsubscribe-button")).to_have_text(vi("Unsubscribe"))
    with customer.expect_navigation():
        customer.locator("button.unsubscribe-button").click()
    check(customer, shots, "09-unsubscribed")
    expect(customer.locator("h1")).to_have_text(vi("You are unsubscribed"))
    expect(customer.locator("button.subscribe-button")).to_be_visible()

    # The last one's mail app unsubscribes them with the List-Unsubscribe post
    answer = customer.request.post(last, form={"List-Unsubscribe": "One-Click"})
    assert answer.status == 200

    # The first customer's record shows the email and the unsubscription
    visit(manager, f"{base}/{SHOP}/admin/customers?q=hoi+cho+{plain}")
    with manager.expect_navigation():
        manager.get_by_role("link", name=f"Hội Chợ {word} Số 01", exact=True).click()
    check(manager, shots, "10-record")
    timeline = manager.locator(".timeline")
    expect(timeline).to_contain_text(
        vi("Unsubscribed from marketing emails %(way)s", way=vi("with the link in an email"))
    )
    expect(timeline).to_contain_text(
        vi(
            "Marketing email sent: “%(subject)s”",
            subject="Chào Số 01, quà nhỏ từ hội chợ",
        )
    )

    # On a phone, the confirmation and the unsubscribe page fit the screen
    small = browser.new_context(**options, viewport=PHONE, is_mobile=True, has_touch=True)
    phone = small.new_page()
    visit(phone, last, shots, "11-phone-unsubscribed", phone=True)
    expect(phone.locator("h1")).to_have_text(vi("You are unsubscribed"))
    manager_logs_in(phone, base)
    visit(phone, campaign_url, shots, "12-phone-campaign", phone=True)
    visit(phone, f"{base}/{SHOP}/admin/emails", shots, "13-phone-email-list", phone=True)
