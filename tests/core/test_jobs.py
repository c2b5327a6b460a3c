"""Background jobs: a job row is queued with its transaction, run by a worker with progress
in batches, failed with its error, and picked up again after a crash without writing twice
what it had already committed. Staff follow it through a JSON status endpoint."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from core.extensions import db
from core.jobs import enqueue, job_handler, resume_jobs, start_job
from core.outbox import queue_mail
from models import Job, JobStatus, OutboxMessage, Shop, utcnow


class WorkerKilled(BaseException):
    """The worker process dies mid-job: no ``except Exception`` in the job code sees it."""


@job_handler("test.count")
def write_numbered_messages(job, checkpoint):
    """A bulk-email-like job: one outbox message per number, committed ``batch`` at a time,
    resuming from the count the last checkpoint committed.

    ``fail_at``: raise an ordinary error before committing that count.
    ``crash_after``: once that count is committed, the worker dies while writing the next
    batch, on the first ``crashes`` attempts (1 by default).
    """
    params = job.params
    total, batch = params["total"], params.get("batch", 3)
    shop = db.session.get(Shop, job.shop_id)
    done = job.progress_done
    while done < total:
        upto = min(done + batch, total)
        for number in range(done, upto):
            queue_mail(
                shop=shop,
                to=f"khach{number}@example.com",
                subject=f"Ưu đãi tháng này số {number}",
                text="Chào bạn, Thời Trang Mai giảm 20% cho áo dài.",
            )
        if params.get("fail_at") == upto:
            raise ValueError("Dòng 5: email không hợp lệ")
        if params.get("crash_after") == done and job.attempts <= params.get("crashes", 1):
            raise WorkerKilled
        checkpoint(upto, total)
        done = upto
    return {"written": total}


# --- Helpers ---------------------------------------------------------------------------


def start(app, shop, total=7, **params):
    """Start a ``test.count`` job for ``shop`` and commit; its id."""
    with app.app_context():
        job = start_job(
            shop=db.session.get(Shop, shop.id),
            kind="test.count",
            params={"total": total, **params},
            total=total,
        )
        db.session.commit()
        return job.id


def job_row(app, job_id):
    with app.app_context():
        return db.session.get(Job, job_id)


def written(app):
    """Recipients of the messages the jobs wrote, in the order they were written."""
    with app.app_context():
        return db.session.scalars(
            db.select(OutboxMessage.to_address).order_by(OutboxMessage.id)
        ).all()


def numbered(*numbers):
    return [f"khach{n}@example.com" for n in numbers]


def worker_died_minutes_ago(app, job_id, minutes=16):
    """Time passes: the job's last sign of life is now ``minutes`` old."""
    with app.app_context():
        db.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(heartbeat_at=utcnow() - timedelta(minutes=minutes))
        )
        db.session.commit()


def resume(app):
    """The five-minute sweep of a worker: queue interrupted jobs again."""
    with app.app_context():
        return resume_jobs()


# --- Running -------------------------------------------------------------------------


def test_started_job_waits_for_a_worker_then_reports_done_with_result_and_progress(
    app, shop, run_jobs
):
    # Given a job started and committed
    job_id = start(app, shop, total=7, batch=3)
    job = job_row(app, job_id)
    assert (job.status, job.progress_done, job.progress_total) == (JobStatus.QUEUED, 0, 7)
    assert job.started_at is None

    # When a worker runs the queue
    run_jobs()

    # Then the job is done, with its result and full progress
    job = job_row(app, job_id)
    assert job.status == JobStatus.DONE
    assert job.result == {"written": 7}
    assert (job.progress_done, job.progress_total, job.percent) == (7, 7, 100)
    assert job.error is None
    assert job.attempts == 1
    assert job.started_at is not None
    assert job.finished_at >= job.started_at
    # And its work is there, once
    assert written(app) == numbered(*range(7))


def test_job_is_never_run_when_its_transaction_rolls_back(app, shop, run_jobs):
    # Given a job started in a transaction that rolls back
    with app.app_context():
        start_job(shop=db.session.get(Shop, shop.id), kind="test.count", params={"total": 3})
        db.session.rollback()
        db.session.commit()
    # Then there is no job and no worker is woken for it
    assert run_jobs() == 0
    with app.app_context():
        assert db.session.scalars(db.select(Job)).all() == []


def test_job_of_a_session_closed_without_commit_is_not_queued_by_a_later_commit(
    app, shop, run_jobs
):
    # Given a job started in a session that is closed without committing (a request that
    # failed ends so), after which the same session commits other work
    with app.app_context():
        start_job(shop=db.session.get(Shop, shop.id), kind="test.count", params={"total": 3})
        db.session.close()
        db.session.get(Shop, shop.id).name = "Thời Trang Mai (mới)"
        db.session.commit()
    # Then no worker is woken for a job that was never written
    assert run_jobs() == 0
    with app.app_context():
        assert db.session.scalars(db.select(Job)).all() == []


def test_unknown_job_kind_is_refused_before_anything_is_written(app, shop):
    with app.app_context(), pytest.raises(ValueError, match="no handler"):
        start_job(shop=db.session.get(Shop, shop.id), kind="test.khong-co")


def test_failing_job_is_marked_failed_with_its_error_and_keeps_committed_batches(
    app, shop, run_jobs
):
    # Given a job whose second batch meets an error
    job_id = start(app, shop, total=7, batch=3, fail_at=6)

    # When a worker runs it
    run_jobs()

    # Then the job is failed with the error a manager can read
    job = job_row(app, job_id)
    assert job.status == JobStatus.FAILED
    assert job.error == "Dòng 5: email không hợp lệ"
    assert job.finished_at is not None
    assert job.result is None
    # And what its first batch committed stays, while the failed batch left nothing
    assert job.progress_done == 3
    assert written(app) == numbered(0, 1, 2)


# --- Crashes, and two workers ----------------------------------------------------------


def test_interrupted_job_is_resumed_and_does_not_redo_committed_batches(app, shop, run_jobs):
    # Given a job whose worker dies while writing its second batch
    job_id = start(app, shop, total=7, batch=3, crash_after=3)
    with pytest.raises(WorkerKilled):
        run_jobs()
    job = job_row(app, job_id)
    assert (job.status, job.progress_done, job.attempts) == (JobStatus.RUNNING, 3, 1)
    assert written(app) == numbered(0, 1, 2)

    # When the sweep runs while the job still looks alive, it leaves it alone
    assert resume(app) == 0

    # When its heartbeat has been silent long enough and the sweep runs
    worker_died_minutes_ago(app, job_id)
    assert resume(app) == 1
    run_jobs()

    # Then the job finishes from where it was, without writing anything twice
    job = job_row(app, job_id)
    assert (job.status, job.progress_done, job.attempts) == (JobStatus.DONE, 7, 2)
    assert job.result == {"written": 7}
    assert written(app) == numbered(*range(7))


def test_running_job_with_a_fresh_heartbeat_is_not_taken_by_a_second_worker(app, shop, run_jobs):
    # Given a job another worker is running right now
    job_id = start(app, shop, total=7)
    with app.app_context():
        db.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(status=JobStatus.RUNNING, heartbeat_at=utcnow(), attempts=1)
        )
        db.session.commit()

    # When a second worker picks up the job's queue entry, and the sweep runs
    assert run_jobs() == 1
    assert resume(app) == 0

    # Then the second worker did nothing: no attempt counted, nothing written
    job = job_row(app, job_id)
    assert (job.status, job.attempts, job.progress_done) == (JobStatus.RUNNING, 1, 0)
    assert written(app) == []


def test_job_queued_twice_runs_once(app, shop, run_jobs):
    # Given a job whose queue entry exists twice (the sweep re-queued it, say)
    job_id = start(app, shop, total=4)
    with app.app_context():
        enqueue("jobs.run", job_id)

    # When a worker runs both entries
    assert run_jobs() >= 2

    # Then the job ran once
    job = job_row(app, job_id)
    assert (job.status, job.attempts) == (JobStatus.DONE, 1)
    assert written(app) == numbered(0, 1, 2, 3)


def test_job_whose_queue_entry_was_lost_is_queued_again_by_the_sweep(app, shop, run_jobs):
    # Given a job whose queue entry was lost (the queue's store was wiped)
    job_id = start(app, shop, total=4)
    app.extensions["huey"].flush()
    assert run_jobs() == 0
    assert resume(app) == 0  # a job only just queued is not yet considered lost

    # When it has waited long enough and the sweep runs
    with app.app_context():
        db.session.execute(
            update(Job).where(Job.id == job_id).values(created_at=utcnow() - timedelta(minutes=16))
        )
        db.session.commit()
    assert resume(app) == 1
    run_jobs()

    # Then it runs to the end
    assert job_row(app, job_id).status == JobStatus.DONE
    assert written(app) == numbered(0, 1, 2, 3)


def test_job_that_keeps_dying_is_failed_instead_of_retried_forever(app, shop, run_jobs):
    # Given a job whose worker dies every time at the same place
    job_id = start(app, shop, total=7, batch=3, crash_after=3, crashes=99)
    with pytest.raises(WorkerKilled):
        run_jobs()

    # When the sweep keeps resuming it
    for _ in range(5):
        worker_died_minutes_ago(app, job_id)
        if resume(app) == 0:
            break
        try:
            run_jobs()
        except WorkerKilled:
            continue

    # Then after a few attempts it is failed with a reason, its committed batch kept
    job = job_row(app, job_id)
    assert job.status == JobStatus.FAILED
    assert "gave up" in job.error
    assert job.attempts == 4
    assert written(app) == numbered(0, 1, 2)
    assert resume(app) == 0


# --- The status endpoint ---------------------------------------------------------------


def job_status(client, shop, job_id):
    return client.get(f"/{shop.slug}/admin/jobs/{job_id}.json")


def test_job_status_json_shows_staff_the_progress_until_done(
    app, client, auth, shop, staff_member, run_jobs
):
    # Given a job of the shop that a worker has not started yet
    job_id = start(app, shop, total=7, batch=3, crash_after=3)
    auth.login_staff(staff_member)

    # Then its staff see it queued
    response = job_status(client, shop, job_id)
    assert response.status_code == 200
    data = response.get_json()
    assert (data["id"], data["kind"], data["status"]) == (job_id, "test.count", "queued")
    assert data["progress"] == {"done": 0, "total": 7, "percent": 0}
    assert data["started_at"] is None

    # When its worker stops part way, they see how far it got
    with pytest.raises(WorkerKilled):
        run_jobs()
    data = job_status(client, shop, job_id).get_json()
    assert data["status"] == "running"
    assert data["progress"] == {"done": 3, "total": 7, "percent": 42}
    assert data["started_at"] is not None

    # When it is resumed and finishes, they see the result
    worker_died_minutes_ago(app, job_id)
    resume(app)
    run_jobs()
    data = job_status(client, shop, job_id).get_json()
    assert data["status"] == "done"
    assert data["progress"] == {"done": 7, "total": 7, "percent": 100}
    assert data["result"] == {"written": 7}
    assert data["error"] is None
    assert data["finished_at"] is not None


def test_job_status_json_tells_staff_why_a_job_failed(app, client, auth, shop, owner, run_jobs):
    job_id = start(app, shop, total=7, batch=3, fail_at=6)
    run_jobs()
    auth.login_staff(owner)
    data = job_status(client, shop, job_id).get_json()
    assert data["status"] == "failed"
    assert data["error"] == "Dòng 5: email không hợp lệ"
    assert data["result"] is None


def test_job_status_json_of_another_shops_job_is_404(
    app, client, auth, shop, owner, other_shop, run_jobs
):
    # Given a job of another shop
    other_job = start(app, other_shop, total=2)
    run_jobs()
    auth.login_staff(owner)

    # Then it does not exist for this shop's staff, by either shop's address
    missing = job_status(client, shop, other_job + 1000)
    foreign = job_status(client, shop, other_job)
    assert foreign.status_code == missing.status_code == 404
    assert job_status(client, other_shop, other_job).status_code == 404
    assert "written" not in foreign.text


def test_job_status_json_sends_anonymous_visitors_to_the_login(client, app, shop):
    job_id = start(app, shop, total=2)
    response = job_status(client, shop, job_id)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/{shop.slug}/admin/login")
