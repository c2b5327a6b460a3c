"""a member of the staff can be deactivated at one shop (keeping their place and customers)
without being removed

Revision ID: 0012_staff_active
Revises: 0011_customer_workspace
Create Date: 2026-12-03 12:42:11.556922

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_staff_active'
down_revision = '0011_customer_workspace'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('shop_memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()))



def downgrade():
    with op.batch_alter_table('shop_memberships', schema=None) as batch_op:
        batch_op.drop_column('active')

