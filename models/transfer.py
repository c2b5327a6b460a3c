"""Files moving customers in and out of a shop: an uploaded import with its mapping, options and
result; an export written by a job and kept for a day; the export templates a shop saved."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from core.extensions import db
from models.base import UTCDateTime, utcnow


class ImportStatus:
    UPLOADED = "uploaded"  # read, mapped, waiting for the manager's options and preview
    RUNNING = "running"  # a job is writing it
    DONE = "done"
    FAILED = "failed"


class CustomerImport(db.Model):
    """One uploaded file, from its upload to its result. The file itself is kept (in the
    database, so any worker on any machine can read it) until the import is finished."""

    __tablename__ = "customer_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    status: Mapped[str] = mapped_column(String(10), default=ImportStatus.UPLOADED)
    headers: Mapped[list] = mapped_column(JSON, default=list)
    row_count: Mapped[int] = mapped_column(default=0)
    # {column index (as text): field key}; a column left out is ignored.
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    counts: Mapped[dict | None] = mapped_column(JSON)
    # The rejected rows as uploaded plus a reason column, ready to fix and upload again.
    error_report: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by = relationship("StaffUser")
    job = relationship("Job")


class ExportFile(db.Model):
    """A large export a job wrote; downloadable by the shop's managers until it expires."""

    __tablename__ = "export_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    row_count: Mapped[int] = mapped_column(default=0)
    data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    created_by = relationship("StaffUser")


class ExportTemplate(db.Model):
    """Columns a shop chose, in its order, saved under a name to export with."""

    __tablename__ = "export_templates"
    __table_args__ = (UniqueConstraint("shop_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    columns: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
