"""when each customer became a member, and the customer list's order by it

Revision ID: 0006_customer_registered_at
Revises: 0005_catalog_version
Create Date: 2026-11-24 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_customer_registered_at'
down_revision = '0005_catalog_version'
branch_labels = None
depends_on = None

JOINED_AT = sa.text('coalesce(registered_at, created_at)')


def upgrade():
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registered_at', sa.DateTime(timezone=True), nullable=True))

    # Members registered before this column: the first registration on their timeline. A
    # member the shop wrote in itself has none and stays dated by the record.
    customers = sa.table(
        'customers', sa.column('id'), sa.column('status'), sa.column('registered_at')
    )
    events = sa.table(
        'customer_events', sa.column('customer_id'), sa.column('type'), sa.column('created_at')
    )
    first_registration = (
        sa.select(sa.func.min(events.c.created_at))
        .where(events.c.customer_id == customers.c.id, events.c.type == 'registered')
        .scalar_subquery()
    )
    op.execute(
        customers.update()
        .where(customers.c.status != 'guest')
        .values(registered_at=first_registration)
    )

    # Outside the batch: on SQLite a batch copies the table by reflecting it, and SQLite
    # cannot reflect an index on an expression.
    op.drop_index('ix_customers_shop_id_status_created_at', table_name='customers')
    op.create_index('ix_customers_shop_id_joined_at', 'customers', ['shop_id', JOINED_AT], unique=False)
    op.create_index(
        'ix_customers_shop_id_status_joined_at', 'customers', ['shop_id', 'status', JOINED_AT], unique=False
    )


def downgrade():
    op.drop_index('ix_customers_shop_id_status_joined_at', table_name='customers')
    op.drop_index('ix_customers_shop_id_joined_at', table_name='customers')
    op.create_index(
        'ix_customers_shop_id_status_created_at', 'customers', ['shop_id', 'status', 'created_at'], unique=False
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('registered_at')
