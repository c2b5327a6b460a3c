"""Background work on huey.

Functions register here by name (``@task``, ``@periodic``, ``@job_handler``) and become huey
tasks when the app is made, on the queue the configuration picks: a SQLite file in
``instance/`` (worked by threads inside the server process), Redis (worked by ``flask
worker`` processes on any number of machines) or memory (tests drain it by hand).

``Job`` rows are what users see of long work (imports, exports, bulk email): a handler gets
the job and a ``checkpoint`` function, commits its work in batches together with the count
done, and on a re-run after a crash starts from that count, so nothing is written twice.
"""

import enum
import logging
import signal
from datetime import timedelta
from pathlib import Path

from flask import current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from sqlalchemy import event, or_, update
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.extensions import db

log = logging.getLogger(__name__)

TASKS = {}
PERIODIC = {}
JOB_HANDLERS = {}
MAX_JOB_ATTEMPTS = 3

# The model of job rows, given by ``models.job`` (see ``bind_model``).
Job = None


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def bind_model(model):
    """Class decorator of the model of job rows (``models.job``): core works that table
    without importing the models, which sit above it."""
    global Job
    Job = model
    return model


def task(name):
    """Register a function to run in the background as ``enqueue(name, *args)``."""

    def decorator(func):
        TASKS[name] = func
        return func

    return decorator


def periodic(name, **schedule):
    """Register a function the consumer runs on a crontab schedule."""

    def decorator(func):
        PERIODIC[name] = (func, schedule)
        return func

    return decorator


def job_handler(kind):
    """Register the handler of a kind of ``Job``: ``handler(job, checkpoint) -> result``."""

    def decorator(func):
        JOB_HANDLERS[kind] = func
        return func

    return decorator


def make_huey(app):
    backend = app.config["JOBS_BACKEND"]
    name = app.config["JOBS_QUEUE_NAME"]
    if backend == "redis":
        return RedisHuey(name, url=app.config["REDIS_URL"], utc=True)
    if backend == "memory":
        return MemoryHuey(name, immediate=False, utc=True)
    if backend == "sqlite":
        path = Path(app.instance_path) / "jobs.sqlite3"
        return SqliteHuey(name, filename=str(path), utc=True)
    raise RuntimeError(f"unknown JOBS_BACKEND {backend!r}")


def in_app_context(app, func):
    def run(*args, **kwargs):
        with app.app_context():
            try:
                return func(*args, **kwargs)
            finally:
                db.session.remove()

    run.__name__ = func.__name__
    run.__doc__ = func.__doc__
    return run


def init_app(app):
    huey = make_huey(app)
    tasks = {}
    for name, func in TASKS.items():
        tasks[name] = huey.task(name=name)(in_app_context(app, func))
    for name, (func, schedule) in PERIODIC.items():
        huey.periodic_task(crontab(**schedule), name=name)(in_app_context(app, func))
    app.extensions["huey"] = huey
    app.extensions["huey_tasks"] = tasks


def enqueue(name, *args):
    """Put a task on the queue now."""
    return current_app.extensions["huey_tasks"][name](*args)


def enqueue_after_commit(name, *args):
    """Put a task on the queue once the current transaction commits (never if it rolls
    back), so a worker never looks for rows that are not there yet."""
    pending = db.session.info.setdefault("enqueue_after_commit", [])
    if (name, args) not in pending:
        pending.append((name, args))


@event.listens_for(Session, "after_commit")
def _enqueue_pending(session):
    pending = session.info.pop("enqueue_after_commit", None)
    for name, args in pending or ():
        try:
            enqueue(name, *args)
        except Exception:
            # The periodic sweeps pick the work up later; the commit already stands.
            log.exception("could not enqueue %s%r", name, args)


@event.listens_for(Session, "after_transaction_end")
def _forget_pending(session, transaction):
    # However the outer transaction ends without a commit (rollback, or close, as the end of
    # a request or a worker's task does), its tasks must not ride on the next commit. After
    # a commit, ``_enqueue_pending`` has already taken them.
    if transaction.parent is None:
        session.info.pop("enqueue_after_commit", None)


def drain(app, limit=1000):
    """Run every queued task now, in this thread (tests and the CLI). Returns the count."""
    huey = app.extensions["huey"]
    count = 0
    while count < limit:
        queued = huey.dequeue()
        if queued is None:
            return count
        huey.execute(queued)
        count += 1
    return count


def run_periodic(app):
    """Run every periodic task once now (tests)."""
    for name in PERIODIC:
        PERIODIC[name][0]()


def start_consumer(app, workers=None):
    """Work the queue with threads of this process (the embedded default of ``serve``)."""
    huey = app.extensions["huey"]
    consumer = huey.create_consumer(
        workers=workers or app.config["JOBS_WORKERS"], worker_type="thread", periodic=True
    )
    # The consumer sets signal handlers meant for a process of its own; the server keeps its.
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer.start()
    for sig, handler in saved.items():
        signal.signal(sig, handler)
    return consumer


# --- Job rows -------------------------------------------------------------------------


def start_job(*, shop, kind, params=None, created_by=None, total=None):
    """A job row for ``kind``, run by a worker once the caller commits."""
    if kind not in JOB_HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    job = Job(
        shop_id=shop.id,
        kind=kind,
        params=params or {},
        created_by_id=created_by.id if created_by is not None else None,
        progress_total=total,
    )
    db.session.add(job)
    db.session.flush()
    enqueue_after_commit("jobs.run", job.id)
    return job


def claim_job(job_id, now):
    """Mark the job running if it is queued, or running but abandoned; True if we own it."""
    stale = now - timedelta(seconds=current_app.config["JOBS_STALE_AFTER"])
    result = db.session.execute(
        update(Job)
        .where(Job.id == job_id)
        .where(
            or_(
                Job.status == JobStatus.QUEUED,
                (Job.status == JobStatus.RUNNING) & (Job.heartbeat_at < stale),
            )
        )
        .values(status=JobStatus.RUNNING, heartbeat_at=now, attempts=Job.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


@task("jobs.run")
def run_job(job_id):
    if not claim_job(job_id, utcnow()):
        return
    job = db.session.get(Job, job_id)
    if job.attempts > MAX_JOB_ATTEMPTS:
        finish_job(job, error="gave up after repeated interruptions")
        return
    job.started_at = job.started_at or utcnow()
    db.session.commit()

    def checkpoint(done, total=None):
        """Commit the handler's batch with the count done: the unit a re-run skips."""
        job.progress_done = done
        if total is not None:
            job.progress_total = total
        job.heartbeat_at = utcnow()
        db.session.commit()

    try:
        result = JOB_HANDLERS[job.kind](job, checkpoint)
    except Exception as error:
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, job.kind)
        job = db.session.get(Job, job_id)
        finish_job(job, error=str(error) or error.__class__.__name__)
        return
    job.status = JobStatus.DONE
    job.result = result
    job.finished_at = utcnow()
    db.session.commit()


def finish_job(job, *, error):
    job.status = JobStatus.FAILED
    job.error = error
    job.finished_at = utcnow()
    db.session.commit()


@periodic("jobs.resume", minute="*/5")
def resume_jobs():
    """Queue again the jobs a crash interrupted, or whose queue entry was lost."""
    now = utcnow()
    stale = now - timedelta(seconds=current_app.config["JOBS_STALE_AFTER"])
    rows = db.session.scalars(
        db.select(Job.id).where(
            or_(
                (Job.status == JobStatus.RUNNING) & (Job.heartbeat_at < stale),
                (Job.status == JobStatus.QUEUED) & (Job.created_at < stale),
            )
        )
    ).all()
    for job_id in rows:
        enqueue("jobs.run", job_id)
    return len(rows)
