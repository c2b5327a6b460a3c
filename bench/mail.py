"""Mail benchmark: the outbox's delivery against one SMTP connection per message.

1. A local SMTP server: aiosmtpd in a process of its own (its work does not share this
   process's interpreter), on a free port of 127.0.0.1. It accepts every message, counts
   it and keeps nothing. It asks for what the production setup of the README talks to
   (port 587, ``MAIL_USE_TLS``, a login): STARTTLS with a throw-away certificate, then AUTH.
   ``--plain`` adds the same measurement against a server without TLS and login.
2. The outbox lives in PostgreSQL (``BENCH_DATABASE_URL``, default
   ``postgresql+psycopg://postgres@127.0.0.1:5432/cuahang_bench_mail``, created when
   missing and migrated to the head), or with ``--sqlite`` in a SQLite file of a temporary
   folder. Each round queues its share of the messages through ``queue_mail`` (untimed): a
   care email in Vietnamese, text and HTML, each with the customer's own name.
3. Each round times both ways of sending the same messages, alternating which goes first:
   - one connection per message: for each message, build it from its row as the outbox
     does (``build_message``), then plain smtplib: connect, STARTTLS and login, send, quit;
   - the app: ``deliver_outbox()``, the task a worker runs: claims of ``OUTBOX_BATCH_SIZE``,
     one connection for the run, each message recorded as the server accepts it.
     ``MAIL_RATE_PER_SHOP`` is off: this measures how fast delivery can go.
   After each, the server's count and the outbox rows are checked: every message arrived,
   once.

The last line printed is one JSON object; ``ratio`` = the app's messages/s ÷ those of one
connection per message, the goal is ≥ 10. ``make bench-mail``; ``BENCH_ARGS`` passes options.
"""

import argparse
import json
import os
import secrets
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from email.utils import parseaddr
from pathlib import Path

import aiosmtpd
import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy.orm import selectinload  # noqa: E402

from app import create_app  # noqa: E402
from core.extensions import db  # noqa: E402
from core.outbox import build_message, deliver_outbox, queue_mail  # noqa: E402
from models import MailStatus, OutboxMessage, Shop  # noqa: E402
from services.shops import create_shop  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cuahang_bench_mail"
HOST = "127.0.0.1"
GOAL = 10
MESSAGES = 10_000
ROUNDS = 4
SHOP_SLUG = "bench-mail"
LOGIN, PASSWORD = "bench@example.com", secrets.token_hex(8)
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Thị", "Văn", "Ngọc", "Minh", "Thu", "Hữu", "Bảo", "Thanh"]
GIVEN = ["Lan", "Hùng", "Hà", "Mai", "Dũng", "Phương", "Tuấn", "Trâm", "Khánh", "Yến", "Sơn"]
SUBJECT = "Thời Trang Mai: ưu đãi tháng 5 dành riêng cho {name}"
TEXT = """Xin chào {name},

Cảm ơn chị đã đồng hành cùng Thời Trang Mai. Tháng này, cửa hàng dành riêng cho chị
ưu đãi giảm 20% cho các mẫu áo dài lụa tơ tằm và đầm công sở mới về.

Mã ưu đãi của chị: MAI{code}
Áp dụng đến hết ngày 31/05 tại cửa hàng và trên website.

Trân trọng,
Thời Trang Mai
"""
HTML = """<!doctype html><html lang="vi"><body style="font-family:sans-serif">
<p>Xin chào <strong>{name}</strong>,</p>
<p>Cảm ơn chị đã đồng hành cùng Thời Trang Mai. Tháng này, cửa hàng dành riêng cho chị
ưu đãi giảm <strong>20%</strong> cho các mẫu áo dài lụa tơ tằm và đầm công sở mới về.</p>
<p style="font-size:18px">Mã ưu đãi của chị: <code>MAI{code}</code></p>
<p><a href="https://cuahang.test/thoi-trang-mai/">Xem bộ sưu tập</a></p>
<p>Trân trọng,<br>Thời Trang Mai</p>
</body></html>
"""

# The SMTP server, run as ``python -c SERVER PORT [CERT KEY LOGIN PASSWORD]``. It answers
# "count" and "cpu" on stdin and stops when stdin closes.
SERVER = """
import logging, ssl, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

# aiosmtpd warns, on each login, about a deprecated field it sets itself.
logging.getLogger("mail.log").setLevel(logging.ERROR)
port, tls = int(sys.argv[1]), len(sys.argv) > 2


class Sink:
    count = 0

    async def handle_DATA(self, server, session, envelope):
        Sink.count += len(envelope.rcpt_tos)
        return "250 OK"


options = {}
if tls:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(sys.argv[2], sys.argv[3])
    login, password = sys.argv[4].encode(), sys.argv[5].encode()

    def authenticate(server, session, envelope, mechanism, data):
        return AuthResult(success=(data.login, data.password) == (login, password))

    options = dict(
        tls_context=context, require_starttls=True, authenticator=authenticate,
        auth_require_tls=True, auth_required=True,
    )
controller = Controller(
    Sink(), hostname="127.0.0.1", port=port, server_hostname="smtp.bench.test", **options
)
controller.start()
print("ready", flush=True)
for line in sys.stdin:
    answer = Sink.count if line.strip() == "count" else time.process_time()
    print(answer, flush=True)
controller.stop()
"""


def log(message):
    print(message, flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def certificate(folder):
    """A throw-away certificate and key (RSA 2048, as most servers have) for the server; the
    test certificate aiosmtpd ships with when ``openssl`` is missing."""
    cert, key = Path(folder, "cert.pem"), Path(folder, "key.pem")
    if shutil.which("openssl") is None:
        shipped = Path(aiosmtpd.__file__).parent / "tests" / "certs"
        return str(shipped / "server.crt"), str(shipped / "server.key")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)


class SMTPSink:
    """The local SMTP server process."""

    def __init__(self, folder, tls):
        self.tls = tls
        self.port = free_port()
        args = [sys.executable, "-c", SERVER, str(self.port)]
        if tls:
            args += [*certificate(folder), LOGIN, PASSWORD]
        self.process = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
        )
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("the SMTP server did not start")

    def ask(self, question):
        self.process.stdin.write(question + "\n")
        self.process.stdin.flush()
        return float(self.process.stdout.readline())

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


# --- The database ---------------------------------------------------------------------


def ensure_database(url):
    name = make_url(url).database
    dsn = make_url(url).set(drivername="postgresql", database="postgres")
    with psycopg.connect(dsn.render_as_string(hide_password=False), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            log(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def bench_app(url, instance, sink, batch_size=None):
    config = {
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        "INSTANCE_PATH": instance,
        "JOBS_BACKEND": "memory",
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SERVER": HOST,
        "MAIL_PORT": sink.port,
        "MAIL_TIMEOUT": 60,
        "MAIL_RATE_PER_SHOP": 0,
        "MAIL_DEFAULT_SENDER": "Cửa Hàng <no-reply@example.com>",
    }
    if sink.tls:
        config.update(MAIL_USE_TLS=True, MAIL_USERNAME=LOGIN, MAIL_PASSWORD=PASSWORD)
    if batch_size:
        config["OUTBOX_BATCH_SIZE"] = batch_size
    return create_app(config)


def bench_shop():
    """The bench shop, made once; what an earlier run left in its outbox is removed."""
    shop = db.session.scalar(db.select(Shop).where(Shop.slug == SHOP_SLUG))
    if shop is None:
        shop, _ = create_shop(
            slug=SHOP_SLUG,
            name="Thời Trang Mai",
            owner_email="mai@example.com",
            owner_password=secrets.token_hex(12),
        )
    db.session.execute(db.delete(OutboxMessage).where(OutboxMessage.shop_id == shop.id))
    db.session.commit()
    return shop.id


def customer(number):
    name = (
        f"{FAMILY[number % len(FAMILY)]} {MIDDLE[number // 7 % len(MIDDLE)]} "
        f"{GIVEN[number // 3 % len(GIVEN)]}"
    )
    return name, f"khach{number:05d}@example.com"


def queue_round(shop_id, first, count):
    """Queue messages ``first``…``first + count - 1``; their rows, loaded and detached."""
    shop = db.session.get(Shop, shop_id)
    messages = []
    for number in range(first, first + count):
        name, address = customer(number)
        messages.append(
            queue_mail(
                shop=shop,
                to=address,
                to_name=name,
                subject=SUBJECT.format(name=name),
                text=TEXT.format(name=name, code=number),
                html=HTML.format(name=name, code=number),
                kind="campaign",
            )
        )
    db.session.flush()
    ids = [message.id for message in messages]
    db.session.commit()
    rows = db.session.scalars(
        db.select(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .options(selectinload(OutboxMessage.shop))
        .order_by(OutboxMessage.id)
    ).all()
    db.session.expunge_all()
    return ids, rows


# --- The two ways -----------------------------------------------------------------------


def one_connection_each(rows, sink):
    """What a sender without an outbox does: a connection of its own for each message."""
    for row in rows:
        message = build_message(row)
        sender = message.sender if isinstance(message.sender, str) else message.sender[1]
        with smtplib.SMTP(HOST, sink.port, timeout=60) as smtp:
            if sink.tls:
                smtp.starttls()
                smtp.login(LOGIN, PASSWORD)
            smtp.sendmail(parseaddr(sender)[1], [row.to_address], message.as_bytes())


def the_app(rows, sink):
    sent = deliver_outbox()
    if sent != len(rows):
        raise RuntimeError(f"the outbox sent {sent} of {len(rows)} messages")


class Tally:
    def __init__(self):
        self.messages = self.seconds = self.cpu = self.server_cpu = 0.0

    def add(self, messages, seconds, cpu, server_cpu):
        self.messages += messages
        self.seconds += seconds
        self.cpu += cpu
        self.server_cpu += server_cpu

    @property
    def rate(self):
        return self.messages / self.seconds if self.seconds else 0.0

    def per_message(self, value):
        return value / self.messages * 1000 if self.messages else 0.0


def timed(way, rows, sink, tally):
    """Run one way over ``rows``; check the server got each message once."""
    before = sink.ask("count")
    server_cpu = sink.ask("cpu")
    cpu = time.process_time()
    started = time.perf_counter()
    way(rows, sink)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    server_cpu = sink.ask("cpu") - server_cpu
    arrived = sink.ask("count") - before
    if arrived != len(rows):
        raise RuntimeError(f"{way.__name__}: the server got {arrived:.0f} of {len(rows)}")
    tally.add(len(rows), seconds, cpu, server_cpu)
    return seconds


def build_cost(rows):
    """ms to build and write one message, as both ways do (the floor of either)."""
    started = time.perf_counter()
    for row in rows:
        build_message(row).as_bytes()
    return (time.perf_counter() - started) / len(rows) * 1000


def measure(url, folder, tls, options, label):
    messages = options.messages
    sink = SMTPSink(folder, tls)
    try:
        app = bench_app(url, folder, sink, options.batch_size)
        tallies = {"per_connection": Tally(), "app": Tally()}
        with app.app_context():
            shop_id = bench_shop()
            per_round = messages // ROUNDS
            build_ms = None
            for number in range(ROUNDS):
                ids, rows = queue_round(shop_id, number * per_round, per_round)
                if build_ms is None:
                    build_ms = build_cost(rows[:500])
                ways = [("per_connection", one_connection_each), ("app", the_app)]
                for name, way in ways if number % 2 == 0 else reversed(ways):
                    seconds = timed(way, rows, sink, tallies[name])
                    log(
                        f"  {label} round {number + 1} {name:<15}"
                        f" {len(rows) / seconds:8.1f} messages/s"
                    )
                sent = db.session.scalar(
                    db.select(db.func.count(OutboxMessage.id)).where(
                        OutboxMessage.id.in_(ids), OutboxMessage.status == MailStatus.SENT
                    )
                )
                if sent != len(ids):
                    raise RuntimeError(f"{sent} of {len(ids)} outbox rows are marked sent")
            bench_shop()  # leave the outbox as it was found
    finally:
        sink.stop()
    return tallies, build_ms


def report(label, tallies, build_ms):
    for name, tally in tallies.items():
        log(
            f"{label:<14} {name:<15} {tally.rate:8.1f} messages/s"
            f"  {tally.per_message(tally.seconds):6.2f} ms each"
            f"  (this process {tally.per_message(tally.cpu):5.2f} ms CPU,"
            f" SMTP server {tally.per_message(tally.server_cpu):5.2f} ms CPU)"
        )
    ratio = tallies["app"].rate / tallies["per_connection"].rate
    log(
        f"{label:<14} ratio {ratio:.2f} (app ÷ one connection each);"
        f" building one message takes {build_ms:.2f} ms;"
        f" the server's own work bounds the ratio at {server_bound(tallies):.1f}"
    )
    return ratio


def server_bound(tallies):
    """The best ratio any client could reach against this server: a message sent one
    connection each takes what it took; on an open connection, no less than the server's
    own CPU time for it, were the client free and overlapped with the server."""
    app, each = tallies["app"], tallies["per_connection"]
    return each.seconds / each.messages / (app.server_cpu / app.messages)


def figures(prefix, tallies, build_ms, ratio):
    app, each = tallies["app"], tallies["per_connection"]
    return {
        f"{prefix}ratio": round(ratio, 3),
        f"{prefix}app_messages_per_s": round(app.rate, 1),
        f"{prefix}per_connection_messages_per_s": round(each.rate, 1),
        f"{prefix}app_ms_per_message": round(app.per_message(app.seconds), 3),
        f"{prefix}per_connection_ms_per_message": round(each.per_message(each.seconds), 3),
        f"{prefix}app_cpu_ms_per_message": round(app.per_message(app.cpu), 3),
        f"{prefix}per_connection_cpu_ms_per_message": round(each.per_message(each.cpu), 3),
        f"{prefix}server_cpu_ms_app": round(app.per_message(app.server_cpu), 3),
        f"{prefix}server_cpu_ms_per_connection": round(each.per_message(each.server_cpu), 3),
        f"{prefix}build_ms_per_message": round(build_ms, 3),
        f"{prefix}server_bound_ratio": round(server_bound(tallies), 2),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=MESSAGES)
    parser.add_argument("--sqlite", action="store_true", help="the outbox in a SQLite file")
    parser.add_argument("--plain", action="store_true", help="also without TLS and login")
    parser.add_argument("--batch-size", type=int, help="OUTBOX_BATCH_SIZE (default: the app's)")
    options = parser.parse_args()
    if options.messages < ROUNDS * 10:
        sys.exit(f"--messages must be at least {ROUNDS * 10}")

    folder = tempfile.mkdtemp(prefix="cuahang-bench-mail-")
    try:
        if options.sqlite:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
        else:
            url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
            ensure_database(url)
        migrate = create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "INSTANCE_PATH": folder})
        with migrate.app_context():
            upgrade(directory=str(ROOT / "migrations"))
        database = make_url(url).get_backend_name()
        log(
            f"{options.messages:,} messages in {ROUNDS} rounds, outbox in {database},"
            f" {os.cpu_count()} CPUs"
        )
        profiles = [("tls", True, "STARTTLS+AUTH")]
        if options.plain:
            profiles.append(("plain", False, "plain SMTP"))
        results = {}
        for key, tls, label in profiles:
            tallies, build_ms = measure(url, folder, tls, options, label)
            results[key] = (label, tallies, build_ms)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    log("")
    ratios = {key: report(*result) for key, result in results.items()}
    ratio = ratios["tls"]
    verdict = "meets the goal" if ratio >= GOAL else "BELOW THE GOAL"
    log(f"ratio {ratio:.2f} (goal ≥ {GOAL}, with STARTTLS+AUTH): {verdict}")
    summary = {"bench": "mail", "ratio": round(ratio, 3), "goal": GOAL}
    for key, (_label, tallies, build_ms) in results.items():
        prefix = "" if key == "tls" else f"{key}_"
        summary.update(figures(prefix, tallies, build_ms, ratios[key]))
    summary.update(messages=options.messages, database=database, server="starttls+auth")
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
