"""Email waiting to be sent, and the record of what was sent."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import outbox
from core.extensions import db
from core.outbox import MailStatus
from models.base import UTCDateTime, utcnow

__all__ = ["MailStatus", "OutboxMessage"]


@outbox.bind_model
class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
        # What a shop sent this minute, for its rate (``core.outbox.shop_budgets``).
        Index("ix_outbox_messages_shop_id_sent_at", "shop_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int | None] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), index=True
    )
    # The customer this message was written to, for their timeline.
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    # The shop's email to many customers this message is one of (``models.campaign``).
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("email_campaigns.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(50), default="message")
    to_address: Mapped[str] = mapped_column(String(254))
    to_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # The addresses of the secret links the bodies hold as placeholders (``core.outbox``),
    # kept only until the message is sent or has failed for good: staff never see them.
    secret_urls: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    reply_to: Mapped[str | None] = mapped_column(String(254))
    # More headers ({name: value}), such as List-Unsubscribe; a value may hold a secret link's
    # placeholder, revealed as the bodies' are.
    headers: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    status: Mapped[str] = mapped_column(String(10), default=MailStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set while a sender works on the message, so two senders never take the same one; the
    # value is the sender's token (``core.outbox.Claim``).
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    shop = relationship("Shop")

    def __repr__(self):
        return f"<OutboxMessage {self.id} {self.status} to {self.to_address}>"
