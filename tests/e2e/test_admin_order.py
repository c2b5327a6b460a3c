"""Flow 5: a customer orders by phone. The manager opens the customer's record, a guest known
only by a phone number and a saved address, creates the order there with two products, the
saved address, no email and cash on delivery; the order, the customer's totals and the stock
show it. A cancelled customer's record offers no order."""

import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.e2e.checks import new_phone, vi
from tests.e2e.conftest import CANCELLED_EMAIL, PHONE, ROOT, SHOP
from tests.e2e.test_member_flow import check, manager_logs_in, visit
from tests.e2e.test_purchase import fits_the_screen

# (name, price in đồng, quantity): both products count their stock.
LINES = [("Áo len cổ tròn", 390_000, 2), ("Chân váy xếp ly", 350_000, 3)]

# A guest of the suite's shop the way a phone or chat customer is kept: a phone number and an
# address, no email, no account. Run against the served database; prints the record's id.
SEED_GUEST = """
import sys

from core.extensions import db
from models import Customer, CustomerStatus, Shop
from services import customers as customer_service
from services import events
from services.addresses import create_address
from wsgi import app

phone, slug = sys.argv[1:3]
with app.app_context():
    shop = db.session.scalar(db.select(Shop).where(Shop.slug == slug))
    customer = Customer(
        shop_id=shop.id,
        shop=shop,
        code=customer_service.next_customer_code(shop),
        first_name="Thị Phương",
        last_name="Lý",
        status=CustomerStatus.GUEST,
    )
    db.session.add(customer)
    customer_service.add_phone(customer=customer, number="+84" + phone[1:])
    events.created_from_checkout(customer=customer)
    create_address(
        shop=shop,
        customer=customer,
        full_name="Lý Thị Phương",
        phone=phone,
        line1="88 Trần Hưng Đạo",
        ward="Phường Cửa Nam",
        province="Hà Nội",
    )
    db.session.commit()
    print(customer.id)
"""


def seed_guest(live_server, phone):
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SEED_GUEST, phone, SHOP],
        cwd=ROOT,
        env=live_server.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1])


def digits(text):
    """The amount an ``1.830.000 ₫`` shows, as a number; the đồng sign is required."""
    assert text.strip().endswith("₫"), text
    return int(re.sub(r"\D", "", text))


def stock_of(page, base, name):
    """The stock the admin's product list shows for a product."""
    page.goto(f"{base}/{SHOP}/admin/products?q={name}")
    row = page.locator(".product-admin-list li", has_text=name)
    expect(row).to_have_count(1)
    pattern = re.escape(vi("%(n)s in stock")).replace(re.escape("%(n)s"), r"(\d+)")
    return int(re.search(pattern, row.inner_text()).group(1))


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_a_manager_creates_an_order_for_a_phone_only_customer(browser, live_server, shots, screen):
    base = live_server.url
    phone = screen == "phone"
    options = {"locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
    if phone:
        options.update(viewport=PHONE, is_mobile=True, has_touch=True)
    manager = browser.new_context(**options).new_page()
    number = new_phone()
    customer_id = seed_guest(live_server, number)
    manager_logs_in(manager, base)
    stock_before = {name: stock_of(manager, base, name) for name, _price, _qty in LINES}

    # The manager finds the customer by phone and opens the record: no email, no orders yet.
    visit(manager, f"{base}/{SHOP}/admin/customers?q={number}", None, None, phone)
    with manager.expect_navigation():
        manager.locator("a", has_text="Lý Thị Phương").first.click()
    check(manager, shots, "1-customer-record", phone)
    assert manager.url.endswith(f"/{SHOP}/admin/customers/{customer_id}")
    expect(manager.locator(".orders-count")).to_have_text("0")
    expect(manager.locator("address")).to_contain_text("88 Trần Hưng Đạo")

    # The order starts from the record, for this customer, with what the shop knows of them.
    new_order = manager.get_by_role("link", name=vi("Create an order"))
    fits_the_screen(new_order, phone)
    with manager.expect_navigation():
        new_order.click()
    check(manager, shots, "2-order-form", phone)
    expect(manager.locator("h1")).to_have_text(vi("New order"))
    expect(manager.locator("form[action*='/orders/new']")).to_contain_text("Lý Thị Phương")
    expect(manager.get_by_label(vi("Email"))).to_have_value("")
    expect(manager.get_by_label(vi("Phone number"))).to_have_value(re.compile(number[-3:] + "$"))
    # The saved address is offered, chosen already and readable in full; the fields for a new
    # address show only when the manager asks for one.
    book = manager.get_by_role("group", name=vi("Deliver to"))
    saved = book.locator("label", has_text="88 Trần Hưng Đạo")
    expect(saved.locator("input[name=address_id]")).to_be_checked()
    expect(saved).to_contain_text("88 Trần Hưng Đạo, Phường Cửa Nam, Hà Nội")
    expect(saved).to_contain_text(vi("Default"))
    fits_the_screen(saved, phone)
    new_address = manager.get_by_label(vi("House number, street"))
    expect(new_address).to_be_hidden()

    # "Choose another customer" searches by phone and comes back to the same customer.
    with manager.expect_navigation():
        manager.get_by_role("link", name=vi("Choose another customer")).click()
    search = manager.get_by_label(vi("Search customers"))
    fits_the_screen(search, phone)
    search.fill(number)
    with manager.expect_navigation():
        search.press("Enter")
    check(manager, shots, "3-customer-search", phone)
    match = manager.locator(".customer-matches li")
    expect(match).to_have_count(1)
    expect(match).to_contain_text("Lý Thị Phương")
    choose = match.get_by_role("link", name=vi("Choose"))
    fits_the_screen(choose, phone)
    with manager.expect_navigation():
        choose.click()
    assert manager.url.endswith(f"/{SHOP}/admin/orders/new?customer_id={customer_id}")

    # Two products with their quantities, the saved address, no email, cash on delivery.
    for row, (name, _price, quantity) in enumerate(LINES, start=1):
        product = manager.get_by_label(vi("Product %(n)s", n=row))
        option = product.locator("option", has_text=name)
        product.select_option(option.get_attribute("value"))
        amount = manager.locator(f"#quantity-{row}")
        amount.fill(str(quantity))
        fits_the_screen(product, phone)
        fits_the_screen(amount, phone)
    book.get_by_text(vi("A new address (fill in below)")).click()
    expect(new_address).to_be_visible()
    saved.click()
    expect(saved.locator("input[name=address_id]")).to_be_checked()
    expect(new_address).to_be_hidden()
    manager.get_by_label(vi("Email")).fill("")
    manager.get_by_label(vi("Cash on delivery (COD)")).check()
    create = manager.get_by_role("button", name=vi("Create the order"))
    fits_the_screen(create, phone)
    manager.evaluate("window.scrollTo(0, 0)")  # the sticky header back at the top of the shot
    check(manager, shots, "4-order-form-filled", phone)
    with manager.expect_navigation():
        create.click()

    # The order: its number, the two lines, the total in đồng, the address, nobody emailed.
    check(manager, shots, "5-order-created", phone)
    assert re.search(rf"/{SHOP}/admin/orders/\d+$", manager.url), manager.url
    order_number = re.search(r"#\d{4,}", manager.locator("h1").inner_text()).group(0)
    expect(manager.locator("h1")).to_contain_text(vi("Order %(number)s", number=order_number))
    expect(manager.locator(".alert-success")).to_contain_text(
        vi("Order %(number)s was created.", number=order_number)
    )
    lines = manager.locator(".order-lines tbody tr")
    expect(lines).to_have_count(2)
    for row, (name, price, quantity) in zip(lines.all(), LINES, strict=True):
        cells = row.locator("td")
        expect(cells.nth(0)).to_contain_text(name)
        assert digits(cells.nth(1).inner_text()) == price
        # On a phone the line reads "390.000 ₫ × 2"; a screen reader hears the number alone.
        shown = f"× {quantity}" if phone else str(quantity)
        assert cells.nth(2).inner_text().strip() == shown
        expect(cells.nth(2)).to_have_accessible_name(str(quantity))
        assert digits(cells.nth(3).inner_text()) == price * quantity
    if phone:  # the lines fit their card: no amount hides past its edge, to scroll to
        hidden = manager.locator(".order-lines").evaluate(
            "table => table.parentElement.scrollWidth - table.parentElement.clientWidth"
        )
        assert hidden <= 0, f"the order's lines hide {hidden}px past the card's edge"
    subtotal, fee, total = (
        digits(t) for t in manager.locator(".order-totals dd").all_inner_texts()
    )
    assert subtotal == sum(price * quantity for _name, price, quantity in LINES)
    assert total == subtotal + fee
    delivery = manager.locator("address")
    for part in ("88 Trần Hưng Đạo", "Phường Cửa Nam", "Hà Nội"):
        expect(delivery).to_contain_text(part)
    expect(manager.locator(".order-no-email")).to_have_text(
        vi(
            "The customer has no email on this order: no confirmation email was sent, "
            "and status changes are not emailed either."
        )
    )
    expect(manager.get_by_text(vi("Cash on delivery (COD)"))).to_be_visible()

    # The customer's record counts the order and what it comes to; no email went out.
    with manager.expect_navigation():
        manager.locator(
            "section[aria-labelledby=order-customer-title] a", has_text="Lý Thị Phương"
        ).click()
    check(manager, shots, "6-customer-after", phone)
    expect(manager.locator(".orders-count")).to_have_text("1")
    assert digits(manager.locator(".total-spent").inner_text()) == total
    placed = manager.locator(".customer-orders a", has_text=order_number)
    expect(placed).to_have_count(1)
    assert digits(placed.locator(".text-nowrap").inner_text()) == total
    fits_the_screen(placed, phone)
    expect(manager.locator("section[aria-labelledby=emails-title]")).to_contain_text(
        vi("No emails yet.")
    )

    # The stock went down by what was ordered.
    for name, _price, quantity in LINES:
        assert stock_of(manager, base, name) == stock_before[name] - quantity, name
    check(manager, shots, "7-products-after", phone)


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_a_cancelled_customer_has_no_create_order_button(browser, live_server, shots, screen):
    base = live_server.url
    phone = screen == "phone"
    options = {"locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
    if phone:
        options.update(viewport=PHONE, is_mobile=True, has_touch=True)
    manager = browser.new_context(**options).new_page()
    manager_logs_in(manager, base)
    visit(manager, f"{base}/{SHOP}/admin/customers?q={CANCELLED_EMAIL}", None, None, phone)
    with manager.expect_navigation():
        manager.locator("a", has_text="Hoàng Đức Long").first.click()
    check(manager, shots, "1-cancelled-record", phone)
    expect(manager.locator(".customer-status")).to_have_text(vi("Cancelled"))
    expect(manager.get_by_role("link", name=vi("Create an order"))).to_have_count(0)
    expect(manager.locator(".alert-danger")).to_contain_text(
        vi("Reinstate it before creating an order for them.")
    )

    # Nor is the customer offered when an order is started from the orders page.
    visit(manager, f"{base}/{SHOP}/admin/orders", None, None, phone)
    with manager.expect_navigation():
        manager.get_by_role("link", name=vi("Create an order")).click()
    manager.get_by_label(vi("Search customers")).fill(CANCELLED_EMAIL)
    with manager.expect_navigation():
        manager.get_by_label(vi("Search customers")).press("Enter")
    check(manager, shots, "2-search-finds-nobody", phone)
    expect(manager.locator(".customer-matches")).to_have_count(0)
    expect(
        manager.get_by_text(vi("No customer matches “%(q)s”.", q=CANCELLED_EMAIL))
    ).to_be_visible()
