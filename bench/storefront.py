"""Storefront benchmark: how close the product page comes to the bare cost of its template.

1. A temporary instance: ``flask db upgrade``, then bench/seed.py (1,000 products in six
   collections, 10,000 customers) on its default SQLite database.
2. SQL statements of one product page and one home page, counted in-process.
3. gunicorn -w 2 serves the app, and the bare app (bench/bare_app.py: the same product
   template from memory) on another loopback port; both render the same product, checked.
4. The same load generator (bench/loadgen.py, 8 clients) measures the product pages (many
   slugs), the home page and the bare app, interleaved over four rounds after a warm-up.

The last line printed is one JSON object; ``ratio`` = product req/s ÷ bare req/s, the goal
is ≥ 0.6. The servers are stopped whatever happens. ``--profile`` adds a cProfile of 200
product pages rendered in-process (no server), for finding where the time goes.
"""

import argparse
import cProfile
import html
import http.client
import io
import json
import os
import pstats
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as ``python bench/storefront.py``, this file's folder comes first on sys.path, where
# this module would hide the ``storefront`` blueprint package: put the project root there.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench import loadgen  # noqa: E402  (bench/ is a namespace package)

BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
GOAL = 0.6
CONCURRENCY = 8
WARMUP = 200
REQUESTS = 2_000  # per target, split over the rounds
ROUNDS = 4  # short, interleaved runs: a burst of other work on the machine hits every target
TIME_LIMIT = 170.0  # seconds for the whole benchmark
RUN_LIMIT = 40.0  # seconds for one measured run
CSRF_VALUE = re.compile(r'(name="csrf_token" value=")[^"]*(")')


def log(message):
    print(message, flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def bench_environment(instance, port):
    env = dict(os.environ)
    # Self-contained: the default SQLite database of the temporary instance, no Redis, and
    # CUAHANG_ENV left at its default (development).
    for name in ("DATABASE_URL", "REDIS_URL", "CUAHANG_ENV", "CUAHANG_DATABASE_URL"):
        env.pop(name, None)
    env.update(
        CUAHANG_INSTANCE_PATH=str(instance),
        CUAHANG_PUBLIC_URL=f"http://{HOST}:{port}",
        SECRET_KEY=secrets.token_hex(32),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def run_step(args, env, timeout=90):
    done = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode:
        raise RuntimeError(f"{' '.join(map(str, args))} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


# --- Statement counts -----------------------------------------------------------------


def count_queries(env, shop, slug, profile=False):
    """Statements of one product page and one home page (the second render of each, so
    that start-up work does not count), in-process with the test client."""
    os.environ.update({k: v for k, v in env.items() if k.startswith(("CUAHANG_", "SECRET"))})
    for name in ("DATABASE_URL", "REDIS_URL", "CUAHANG_ENV", "CUAHANG_DATABASE_URL"):
        os.environ.pop(name, None)
    from sqlalchemy import event

    from app import create_app
    from core.extensions import db

    app = create_app()
    client = app.test_client()
    statements = []
    with app.app_context():
        engine = db.engine

    def counter(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", counter)
    counts = {}
    for key, path in (("product", f"/{shop}/products/{slug}"), ("home", f"/{shop}/")):
        client.get(path)
        statements.clear()
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code} in-process")
        counts[key] = list(statements)
    event.remove(engine, "before_cursor_execute", counter)
    report = None
    if profile:
        report = profile_product_pages(client, shop)
    return counts, report


def profile_product_pages(client, shop, pages=200):
    from core.extensions import db
    from models import Product

    with client.application.app_context():
        slugs = db.session.scalars(
            db.select(Product.slug).where(Product.hidden.is_(False)).limit(pages)
        ).all()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for slug in slugs:
        client.get(f"/{shop}/products/{slug}")
    profiler.disable()
    per_page = (time.perf_counter() - started) / len(slugs) * 1000
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(40)
    return f"{len(slugs)} product pages in-process, {per_page:.2f} ms each (profiled)\n" + (
        out.getvalue()
    )


# --- Servers --------------------------------------------------------------------------


class Server:
    def __init__(self, name, args, env, port, logdir):
        self.name, self.port = name, port
        self.log_path = Path(logdir) / f"{name}.log"
        self.log_file = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends master and workers
        )

    def wait_ready(self, path, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                break
            try:
                status, _ = get(self.port, path)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start:\n{self.log_tail()}")

    def log_tail(self, lines=30):
        self.log_file.flush()
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
            except ProcessLookupError:
                pass
        self.log_file.close()


def gunicorn(app_spec, port, *extra):
    return [str(BIN / "gunicorn"), "-w", "2", "-b", f"{HOST}:{port}", *extra, app_spec]


def get(port, path):
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def check_same_page(app_port, bare_port, shop, product, price_text):
    """Both servers render this product, with its name and price; report whether the HTML
    is the same (the CSRF token aside)."""
    path = f"/{shop}/products/{product['slug']}"
    pages = {}
    for name, port in (("app", app_port), ("bare", bare_port)):
        status, body = get(port, path)
        if status != 200:
            raise RuntimeError(f"{name} {path} answered {status}")
        for wanted in (html.escape(product["name"]), price_text):
            if wanted not in body:
                raise RuntimeError(f"{name} {path}: {wanted!r} missing from the page")
        pages[name] = CSRF_VALUE.sub(r"\1\2", body)
    if pages["app"] == pages["bare"]:
        return f"same HTML ({len(pages['app'])} characters, CSRF token aside)"
    app_lines, bare_lines = pages["app"].splitlines(), pages["bare"].splitlines()
    for number, (a, b) in enumerate(zip(app_lines, bare_lines, strict=False), 1):
        if a != b:
            return (
                f"HTML DIFFERS from line {number}: app {a.strip()[:80]!r} / bare {b.strip()[:80]!r}"
            )
    return f"HTML DIFFERS in length: app {len(app_lines)} lines, bare {len(bare_lines)} lines"


# --- Main -----------------------------------------------------------------------------


def measure(targets, started):
    """Warm up every target, then run them interleaved; one Result per target."""
    results = {name: loadgen.Result(name) for name in targets}
    warmup_errors = 0
    for name, (port, paths) in targets.items():
        warm = loadgen.run(name, HOST, port, paths, total=WARMUP, concurrency=CONCURRENCY)
        warmup_errors += warm.errors
        if warm.errors:
            log(f"  warm-up {name}: {warm.errors} errors {dict(warm.statuses)}")
    order = list(targets)
    for round_no in range(ROUNDS):
        for name in order if round_no % 2 == 0 else reversed(order):
            port, paths = targets[name]
            left = TIME_LIMIT - (time.monotonic() - started) - 5
            if left <= 1:
                results[name].timed_out = True
                continue
            cpu = time.process_time()
            result = loadgen.run(
                name,
                HOST,
                port,
                paths,
                total=REQUESTS // ROUNDS,
                concurrency=CONCURRENCY,
                deadline=min(RUN_LIMIT, left),
            )
            cpu = time.process_time() - cpu
            log(
                f"  round {round_no + 1} {name:<8} {result.rps:8.1f} req/s"
                f"  (load generator used {cpu / result.elapsed:.0%} of a core)"
            )
            results[name].merge(result)
    return results, warmup_errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="cProfile 200 product pages")
    parser.add_argument("--keep", action="store_true", help="keep the temporary instance")
    options = parser.parse_args()

    started = time.monotonic()
    instance = Path(tempfile.mkdtemp(prefix="cuahang-bench-"))
    app_port, bare_port = free_port(), free_port()
    env = bench_environment(instance, app_port)
    data_path = instance / "bench-data.json"
    servers = []
    try:
        log(f"instance {instance}")
        run_step([BIN / "flask", "--app", "wsgi", "db", "upgrade"], env)
        log(run_step([sys.executable, "-m", "bench.seed", data_path], env))
        data = json.loads(data_path.read_text(encoding="utf-8"))
        shop = data["shop"]["slug"]
        products = data["products"]
        slugs = [p["slug"] for p in products]
        random.Random(7).shuffle(slugs)

        statements, profile_report = count_queries(env, shop, slugs[0], options.profile)
        for key in ("product", "home"):
            log(f"SQL statements per {key} page: {len(statements[key])}")
            for statement in statements[key]:
                log(f"    {statement[:110]}")

        servers.append(Server("app", gunicorn("wsgi:app", app_port), env, app_port, instance))
        bare_env = dict(env, BENCH_BARE_DATA=str(data_path))
        bare_args = gunicorn("bench.bare_app:app", bare_port)
        servers.append(Server("bare", bare_args, bare_env, bare_port, instance))
        servers[0].wait_ready("/healthz")
        servers[1].wait_ready(f"/{shop}/products/{slugs[0]}")

        from babel.numbers import format_currency

        sample = products[len(products) // 2]
        price_text = format_currency(sample["price"], data["shop"]["currency"], locale="vi")
        same = check_same_page(app_port, bare_port, shop, sample, price_text)
        log(f"product template check: {same}")

        targets = {
            "product": (app_port, [f"/{shop}/products/{s}" for s in slugs]),
            "home": (app_port, [f"/{shop}/"]),
            "bare": (bare_port, [f"/{shop}/products/{s}" for s in slugs]),
        }
        log(
            f"load: {CONCURRENCY} clients, {WARMUP} warm-up + {REQUESTS} requests per target "
            f"in {ROUNDS} interleaved rounds; gunicorn -w 2 on {os.cpu_count()} CPUs"
        )
        results, warmup_errors = measure(targets, started)
    finally:
        for server in servers:
            server.stop()
        if not options.keep:
            shutil.rmtree(instance, ignore_errors=True)

    log("")
    for name, label in (
        ("product", "(a) product page"),
        ("home", "(b) home page"),
        ("bare", "(c) bare template"),
    ):
        r = results[name]
        line = (
            f"{label:<18} {r.rps:8.1f} req/s  p50 {r.percentile(50):6.1f} ms  "
            f"p95 {r.percentile(95):6.1f} ms  {r.requests} requests  errors {r.errors}"
        )
        if r.errors:
            line += f"  statuses {dict(r.statuses)}"
        if r.timed_out:
            line += "  (stopped by the time limit)"
        log(line)
    errors = sum(r.errors for r in results.values()) + warmup_errors
    bare_rps = results["bare"].rps
    ratio = results["product"].rps / bare_rps if bare_rps else 0.0
    verdict = "meets the goal" if ratio >= GOAL else "BELOW THE GOAL"
    log(f"ratio {ratio:.2f} (product ÷ bare; goal ≥ {GOAL}): {verdict}")
    if errors:
        log(f"ERRORS: {errors} requests failed (non-2xx or broken), warm-up included")
    if profile_report:
        log("")
        log(profile_report)
    summary = {
        "bench": "storefront",
        "ratio": round(ratio, 3),
        "goal": GOAL,
        "product_rps": round(results["product"].rps, 1),
        "home_rps": round(results["home"].rps, 1),
        "bare_rps": round(bare_rps, 1),
        "product_p95_ms": round(results["product"].percentile(95), 2),
        "home_p95_ms": round(results["home"].percentile(95), 2),
        "bare_p95_ms": round(results["bare"].percentile(95), 2),
        "errors": errors,
        "product_queries": len(statements["product"]),
        "home_queries": len(statements["home"]),
    }
    print(json.dumps(summary), flush=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
