"""Browser tests: the app served for real on a free loopback port (its own SQLite database,
its job consumer running), driven by Debian's Chromium through Playwright.

Run with ``make e2e``. Screenshots of the key pages go to ``tests/e2e/artifacts/``; a
failing test leaves a screenshot and the page's HTML there too."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import HIGH_RATE_LIMITS

ROOT = Path(__file__).resolve().parents[2]
# The suite's own shop, seeded lean (``flask demo --slug e2e --lean``): the demo's staff,
# six customers and catalog on logins of their own, so that the demo at /demo can be rich.
SHOP = "e2e"
PASSWORD = "demo1234"  # noqa: S105  (the demo's, printed by make run)
OWNER_EMAIL = f"chu.shop@{SHOP}.cuahang.vn"
MANAGER_EMAIL = f"quan.ly@{SHOP}.cuahang.vn"
STAFF_EMAIL = f"nhan.vien@{SHOP}.cuahang.vn"
MEMBER_EMAIL = f"thanh.tam@{SHOP}.cuahang.vn"  # an official member
CANCELLED_EMAIL = f"duc.long@{SHOP}.cuahang.vn"  # a cancelled member
ARTIFACTS = Path(__file__).with_name("artifacts")
EXPORT_MAX_DOWNLOAD_ROWS = 5
PHONE = {"width": 390, "height": 844}
# Waits are for a busy machine, not a fast one: a page that comes is never a failure.
SERVER_START_TIMEOUT = 180  # seconds
EXPECT_TIMEOUT = 30_000  # milliseconds, as long as Playwright waits for a page to load
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chromium_path():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.exit("Chromium is not installed: apt-get install chromium", returncode=1)


class LiveServer:
    def __init__(self, url, env):
        self.url = url
        self.env = env

    def flask(self, *args):
        """Run a ``flask --app wsgi`` command against the served database."""
        return subprocess.run(  # noqa: S603
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app with the suite's shop, served by ``flask serve`` in a process of its own."""
    instance = tmp_path_factory.mktemp("instance")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "MAIL_SERVER", "TEST_DATABASE_URL")
    }
    env.update(
        CUAHANG_INSTANCE_PATH=str(instance),
        CUAHANG_PUBLIC_URL=base,
        FLASK_APP="wsgi",
        PYTHONUNBUFFERED="1",
        # Every test logs in from 127.0.0.1: production's limits (10 logins a minute per
        # address) would turn a later test's login into "too many attempts".
        **{f"CUAHANG_{name}": value for name, value in HIGH_RATE_LIMITS.items()},
        # A whole shop's export is then larger than one download: it runs as a job.
        CUAHANG_EXPORT_MAX_DOWNLOAD_ROWS=str(EXPORT_MAX_DOWNLOAD_ROWS),
    )
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for command in (["db", "upgrade"], ["demo", "--slug", SHOP, "--lean"]):
        subprocess.run([*flask, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    log = (instance / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        [*flask, "serve", "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError((instance / "server.log").read_text()) from None
            time.sleep(0.2)
    yield LiveServer(base, env)
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture(scope="session", autouse=True)
def patient_expectations():
    """``expect(...)`` retries for 5 s by default: too short when the machine is busy."""
    expect.set_options(timeout=EXPECT_TIMEOUT)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path(),
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}


@pytest.fixture
def shots(request):
    """``shots(page, "name")`` saves a full-page screenshot under artifacts/<test>/."""
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return take


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    folder = ARTIFACTS / item.name
    folder.mkdir(parents=True, exist_ok=True)
    for name, page in open_pages(item):
        try:
            page.screenshot(path=str(folder / f"failure-{name}.png"), full_page=True)
            (folder / f"failure-{name}.html").write_text(page.content())
        except Exception as error:  # noqa: BLE001  (the page may be gone)
            (folder / f"failure-{name}.txt").write_text(repr(error))


def open_pages(item):
    """Every page the test had open: its ``page`` and those of contexts it opened itself."""
    seen = []
    for name, value in item.funcargs.items():
        if hasattr(value, "screenshot") and hasattr(value, "content"):
            seen.append((name, value))
        for context in getattr(value, "contexts", []):
            for index, page in enumerate(context.pages):
                if all(page is not known for _, known in seen):
                    seen.append((f"{name}-{len(seen)}-{index}", page))
    return seen
