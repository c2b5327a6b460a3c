"""An email the shop writes to its customers: one customer, the ticked rows of the list, every
customer of a filter or of a saved segment. Its messages are outbox rows that name it."""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from models.base import TimestampMixin, UTCDateTime


class CampaignKind(enum.StrEnum):
    # News, offers, care ("chăm sóc"): only to customers who accept it, with an unsubscribe link.
    MARKETING = "marketing"
    # About an order or an account: to everyone chosen.
    SERVICE = "service"


class CampaignStatus(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    # Shown, never stored: the job sending it gave up (``services.campaigns.display_status``).
    STOPPED = "stopped"


class Audience(enum.StrEnum):
    CUSTOMER = "customer"  # from a customer's record
    SELECTED = "selected"  # the ticked rows of the list
    FILTER = "filter"  # every customer matching the list's filter
    SEGMENT = "segment"  # every customer of a saved segment


class EmailCampaign(TimestampMixin, db.Model):
    """Who it is for is kept as it was chosen (the ids ticked, or the filter's query string:
    a segment's is copied, so deleting the segment later changes nothing), and read again
    when it is sent: a customer who withdrew their consent meanwhile is left out."""

    __tablename__ = "email_campaigns"
    __table_args__ = (Index("ix_email_campaigns_status_scheduled_at", "status", "scheduled_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12), default=CampaignKind.MARKETING)
    subject: Mapped[str] = mapped_column(String(255))
    # Markdown with placeholders, as the manager wrote it (``services.mail_templates``).
    body: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(12))
    customer_ids: Mapped[list | None] = mapped_column(JSON)
    query: Mapped[str | None] = mapped_column(Text)
    segment_name: Mapped[str | None] = mapped_column(String(100))
    # A ``staff`` role's campaign reaches only the customers assigned to them (their id; no
    # foreign key, so that removing the person never widens what it reaches).
    assigned_to: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(12), default=CampaignStatus.DRAFT)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    # How many it was sent to and how many were left out, by reason (the send writes them).
    counts: Mapped[dict | None] = mapped_column(JSON)
    # The last customer id the send dealt with: a send picked up again goes on after it.
    done_up_to: Mapped[int | None] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by = relationship("StaffUser")
    job = relationship("Job")

    def __repr__(self):
        return f"<EmailCampaign {self.id} {self.status}>"
