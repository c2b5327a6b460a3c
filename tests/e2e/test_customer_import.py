"""Flow 7: a manager imports the customer file Sapo exported, as it is. The columns are matched
by their headers, the preview says what each row will do before anything is written, the run
shows its progress and its result, and the rejected rows download as a spreadsheet with the
reason of each. A run in progress shows a bar that follows its job and turns into the result
by itself."""

import io
import subprocess
import sys

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.e2e.checks import new_phone, vi
from tests.e2e.conftest import MANAGER_EMAIL, PHONE, ROOT, SHOP
from tests.e2e.test_customer_workspace import a_word
from tests.e2e.test_member_flow import check, manager_logs_in, submit, visit

SAPO_HEADERS = (
    "First Name,Last Name,Email,Company,Address 1,Address 2,City,Province,Province Code,"
    "Country,Country Code,Zip,Phone,Accepts Marketing,Total Spent,Total Orders,Tags,Note,"
    "Tax Exempt"
)
GOOD = 40


def sapo_file(word):
    """Sapo's customer export: ``GOOD`` customers, then a bad email, a missing name and an
    impossible phone."""
    lines = [SAPO_HEADERS]
    for n in range(GOOD):
        lines.append(
            f"Số {n:02d},Sapo {word},sapo{n}.{word.lower()}@example.com,,{n} Hàng Bạc,,Hà Nội,"
            f",,Vietnam,VN,,{new_phone()},yes,0,0,Sỉ,,no"
        )
    lines.append(f"Hoa,Lê,hoa-{word}-at-example.com,,,,,,,Vietnam,VN,,{new_phone()},,0,0,,,no")
    lines.append(f",,,,,,,,,Vietnam,VN,,{new_phone()},,0,0,,,no")
    lines.append(f"Tuấn,Phạm,tuan.{word.lower()}@example.com,,,,,,,Vietnam,VN,,12345,,0,0,,,no")
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_a_manager_imports_a_sapo_export_and_downloads_the_rejected_rows(
    browser, live_server, shots, tmp_path, screen
):
    base = live_server.url
    word = a_word()
    phone = screen == "phone"
    options = {"locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
    if phone:
        options.update(viewport=PHONE, is_mobile=True, has_touch=True)
    page = browser.new_context(**options).new_page()
    manager_logs_in(page, base)

    visit(page, f"{base}/{SHOP}/admin/customers")
    page.locator("a.customer-import").click()
    page.wait_for_load_state()
    check(page, shots, "01-upload", phone)
    path = tmp_path / "khach-hang-sapo.csv"
    path.write_bytes(sapo_file(word))
    page.set_input_files("input[name=file]", str(path))
    submit(page, "form.import-upload")

    # The Sapo columns are matched; a column we do not know is left out
    check(page, shots, "02-mapping", phone)
    expect(page.locator("select#column_0")).to_have_value("first_name")
    expect(page.locator("select#column_12")).to_have_value("phone")
    expect(page.locator("select#column_18")).to_have_value("")  # Tax Exempt
    page.fill("input[name=tags]", f"Từ Sapo {word}")
    submit(page, "form.import-mapping")

    # The preview: counts, and every rejected row with its reason
    check(page, shots, "03-preview", phone)
    expect(page.locator(".preview-count-create")).to_contain_text(str(GOOD))
    expect(page.locator(".preview-count-reject")).to_contain_text("3")
    rejected = page.locator("table.preview-reject")
    expect(rejected).to_contain_text(vi("The name is missing."))
    expect(rejected).to_contain_text(f"hoa-{word}-at-example.com")

    submit(page, "form.import-run")
    expect(page.locator(".import-result")).to_be_visible()
    check(page, shots, "04-result", phone)
    expect(page.locator(".result-count-create")).to_contain_text(str(GOOD))

    with page.expect_download() as download_info:
        page.locator("a.import-errors").click()
    data = download_info.value.path().read_bytes()
    report = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(report.active.iter_rows(values_only=True))
    assert list(rows[0][:19]) == SAPO_HEADERS.split(",")
    assert len(rows) == 4
    assert all(row[-1] for row in rows[1:])  # a reason on every rejected row

    visit(page, f"{base}/{SHOP}/admin/customers?q=sapo {word}", shots, "05-imported", phone)
    expect(page.locator(".result-count")).to_contain_text(str(GOOD))


# A running import as a busy worker leaves it: its job 40 rows of 100 in. "finish" ends it.
SEED_RUNNING = """
import sys

from core.extensions import db
from models import CustomerImport, Job, Shop, StaffUser, utcnow
from wsgi import app

slug, email, action, *ids = sys.argv[1:]
with app.app_context():
    if action == "start":
        shop = db.session.scalar(db.select(Shop).where(Shop.slug == slug))
        staff = db.session.scalar(db.select(StaffUser).where(StaffUser.email == email))
        job = Job(shop_id=shop.id, kind="customers.import", status="running",
                  progress_done=40, progress_total=100, heartbeat_at=utcnow(), attempts=1,
                  created_by_id=staff.id, params={})
        db.session.add(job)
        db.session.flush()
        record = CustomerImport(shop_id=shop.id, created_by_id=staff.id, job_id=job.id,
                                filename="dang-nhap.xlsx", status="running", row_count=100)
        db.session.add(record)
        db.session.flush()
        job.params = {"import_id": record.id}
        db.session.commit()
        print(record.id, job.id)
    else:
        record, job = db.session.get(CustomerImport, int(ids[0])), db.session.get(Job, int(ids[1]))
        counts = {"create": 97, "update": 0, "skip": 1, "reject": 2}
        job.progress_done, job.status, job.result = 100, "done", counts
        job.finished_at = utcnow()
        record.status, record.counts, record.finished_at = "done", counts, utcnow()
        db.session.commit()
"""


def seed(live_server, action, *ids):
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SEED_RUNNING, SHOP, MANAGER_EMAIL, action, *map(str, ids)],
        cwd=ROOT,
        env=live_server.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_a_running_import_shows_its_progress_then_its_result(browser, live_server, shots):
    base = live_server.url
    import_id, job_id = seed(live_server, "start")
    page = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()
    manager_logs_in(page, base)
    visit(page, f"{base}/{SHOP}/admin/customers/import/{import_id}")
    bar = page.locator(".progress[data-job-url]")
    expect(bar).to_have_attribute("aria-valuenow", "40")
    expect(page.locator(".progress-bar")).to_have_text("40%")
    expect(page.locator(".job-progress-text")).to_contain_text("40 / 100")
    shots(page, "01-progress")

    seed(live_server, "finish", import_id, job_id)
    # The bar follows the job and the page shows the result without a click
    expect(page.locator(".import-result")).to_be_visible()
    check(page, shots, "02-finished")
    expect(page.locator(".result-count-create")).to_contain_text("97")
