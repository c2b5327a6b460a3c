"""the customer search at a million customers: names and email with their accents (the rows
whose accents match what was typed come first), and on PostgreSQL a trigram index for a
fragment anywhere in the folded search text

Revision ID: 0013_customer_search
Revises: 0012_staff_active
Create Date: 2026-12-04 09:30:00.000000

"""
import unicodedata
import warnings
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_customer_search'
down_revision = '0012_staff_active'
branch_labels = None
depends_on = None


JOINED_AT = sa.text('coalesce(registered_at, created_at)')
TRIGRAM_INDEX = 'ix_customers_search_text_trgm'
BATCH = 5_000

customers = sa.table(
    'customers',
    sa.column('id'),
    sa.column('first_name'),
    sa.column('last_name'),
    sa.column('email'),
    sa.column('search_exact'),
)


def lower_exact(text):
    """models.customer.lower_exact as of this revision: lower case, accents kept, NFC."""
    composed = unicodedata.normalize('NFC', text or '')
    return ' '.join(unicodedata.normalize('NFC', composed.lower()).split())


@contextmanager
def batch(table, **kw):
    """A batch over ``customers``: on SQLite it reflects the table, whose expression indexes
    SQLite cannot reflect (restored by ``restore_joined_at_indexes``)."""
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


def fill_search_exact():
    """Every customer's names and email as ``lower_exact`` gives them, in batches of ids:
    Unicode lower case and NFC are Python's (SQLite's lower() knows ASCII only)."""
    connection = op.get_bind()
    update = (
        customers.update()
        .where(customers.c.id == sa.bindparam('row_id'))
        .values(search_exact=sa.bindparam('exact'))
    )
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(customers.c.id, customers.c.last_name, customers.c.first_name, customers.c.email)
            .where(customers.c.id > last_id)
            .order_by(customers.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            update,
            [
                {'row_id': row.id, 'exact': lower_exact(' '.join(p for p in row[1:] if p))}
                for row in rows
            ],
        )
        last_id = rows[-1].id


def upgrade():
    with batch('customers') as batch_op:
        batch_op.add_column(sa.Column('search_exact', sa.Text(), nullable=False, server_default=''))
    restore_joined_at_indexes()
    fill_search_exact()

    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.create_index(
            TRIGRAM_INDEX,
            'customers',
            ['search_text'],
            unique=False,
            postgresql_using='gin',
            postgresql_ops={'search_text': 'gin_trgm_ops'},
        )


def downgrade():
    # The extension stays: other objects of the database may use it.
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index(TRIGRAM_INDEX, table_name='customers')
    with batch('customers') as batch_op:
        batch_op.drop_column('search_exact')
    restore_joined_at_indexes()
