"""With REDIS_URL the job queue and the login counters live in Redis, shared by every web
process and worker. These tests need a Redis server: they run when TEST_REDIS_URL is set
(CI sets it), and are skipped otherwise."""

import os
import time
import uuid

import pytest

from core.extensions import db
from core.jobs import job_handler, start_consumer, start_job
from models import Job, JobStatus, Shop

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set")


@job_handler("test.redis-echo")
def echo(job, checkpoint):
    checkpoint(1, total=1)
    return {"echo": job.params["word"]}


@pytest.fixture
def redis_app(make_app):
    name = "test-" + uuid.uuid4().hex[:8]
    app = make_app(
        REDIS_URL=REDIS_URL,
        JOBS_BACKEND="redis",
        JOBS_QUEUE_NAME=name,
        RATELIMIT_STORAGE_URI=REDIS_URL,
    )
    yield app
    app.extensions["huey"].storage.flush_all()


def test_a_worker_on_redis_runs_the_job(redis_app, shop):
    with redis_app.app_context():
        job = start_job(
            shop=db.session.get(Shop, shop.id), kind="test.redis-echo", params={"word": "xin chào"}
        )
        db.session.commit()
        job_id = job.id
    assert len(redis_app.extensions["huey"]) == 1  # waiting in Redis, not run in-process

    consumer = start_consumer(redis_app, workers=1)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with redis_app.app_context():
                job = db.session.get(Job, job_id)
                if job.finished:
                    break
                db.session.remove()
            time.sleep(0.1)
    finally:
        consumer.stop(graceful=True)
    with redis_app.app_context():
        job = db.session.get(Job, job_id)
        assert job.status == JobStatus.DONE
        assert job.result == {"echo": "xin chào"}


def test_login_counters_live_in_redis(shop, owner, redis_app):
    # (The limiter is one per process: the Redis app is made last so its storage is current.)
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    pattern = f"LIMITS*staff-login:{owner.email}*"
    for key in server.scan_iter(pattern):
        server.delete(key)
    client = redis_app.test_client()
    data = {"email": owner.email, "password": "sai"}
    assert client.post(f"/{shop.slug}/admin/login", data=data).status_code == 200
    # Every web process reads the same counter: it is in Redis, not in this process.
    keys = list(server.scan_iter(pattern))
    assert keys
    server.delete(*keys)
