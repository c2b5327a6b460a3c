"""Exports larger than one download run as a job: the manager is told the file is being
prepared, the job writes exactly the customers chosen when they asked, the manager gets an
email with a link, the link opens the file for the shop's managers and owner only, and after
a day it answers 410 and the file is gone."""

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, update

from core.extensions import db
from core.jobs import PERIODIC, enqueue
from models import Customer, ExportFile, Job, JobStatus, OutboxMessage, ShopMembership, utcnow
from services import export_files
from services.customer_sheet import COLUMNS
from tests.admin.test_isolation import signed_in_customer
from tests.factories import make_guest, make_staff
from tests.mail import delivered, html_of, text_of

HEADERS = [column.vi for column in COLUMNS]
LIMIT = 3


@pytest.fixture(autouse=True)
def small_limit(app):
    """A download holds at most three customers here: five make a job."""
    app.config["EXPORT_MAX_DOWNLOAD_ROWS"] = LIMIT


@pytest.fixture(autouse=True)
def english(client):
    client.post("/language", data={"lang": "en"})


@pytest.fixture
def as_manager(auth, manager):
    auth.login_staff(manager)
    return manager


@pytest.fixture
def customers(app, shop):
    """Five guests of ``shop``, Khách 0 the oldest: their ids in that order."""
    return [
        make_guest(app, shop, first_name=f"Khách {i}", last_name="Trần", phone=f"09123450{i:02d}")
        for i in range(5)
    ]


def export(client, shop, **data):
    data = {"scope": "all", "format": "csv", "template": "default", **data}
    return client.post(f"/{shop.slug}/admin/customers/export", data=data)


def jobs(app):
    with app.app_context():
        return db.session.scalars(db.select(Job).order_by(Job.id)).all()


def export_file(app):
    with app.app_context():
        return db.session.scalars(db.select(ExportFile).order_by(ExportFile.id)).one()


def stored_data(app):
    with app.app_context():
        return db.session.scalars(db.select(ExportFile.data)).one()


def download_path(app, to):
    """The path of the download link in the last export email to ``to``, as sent."""
    with app.app_context():
        text = text_of(delivered("staff_export_ready", to=to))
    match = re.search(r"http://shop\.test(/[a-z0-9-]+/admin/exports/\d+)\b", text)
    assert match, text
    return match.group(1)


def csv_rows(response):
    assert response.status_code == 200, response.text
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def first_names(rows):
    return [row[HEADERS.index("Tên")] for row in rows[1:]]


def asked_and_run(client, shop, run_jobs, **data):
    reply = export(client, shop, **data)
    assert reply.status_code == 302
    run_jobs()
    return reply


# --- Asking -------------------------------------------------------------------------------


def test_up_to_the_limit_still_downloads_at_once(client, shop, as_manager, customers, app):
    rows = csv_rows(export(client, shop, scope="selected", customer_ids=customers[:LIMIT]))
    assert first_names(rows) == ["Khách 0", "Khách 1", "Khách 2"]
    assert jobs(app) == []


def test_more_than_the_limit_starts_a_job_and_says_an_email_will_come(
    app, client, shop, as_manager, customers
):
    reply = export(client, shop, next=f"/{shop.slug}/admin/customers?q=Tr%E1%BA%A7n")
    assert reply.status_code == 302
    assert reply.headers["Location"] == f"/{shop.slug}/admin/customers?q=Tr%E1%BA%A7n"
    page = client.get(reply.headers["Location"]).text
    assert "5 customers to export: the file is being prepared." in page
    assert "You will get an email with a download link." in page
    assert f'href="/{shop.slug}/admin/exports"' in page
    (job,) = jobs(app)
    assert (job.kind, job.status, job.progress_total) == ("customers.export", "queued", 5)
    assert job.created_by_id == as_manager.id
    with app.app_context():
        assert db.session.scalars(db.select(ExportFile)).all() == []


def test_the_message_is_vietnamese_by_default(app, client, shop, as_manager, customers):
    client.post("/language", data={"lang": "vi"})
    reply = export(client, shop)
    page = client.get(reply.headers["Location"]).text
    assert "file đang được chuẩn bị" in page


def test_the_job_writes_the_customers_chosen_when_asked_and_emails_the_link(
    app, client, shop, as_manager, customers, run_jobs
):
    export(client, shop)
    # A customer added and one deleted while the job waits change nothing of the choice
    make_guest(app, shop, first_name="Đến sau")
    with app.app_context():
        db.session.delete(db.session.get(Customer, customers[4]))
        db.session.commit()
    run_jobs()

    (job,) = jobs(app)
    assert job.status == JobStatus.DONE
    assert (job.progress_done, job.progress_total, job.percent) == (4, 5, 100)
    stored = export_file(app)
    assert stored.row_count == 4
    assert stored.job_id == job.id
    assert stored.created_by_id == as_manager.id
    assert timedelta(hours=23, minutes=59) < stored.expires_at - utcnow() <= timedelta(hours=24)
    assert job.result == {"export_file_id": stored.id, "rows": 4}

    path = download_path(app, as_manager.email)
    assert path == f"/{shop.slug}/admin/exports/{stored.id}"
    reply = client.get(path)
    assert "attachment" in reply.headers["Content-Disposition"]
    assert "no-store" in reply.headers["Cache-Control"]
    rows = csv_rows(reply)
    assert rows[0] == HEADERS
    assert sorted(first_names(rows)) == [f"Khách {i}" for i in range(4)]
    assert rows[1][HEADERS.index("Điện thoại")].startswith("09")


def test_the_email_hides_its_link_from_the_email_log(
    app, client, shop, as_manager, customers, run_jobs
):
    asked_and_run(client, shop, run_jobs)
    stored = export_file(app)
    with app.app_context():
        message = delivered("staff_export_ready", to=as_manager.email)
        assert f'href="http://shop.test/{shop.slug}/admin/exports/{stored.id}"' in html_of(message)
        row = db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.kind == "staff_export_ready")
        ).one()
        assert "/admin/exports/" not in row.body_text
        assert row.secret_urls is None  # sent: the link has left the outbox


def test_an_xlsx_job_keeps_phones_and_codes_as_text(
    app, client, shop, as_manager, customers, run_jobs
):
    asked_and_run(client, shop, run_jobs, format="xlsx")
    path = download_path(app, as_manager.email)
    reply = client.get(path)
    assert reply.status_code == 200
    assert reply.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(reply.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == HEADERS
    assert len(values) == 6
    phone = sheet.cell(row=2, column=HEADERS.index("Điện thoại") + 1)
    assert (phone.value, phone.data_type) == ("0912345000", "s")


def test_a_txt_job_writes_tabs(app, client, shop, as_manager, customers, run_jobs):
    asked_and_run(client, shop, run_jobs, format="txt", template="shopify")
    reply = client.get(download_path(app, as_manager.email))
    assert reply.status_code == 200
    lines = reply.data.decode().splitlines()
    assert lines[0].split("\t")[:2] == ["First Name", "Last Name"]
    assert len(lines) == 6


def test_progress_is_committed_a_batch_at_a_time(
    app, client, shop, as_manager, customers, run_jobs, monkeypatch
):
    monkeypatch.setattr("services.export_records.BATCH", 2)
    seen = []
    original = export_files.export.write_file

    def watching(shop_row, ids, template, file_format, progress):
        def spy(done):
            progress(done)
            with app.app_context():  # another session: what the progress bar reads
                seen.append(db.session.scalars(db.select(Job.progress_done)).one())

        return original(shop_row, ids, template, file_format, spy)

    monkeypatch.setattr(export_files.export, "write_file", watching)
    asked_and_run(client, shop, run_jobs)
    assert seen == [2, 4, 5]


def test_a_job_run_again_writes_no_second_file_nor_email(
    app, client, shop, as_manager, customers, run_jobs
):
    asked_and_run(client, shop, run_jobs)
    (job,) = jobs(app)
    with app.app_context():
        db.session.execute(update(Job).values(status=JobStatus.QUEUED))
        db.session.commit()
        enqueue("jobs.run", job.id)
    run_jobs()
    with app.app_context():
        assert len(db.session.scalars(db.select(ExportFile)).all()) == 1
        mails = db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.kind == "staff_export_ready")
        ).all()
        assert len(mails) == 1


def test_no_email_goes_to_someone_who_no_longer_manages_the_shop(
    app, client, shop, as_manager, customers, run_jobs
):
    export(client, shop)
    with app.app_context():
        db.session.execute(
            update(ShopMembership)
            .where(ShopMembership.staff_id == as_manager.id)
            .values(role="staff")
        )
        db.session.commit()
    run_jobs()
    assert export_file(app).row_count == 5
    with app.app_context():
        assert (
            db.session.scalars(
                db.select(OutboxMessage).where(OutboxMessage.kind == "staff_export_ready")
            ).all()
            == []
        )


def test_5001_customers_make_a_job_with_the_default_limit(app, client, shop, as_manager, run_jobs):
    app.config["EXPORT_MAX_DOWNLOAD_ROWS"] = 5000
    with app.app_context():
        rows = [
            {
                "shop_id": shop.id,
                "code": f"KH{i:06d}",
                "first_name": f"Khách {i}",
                "last_name": "Lê",
                "status": "guest",
            }
            for i in range(1, 5002)
        ]
        db.session.execute(insert(Customer), rows)
        db.session.commit()
    asked_and_run(client, shop, run_jobs)
    stored = export_file(app)
    assert stored.row_count == 5001
    reply = client.get(f"/{shop.slug}/admin/exports/{stored.id}")
    rows = csv_rows(reply)
    assert len(rows) == 5002
    assert rows[1][0] == "KH000001"


def test_the_default_limit_is_5000(make_app):
    assert make_app(create_schema=False).config["EXPORT_MAX_DOWNLOAD_ROWS"] == 5000


# --- Who may download ---------------------------------------------------------------------


@pytest.fixture
def ready(app, client, shop, as_manager, customers, run_jobs, auth):
    """An export file the manager asked for, written; then nobody is signed in."""
    asked_and_run(client, shop, run_jobs)
    path = f"/{shop.slug}/admin/exports/{export_file(app).id}"
    auth.logout_staff(shop.slug)
    return path


def test_the_owner_and_another_manager_of_the_shop_may_download(
    app, client, auth, shop, owner, ready
):
    auth.login_staff(owner)
    assert client.get(ready).status_code == 200
    auth.logout_staff(shop.slug)
    auth.login_staff(make_staff(app, shop, "quanly2@example.com", "manager"))
    assert client.get(ready).status_code == 200


def test_a_logged_out_visitor_is_sent_to_the_login(client, shop, ready):
    reply = client.get(ready)
    assert reply.status_code == 302
    assert reply.headers["Location"].startswith(f"/{shop.slug}/admin/login")


def test_a_staff_role_is_refused(client, auth, staff_member, ready):
    auth.login_staff(staff_member)
    assert client.get(ready).status_code == 403


def test_another_shops_manager_is_refused_at_either_address(
    app, client, auth, shop, other_shop, other_owner, ready
):
    auth.login_staff(other_owner)
    assert client.get(ready).status_code == 404
    # Nor does the file open under their own shop's address
    foreign = ready.replace(f"/{shop.slug}/", f"/{other_shop.slug}/")
    assert client.get(foreign).status_code == 404
    manager = make_staff(app, other_shop, "quanly.binh@example.com", "manager")
    auth.logout_staff(other_shop.slug)
    auth.login_staff(manager)
    assert client.get(foreign).status_code == 404


def test_a_customer_signed_in_at_the_storefront_gets_nothing(app, client, shop, ready):
    signed_in_customer(app, client, shop)
    reply = client.get(ready)
    assert reply.status_code in (302, 404)
    assert b"Kh\xc3\xa1ch 0" not in reply.data


# --- Expiry -------------------------------------------------------------------------------


def expire(app, hours_ago=1):
    with app.app_context():
        db.session.execute(
            update(ExportFile).values(expires_at=utcnow() - timedelta(hours=hours_ago))
        )
        db.session.commit()


def test_after_a_day_the_link_answers_410_and_the_file_is_gone(app, client, auth, manager, ready):
    expire(app)
    auth.login_staff(manager)
    reply = client.get(ready)
    assert reply.status_code == 410
    assert "This export has expired" in reply.text
    assert "kept for 24 hours and has been deleted" in reply.text
    assert "Trần" not in reply.text
    assert stored_data(app) is None


def test_the_expired_page_is_vietnamese_by_default(app, client, auth, manager, ready):
    expire(app)
    client.post("/language", data={"lang": "vi"})
    auth.login_staff(manager)
    reply = client.get(ready)
    assert reply.status_code == 410
    assert "hết hạn" in reply.text


def test_the_sweep_deletes_expired_files_only(app, client, shop, as_manager, customers, run_jobs):
    asked_and_run(client, shop, run_jobs)
    asked_and_run(client, shop, run_jobs, format="xlsx")
    with app.app_context():
        old, fresh = db.session.scalars(db.select(ExportFile).order_by(ExportFile.id)).all()
        old.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        assert export_files.expire_export_files() == 1
        db.session.expire_all()
        old, fresh = db.session.scalars(db.select(ExportFile).order_by(ExportFile.id)).all()
        assert old.data is None
        assert fresh.data is not None
        # A month later the row itself goes: the old link is then a plain 404
        old.expires_at = utcnow() - timedelta(days=31)
        db.session.commit()
        export_files.expire_export_files()
        assert db.session.scalars(db.select(ExportFile.id)).all() == [fresh.id]


def test_the_sweep_is_a_periodic_task():
    assert PERIODIC["exports.expire"][0] is export_files.expire_export_files


# --- Finding them again -------------------------------------------------------------------


def test_the_exports_page_lists_the_files_of_the_last_day(
    app, client, shop, as_manager, customers, run_jobs
):
    asked_and_run(client, shop, run_jobs)
    export(client, shop, format="xlsx")  # not run yet
    page = client.get(f"/{shop.slug}/admin/exports")
    assert page.status_code == 200
    assert f'href="/{shop.slug}/admin/exports/{export_file(app).id}"' in page.text
    assert "Being prepared: 0%" in page.text
    expire(app)
    page = client.get(f"/{shop.slug}/admin/exports").text
    assert "Expired" in page
    assert f"/admin/exports/{export_file(app).id}" not in page


def test_the_list_links_to_the_exported_files(client, shop, as_manager):
    assert f'href="/{shop.slug}/admin/exports"' in client.get(f"/{shop.slug}/admin/customers").text
