"""the customer workspace: groups, a shop's tags, internal notes, saved segments, assigned
staff, each staff member's list columns, and the totals and province the list filters and
sorts by

Revision ID: 0011_customer_workspace
Revises: 0010_proven_ownership
Create Date: 2026-12-03 12:11:27.107704

"""
import warnings
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_customer_workspace'
down_revision = '0010_proven_ownership'
branch_labels = None
depends_on = None


JOINED_AT = sa.text('coalesce(registered_at, created_at)')
DEFAULT_TAGS = ('tiềm năng', 'hay hoàn')
NOT_COUNTED = ('cancelled', 'returned')

shops = sa.table('shops', sa.column('id'))
tags = sa.table(
    'tags', sa.column('id'), sa.column('shop_id'), sa.column('name'), sa.column('created_at')
)
customer_tags = sa.table(
    'customer_tags',
    sa.column('shop_id'),
    sa.column('customer_id'),
    sa.column('name'),
    sa.column('tag_id'),
    sa.column('created_at'),
)
customers = sa.table(
    'customers',
    sa.column('id'),
    sa.column('province'),
    sa.column('total_spent'),
    sa.column('orders_count'),
    sa.column('last_order_at'),
)
orders = sa.table(
    'orders', sa.column('customer_id'), sa.column('status'), sa.column('total'), sa.column('created_at')
)
addresses = sa.table(
    'customer_addresses',
    sa.column('id'),
    sa.column('customer_id'),
    sa.column('province'),
    sa.column('is_default'),
)


@contextmanager
def batch(table, **kw):
    """A batch over a table that refers to ``customers``, or over ``customers`` itself: on
    SQLite it reflects ``customers``, whose expression indexes SQLite cannot reflect."""
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', 'Skipped unsupported reflection of expression-based')
        with op.batch_alter_table(table, schema=None, **kw) as batch_op:
            yield batch_op


def restore_joined_at_indexes():
    """On SQLite a batch copies ``customers`` without the indexes it cannot reflect."""
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.execute('DROP INDEX IF EXISTS ix_customers_shop_id_joined_at')
    op.execute('DROP INDEX IF EXISTS ix_customers_shop_id_status_joined_at')
    op.create_index('ix_customers_shop_id_joined_at', 'customers', ['shop_id', JOINED_AT], unique=False)
    op.create_index(
        'ix_customers_shop_id_status_joined_at', 'customers', ['shop_id', 'status', JOINED_AT], unique=False
    )


def upgrade():
    op.create_table('customer_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_customer_groups_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_groups')),
    sa.UniqueConstraint('shop_id', 'name', name=op.f('uq_customer_groups_shop_id_name'))
    )
    with op.batch_alter_table('customer_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_groups_shop_id'), ['shop_id'], unique=False)

    op.create_table('customer_segments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_users.id'], name=op.f('fk_customer_segments_created_by_id_staff_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_customer_segments_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_segments')),
    sa.UniqueConstraint('shop_id', 'name', name=op.f('uq_customer_segments_shop_id_name'))
    )
    with op.batch_alter_table('customer_segments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_segments_shop_id'), ['shop_id'], unique=False)

    op.create_table('tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_tags_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
    sa.UniqueConstraint('shop_id', 'name', name=op.f('uq_tags_shop_id_name'))
    )
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tags_shop_id'), ['shop_id'], unique=False)

    op.create_table('customer_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_notes_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_customer_notes_shop_id_shops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_customer_notes_staff_id_staff_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_notes'))
    )
    with op.batch_alter_table('customer_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_notes_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_notes_shop_id'), ['shop_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_notes_staff_id'), ['staff_id'], unique=False)

    # Each shop's tags so far, and the defaults every shop starts with.
    op.execute(
        tags.insert().from_select(
            ['shop_id', 'name', 'created_at'],
            sa.select(
                customer_tags.c.shop_id, customer_tags.c.name, sa.func.min(customer_tags.c.created_at)
            ).group_by(customer_tags.c.shop_id, customer_tags.c.name),
        )
    )
    for name in DEFAULT_TAGS:
        has_it = sa.exists().where(tags.c.shop_id == shops.c.id, tags.c.name == name)
        op.execute(
            tags.insert().from_select(
                ['shop_id', 'name', 'created_at'],
                sa.select(shops.c.id, sa.literal(name), sa.func.current_timestamp()).where(~has_it),
            )
        )
    with batch('customer_tags') as batch_op:
        batch_op.add_column(sa.Column('tag_id', sa.Integer(), nullable=True))
    op.execute(
        customer_tags.update().values(
            tag_id=sa.select(tags.c.id)
            .where(tags.c.shop_id == customer_tags.c.shop_id, tags.c.name == customer_tags.c.name)
            .scalar_subquery()
        )
    )
    with batch('customer_tags') as batch_op:
        batch_op.alter_column('tag_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_customer_tags_customer_id_name'), type_='unique')
        batch_op.create_index(batch_op.f('ix_customer_tags_tag_id'), ['tag_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_customer_tags_customer_id_tag_id'), ['customer_id', 'tag_id'])
        batch_op.create_foreign_key(batch_op.f('fk_customer_tags_tag_id_tags'), 'tags', ['tag_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_column('name')

    with batch('customers') as batch_op:
        batch_op.add_column(sa.Column('company', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('group_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assigned_staff_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('province', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('total_spent', sa.BigInteger(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('orders_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_order_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_customers_assigned_staff_id'), ['assigned_staff_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_customers_group_id'), ['group_id'], unique=False)
        batch_op.create_index('ix_customers_shop_id_last_order_at', ['shop_id', 'last_order_at'], unique=False)
        batch_op.create_index('ix_customers_shop_id_orders_count', ['shop_id', 'orders_count'], unique=False)
        batch_op.create_index('ix_customers_shop_id_province', ['shop_id', 'province'], unique=False)
        batch_op.create_index('ix_customers_shop_id_total_spent', ['shop_id', 'total_spent'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_customers_group_id_customer_groups'), 'customer_groups', ['group_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_customers_assigned_staff_id_staff_users'), 'staff_users', ['assigned_staff_id'], ['id'], ondelete='SET NULL')

    restore_joined_at_indexes()

    # What the list filters and sorts by, from the orders and addresses so far.
    counted = sa.and_(orders.c.customer_id == customers.c.id, orders.c.status.not_in(NOT_COUNTED))
    default_address = (
        sa.select(addresses.c.province)
        .where(addresses.c.customer_id == customers.c.id)
        .order_by(addresses.c.is_default.desc(), addresses.c.id)
        .limit(1)
        .scalar_subquery()
    )
    op.execute(
        customers.update().values(
            total_spent=sa.select(sa.func.coalesce(sa.func.sum(orders.c.total), 0))
            .where(counted)
            .scalar_subquery(),
            orders_count=sa.select(sa.func.count()).where(counted).scalar_subquery(),
            last_order_at=sa.select(sa.func.max(orders.c.created_at))
            .where(orders.c.customer_id == customers.c.id)
            .scalar_subquery(),
            province=sa.func.nullif(default_address, ''),
        )
    )

    with op.batch_alter_table('shop_memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer_columns', sa.JSON(), nullable=True))



def downgrade():
    with op.batch_alter_table('shop_memberships', schema=None) as batch_op:
        batch_op.drop_column('customer_columns')

    with batch('customers') as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_customers_assigned_staff_id_staff_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_customers_group_id_customer_groups'), type_='foreignkey')
        batch_op.drop_index('ix_customers_shop_id_total_spent')
        batch_op.drop_index('ix_customers_shop_id_province')
        batch_op.drop_index('ix_customers_shop_id_orders_count')
        batch_op.drop_index('ix_customers_shop_id_last_order_at')
        batch_op.drop_index(batch_op.f('ix_customers_group_id'))
        batch_op.drop_index(batch_op.f('ix_customers_assigned_staff_id'))
        batch_op.drop_column('last_order_at')
        batch_op.drop_column('orders_count')
        batch_op.drop_column('total_spent')
        batch_op.drop_column('province')
        batch_op.drop_column('assigned_staff_id')
        batch_op.drop_column('group_id')
        batch_op.drop_column('company')
    restore_joined_at_indexes()

    with batch('customer_tags') as batch_op:
        batch_op.add_column(sa.Column('name', sa.VARCHAR(length=60), nullable=True))
    op.execute(
        customer_tags.update().values(
            name=sa.select(tags.c.name).where(tags.c.id == customer_tags.c.tag_id).scalar_subquery()
        )
    )
    with batch('customer_tags') as batch_op:
        batch_op.alter_column('name', existing_type=sa.VARCHAR(length=60), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_customer_tags_tag_id_tags'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_customer_tags_customer_id_tag_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_customer_tags_tag_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_customer_tags_customer_id_name'), ['customer_id', 'name'])
        batch_op.drop_column('tag_id')

    with op.batch_alter_table('customer_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_notes_staff_id'))
        batch_op.drop_index(batch_op.f('ix_customer_notes_shop_id'))
        batch_op.drop_index(batch_op.f('ix_customer_notes_customer_id'))

    op.drop_table('customer_notes')
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tags_shop_id'))

    op.drop_table('tags')
    with op.batch_alter_table('customer_segments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_segments_shop_id'))

    op.drop_table('customer_segments')
    with op.batch_alter_table('customer_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_groups_shop_id'))

    op.drop_table('customer_groups')
