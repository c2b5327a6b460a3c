"""Favourites: a visitor's heart leads to the login and back to the product; the member's
heart fills on the product page and on its card; the account lists the favourite with its
price and lets it go; the manager sees it on the customer's record. The same at a phone-sized
screen, where the header folds into its menu and the card's heart must stay easy to tap."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.checks import new_phone, vi
from tests.e2e.conftest import ARTIFACTS, PHONE, SHOP
from tests.e2e.test_member_flow import check, manager_logs_in, submit, visit
from tests.e2e.test_purchase import fits_the_screen

# Among the newest, low on the home page: the heart must not lose the shopper's place.
SLUG = "chan-vay-xep-ly"
NAME = "Chân váy xếp ly"
PRICE = r"350\.000\s₫"
SMALLEST_TAP = 32  # px: a fingertip on a phone


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_a_member_keeps_a_favourite_and_the_manager_sees_it(
    browser, live_server, shots, screen, request
):
    base = live_server.url
    phone = screen == "phone"
    context = {"locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
    shopper_context = {
        **context,
        **({"viewport": PHONE, "is_mobile": True, "has_touch": True} if phone else {}),
    }
    shopper = browser.new_context(**shopper_context).new_page()
    manager = browser.new_context(**context).new_page()
    manager_logs_in(manager, base)
    email, password = a_new_member(shopper, manager, base)

    # A visitor's heart leads to the login, which brings them back to the product.
    visit(shopper, f"{base}/{SHOP}/products/{SLUG}", shots, "01-product-visitor", phone)
    with shopper.expect_navigation():
        product_heart(shopper, favourite=False).click()
    check(shopper, shots, "02-login-asked", phone)
    assert f"/{SHOP}/account/login" in shopper.url
    expect(shopper.locator(".alert-info")).to_contain_text(
        vi("Please log in to keep your favourite products.")
    )
    shopper.fill("input[name=login]", email)
    shopper.fill("input[name=password]", password)
    submit(shopper, "form:has(input[name=login])")
    check(shopper, None, None, phone)
    assert shopper.url == f"{base}/{SHOP}/products/{SLUG}"

    # Signed in, the heart keeps the product and fills.
    with shopper.expect_navigation():
        product_heart(shopper, favourite=False).click()
    check(shopper, shots, "03-product-favourite", phone)
    assert shopper.url == f"{base}/{SHOP}/products/{SLUG}"
    expect(shopper.locator(".alert-success")).to_contain_text(
        vi("%(name)s is now one of your favourites.", name=NAME)
    )
    product_heart(shopper, favourite=True)

    # Its card on the home page shows the filled heart; the others stay empty.
    visit(shopper, f"{base}/{SHOP}/", shots, "04-home-favourite", phone)
    expect_cards_show(shopper, favourite=True)
    easy_to_tap(shopper, phone)

    # The account lists it with its price, reached as the shopper would: through the menus.
    open_favourites(shopper, phone)
    check(shopper, shots, "05-favourites-list", phone)
    expect(shopper.locator("h1")).to_have_text(vi("Favourites"))
    listed = shopper.locator(".favourite-list > li")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(NAME)
    assert re.search(PRICE, listed.locator(".product-price").inner_text()), listed.inner_text()
    # Its button names the product for a screen reader going down a list of them.
    remove = listed.get_by_role(
        "button", name=re.compile(rf"^{vi('Remove from favourites')}\s?: {NAME}$")
    )
    fits_the_screen(remove, phone)

    # The manager sees it on the customer's record.
    visit(manager, f"{base}/{SHOP}/admin/customers?q={email}")
    with manager.expect_navigation():
        manager.locator("tbody a", has_text="Trần Thị Yêu").first.click()
    check(manager, shots, "06-admin-customer-favourites")
    kept = manager.locator(".customer-favourites li")
    expect(kept).to_have_count(1)
    expect(kept).to_contain_text(NAME)
    assert re.search(PRICE, kept.inner_text()), kept.inner_text()

    # Removing it on the favourites page leaves the list empty, with a word on what to do.
    with shopper.expect_navigation():
        remove.click()
    check(shopper, shots, "07-favourites-empty", phone)
    assert shopper.url.endswith(f"/{SHOP}/account/favourites")
    expect(shopper.locator(".alert-info")).to_contain_text(
        vi("%(name)s was removed from your favourites.", name=NAME)
    )
    expect(shopper.locator(".favourite-list")).to_have_count(0)
    expect(shopper.locator("main")).to_contain_text(
        vi("You have no favourite products yet. Tap the heart on a product to keep it here.")
    )

    # The card's heart keeps it again, from the home page; the product page lets it go.
    visit(shopper, f"{base}/{SHOP}/", None, None, phone)
    expect_cards_show(shopper, favourite=False)
    heart = card_hearts(shopper, favourite=False).first
    heart.scroll_into_view_if_needed()
    with shopper.expect_navigation():
        heart.click()
    # Back at the card they tapped, not at the top of the page (looked at before the
    # full-page screenshot, which scrolls).
    assert re.fullmatch(rf"{re.escape(base)}/{SHOP}/#favourite-\d+", shopper.url), shopper.url
    expect(card_hearts(shopper, favourite=True).first).to_be_in_viewport()
    shopper.screenshot(path=str(ARTIFACTS / request.node.name / "08-what-the-screen-shows.png"))
    check(shopper, shots, "08-home-hearted-from-card", phone)
    expect_cards_show(shopper, favourite=True)
    visit(shopper, f"{base}/{SHOP}/products/{SLUG}", None, None, phone)
    with shopper.expect_navigation():
        product_heart(shopper, favourite=True).click()
    check(shopper, shots, "09-product-removed", phone)
    product_heart(shopper, favourite=False)
    visit(shopper, f"{base}/{SHOP}/account/favourites", None, None, phone)
    expect(shopper.locator(".favourite-list")).to_have_count(0)
    manager.reload()
    expect(manager.locator(".customer-favourites li")).to_have_count(0)
    expect(manager.locator("main")).to_contain_text(vi("No favourite products yet."))


def a_new_member(shopper, manager, base):
    """A member of this run alone, registered by the shopper and approved by the manager."""
    email = f"yeu.{uuid.uuid4().hex[:6]}@example.com"
    password = "trai tim 2026"
    visit(shopper, f"{base}/{SHOP}/account/register")
    shopper.fill("input[name=last_name]", "Trần Thị")
    shopper.fill("input[name=first_name]", "Yêu")
    shopper.fill("input[name=email]", email)
    shopper.fill("input[name=phone]", new_phone())
    shopper.fill("input[name=password]", password)
    shopper.fill("input[name=password_confirm]", password)
    submit(shopper, "form:has(input[name=first_name])")
    visit(manager, f"{base}/{SHOP}/admin/customers?status=temporary&q={email}")
    with manager.expect_navigation():
        manager.locator("tr", has_text=email).locator("button[formaction$='/approve']").click()
    return email, password


def product_heart(page, favourite):
    """The product page's heart, named for what pressing it does, its icon filled or not."""
    label = vi("Remove from favourites") if favourite else vi("Add to favourites")
    heart = page.locator("main .product-page").get_by_role("button", name=label, exact=True)
    expect(heart).to_be_visible()
    expect(heart).to_have_text(label)
    icon = "bi-heart-fill" if favourite else "bi-heart"
    expect(heart.locator("i.bi")).to_have_class(re.compile(rf"(^|\s){icon}(\s|$)"))
    return heart


def card_hearts(page, favourite):
    """The hearts on the product's cards (it may be both featured and newest)."""
    label = vi("Remove from favourites") if favourite else vi("Add to favourites")
    return page.locator("article.product-card", has_text=NAME).get_by_role(
        "button", name=f"{label}: {NAME}", exact=True
    )


def expect_cards_show(page, favourite):
    """Every card of the product shows its heart filled (or empty), and no other card's is."""
    cards = page.locator("article.product-card", has_text=NAME)
    assert cards.count() > 0, f"no card of {NAME}"
    expect(card_hearts(page, favourite)).to_have_count(cards.count())
    expect(card_hearts(page, not favourite)).to_have_count(0)
    filled = page.locator("article.product-card .favourite-button i.bi-heart-fill")
    expect(filled).to_have_count(cards.count() if favourite else 0)


def easy_to_tap(page, phone):
    """Every card's heart is big enough for a finger, sits on the card's picture, and is what
    a tap on it reaches (not the link stretched over the card)."""
    hearts = page.locator("article.product-card .favourite-button")
    assert hearts.count() > 0
    for index in range(hearts.count()):
        heart = hearts.nth(index)
        heart.scroll_into_view_if_needed()
        box = heart.bounding_box()
        image = (
            heart.locator("xpath=ancestor::article").locator(".product-card-image").bounding_box()
        )
        if phone:
            assert box["width"] >= SMALLEST_TAP, (index, box)
            assert box["height"] >= SMALLEST_TAP, (index, box)
        assert image["x"] <= box["x"], (index, box, image)
        assert box["x"] + box["width"] <= image["x"] + image["width"], (index, box, image)
        assert image["y"] <= box["y"], (index, box, image)
        assert box["y"] + box["height"] <= image["y"] + image["height"], (index, box, image)
        reached = heart.evaluate(
            """el => { const r = el.getBoundingClientRect();
                       const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
                       return el.contains(hit); }"""
        )
        assert reached, f"a tap on heart {index} lands on something else"


def open_favourites(page, phone):
    """Header → Account → the account menu's Favourites; on a phone the header is a menu."""
    if phone:
        page.get_by_role("button", name=vi("Menu")).click()
        page.locator("#shop-nav.collapse.show").wait_for()
    with page.expect_navigation():
        page.locator("#shop-nav").get_by_role("link", name=vi("Account")).click()
    check(page, None, None, phone)
    menu = page.get_by_role("navigation", name=vi("Account menu"))
    link = menu.get_by_role("link", name=vi("Favourites"))
    fits_the_screen(link, phone)
    with page.expect_navigation():
        link.click()
    expect(link).to_have_attribute("aria-current", "page")
