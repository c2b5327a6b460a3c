"""Flow 4: a manager of one shop cannot reach another shop's admin."""

import re

from tests.e2e.conftest import MANAGER_EMAIL, PASSWORD, SHOP


def test_another_shops_admin_is_unreachable(page, live_server, shots):
    base = live_server.url
    made = live_server.flask(
        "shop",
        "create",
        "cua-hang-khac",
        "--name",
        "Cửa Hàng Khác",
        "--owner-email",
        "khac@example.com",
        "--owner-password",
        "mat khau khac 1",
    )
    assert made.returncode == 0, made.stderr

    page.goto(f"{base}/{SHOP}/admin/login")
    page.get_by_label("Email").fill(MANAGER_EMAIL)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(rf".*/{SHOP}/admin/$"))
    shots(page, "1-own-admin")

    for path in ("/cua-hang-khac/admin/", "/cua-hang-khac/admin/emails"):
        response = page.goto(base + path)
        assert response.status == 404, path
        assert page.locator("html").get_attribute("lang") == "vi"
    shots(page, "2-other-admin-404")
    # The shop's own admin still works in the same session.
    assert page.goto(f"{base}/{SHOP}/admin/").status == 200
