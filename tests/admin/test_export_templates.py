"""Export templates a shop saves: a name and some of our columns in an order. Managers make,
change and delete them without JavaScript; the export menu offers them; a file exported with
one writes exactly those columns in that order, still never a formula; another shop's
template is refused and writes nothing."""

import csv
import io

import pytest
from openpyxl import load_workbook

from core.extensions import db
from models import Customer, ExportTemplate, Shop
from services import export_templates
from tests.factories import make_guest

CODE, NAME, PHONE, COMPANY = "Mã khách hàng", "Tên", "Điện thoại", "Công ty"


@pytest.fixture(autouse=True)
def english(client):
    client.post("/language", data={"lang": "en"})


@pytest.fixture
def as_manager(auth, manager):
    auth.login_staff(manager)
    return manager


@pytest.fixture
def lan(app, shop):
    customer_id = make_guest(app, shop, first_name="Lan", last_name="Nguyễn", phone="0912345678")
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        customer.code = "007"
        customer.company = "=1+2"
        db.session.commit()
    return customer_id


def templates_path(shop, rest=""):
    return f"/{shop.slug}/admin/customers/export/templates{rest}"


def saved(app, shop=None):
    """{name: columns} of the saved templates (of ``shop``, or of every shop)."""
    with app.app_context():
        query = db.select(ExportTemplate)
        if shop is not None:
            query = query.where(ExportTemplate.shop_id == shop.id)
        return {t.name: t.columns for t in db.session.scalars(query)}


def make_template(app, shop, name, columns):
    with app.app_context():
        template = export_templates.create_template(
            shop=db.session.get(Shop, shop.id), name=name, columns=columns
        )
        db.session.commit()
        return template.id


def create(client, shop, **data):
    return client.post(templates_path(shop, "/new"), data=data)


def export(client, shop, **data):
    data = {"scope": "all", "format": "csv", "template": "default", **data}
    return client.post(f"/{shop.slug}/admin/customers/export", data=data)


def csv_rows(response):
    assert response.status_code == 200, response.text
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


# --- Making, changing, deleting -----------------------------------------------------------


def test_a_manager_saves_ticked_columns_in_the_order_numbered(app, client, shop, as_manager):
    page = client.get(templates_path(shop, "/new"))
    assert page.status_code == 200
    assert 'name="position-phone"' in page.text
    reply = create(
        client,
        shop,
        name="Giao hàng",
        columns=["code", "first_name", "phone", "address"],
        **{"position-phone": "1", "position-first_name": "2", "position-address": "3"},
    )
    assert reply.status_code == 302
    assert saved(app) == {"Giao hàng": ["phone", "first_name", "address", "code"]}
    listed = client.get(reply.headers["Location"]).text
    assert "The export template “Giao hàng” was saved." in listed
    assert "Điện thoại · Tên · Địa chỉ · Mã khách hàng" in listed


def test_columns_posted_in_order_keep_that_order(app, client, shop, as_manager):
    create(client, shop, name="Kế toán", columns=["total_spent", "code", "code", "last_name"])
    assert saved(app) == {"Kế toán": ["total_spent", "code", "last_name"]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "columns": ["code"]}, "Please fill in this field."),
        ({"name": "x" * 101, "columns": ["code"]}, "at most 100 characters"),
        ({"name": "Rỗng"}, "Tick at least one column."),
        ({"name": "Lạ", "columns": ["code", "password_hash"]}, "Choose columns from the list."),
        (
            {"name": "Số", "columns": ["code"], "position-code": "một"},
            "Number the columns with whole numbers",
        ),
        (
            {"name": "Số", "columns": ["code"], "position-code": "9" * 5000},
            "Number the columns with whole numbers",
        ),
        (
            {"name": "Số", "columns": ["code"], "position-code": "²"},
            "Number the columns with whole numbers",
        ),
        ({"name": "  giao HÀNG ", "columns": ["code"]}, "already has a template named"),
    ],
)
def test_bad_input_is_told_and_writes_nothing(app, client, shop, as_manager, data, message):
    make_template(app, shop, "Giao hàng", ["phone"])
    reply = create(client, shop, **data)
    assert reply.status_code == 400
    assert message in reply.text
    assert saved(app) == {"Giao hàng": ["phone"]}


def test_the_edit_page_shows_the_saved_order_and_saves_a_new_one(app, client, shop, as_manager):
    template_id = make_template(app, shop, "Giao hàng", ["phone", "code"])
    page = client.get(templates_path(shop, f"/{template_id}/edit")).text
    assert page.index('value="phone" id="column-phone" checked') < page.index(
        'value="code" id="column-code" checked'
    )
    assert 'name="position-phone" value="1"' in page
    assert 'id="column-email">' in page  # not ticked
    reply = client.post(
        templates_path(shop, f"/{template_id}/edit"),
        data={"name": "Giao hàng nhanh", "columns": ["code", "email"], "position-email": "1"},
    )
    assert reply.status_code == 302
    assert saved(app) == {"Giao hàng nhanh": ["email", "code"]}


def test_a_template_may_keep_its_own_name_when_edited(app, client, shop, as_manager):
    template_id = make_template(app, shop, "Giao hàng", ["phone"])
    edit = templates_path(shop, f"/{template_id}/edit")
    reply = client.post(edit, data={"name": "Giao hàng", "columns": ["code"]})
    assert reply.status_code == 302
    assert saved(app) == {"Giao hàng": ["code"]}


def test_a_manager_deletes_a_template(app, client, shop, as_manager):
    template_id = make_template(app, shop, "Giao hàng", ["phone"])
    reply = client.post(templates_path(shop, f"/{template_id}/delete"))
    assert reply.status_code == 302
    assert "was deleted" in client.get(reply.headers["Location"]).text
    assert saved(app) == {}


def test_the_same_name_is_free_in_another_shop(app, client, shop, other_shop, as_manager):
    make_template(app, other_shop, "Giao hàng", ["phone"])
    assert create(client, shop, name="Giao hàng", columns=["code"]).status_code == 302
    assert saved(app, shop) == {"Giao hàng": ["code"]}


# --- Who may ------------------------------------------------------------------------------


def test_a_staff_role_may_not_see_or_change_templates(app, client, auth, shop, staff_member):
    template_id = make_template(app, shop, "Giao hàng", ["phone"])
    auth.login_staff(staff_member)
    assert client.get(templates_path(shop)).status_code == 403
    assert create(client, shop, name="Của tôi", columns=["code"]).status_code == 403
    edit = templates_path(shop, f"/{template_id}/edit")
    assert client.post(edit, data={"name": "Đổi", "columns": ["code"]}).status_code == 403
    assert client.post(templates_path(shop, f"/{template_id}/delete")).status_code == 403
    assert saved(app) == {"Giao hàng": ["phone"]}


def test_another_shops_template_is_a_404_for_a_manager_here(
    app, client, shop, other_shop, as_manager
):
    foreign = make_template(app, other_shop, "Của Bình", ["phone"])
    assert client.get(templates_path(shop, f"/{foreign}/edit")).status_code == 404
    edit = client.post(
        templates_path(shop, f"/{foreign}/edit"), data={"name": "Chiếm", "columns": ["code"]}
    )
    assert edit.status_code == 404
    assert client.post(templates_path(shop, f"/{foreign}/delete")).status_code == 404
    assert "Của Bình" not in client.get(templates_path(shop)).text
    assert saved(app) == {"Của Bình": ["phone"]}


def test_a_logged_out_visitor_is_sent_to_the_login(client, shop):
    reply = client.get(templates_path(shop))
    assert reply.status_code == 302
    assert reply.headers["Location"].startswith(f"/{shop.slug}/admin/login")


# --- Exporting with one -------------------------------------------------------------------


def test_the_export_menu_offers_the_saved_templates_and_links_to_them(
    app, client, shop, other_shop, as_manager
):
    template_id = make_template(app, shop, "Giao hàng", ["phone"])
    make_template(app, other_shop, "Của Bình", ["phone"])
    page = client.get(f"/{shop.slug}/admin/customers").text
    assert f'<option value="{template_id}">Giao hàng</option>' in page
    assert "Của Bình" not in page
    assert f'href="{templates_path(shop)}"' in page


def test_a_saved_template_writes_its_columns_in_its_order(app, client, shop, as_manager, lan):
    template_id = make_template(app, shop, "Giao hàng", ["phone", "first_name", "company", "code"])
    rows = csv_rows(export(client, shop, template=str(template_id)))
    assert rows == [[PHONE, NAME, COMPANY, CODE], ["0912345678", "Lan", "'=1+2", "007"]]


def test_a_saved_template_in_xlsx_keeps_text_cells(app, client, shop, as_manager, lan):
    template_id = make_template(app, shop, "Giao hàng", ["code", "company", "phone"])
    reply = export(client, shop, template=str(template_id), format="xlsx")
    assert reply.status_code == 200
    body = reply.data
    reply.close()  # as a server does: the temporary file goes
    sheet = load_workbook(io.BytesIO(body)).active
    header, row = list(sheet.iter_rows(min_row=1, max_row=2))
    assert [cell.value for cell in header] == [CODE, COMPANY, PHONE]
    assert [(cell.value, cell.data_type) for cell in row] == [
        ("007", "s"),
        ("=1+2", "s"),
        ("0912345678", "s"),
    ]


@pytest.mark.parametrize("whose", ["another shop", "deleted", "nonsense"])
def test_a_template_that_is_not_the_shops_writes_nothing(
    app, client, shop, other_shop, as_manager, lan, whose
):
    if whose == "another shop":
        value = str(make_template(app, other_shop, "Của Bình", ["email"]))
    elif whose == "deleted":
        value = str(make_template(app, shop, "Cũ", ["email"]))
        client.post(templates_path(shop, f"/{value}/delete"))
    else:
        value = "9" * 30
    reply = export(client, shop, template=value)
    assert reply.status_code == 302
    assert "Content-Disposition" not in reply.headers
    page = client.get(reply.headers["Location"]).text
    assert "This export template is not one of the shop&#39;s any more" in page


def test_a_job_keeps_the_columns_asked_for_even_if_the_template_changes(
    app, client, shop, as_manager, lan, run_jobs
):
    app.config["EXPORT_MAX_DOWNLOAD_ROWS"] = 0
    template_id = make_template(app, shop, "Giao hàng", ["phone", "code"])
    assert export(client, shop, template=str(template_id)).status_code == 302
    client.post(templates_path(shop, f"/{template_id}/delete"))
    run_jobs()
    page = client.get(f"/{shop.slug}/admin/exports").text
    link = page[page.index(f"/{shop.slug}/admin/exports/") :].split('"', 1)[0]
    assert csv_rows(client.get(link)) == [[PHONE, CODE], ["0912345678", "007"]]


def test_the_pages_are_vietnamese_by_default(app, client, shop, as_manager):
    client.post("/language", data={"lang": "vi"})
    make_template(app, shop, "Giao hàng", ["phone"])
    assert "Mẫu xuất file" in client.get(templates_path(shop)).text
    assert "Vị trí" in client.get(templates_path(shop, "/new")).text
