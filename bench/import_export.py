"""Import and export benchmark: the app's whole customer import and export against the bare
cost of reading and writing the same spreadsheet.

1. A 100,000-row customer file of 20 columns is generated (our template's columns and a
   district): Vietnamese names with their accents, phones as text (``0912 345 678``),
   birthdays as real Excel dates, about 30% of the optional cells empty; the same every run.
2. The import, on SQLite (a temporary file migrated to the head) and on PostgreSQL
   (``BENCH_DATABASE_URL``, default
   ``postgresql+psycopg://postgres@127.0.0.1:5432/cuahang_bench_import``, created when
   missing), into a new shop each time: ``spreadsheets.read_table``,
   ``import_headers.match_headers``, ``customer_import.plan_import`` over the whole file, then
   ``customer_import.run_import`` on slices of 1,000 planned rows, each committed, as the
   import job does (parsing, mapping, validation, duplicate look-ups, inserts of customers,
   phones, addresses, tags, notes, groups and a timeline line each). Against it: the raw
   read of the same bytes with ``python_calamine`` (``load_workbook`` + ``to_python``).
3. The export of the imported customers (PostgreSQL): ``customer_export.write_xlsx`` in the
   default columns, against a raw openpyxl write-only workbook of the same cells (the
   export's rows read beforehand, its empty texts left out as the export leaves them out,
   so only the writing is timed).
4. Peak memory: each of import (PostgreSQL) and export at 100,000 and 200,000 rows runs in a
   subprocess of its own, and reports its peak resident size (``VmHWM`` in
   ``/proc/self/status``): the whole process (interpreter, app and the Rust reader's memory
   included), next to its resident size just before the measured work started. Beside
   them, the raw read alone in the same kind of process (the app loaded): the reader's own
   share of the import's peak.
5. The floors: after the import on each database, the database's own time to write the same
   rows, ``INSERT … SELECT`` copies of the shop's customers, phones, addresses, notes and
   timeline lines with no Python between (in a transaction rolled back), as a multiple of the
   raw read: where it passes the goal, no import can meet it on this machine.

Timings are the best of ``--runs`` runs (the raw ones interleaved with the app's). The last
line printed is one JSON object: ``ratio`` = import ÷ raw read on PostgreSQL, the goal is ≤
4; the other goals (export ≤ 1.2 × the raw write, import peak ≤ 300 MB at 100,000 rows,
export peak ≤ 150 MB and growing ≤ 10% when the rows double) are in it too. Not part of
``make test``: ``make bench-import``.
"""

import argparse
import gc
import io
import json
import logging
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import python_calamine  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from bench.customer_search import (  # noqa: E402
    FAMILY,
    FEMALE_GIVEN,
    FEMALE_MIDDLE,
    MAILS,
    MALE_GIVEN,
    MALE_MIDDLE,
    bench_app,
    ensure_database,
)
from core.extensions import db  # noqa: E402
from models import Shop, StaffUser, fold  # noqa: E402
from services import customer_export  # noqa: E402
from services.customer_import import ImportOptions, plan_import, run_import  # noqa: E402
from services.customer_list import CustomerFilter  # noqa: E402
from services.customer_sheet import COLUMNS  # noqa: E402
from services.import_headers import match_headers  # noqa: E402
from services.shops import create_shop  # noqa: E402
from services.spreadsheets import read_table  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cuahang_bench_import"
ROWS, DOUBLE_ROWS = 100_000, 200_000
SLICE = 1_000  # planned rows written and committed at once, as the import job does
EMPTY = 0.3  # share of the optional cells left empty
GOALS = {"import": 4.0, "export": 1.2, "import_mb": 300, "export_mb": 150, "export_growth": 0.10}
HEADERS = [column.vi for column in COLUMNS] + ["Quận/Huyện"]
TABLES = (
    "customers",
    "customer_phones",
    "customer_addresses",
    "customer_tags",
    "customer_notes",
    "customer_events",
    "customer_groups",
    "tags",
)
PROVINCES = [
    "Hà Nội",
    "TP. Hồ Chí Minh",
    "Đà Nẵng",
    "Hải Phòng",
    "Cần Thơ",
    "Bình Dương",
    "Đồng Nai",
    "Khánh Hòa",
    "Lâm Đồng",
    "Nghệ An",
    "Quảng Ninh",
    "Thừa Thiên Huế",
]
DISTRICTS = ["Quận 1", "Quận 3", "Ba Đình", "Hoàn Kiếm", "Hải Châu", "Ninh Kiều", "Thủ Dầu Một"]
WARDS = ["Phường Bến Nghé", "Phường Tràng Tiền", "Xã Tân Phú", "Phường 7", "Phường Hòa Cường"]
STREETS = ["Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng", "Lý Thường Kiệt", "Hùng Vương"]
GROUPS = ["Khách sỉ", "Khách lẻ", "Đại lý", "Cộng tác viên", "Khách VIP"]
TAGS = ["VIP", "tiềm năng", "hội chợ", "khách quen", "Facebook", "Zalo", "Shopee", "mua sỉ"]
COMPANIES = ["Công ty TNHH Minh Phát", "Cửa hàng Hoa Mai", "Tạp hóa Bảo An", "Shop Thời Trang Lan"]
NOTES = ["Gọi trước khi giao", "Khách quen, giao giờ hành chính", "Thích hàng mới về"]
MOBILE_PREFIXES = ["90", "91", "93", "94", "96", "97", "98", "32", "33", "34", "35", "70", "77"]


def log(message):
    print(message, flush=True)


# --- The file -------------------------------------------------------------------------


class Sheet:
    """Rows of a Vietnamese shop's customer file, the same on every run."""

    def __init__(self, seed=20250601):
        self.rng = random.Random(seed)
        self.families = [name for name, weight in FAMILY for _ in range(weight)]

    def maybe(self, value):
        return "" if self.rng.random() < EMPTY else value

    def phone(self, seq, other=False):
        prefix = MOBILE_PREFIXES[seq % len(MOBILE_PREFIXES)]
        number = f"0{prefix}{(seq * 7 + (5_000_000 if other else 0)) % 10**7:07d}"
        if self.rng.random() < 0.5:
            return f"{number[:4]} {number[4:7]} {number[7:]}"
        return number

    def row(self, seq):
        rng, maybe = self.rng, self.maybe
        female = rng.random() < 0.55
        family = rng.choice(self.families)
        middle = rng.choice(FEMALE_MIDDLE if female else MALE_MIDDLE)
        given = rng.choice(FEMALE_GIVEN if female else MALE_GIVEN)
        email = f"{fold(given)}.{fold(family)}{seq}@{rng.choice(MAILS)}".replace(" ", "")
        tags = ", ".join(rng.sample(TAGS, rng.choice((1, 1, 2))))
        spent = rng.choice((0, 150_000, 1_250_000, 4_800_000))
        values = {
            "code": maybe(f"NK{seq:07d}"),
            "last_name": family,
            "first_name": f"{middle} {given}",
            "email": maybe(email),
            "phone": self.phone(seq),
            "other_phones": maybe(self.phone(seq, other=True)),
            "gender": maybe("Nữ" if female else "Nam"),
            "birthday": maybe(date(1960, 1, 1) + timedelta(days=rng.randrange(16_000))),
            "company": maybe(rng.choice(COMPANIES)),
            "group": maybe(rng.choice(GROUPS)),
            "tags": maybe(tags),
            "accepts_marketing": maybe(rng.choice(("Có", "Không"))),
            "address": maybe(f"{rng.randrange(1, 400)} {rng.choice(STREETS)}"),
            "ward": maybe(rng.choice(WARDS)),
            "province": maybe(rng.choice(PROVINCES)),
            "country_code": maybe("VN"),
            "note": maybe(rng.choice(NOTES)),
            "total_spent": maybe(str(spent)),
            "orders_count": maybe(str(spent // 400_000)),
            "district": maybe(rng.choice(DISTRICTS)),
        }
        return [values[column.key] for column in COLUMNS] + [values["district"]]


def customer_file(rows):
    """The xlsx bytes of a file of ``rows`` customers."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Khách hàng")
    sheet.append(HEADERS)
    people = Sheet()
    for seq in range(1, rows + 1):
        sheet.append(people.row(seq))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def cached_file(rows):
    """The file of ``rows`` customers, generated once into the temporary folder (about 20 s
    per 100,000 rows) and read from there on later runs."""
    path = Path(tempfile.gettempdir()) / f"cuahang-bench-import-{rows}.xlsx"
    if not path.exists():
        began = time.perf_counter()
        data = customer_file(rows)
        path.write_bytes(data)
        took = time.perf_counter() - began
        log(f"generated {path.name}: {len(data) / 1e6:.1f} MB in {took:.0f} s")
    return path


# --- The database ---------------------------------------------------------------------


def migrated_app(url, instance):
    app = bench_app(url, instance)
    logging.disable(logging.INFO)  # each migration's line
    try:
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
    finally:
        logging.disable(logging.NOTSET)
    return app


def new_shop(app):
    """A shop of its own for one measured import (the others' customers stay out of it)."""
    with app.app_context():
        slug = f"bench-import-{secrets.token_hex(4)}"
        shop, owner = create_shop(
            slug=slug,
            name="Nhập khách hàng",
            owner_email=f"owner@{slug}.example.vn",
            owner_password=secrets.token_urlsafe(16),  # nobody signs in to a bench shop
        )
        db.session.commit()
        return shop.id, owner.id


def drop_shops(app):
    """Every bench shop of this database, with its customers (ON DELETE CASCADE), and the
    tables vacuumed."""
    with app.app_context():
        slugs = db.select(Shop.slug).where(Shop.slug.like("bench-import-%"))
        owners = [f"owner@{slug}.example.vn" for slug in db.session.scalars(slugs)]
        db.session.execute(db.delete(Shop).where(Shop.slug.like("bench-import-%")))
        db.session.execute(db.delete(StaffUser).where(StaffUser.email.in_(owners)))
        db.session.commit()
    analyse(app, "VACUUM ANALYZE")


def analyse(app, command="ANALYZE"):
    """Fresh planner statistics after a bulk write, as autovacuum would soon make them (the
    bench's server may run without autovacuum): the export's plans depend on them."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return
        with db.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            for table in TABLES:
                conn.exec_driver_sql(f"{command} {table}")


# --- What is measured -----------------------------------------------------------------


def raw_read(data):
    """The bare reader: every cell of the first sheet as a Python value."""
    workbook = python_calamine.load_workbook(io.BytesIO(data))
    return sum(1 for _row in workbook.get_sheet_by_index(0).iter_rows())


def app_import(app, shop_id, staff_id, data):
    """The whole import as the job runs it; returns its counts and the time of each step."""
    steps = {}
    with app.app_context():
        shop = db.session.get(Shop, shop_id)
        staff = db.session.get(StaffUser, staff_id)
        began = time.perf_counter()
        table = read_table("khach-hang.xlsx", data, max_bytes=len(data), max_rows=DOUBLE_ROWS)
        steps["read"] = time.perf_counter() - began
        options = ImportOptions()
        mapping = match_headers(table.headers)
        plan = plan_import(shop=shop, table=table, mapping=mapping, options=options)
        steps["plan"] = time.perf_counter() - began - steps["read"]
        counts = dict.fromkeys(("create", "update", "skip", "reject"), 0)
        for start in range(0, len(plan.rows), SLICE):
            part = type(plan)(rows=plan.rows[start : start + SLICE])
            written = run_import(
                shop=shop, plan=part, options=options, staff=staff, label="khach-hang.xlsx"
            )
            db.session.commit()
            for action, n in written.items():
                counts[action] += n
        steps["total"] = time.perf_counter() - began
        steps["write"] = steps["total"] - steps["read"] - steps["plan"]
    return counts, steps


def export_ids(app, shop_id):
    """The ids of the shop's customers as the export of "all" finds them."""
    with app.app_context():
        shop = db.session.get(Shop, shop_id)
        return customer_export.export_ids(
            shop=shop, scope="all", customer_filter=CustomerFilter(), sort="created"
        )


def app_export(app, shop_id, ids):
    """``write_xlsx`` of the shop's customers in the default columns; returns the file's size."""
    with app.app_context():
        shop = db.session.get(Shop, shop_id)
        with customer_export.write_xlsx(shop, ids, "default") as file:
            return file.seek(0, os.SEEK_END)


def export_rows(app, shop_id, ids):
    with app.app_context():
        shop = db.session.get(Shop, shop_id)
        return list(customer_export.rows(shop, ids, "default"))


def raw_write(rows):
    """The bare writer: the same rows in a write-only workbook, into the same kind of file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Khách hàng")
    for row in rows:
        sheet.append(row)
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as file:
        workbook.save(file)
        return file.seek(0, os.SEEK_END)


# --- Peak memory, each in a process of its own ----------------------------------------


def resident_mb():
    """The process's resident size now (Linux), in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_mb():
    """The process's peak resident size so far (``VmHWM``, Linux), in MB. Not ``ru_maxrss``:
    Linux carries it over ``exec`` from the process that forked, so a subprocess of this
    bench would report the parent's size."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1e3
    raise RuntimeError("no VmHWM in /proc/self/status")


def child(args):
    """One measured step in this process: prints its figures as JSON."""
    with tempfile.TemporaryDirectory(prefix="cuahang-bench-") as instance:
        app = bench_app(args.url, instance)
        if args.child == "import":
            data = cached_file(args.rows).read_bytes()
            shop_id, staff_id = new_shop(app)
            before = resident_mb()
            counts, steps = app_import(app, shop_id, staff_id, data)
            figures = {"shop_id": shop_id, "created": counts["create"], "seconds": steps["total"]}
        elif args.child == "read":
            data = cached_file(args.rows).read_bytes()
            before = resident_mb()
            figures = {"rows": raw_read(data) - 1}
            analyse(app)
        else:
            ids = export_ids(app, args.shop)
            before = resident_mb()
            began = time.perf_counter()
            size = app_export(app, args.shop, ids)
            figures = {"bytes": size, "seconds": time.perf_counter() - began}
    print(json.dumps({**figures, "before_mb": round(before, 1), "peak_mb": round(peak_mb(), 1)}))


def in_child(step, url, rows=None, shop=None):
    command = [sys.executable, __file__, "--child", step, "--url", url]
    command += ["--rows", str(rows)] if rows else ["--shop", str(shop)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"the {step} subprocess failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- The run --------------------------------------------------------------------------


def best(runs, action):
    """The shortest of ``runs`` timings of ``action`` (seconds), and its last result."""
    times, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - began)
    return min(times), result


# The tables an import writes, and how a copy of a shop's rows avoids their unique keys: the
# customers go to another shop, the phones get a character more.
FLOOR_COPIES = {
    "customers": {"shop_id": ":other"},
    "customer_phones": {"number": "number || '#'"},
    "customer_addresses": {},
    "customer_notes": {},
    "customer_events": {},
}


def insert_floor(app, shop_id):
    """The database's own time to write the rows the import wrote, with no Python between:
    ``INSERT … SELECT`` copies of the shop's customers, phones, addresses, notes and timeline
    lines (every index, unique key and foreign key checked as in the import; the tag links
    left out, so this is less than the whole), in one transaction rolled back."""
    other_id, _staff_id = new_shop(app)
    took = 0.0
    with app.app_context(), db.engine.connect() as conn:
        with conn.begin() as transaction:
            for table, changed in FLOOR_COPIES.items():
                names = [c.name for c in db.metadata.tables[table].columns if c.name != "id"]
                values = ", ".join(changed.get(n, n) for n in names)
                columns, source = ", ".join(names), f"{table} WHERE shop_id = :shop"
                statement = f"INSERT INTO {table} ({columns}) SELECT {values} FROM {source}"  # noqa: S608
                began = time.perf_counter()
                conn.execute(text(statement), {"shop": shop_id, "other": other_id})
                took += time.perf_counter() - began
            transaction.rollback()
    return took


def measure_import(name, app, data, runs):
    """The raw read and the app's import, interleaved, best of ``runs`` each."""
    raw_times, app_times, steps = [], [], None
    for _ in range(runs):
        raw_times.append(best(1, lambda: raw_read(data))[0])
        shop_id, staff_id = new_shop(app)
        counts, run_steps = app_import(app, shop_id, staff_id, data)
        if counts["create"] != ROWS:
            sys.exit(f"{name}: the import created {counts} instead of {ROWS:,} customers")
        if not app_times or run_steps["total"] < min(app_times):
            steps = run_steps
        app_times.append(run_steps["total"])
    raw, whole = min(raw_times), min(app_times)
    floor = insert_floor(app, shop_id)
    log(
        f"import {name:10} {whole:6.2f} s (read {steps['read']:.2f}, plan {steps['plan']:.2f},"
        f" write {steps['write']:.2f})  raw read {raw:5.2f} s  ratio {whole / raw:5.2f}"
        f"  (goal ≤ {GOALS['import']:g})"
    )
    log(
        f"  the database alone writing the same rows (INSERT … SELECT, no Python, tag links"
        f" left out): {floor:.2f} s = {floor / raw:.2f} × the raw read"
    )
    return {
        f"insert_floor_{name}_s": round(floor, 2),
        f"insert_floor_{name}_ratio": round(floor / raw, 2),
        f"import_{name}_s": round(whole, 2),
        f"import_{name}_read_s": round(steps["read"], 2),
        f"import_{name}_plan_s": round(steps["plan"], 2),
        f"import_{name}_write_s": round(steps["write"], 2),
        f"raw_read_{name}_s": round(raw, 2),
        f"import_{name}_ratio": round(whole / raw, 2),
    }, shop_id


def measure_export(app, shop_id, runs):
    ids = export_ids(app, shop_id)
    # The same cells the export writes: its rows, with the empty texts left out as it does
    rows = [[None if v == "" else v for v in row] for row in export_rows(app, shop_id, ids)]
    # Two million values the raw writer needs at hand, which an export's process does not
    # hold: kept out of the cycle collector's walks, which would slow the export down
    gc.freeze()
    raw_times, app_times = [], []
    try:
        for _ in range(runs):
            raw_times.append(best(1, lambda: raw_write(rows))[0])
            app_times.append(best(1, lambda: app_export(app, shop_id, ids))[0])
    finally:
        gc.unfreeze()
    raw, whole = min(raw_times), min(app_times)
    log(
        f"export postgresql {whole:6.2f} s  raw write {raw:5.2f} s  ratio {whole / raw:5.2f}"
        f"  (goal ≤ {GOALS['export']:g})"
    )
    return {
        "export_s": round(whole, 2),
        "raw_write_s": round(raw, 2),
        "export_ratio": round(whole / raw, 2),
    }


def measure_memory(url):
    figures = {}
    for rows in (ROWS, DOUBLE_ROWS):
        imported = in_child("import", url, rows=rows)
        if imported["created"] != rows:
            sys.exit(f"the import of {rows:,} rows created {imported['created']:,} customers")
        exported = in_child("export", url, shop=imported["shop_id"])
        read = in_child("read", url, rows=rows)
        size = f"{rows // 1000}k"
        figures[f"raw_read_peak_mb_{size}"] = read["peak_mb"]
        figures[f"import_peak_mb_{size}"] = imported["peak_mb"]
        figures[f"import_start_mb_{size}"] = imported["before_mb"]
        figures[f"export_peak_mb_{size}"] = exported["peak_mb"]
        figures[f"export_start_mb_{size}"] = exported["before_mb"]
        log(
            f"peak memory at {rows:,} rows: import {imported['peak_mb']:.0f} MB (from"
            f" {imported['before_mb']:.0f} MB), export {exported['peak_mb']:.0f} MB (from"
            f" {exported['before_mb']:.0f} MB); the raw read alone in the same kind of process"
            f" {read['peak_mb']:.0f} MB (from {read['before_mb']:.0f} MB)"
        )
    growth = figures["export_peak_mb_200k"] / figures["export_peak_mb_100k"] - 1
    figures["export_growth"] = round(growth, 3)
    log(f"export peak growth when the rows double: {growth:+.1%} (goal ≤ +10%)")
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=2, help="timed runs of each step")
    parser.add_argument("--child", choices=("import", "export", "read"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--shop", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if make_url(url).get_backend_name() != "postgresql":
        sys.exit("BENCH_DATABASE_URL must name a PostgreSQL database")
    ensure_database(url)
    data = cached_file(ROWS).read_bytes()
    cached_file(DOUBLE_ROWS)
    log(f"file: {ROWS:,} customers × {len(HEADERS)} columns, {len(data) / 1e6:.1f} MB")
    figures = {}
    with tempfile.TemporaryDirectory(prefix="cuahang-bench-") as instance:
        sqlite = migrated_app(f"sqlite:///{instance}/bench.db", instance)
        found, _shop = measure_import("sqlite", sqlite, data, args.runs)
        figures.update(found)
        app = migrated_app(url, instance)
        drop_shops(app)
        try:
            found, shop_id = measure_import("postgresql", app, data, args.runs)
            figures.update(found)
            analyse(app)
            figures.update(measure_export(app, shop_id, args.runs))
            figures.update(measure_memory(url))
        finally:
            drop_shops(app)
    ratio = figures["import_postgresql_ratio"]
    met = {
        "import_goal_met": ratio <= GOALS["import"],
        "import_sqlite_goal_met": figures["import_sqlite_ratio"] <= GOALS["import"],
        "export_goal_met": figures["export_ratio"] <= GOALS["export"],
        "import_memory_goal_met": figures["import_peak_mb_100k"] <= GOALS["import_mb"],
        "export_memory_goal_met": figures["export_peak_mb_100k"] <= GOALS["export_mb"]
        and figures["export_peak_mb_200k"] <= GOALS["export_mb"],
        "export_growth_goal_met": figures["export_growth"] <= GOALS["export_growth"],
    }
    log("goals met: " + ", ".join(f"{k[:-9]} {'yes' if v else 'NO'}" for k, v in met.items()))
    result = {
        "bench": "import_export",
        "ratio": ratio,
        "goal": GOALS["import"],
        "rows": ROWS,
        "columns": len(HEADERS),
        "runs": args.runs,
        "memory": "VmHWM (peak resident size) of a subprocess per step, whole process, MB",
        **figures,
        "export_goal": GOALS["export"],
        "import_memory_goal_mb": GOALS["import_mb"],
        "export_memory_goal_mb": GOALS["export_mb"],
        "export_growth_goal": GOALS["export_growth"],
        **met,
    }
    print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
