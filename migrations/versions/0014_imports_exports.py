"""customer imports (the uploaded file, its mapping, options and result), export files a job
wrote, kept for a day, and the export templates a shop saved

Revision ID: 0014_imports_exports
Revises: 0013_customer_search
Create Date: 2026-12-03 14:40:29.587255

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014_imports_exports"
down_revision = "0013_customer_search"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "export_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_export_templates_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_templates")),
        sa.UniqueConstraint("shop_id", "name", name=op.f("uq_export_templates_shop_id_name")),
    )
    with op.batch_alter_table("export_templates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_templates_shop_id"), ["shop_id"], unique=False)

    op.create_table(
        "customer_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("error_report", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["staff_users.id"],
            name=op.f("fk_customer_imports_created_by_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
            name=op.f("fk_customer_imports_job_id_jobs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_customer_imports_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_imports")),
    )
    with op.batch_alter_table("customer_imports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_imports_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_customer_imports_shop_id"), ["shop_id"], unique=False)

    op.create_table(
        "export_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["staff_users.id"],
            name=op.f("fk_export_files_created_by_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_export_files_job_id_jobs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_export_files_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_files")),
    )
    with op.batch_alter_table("export_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_export_files_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_export_files_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_export_files_shop_id"), ["shop_id"], unique=False)


def downgrade():
    with op.batch_alter_table("export_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_files_shop_id"))
        batch_op.drop_index(batch_op.f("ix_export_files_expires_at"))
        batch_op.drop_index(batch_op.f("ix_export_files_created_by_id"))

    op.drop_table("export_files")
    with op.batch_alter_table("customer_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_imports_shop_id"))
        batch_op.drop_index(batch_op.f("ix_customer_imports_created_by_id"))

    op.drop_table("customer_imports")
    with op.batch_alter_table("export_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_templates_shop_id"))

    op.drop_table("export_templates")
