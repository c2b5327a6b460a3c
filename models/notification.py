"""The shop's own version of one of its notification emails (``services.notification_templates``
names the kinds): a subject and a Markdown body with placeholders. A kind the shop never
edited, or reset, has no row and sends the built-in email in the shop's language."""

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from models.base import TimestampMixin


class NotificationTemplate(TimestampMixin, db.Model):
    __tablename__ = "notification_templates"
    __table_args__ = (UniqueConstraint("shop_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(255))
    # Markdown with placeholders, as the manager wrote it (``services.mail_templates``).
    body: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )

    def __repr__(self):
        return f"<NotificationTemplate {self.shop_id} {self.kind}>"
