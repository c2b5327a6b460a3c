"""The import's run as a background job: the plan's rows are written in batches, each
committed with the count of rows done, so a worker that dies mid-run is picked up again and
finishes without writing any customer twice; the counts and the error report are those of the
file, whatever the interruptions."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from core.extensions import db
from core.jobs import resume_jobs
from models import Customer, CustomerEvent, CustomerImport, Job, JobStatus, Shop, StaffUser, utcnow
from services import imports
from services.spreadsheets import read_table
from tests.factories import make_guest

ROWS = "".join(f"Khách {n},09123450{n:02d},khach{n}@example.com\n" for n in range(7))
FILE = ("Tên khách hàng,Điện thoại,Email\n" + ROWS + "Không số,12,\n").encode()


class WorkerKilled(BaseException):
    """The worker process dies: no ``except Exception`` sees it."""


def start_import(app, shop, owner, data=FILE):
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        staff = db.session.get(StaffUser, owner.id)
        customer_import = imports.upload(shop=shop_row, staff=staff, filename="k.csv", data=data)
        job = imports.start(customer_import, shop=shop_row, staff=staff)
        db.session.commit()
        return customer_import.id, job.id


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


@pytest.fixture
def dies_once_in_the_second_batch(monkeypatch):
    """Batches of 2 rows; the first attempt dies after writing (not committing) batch two."""
    monkeypatch.setattr(imports, "BATCH", 2)
    real = imports.write_rows
    calls = []

    def write_then_die(**kwargs):
        result = real(**kwargs)
        calls.append(1)
        if len(calls) == 2:
            db.session.flush()
            raise WorkerKilled
        return result

    monkeypatch.setattr(imports, "write_rows", write_then_die)


def test_a_run_interrupted_by_a_crash_resumes_without_duplicates(
    app, shop, owner, run_jobs, dies_once_in_the_second_batch
):
    import_id, job_id = start_import(app, shop, owner)
    with pytest.raises(WorkerKilled):
        run_jobs()
    assert count(app, Customer) == 2  # the first batch only: the second was never committed
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert (job.status, job.progress_done, job.progress_total) == ("running", 2, 8)
        # The worker's heartbeat goes silent; the five-minute sweep queues the job again.
        db.session.execute(
            update(Job).where(Job.id == job_id).values(heartbeat_at=utcnow() - timedelta(hours=1))
        )
        db.session.commit()
        assert resume_jobs() == 1
    run_jobs()
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert (job.status, job.progress_done, job.attempts) == (JobStatus.DONE, 8, 2)
        emails = db.session.scalars(select(Customer.email).order_by(Customer.email)).all()
        assert emails == [f"khach{n}@example.com" for n in range(7)]
        assert db.session.scalar(select(func.count(CustomerEvent.id))) == 7
        customer_import = db.session.get(CustomerImport, import_id)
        assert customer_import.status == "done"
        assert customer_import.counts == {"create": 7, "update": 0, "skip": 0, "reject": 1}
        assert job.result == customer_import.counts
        report = read_table("loi.xlsx", customer_import.error_report, max_bytes=10**6, max_rows=9)
        assert [row[0] for row in report.rows] == ["Không số"]  # the impossible phone's row


def test_a_job_of_another_shop_cannot_reach_this_shops_import(app, shop, owner, other_shop):
    import_id, _job_id = start_import(app, shop, owner)
    with app.app_context():
        stranger = db.session.get(Shop, other_shop.id)
        job = Job(shop_id=stranger.id, kind=imports.JOB_KIND, params={"import_id": import_id})
        db.session.add(job)
        db.session.flush()
        with pytest.raises(Exception, match="No row was found"):
            imports.run_import_job(job, lambda done, total=None: None)
        db.session.rollback()
        assert db.session.scalar(select(func.count(Customer.id))) == 0


def test_an_upload_never_run_is_forgotten_after_a_week_and_a_run_one_is_kept(app, shop, owner):
    run_id, _job_id = start_import(app, shop, owner)  # run: kept
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        staff = db.session.get(StaffUser, owner.id)
        old = imports.upload(shop=shop_row, staff=staff, filename="cu.csv", data=FILE)
        recent = imports.upload(shop=shop_row, staff=staff, filename="moi.csv", data=FILE)
        old.created_at = utcnow() - timedelta(days=8)
        db.session.commit()
        old_id, recent_id = old.id, recent.id
        assert imports.forget_stale_uploads() == 1
        remaining = db.session.scalars(select(CustomerImport.id).order_by(CustomerImport.id))
        assert remaining.all() == [run_id, recent_id]
        assert db.session.get(CustomerImport, old_id) is None


def test_a_row_whose_email_another_customer_took_after_the_plan_is_counted_and_reported(
    app, shop, owner, run_jobs, monkeypatch
):
    """Between the job's plan and its write, a shopper checks out as a guest with the email of
    row 4: that row is rejected, not counted as created, and is in the error report."""
    real = imports.plan_import

    def plan_then_someone_checks_out(**kwargs):
        plan = real(**kwargs)
        make_guest(app, shop, first_name="Lan", last_name="Trần", email="khach3@example.com")
        return plan

    monkeypatch.setattr(imports, "plan_import", plan_then_someone_checks_out)
    import_id, _job_id = start_import(app, shop, owner)
    run_jobs()
    with app.app_context():
        customer_import = db.session.get(CustomerImport, import_id)
        assert customer_import.counts == {"create": 6, "update": 0, "skip": 0, "reject": 2}
        owners = db.session.scalars(
            select(Customer.first_name).where(Customer.email == "khach3@example.com")
        )
        assert owners.all() == ["Lan"]
        report = read_table("loi.xlsx", customer_import.error_report, max_bytes=10**6, max_rows=9)
        assert [row[0] for row in report.rows] == ["Khách 3", "Không số"]
        assert report.rows[0][-1].startswith("Trong lúc chờ, mã khách hàng hoặc email")
