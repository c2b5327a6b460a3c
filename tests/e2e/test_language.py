"""Flow 3: a visitor switches the language to English and back."""

from tests.e2e.checks import check_page
from tests.e2e.conftest import SHOP


def test_switching_language_to_english_and_back(page, live_server, shots):
    page.goto(f"{live_server.url}/{SHOP}/")
    assert page.locator("html").get_attribute("lang") == "vi"
    check_page(page)
    shots(page, "1-vietnamese")

    page.get_by_role("button", name="English").first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url == f"{live_server.url}/{SHOP}/"
    check_page(page)
    shots(page, "2-english")

    page.get_by_role("button", name="Tiếng Việt").first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "vi"
    check_page(page)
