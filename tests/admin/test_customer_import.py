"""Importing customers from the admin: a Sapo export, a Shopify customer CSV and a UPOS-style
Vietnamese sheet go in as they are, columns matched by their headers; the manager checks the
mapping and options, sees the preview before anything is written, runs the import as a job
and reads the result, with the rejected rows as a spreadsheet to fix and upload again.

Who may: the shop's managers and owner. A ``staff`` role, another shop's manager and a
logged-out visitor get nothing; a bad file is refused with its reason and nothing is kept."""

import io
import re
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select

from core.extensions import db
from models import Customer, CustomerEvent, CustomerImport, Job, Shop, Tag
from services.spreadsheets import read_table
from services.tags import tag_customer, tag_named
from tests.factories import make_guest, make_staff
from tests.mail import delivered, text_of
from tests.services.test_export_round_trip import snapshot

SAPO_CSV = (
    "First Name,Last Name,Email,Company,Address 1,Address 2,City,Province,Province Code,"
    "Country,Country Code,Zip,Phone,Accepts Marketing,Total Spent,Total Orders,Tags,Note,"
    "Tax Exempt\n"
    "Thị Lan,Nguyễn,lan@example.com,,12 Hàng Bạc,,Hà Nội,,,Vietnam,VN,,0912345678,yes,"
    '1500000,3,"VIP, Sỉ",Khách quen,no\n'
    "Minh,Trần,minh@example.com,Công ty Minh,5 Lê Lợi,,Hồ Chí Minh,,,Vietnam,VN,,"
    "0987654321,no,0,0,,,no\n"
    "Hoa,Lê,hoa-at-example.com,,,,,,,Vietnam,VN,,0911111111,,0,0,,,no\n"
    ",,,,,,,,,Vietnam,VN,,0922222222,,0,0,,,no\n"
    "Tuấn,Phạm,tuan@example.com,,,,,,,Vietnam,VN,,12345,,0,0,,,no\n"
)
SHOPIFY_CSV = (
    "First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,"
    "Default Address Address1,Default Address Address2,Default Address City,"
    "Default Address Province Code,Default Address Country Code,Default Address Zip,"
    "Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,"
    "Tax Exempt,Tags\n"
    "Mai,Đỗ,mai@example.com,yes,,7 Trần Phú,,Đà Nẵng,,VN,,,+84935123456,no,0,0,,no,Shopify\n"
    "Khoa,Võ,khoa@example.com,no,,,,,,VN,,,,no,0,0,,no,\n"
)


def upos_xlsx():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "Mã khách hàng", "Tên khách hàng", "Điện thoại", "Nhóm khách hàng", "Địa chỉ",
            "Tỉnh/Thành phố", "Ghi chú",
        ]
    )  # fmt: skip
    sheet.append(["KH00042", "Nguyễn Văn An", 912000111, "Khách sỉ", "3 Nguyễn Huệ", "TP HCM", ""])
    sheet.append(["KH00043", "Bùi Thị Hạnh", "0386000222", "", "", "Hà Nội", "Gọi trước"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def english(client):
    client.post("/language", data={"lang": "en"})


@pytest.fixture
def as_manager(auth, manager):
    auth.login_staff(manager)
    return manager


def upload(client, shop, name, data):
    return client.post(
        f"/{shop.slug}/admin/customers/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def import_id_of(response):
    assert response.status_code == 302, response.text
    return int(re.search(r"/customers/import/(\d+)$", response.location).group(1))


def saved(app, import_id):
    with app.app_context():
        return db.session.get(CustomerImport, import_id)


def choose(client, shop, import_id, mapping, **options):
    """Post the mapping (``{index: key}``) and options, as the mapping page does."""
    data = {f"column_{index}": key for index, key in mapping.items()}
    data.update({"on_duplicate": "skip", "status": "guest", "tags": "", **options})
    return client.post(f"/{shop.slug}/admin/customers/import/{import_id}", data=data)


def run(client, shop, import_id, run_jobs):
    response = client.post(f"/{shop.slug}/admin/customers/import/{import_id}/run")
    assert response.status_code == 302
    run_jobs()
    return client.get(f"/{shop.slug}/admin/customers/import/{import_id}")


def customers_of(app, shop):
    with app.app_context():
        return {
            c.email or c.first_name: c
            for c in db.session.scalars(select(Customer).where(Customer.shop_id == shop.id))
        }


def import_file(client, app, shop, run_jobs, name, data, **options):
    """Upload, keep the matched columns, preview, run: (import id, result page)."""
    import_id = import_id_of(upload(client, shop, name, data))
    mapping = {int(i): key for i, key in saved(app, import_id).mapping.items()}
    assert choose(client, shop, import_id, mapping, **options).status_code == 302
    return import_id, run(client, shop, import_id, run_jobs)


def test_a_sapo_export_is_matched_previewed_and_imported(app, client, shop, as_manager, run_jobs):
    response = upload(client, shop, "sapo-khach-hang.csv", SAPO_CSV.encode("utf-8-sig"))
    import_id = import_id_of(response)
    page = client.get(response.location).text
    # Every Sapo column we know is matched; the ones we do not are ignored.
    stored = saved(app, import_id)
    headers = stored.headers
    mapping = {int(i): key for i, key in stored.mapping.items()}
    assert mapping[headers.index("First Name")] == "first_name"
    assert mapping[headers.index("Phone")] == "phone"
    assert mapping[headers.index("Accepts Marketing")] == "accepts_marketing"
    assert headers.index("Tax Exempt") not in mapping
    assert 'name="column_0"' in page
    assert "Thị Lan" in page

    response = choose(client, shop, import_id, mapping, tags="Từ Sapo")
    assert response.status_code == 302
    assert "preview=1" in response.location
    preview = client.get(response.location).text
    assert customers_of(app, shop) == {}  # nothing written by the preview
    counts = dict(re.findall(r'preview-count-(\w+)">\s*<div[^>]*>([\d.]+)</div>', preview))
    assert counts == {"create": "2", "update": "0", "skip": "0", "reject": "3"}
    rejected = preview.split('class="table table-sm small align-middle preview-reject"')[1]
    rejected = rejected.split("</table>")[0]
    assert "hoa-at-example.com is not valid" in rejected
    assert "The name is missing" in rejected
    assert "12345" in rejected  # an impossible phone, shown as typed

    result = run(client, shop, import_id, run_jobs).text
    assert re.search(r'result-count-create">\s*<div[^>]*>2<', result)
    saved_customers = customers_of(app, shop)
    assert set(saved_customers) == {"lan@example.com", "minh@example.com"}
    with app.app_context():
        lan = db.session.get(Customer, saved_customers["lan@example.com"].id)
        assert (lan.last_name, lan.first_name) == ("Nguyễn", "Thị Lan")
        assert [p.number for p in lan.phones] == ["+84912345678"]
        assert lan.accepts_marketing is True
        assert lan.total_spent == 0  # totals come from orders unless kept
        assert {t.name for t in lan.tags} == {"VIP", "Sỉ", "Từ Sapo"}
        assert lan.addresses[0].line1 == "12 Hàng Bạc"
        event = db.session.scalars(
            select(CustomerEvent).where(CustomerEvent.customer_id == lan.id)
        ).one()
        assert event.type == "imported"
        assert event.data["file"] == "sapo-khach-hang.csv"
        mail = text_of(delivered("staff_import_done", to=as_manager.email))
    assert "sapo-khach-hang.csv" in mail
    assert "Khách hàng mới: 2" in mail  # in the shop's language
    assert "Lỗi: 3" in mail
    assert "Cập nhật: 0" in mail
    assert f"/customers/import/{import_id}" in mail


def test_a_shopify_csv_and_a_upos_sheet_import_without_editing(
    app, client, shop, as_manager, run_jobs
):
    import_file(client, app, shop, run_jobs, "customers_export.csv", SHOPIFY_CSV.encode())
    import_file(client, app, shop, run_jobs, "upos.xlsx", upos_xlsx())
    found = customers_of(app, shop)
    with app.app_context():
        mai = db.session.get(Customer, found["mai@example.com"].id)
        assert [p.number for p in mai.phones] == ["+84935123456"]
        assert mai.accepts_marketing is True
        an = db.session.get(Customer, found["Văn An"].id)
        assert (an.code, an.last_name, an.first_name) == ("KH00042", "Nguyễn", "Văn An")
        # A phone Excel stored as a number gets its leading zero back.
        assert [p.number for p in an.phones] == ["+84912000111"]
        assert an.group.name == "Khách sỉ"
        hanh = db.session.get(Customer, found["Thị Hạnh"].id)
        assert [n.body for n in hanh.notes] == ["Gọi trước"]


def test_the_manager_changes_the_mapping_and_ignores_a_column(
    app, client, shop, as_manager, run_jobs
):
    data = "Khách hàng,Số máy,Ghi chú\nNguyễn Lan,0912345678,Không nhập\n".encode()
    import_id = import_id_of(upload(client, shop, "tu-lam.csv", data))
    assert saved(app, import_id).mapping == {"0": "full_name", "2": "note"}
    choose(client, shop, import_id, {0: "full_name", 1: "phone"})
    run(client, shop, import_id, run_jobs)
    with app.app_context():
        lan = db.session.scalars(select(Customer).where(Customer.shop_id == shop.id)).one()
        assert [p.number for p in lan.phones] == ["+84912345678"]
        assert lan.notes == []


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({1: "phone"}, "Match a column to the customer&#39;s name."),
        ({0: "full_name", 1: "phone", 2: "phone"}, "Two columns are matched to this field."),
        ({0: "full_name", 1: "password"}, "Please choose a field from the list."),
    ],
)
def test_a_mapping_that_cannot_work_is_refused_and_not_kept(
    app, client, shop, as_manager, mapping, message
):
    data = "Tên khách hàng,Điện thoại,SĐT 2\nLan,0912345678,0987654321\n".encode()
    import_id = import_id_of(upload(client, shop, "k.csv", data))
    response = choose(client, shop, import_id, mapping, on_duplicate="update")
    assert response.status_code == 200
    assert message in response.text
    stored = saved(app, import_id)
    assert stored.mapping == {"0": "full_name", "1": "phone"}
    assert stored.options["on_duplicate"] == "skip"


def zip_bomb():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (20 * 1024 * 1024))
    return out.getvalue()


def with_dtd():
    good = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.append(["Tên"])
    workbook.active.append(["Lan"])
    workbook.save(good)
    out = io.BytesIO()
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                content = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + content
            target.writestr(item, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("k.xlsx", b"", "The file is empty."),
        ("k.pdf", b"%PDF-1.4 not a sheet", "Upload an Excel file"),
        ("k.csv", "Tên,Email\n".encode() + b"x" * 200_000, "larger than"),
        ("k.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "password"),
        ("k.csv", "Màu,Size\nĐỏ,M\n".encode(), "None of this file"),
        ("k.csv", "Tên,Email\n,\n".encode(), "no customers"),
        ("k.csv", b"T\xean\nNguy\xe3n", "UTF-8"),
        ("k.xlsx", zip_bomb(), "unpacks to far more"),
        ("k.xlsx", with_dtd(), "XML declarations"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_and_nothing_is_kept(
    app, client, shop, as_manager, name, data, message
):
    app.config["IMPORT_MAX_BYTES"] = 100_000
    response = upload(client, shop, name, data)
    assert response.status_code == 400
    assert message in response.text.replace("&#39;", "'")
    with app.app_context():
        assert db.session.scalar(select(func.count(CustomerImport.id))) == 0
        assert db.session.scalar(select(func.count(Customer.id))) == 0


def test_no_file_chosen_is_asked_for(client, shop, as_manager):
    response = client.post(f"/{shop.slug}/admin/customers/import", data={})
    assert response.status_code == 400
    assert "Please choose a file." in response.text


def test_the_error_report_is_fixed_and_uploaded_again_as_is(
    app, client, shop, as_manager, run_jobs
):
    import_id, _page = import_file(
        client, app, shop, run_jobs, "sapo.csv", SAPO_CSV.encode("utf-8-sig")
    )
    response = client.get(f"/{shop.slug}/admin/customers/import/{import_id}/errors.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith("sapo-loi.xlsx")
    report = read_table("sapo-loi.xlsx", response.data, max_bytes=10**7, max_rows=100)
    headers = SAPO_CSV.splitlines()[0].split(",")
    assert report.headers[: len(headers)] == headers
    assert len(report.rows) == 3
    # The manager fixes the rows in the report and uploads it again, as it is.
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = workbook.active
    email, first, phone = (headers.index(h) + 1 for h in ("Email", "First Name", "Phone"))
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, email).value == "hoa-at-example.com":
            sheet.cell(row, email).value = "hoa@example.com"
        if not sheet.cell(row, first).value:
            sheet.cell(row, first).value = "Vô Danh"
        if sheet.cell(row, phone).value == "12345":
            sheet.cell(row, phone).value = "0933333333"
    fixed = io.BytesIO()
    workbook.save(fixed)
    again, page = import_file(client, app, shop, run_jobs, "sapo-loi.xlsx", fixed.getvalue())
    assert re.search(r'result-count-create">\s*<div[^>]*>3<', page.text)
    assert re.search(r'result-count-reject">\s*<div[^>]*>0<', page.text)
    assert {"hoa@example.com", "tuan@example.com", "Vô Danh"} <= set(customers_of(app, shop))


def test_the_duplicate_policy_and_the_status_of_new_customers(
    app, client, shop, as_manager, run_jobs
):
    make_guest(app, shop, email="minh@example.com", first_name="Minh cũ", phone="+84987654321")
    import_file(
        client, app, shop, run_jobs, "s.csv", SAPO_CSV.encode(), on_duplicate="update",
        status="official",
    )  # fmt: skip
    found = customers_of(app, shop)
    assert found["minh@example.com"].first_name == "Minh"  # overwritten
    assert found["minh@example.com"].company == "Công ty Minh"
    assert found["lan@example.com"].status == "official"
    assert found["minh@example.com"].status == "guest"  # an existing customer keeps theirs


def test_the_run_starts_once_and_the_import_cannot_change_after(
    app, client, shop, as_manager, run_jobs
):
    import_id = import_id_of(upload(client, shop, "s.csv", SAPO_CSV.encode()))
    client.post(f"/{shop.slug}/admin/customers/import/{import_id}/run")
    second = client.post(
        f"/{shop.slug}/admin/customers/import/{import_id}/run", follow_redirects=True
    )
    assert "This import has already run." in second.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Job.id))) == 1
    run_jobs()
    assert len(customers_of(app, shop)) == 2
    page = client.get(f"/{shop.slug}/admin/customers/import/{import_id}").text
    assert 'name="column_0"' not in page  # the result, no mapping form any more
    with app.app_context():  # the file is not kept once imported
        assert db.session.get(CustomerImport, import_id).data is None


def test_the_running_import_shows_a_progress_bar_polling_its_job(app, client, shop, as_manager):
    import_id = import_id_of(upload(client, shop, "s.csv", SAPO_CSV.encode()))
    client.post(f"/{shop.slug}/admin/customers/import/{import_id}/run")
    page = client.get(f"/{shop.slug}/admin/customers/import/{import_id}").text
    job_id = saved(app, import_id).job_id
    assert f'data-job-url="/{shop.slug}/admin/jobs/{job_id}.json"' in page
    status = client.get(f"/{shop.slug}/admin/jobs/{job_id}.json").get_json()
    assert status["kind"] == "customers.import"
    assert status["status"] == "queued"
    assert status["progress"]["total"] == 5


def test_the_upload_page_offers_the_template_and_lists_the_imports(
    app, client, shop, as_manager, run_jobs
):
    import_file(client, app, shop, run_jobs, "sapo.csv", SAPO_CSV.encode())
    page = client.get(f"/{shop.slug}/admin/customers/import").text
    assert f'href="/{shop.slug}/admin/customers/import/template.xlsx"' in page
    assert "sapo.csv" in page
    assert "2 new, 0 updated, 0 skipped, 3 rejected" in page
    listing = client.get(f"/{shop.slug}/admin/customers").text
    assert f'href="/{shop.slug}/admin/customers/import"' in listing


# --- Who may --------------------------------------------------------------------------


def paths(shop, import_id):
    base = f"/{shop.slug}/admin/customers/import"
    return [
        ("get", base),
        ("post", base),
        ("get", f"{base}/{import_id}"),
        ("post", f"{base}/{import_id}"),
        ("post", f"{base}/{import_id}/run"),
        ("get", f"{base}/{import_id}/errors.xlsx"),
    ]


@pytest.fixture
def an_import(app, client, shop, auth, manager):
    auth.login_staff(manager)
    import_id = import_id_of(upload(client, shop, "s.csv", SAPO_CSV.encode()))
    auth.logout_staff(shop.slug)
    return import_id


def test_a_staff_role_may_not_import(app, client, shop, auth, staff_member, an_import):
    auth.login_staff(staff_member)
    for method, path in paths(shop, an_import):
        assert getattr(client, method)(path).status_code == 403, path
    assert saved(app, an_import).status == "uploaded"


def test_another_shops_manager_finds_no_import(
    app, client, shop, other_shop, auth, an_import, run_jobs
):
    stranger = make_staff(app, other_shop, "ql-khac@example.com", "manager")
    auth.login_staff(stranger)
    for method, path in paths(other_shop, an_import):
        if path.endswith("/import"):
            continue
        assert getattr(client, method)(path).status_code == 404, path
    run_jobs()
    assert saved(app, an_import).status == "uploaded"
    assert customers_of(app, shop) == {}
    assert customers_of(app, other_shop) == {}


def test_a_logged_out_visitor_is_sent_to_the_login(client, shop, an_import):
    for method, path in paths(shop, an_import):
        response = getattr(client, method)(path)
        assert response.status_code == 302, path
        assert "/admin/login" in response.location, path


def test_tags_typed_in_the_options_go_on_every_imported_customer(
    app, client, shop, as_manager, run_jobs
):
    import_file(client, app, shop, run_jobs, "s.csv", SHOPIFY_CSV.encode(), tags="Đợt 1, Đợt 1")
    with app.app_context():
        names = db.session.scalars(select(Tag.name).where(Tag.shop_id == shop.id)).all()
    assert {"Shopify", "Đợt 1"} <= set(names)
    assert names.count("Đợt 1") == 1


def test_the_37_customers_of_a_filter_export_and_reimport_with_update_unchanged(
    app, client, shop, as_manager, run_jobs
):
    fair = [
        make_guest(app, shop, first_name=f"Hội chợ {i:02d}", phone=f"+849123456{i:02d}")
        for i in range(37)
    ]
    make_guest(app, shop, first_name="Khách khác", phone="+84987000111")
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        for customer_id in fair:
            tag_customer(db.session.get(Customer, customer_id), tag_named(shop_row, "hội chợ"))
        db.session.commit()
        before = {c.id: snapshot(c) for c in db.session.scalars(select(Customer))}
    exported = client.post(
        f"/{shop.slug}/admin/customers/export",
        data={"scope": "filter", "tag": "hội chợ", "format": "xlsx", "template": "default"},
    )
    assert exported.status_code == 200
    data = exported.data
    exported.close()
    _import_id, page = import_file(
        client, app, shop, run_jobs, "khach-hang.xlsx", data, on_duplicate="update"
    )
    assert re.search(r'result-count-update">\s*<div[^>]*>37<', page.text)
    with app.app_context():
        after = {c.id: snapshot(c) for c in db.session.scalars(select(Customer))}
    assert after == before
