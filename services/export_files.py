"""Exports too large to download at once: a job writes the file, keeps it in the database for
a day (any worker on any machine can serve it), and emails the manager who asked a link to
it. The link opens the file only for the shop's managers and owner, signed in (the admin's
download page checks); once the day is over the file's bytes are wiped and the link says so.

The customers are fixed when the export is asked for: their ids travel in the job's
parameters, already narrowed to what the person asking may see, so customers added or
retagged while the job waits change nothing, and nobody sees more through a job than on the
list. The columns travel too (a saved template is copied as its list of keys)."""

from array import array
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, update

from core.clock import utcnow
from core.extensions import db
from core.jobs import job_handler, periodic, start_job
from core.outbox import send_template
from core.tenancy import for_shop
from core.urls import external_url
from models import ExportFile, Job, Role, Shop, StaffUser
from services import ServiceError
from services import customer_export as export

KIND = "customers.export"
KEEP_FOR = timedelta(hours=24)
# An expired file's row (without its bytes) still answers its old link with "expired" for a
# while; after this it goes too, and the link is a plain 404.
FORGET_AFTER = timedelta(days=30)


class ExportExpired(ServiceError):
    pass


def start_export_job(*, shop, actor, ids, file_format, template):
    """A job that writes ``ids`` (in that order) as ``file_format`` with ``template``; it
    runs once the caller commits."""
    return start_job(
        shop=shop,
        kind=KIND,
        params={"ids": list(ids), "format": file_format, "template": template},
        created_by=actor,
        total=len(ids),
    )


@job_handler(KIND)
def write_export(job, checkpoint):
    """Write the file a batch of customers at a time (each batch is a checkpoint, so the
    progress bar moves), keep it, and email its link. The file, the email and the job's end
    commit together: a job run again after a crash starts the file over and never sends two
    emails."""
    done = db.session.scalars(db.select(ExportFile).where(ExportFile.job_id == job.id)).first()
    if done is not None:
        return {"export_file_id": done.id, "rows": done.row_count}
    shop = db.session.get(Shop, job.shop_id)
    # The ids as an array of 8 bytes each; the list read from the job's row goes with the
    # row's state at the first checkpoint
    ids = array("q", job.params["ids"])
    file_format, template = job.params["format"], job.params["template"]
    written = []

    def progress(count):
        written.append(count)
        checkpoint(count, len(ids))

    with export.write_file(shop, ids, template, file_format, progress) as file:
        data = file.read()
    stored = ExportFile(
        shop_id=shop.id,
        created_by_id=job.created_by_id,
        job_id=job.id,
        filename=export.file_name(shop, file_format),
        media_type=export.MEDIA_TYPES[file_format],
        row_count=written[-1] if written else 0,
        data=data,
        expires_at=utcnow() + KEEP_FOR,
    )
    db.session.add(stored)
    db.session.flush()
    send_export_ready(shop=shop, export_file=stored)
    return {"export_file_id": stored.id, "rows": stored.row_count}


def send_export_ready(*, shop, export_file):
    """Email the link to the person who asked, while they still manage the shop."""
    staff = db.session.get(StaffUser, export_file.created_by_id or 0)
    membership = staff.membership_in(shop) if staff is not None and staff.active else None
    if membership is None or not membership.allows(Role.MANAGER):
        return
    send_template(
        shop=shop,
        to=staff.email,
        to_name=staff.name,
        template="staff_export_ready",
        subject=_l("Your customer export from %(shop)s is ready to download", shop=shop.name),
        manager=staff,
        export_file=export_file,
        expires_at=export_file.expires_at.astimezone(ZoneInfo(shop.timezone)),
        download_url=external_url(
            "admin.export_download", shop=shop.slug, export_id=export_file.id
        ),
        exports_url=external_url("admin.exports", shop=shop.slug),
    )


# --- Downloading ----------------------------------------------------------------------


def downloadable(export_file, now=None):
    """The file's bytes while it is kept; once expired they are wiped (if the hourly sweep
    has not yet done it) and the answer is ``ExportExpired``."""
    if export_file.expires_at > (now or utcnow()) and export_file.data is not None:
        return export_file.data
    if export_file.data is not None:
        export_file.data = None
    raise ExportExpired(
        _l("This export was kept for 24 hours and has been deleted. Export the customers again.")
    )


def recent_exports(*, shop, now=None):
    """The shop's export jobs of the last day, newest first, each with its file (None while
    it is written, when it failed, or once expired): what the exports page lists."""
    since = (now or utcnow()) - KEEP_FOR
    jobs = db.session.scalars(
        for_shop(Job, shop)
        .where(Job.kind == KIND, Job.created_at >= since)
        .order_by(Job.created_at.desc(), Job.id.desc())
    ).all()
    files = db.session.scalars(
        for_shop(ExportFile, shop).where(ExportFile.job_id.in_([job.id for job in jobs] or [0]))
    ).all()
    by_job = {file.job_id: file for file in files}
    return [(job, by_job.get(job.id)) for job in jobs]


# --- Cleaning up ----------------------------------------------------------------------


@periodic("exports.expire", minute="23")
def expire_export_files(now=None):
    """Wipe the bytes of every expired export, and forget the rows a month later. Returns
    the number of files wiped."""
    now = now or utcnow()
    wiped = db.session.execute(
        update(ExportFile)
        .where(ExportFile.expires_at <= now, ExportFile.data.is_not(None))
        .values(data=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(
        delete(ExportFile)
        .where(ExportFile.expires_at <= now - FORGET_AFTER)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return wiped
