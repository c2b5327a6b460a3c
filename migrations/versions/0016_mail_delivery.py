"""an index of what each shop sent when, for the per-shop rate of mail delivery

Revision ID: 0016_mail_delivery
Revises: 0015_email_campaigns
Create Date: 2026-12-03 16:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_mail_delivery"
down_revision = "0015_email_campaigns"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_messages_shop_id_sent_at", ["shop_id", "sent_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_shop_id_sent_at")
