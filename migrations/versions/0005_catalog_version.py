"""the shop's catalog version, raised by every change to its catalog

Revision ID: 0005_catalog_version
Revises: 0004_orders
Create Date: 2026-11-23 15:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_catalog_version'
down_revision = '0004_orders'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('catalog_version', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.drop_column('catalog_version')
