"""the shop's vouchers (vouchers, who they are for: voucher_tags and voucher_customers),
each order's use of one (voucher_uses), and on orders the code, the discount and the
voucher's terms as applied

Revision ID: 0018_vouchers
Revises: 0017_notification_templates
Create Date: 2026-12-07 09:01:32.372142

"""

import warnings
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0018_vouchers"
down_revision = "0017_notification_templates"
branch_labels = None
depends_on = None


@contextmanager
def batch(table):
    """A batch over a table with a foreign key to ``customers``: on SQLite it reflects that
    table too, whose expression indexes SQLite cannot reflect (nor need they be)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        with op.batch_alter_table(table, schema=None) as batch_op:
            yield batch_op


def upgrade():
    op.create_table(
        "vouchers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("max_discount", sa.Integer(), nullable=True),
        sa.Column("min_order_total", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("usage_limit", sa.Integer(), nullable=True),
        sa.Column("per_customer_limit", sa.Integer(), nullable=False),
        sa.Column("free_shipping", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("used_count", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["staff_users.id"],
            name=op.f("fk_vouchers_created_by_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_vouchers_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vouchers")),
        sa.UniqueConstraint("shop_id", "code", name=op.f("uq_vouchers_shop_id_code")),
    )
    with op.batch_alter_table("vouchers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vouchers_shop_id"), ["shop_id"], unique=False)

    op.create_table(
        "voucher_tags",
        sa.Column("voucher_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_voucher_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["voucher_id"],
            ["vouchers.id"],
            name=op.f("fk_voucher_tags_voucher_id_vouchers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("voucher_id", "tag_id", name=op.f("pk_voucher_tags")),
    )
    op.create_table(
        "voucher_customers",
        sa.Column("voucher_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_voucher_customers_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["voucher_id"],
            ["vouchers.id"],
            name=op.f("fk_voucher_customers_voucher_id_vouchers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("voucher_id", "customer_id", name=op.f("pk_voucher_customers")),
    )
    with op.batch_alter_table("voucher_customers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_voucher_customers_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "voucher_uses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("voucher_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("discount", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_voucher_uses_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_voucher_uses_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_voucher_uses_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["voucher_id"],
            ["vouchers.id"],
            name=op.f("fk_voucher_uses_voucher_id_vouchers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voucher_uses")),
        sa.UniqueConstraint("order_id", name=op.f("uq_voucher_uses_order_id")),
    )
    with op.batch_alter_table("voucher_uses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_voucher_uses_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_voucher_uses_shop_id"), ["shop_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_voucher_uses_voucher_id"), ["voucher_id"], unique=False
        )

    with batch("orders") as batch_op:
        batch_op.add_column(sa.Column("voucher_code", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("discount", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("voucher_terms", sa.JSON(), nullable=True))


def downgrade():
    with batch("orders") as batch_op:
        batch_op.drop_column("voucher_terms")
        batch_op.drop_column("discount")
        batch_op.drop_column("voucher_code")

    with op.batch_alter_table("voucher_uses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voucher_uses_voucher_id"))
        batch_op.drop_index(batch_op.f("ix_voucher_uses_shop_id"))
        batch_op.drop_index(batch_op.f("ix_voucher_uses_customer_id"))

    op.drop_table("voucher_uses")
    with op.batch_alter_table("voucher_customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voucher_customers_customer_id"))

    op.drop_table("voucher_customers")
    op.drop_table("voucher_tags")
    with op.batch_alter_table("vouchers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vouchers_shop_id"))

    op.drop_table("vouchers")
