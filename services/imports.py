"""An import from the uploaded file to its result: the upload is read and its columns matched
(a file that cannot be read is refused and nothing is kept), the manager's mapping and options
are saved and previewed, and the run is a background job that writes the rows in batches.

The file is kept with the import (in the database, so a worker on any machine reads it) until
the run is over. The job plans the whole file again, then writes the plan's rows a batch at a
time, each batch committed with the count of rows done: a worker that dies mid-run leaves
whole batches only, and the job picked up again starts after the last one. Rows written
before the crash are not planned again as new customers: the count skips them."""

from dataclasses import asdict, dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, update

from core.extensions import db
from core.jobs import job_handler, periodic, start_job
from core.outbox import send_template
from core.tenancy import for_shop
from core.urls import external_url
from models import CustomerImport, ImportStatus, Shop, utcnow
from services import ServiceError
from services.customer_import import (
    ACTIONS,
    ON_DUPLICATE,
    STATUSES,
    ImportOptions,
    Plan,
    plan_import,
)
from services.customer_import import run_import as write_rows
from services.import_files import error_report
from services.import_headers import KEYS, match_headers
from services.phones import display_phone
from services.spreadsheets import BadFile, read_table
from services.tags import clean_name

JOB_KIND = "customers.import"
BATCH = 1000
# An upload never run is forgotten after this long (its file is personal data of many people).
UPLOAD_KEPT_FOR = timedelta(days=7)
NAME_KEYS = ("full_name", "first_name", "last_name")
MAX_TAGS = 10
REJECTED = "rejected"  # while the run lasts, in its counts: {line: reasons} of the rows refused


def _read(filename, data):
    config = current_app.config
    return read_table(
        filename, data, max_bytes=config["IMPORT_MAX_BYTES"], max_rows=config["IMPORT_MAX_ROWS"]
    )


def upload(*, shop, staff, filename, data):
    """Read the upload and keep it with the columns matched; ``BadFile`` when it cannot be
    read or none of its columns is one we know (nothing is kept)."""
    table = _read(filename, data)
    mapping = match_headers(table.headers)
    if not mapping:
        raise BadFile(
            _l(
                "None of this file's columns is one we know (such as “Tên khách hàng” or "
                "“Điện thoại”). Check the first row holds the headers, or use our template."
            )
        )
    rows = sum(1 for cells in table.rows if any(value not in ("", None) for value in cells))
    if not rows:
        raise BadFile(_l("The file has headers but no customers."))
    customer_import = CustomerImport(
        shop_id=shop.id,
        created_by_id=staff.id if staff else None,
        filename=(filename or "khach-hang")[:255],
        data=data,
        headers=[str(header) for header in table.headers],
        row_count=rows,
        mapping={str(index): key for index, key in mapping.items()},
        options=asdict(ImportOptions()),
    )
    db.session.add(customer_import)
    db.session.flush()
    return customer_import


def table_of(customer_import):
    return _read(customer_import.filename, customer_import.data)


def mapping_of(customer_import):
    return {int(index): key for index, key in customer_import.mapping.items()}


def options_of(customer_import):
    options = dict(customer_import.options or {})
    options["tags"] = tuple(options.get("tags") or ())
    return ImportOptions(**options)


def save_choices(customer_import, *, mapping, on_duplicate, status, tags, keep_totals):
    """Keep the manager's mapping (``{column index: key}``) and options, once checked."""
    _check_open(customer_import)
    columns = len(customer_import.headers)
    mapping = {index: key for index, key in mapping.items() if key and 0 <= index < columns}
    for index, key in mapping.items():
        if key not in KEYS:
            raise ServiceError(_l("Please choose a field from the list."), f"column_{index}")
    keys = list(mapping.values())
    twice = next((key for key in keys if keys.count(key) > 1), None)
    if twice is not None:
        index = max(i for i, key in mapping.items() if key == twice)
        raise ServiceError(_l("Two columns are matched to this field."), f"column_{index}")
    if not any(key in NAME_KEYS for key in keys):
        raise ServiceError(_l("Match a column to the customer's name."), "mapping")
    if on_duplicate not in ON_DUPLICATE or status not in STATUSES:
        raise ServiceError(_l("Choose one of the options."), "on_duplicate")
    names = []
    for name in (tags or "").split(","):
        if name.strip():
            names.append(clean_name(name))
    if len(names) > MAX_TAGS:
        raise ServiceError(_l("At most %(n)d tags.", n=MAX_TAGS), "tags")
    customer_import.mapping = {str(index): key for index, key in sorted(mapping.items())}
    customer_import.options = asdict(
        ImportOptions(
            on_duplicate=on_duplicate,
            status=status,
            tags=tuple(dict.fromkeys(names)),
            keep_totals=bool(keep_totals),
        )
    )


def _check_open(customer_import):
    if customer_import.status != ImportStatus.UPLOADED:
        raise ServiceError(_l("This import has already run."))


def preview(customer_import, shop):
    """The plan of the import as it stands; nothing is written."""
    return plan_import(
        shop=shop,
        table=table_of(customer_import),
        mapping=mapping_of(customer_import),
        options=options_of(customer_import),
    )


@dataclass
class PreviewRow:
    line: int
    name: str
    email: str
    phone: str
    notes: list  # reasons (skip, reject) or warnings (create, update)
    existing_id: int | None = None


@dataclass
class Preview:
    counts: dict
    rows: dict  # action: the first PreviewRows (every one, up to a limit, for reject)
    warnings: int  # rows kept with a warning (a phone the numbering plan does not know yet)


def preview_of(plan, table, mapping, *, first=5, rejected=1000):
    """What the preview page shows of a plan."""
    limits = {"create": first, "update": first, "skip": first, "reject": rejected}
    rows = {action: [] for action in limits}
    columns = {key: index for index, key in mapping.items()}
    warnings = 0
    for planned in plan.rows:
        parsed = planned.parsed
        warnings += bool(parsed.warnings and planned.action != "reject")
        shown = rows[planned.action]
        if len(shown) >= limits[planned.action]:
            continue
        shown.append(_preview_row(planned, table.rows[planned.line - 2], columns))
    return Preview(counts=plan.counts, rows=rows, warnings=warnings)


def _preview_row(planned, cells, columns):
    def cell(*keys):
        for key in keys:
            index = columns.get(key)
            if index is not None and index < len(cells) and cells[index] not in ("", None):
                return str(cells[index])
        return ""

    values = planned.parsed.values
    name = " ".join(filter(None, (values.get("last_name"), values.get("first_name"))))
    phones = values.get("phones") or []
    notes = planned.reasons if planned.action in ("skip", "reject") else planned.parsed.warnings
    return PreviewRow(
        line=planned.line,
        name=name or cell("full_name", "last_name", "first_name"),
        email=values.get("email") or cell("email"),
        phone=display_phone(phones[0]) if phones else cell("phone"),
        notes=[str(note) for note in notes],
        existing_id=planned.existing_id,
    )


def rejected_rows(table, plan):
    """(cells as uploaded, reasons) of every rejected row, for the error report."""
    for planned in plan.rows:
        if planned.action == "reject":
            yield table.rows[planned.line - 2], [str(reason) for reason in planned.reasons]


def report_of(customer_import, shop):
    """The error report's bytes: the one the run kept, or one made from a preview now."""
    if customer_import.status != ImportStatus.UPLOADED:
        return customer_import.error_report
    table = table_of(customer_import)
    plan = plan_import(
        shop=shop,
        table=table,
        mapping=mapping_of(customer_import),
        options=options_of(customer_import),
    )
    rejected = list(rejected_rows(table, plan))
    return error_report(table.headers, rejected) if rejected else None


def start(customer_import, *, shop, staff):
    """Queue the run once (a second click finds the import running already)."""
    claimed = db.session.execute(
        update(CustomerImport)
        .where(CustomerImport.id == customer_import.id)
        .where(CustomerImport.status == ImportStatus.UPLOADED)
        .values(status=ImportStatus.RUNNING)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise ServiceError(_l("This import has already run."))
    job = start_job(
        shop=shop,
        kind=JOB_KIND,
        params={"import_id": customer_import.id},
        created_by=staff,
        total=customer_import.row_count,
    )
    customer_import.job_id = job.id
    customer_import.status = ImportStatus.RUNNING
    return job


@periodic("imports.forget_stale_uploads", minute="17")
def forget_stale_uploads():
    """Delete the uploads nobody ran within ``UPLOAD_KEPT_FOR``; the count deleted."""
    deleted = db.session.execute(
        delete(CustomerImport)
        .where(CustomerImport.status == ImportStatus.UPLOADED)
        .where(CustomerImport.created_at < utcnow() - UPLOAD_KEPT_FOR)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return deleted.rowcount


def imports_of(shop, limit=20):
    return db.session.scalars(
        for_shop(CustomerImport, shop).order_by(CustomerImport.id.desc()).limit(limit)
    ).all()


# --- The job --------------------------------------------------------------------------


@job_handler(JOB_KIND)
def run_import_job(job, checkpoint):
    shop = db.session.get(Shop, job.shop_id)
    customer_import = db.session.scalars(
        for_shop(CustomerImport, shop).where(CustomerImport.id == job.params["import_id"])
    ).one()
    table = table_of(customer_import)
    options = options_of(customer_import)
    plan = plan_import(shop=shop, table=table, mapping=mapping_of(customer_import), options=options)
    if customer_import.counts is None:
        # The first attempt; a resumed one carries on from the counts of the batches done.
        customer_import.counts = {**dict.fromkeys(ACTIONS, 0), REJECTED: {}}
        checkpoint(job.progress_done, len(plan.rows))
    staff = customer_import.created_by
    done = job.progress_done
    while done < len(plan.rows):
        upto = min(done + BATCH, len(plan.rows))
        batch = Plan(plan.rows[done:upto])
        write_rows(
            shop=shop, plan=batch, options=options, staff=staff, label=customer_import.filename
        )
        # Counted after the write: a row another customer's code or email beat to it is
        # rejected then, and reported with the rows the plan refused
        customer_import.counts = _counted(customer_import.counts, batch)
        checkpoint(upto, len(plan.rows))
        done = upto
    counts = dict(customer_import.counts)
    rejected = counts.pop(REJECTED)
    customer_import.error_report = (
        error_report(
            table.headers,
            ((table.rows[int(line) - 2], [rejected[line]]) for line in sorted(rejected, key=int)),
        )
        if rejected
        else None
    )
    customer_import.counts = counts
    customer_import.status = ImportStatus.DONE
    customer_import.finished_at = utcnow()
    customer_import.data = None  # the file is not needed any more; the report is kept
    if staff is not None and staff.active:
        send_template(
            shop=shop,
            to=staff.email,
            to_name=staff.name,
            template="staff_import_done",
            subject=_l("Customer import finished: %(file)s", file=customer_import.filename),
            staff=staff,
            customer_import=customer_import,
            counts=customer_import.counts,
            import_url=external_url(
                "admin.customer_import_detail", shop=shop.slug, import_id=customer_import.id
            ),
        )
    return dict(customer_import.counts)


def _counted(counts, batch):
    """``counts`` with the written ``batch`` added: each action's rows, and the reasons of
    each rejected row by its line in the file."""
    counts = {**counts, REJECTED: dict(counts[REJECTED])}
    for row in batch.rows:
        counts[row.action] += 1
        if row.action == "reject":
            counts[REJECTED][str(row.line)] = "; ".join(str(reason) for reason in row.reasons)
    return counts
