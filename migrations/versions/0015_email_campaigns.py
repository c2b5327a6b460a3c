"""the shop's emails to its customers (email_campaigns: who for, subject and body, kind,
schedule, the send's progress), and the outbox's link from a message to its campaign and
its extra headers (List-Unsubscribe)

Revision ID: 0015_email_campaigns
Revises: 0014_imports_exports
Create Date: 2026-12-03 15:19:07.582553

"""

import warnings
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_email_campaigns"
down_revision = "0014_imports_exports"
branch_labels = None
depends_on = None


@contextmanager
def batch(table):
    """A batch over a table with a foreign key to ``customers``: on SQLite it reflects that
    table too, whose expression indexes SQLite cannot reflect (nor need they be: that table
    is not copied)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        with op.batch_alter_table(table, schema=None) as batch_op:
            yield batch_op


def upgrade():
    op.create_table(
        "email_campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("audience", sa.String(length=12), nullable=False),
        sa.Column("customer_ids", sa.JSON(), nullable=True),
        sa.Column("query", sa.Text(), nullable=True),
        sa.Column("segment_name", sa.String(length=100), nullable=True),
        sa.Column("assigned_to", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("done_up_to", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["staff_users.id"],
            name=op.f("fk_email_campaigns_created_by_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
            name=op.f("fk_email_campaigns_job_id_jobs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_email_campaigns_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_campaigns")),
    )
    with op.batch_alter_table("email_campaigns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_email_campaigns_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_email_campaigns_shop_id"), ["shop_id"], unique=False)
        batch_op.create_index(
            "ix_email_campaigns_status_scheduled_at", ["status", "scheduled_at"], unique=False
        )

    with batch("outbox_messages") as batch_op:
        batch_op.add_column(sa.Column("campaign_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("headers", sa.JSON(none_as_null=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_messages_campaign_id_email_campaigns"),
            "email_campaigns",
            ["campaign_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with batch("outbox_messages") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_messages_campaign_id_email_campaigns"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_outbox_messages_campaign_id"))
        batch_op.drop_column("headers")
        batch_op.drop_column("campaign_id")

    with op.batch_alter_table("email_campaigns", schema=None) as batch_op:
        batch_op.drop_index("ix_email_campaigns_status_scheduled_at")
        batch_op.drop_index(batch_op.f("ix_email_campaigns_shop_id"))
        batch_op.drop_index(batch_op.f("ix_email_campaigns_created_by_id"))

    op.drop_table("email_campaigns")
