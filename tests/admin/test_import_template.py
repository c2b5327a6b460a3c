"""The import template downloads from ``/<shop>/admin/customers/import/template.xlsx`` for
managers and the owner, in the language of the page; a ``staff`` role, staff of another
shop, a customer and a logged-out visitor never get it."""

import io

import pytest
from openpyxl import load_workbook

from services.customer_sheet import COLUMNS
from tests.admin.test_isolation import signed_in_customer


def template_url(shop):
    return f"/{shop.slug}/admin/customers/import/template.xlsx"


def workbook_of(reply):
    assert reply.status_code == 200, reply.status_code
    return load_workbook(io.BytesIO(reply.data))


@pytest.mark.parametrize("who", ["manager", "owner"])
def test_managers_and_the_owner_download_the_template(request, client, auth, shop, who):
    auth.login_staff(request.getfixturevalue(who))
    reply = client.get(template_url(shop))
    workbook = workbook_of(reply)
    assert reply.mimetype == ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    disposition = reply.headers["Content-Disposition"]
    assert disposition == "attachment; filename=mau-nhap-khach-hang.xlsx"
    assert "no-store" in reply.headers["Cache-Control"]
    assert workbook.sheetnames == ["Khách hàng", "Hướng dẫn"]
    assert [cell.value for cell in workbook.worksheets[0][1]] == [c.vi for c in COLUMNS]


def test_the_guide_states_the_configured_limits(app, client, auth, shop, manager):
    app.config.update(IMPORT_MAX_BYTES=2 * 1024 * 1024, IMPORT_MAX_ROWS=20_000)
    auth.login_staff(manager)
    guide = workbook_of(client.get(template_url(shop))).worksheets[1]
    lines = [row[0] or "" for row in guide.iter_rows(values_only=True)]
    assert any("tối đa 2 MB và 20.000 dòng" in line for line in lines)


def test_the_template_speaks_the_visitors_language(client, auth, shop, manager):
    client.post("/language", data={"lang": "en"})
    auth.login_staff(manager)
    workbook = workbook_of(client.get(template_url(shop)))
    assert workbook.sheetnames == ["Customers", "Instructions"]
    # The headers stay the shop's Vietnamese ones, which the import knows first
    assert workbook.worksheets[0]["A1"].value == "Mã khách hàng"


def test_a_staff_role_may_not_download_it(client, auth, shop, staff_member):
    auth.login_staff(staff_member)
    assert client.get(template_url(shop)).status_code == 403


def test_a_logged_out_visitor_is_sent_to_the_login(client, shop):
    reply = client.get(template_url(shop))
    assert reply.status_code == 302
    assert reply.headers["Location"].startswith(f"/{shop.slug}/admin/login")


def test_staff_of_another_shop_get_404(client, auth, shop, other_owner):
    auth.login_staff(other_owner)
    assert client.get(template_url(shop)).status_code == 404
    # Their own shop's template is theirs
    assert (
        client.get(f"/{other_owner.shop_slug}/admin/customers/import/template.xlsx").status_code
        == 200
    )


def test_a_signed_in_customer_is_refused(app, client, shop):
    signed_in_customer(app, client, shop)
    reply = client.get(template_url(shop))
    assert reply.status_code == 302
    assert reply.headers["Location"].startswith(f"/{shop.slug}/admin/login")
