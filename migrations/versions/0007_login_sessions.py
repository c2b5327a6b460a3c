"""signed-in sessions kept on the server, instead of a token per person

Revision ID: 0007_login_sessions
Revises: 0006_customer_registered_at
Create Date: 2026-11-26 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_login_sessions'
down_revision = '0006_customer_registered_at'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('shop_id', sa.Integer(), nullable=True),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.String(length=255), nullable=False),
    sa.CheckConstraint("(kind = 'staff' AND staff_id IS NOT NULL AND customer_id IS NULL) OR (kind = 'customer' AND customer_id IS NOT NULL AND staff_id IS NULL)", name=op.f('ck_login_sessions_one_person')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_login_sessions_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_login_sessions_shop_id_shops'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_login_sessions_staff_id_staff_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_login_sessions_token_hash'))
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_sessions_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_sessions_shop_id'), ['shop_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_sessions_staff_id'), ['staff_id'], unique=False)

    # Outside a batch: SQLite (3.35 and later) drops a column in place, where a batch would
    # copy ``customers`` by reflecting it and lose its indexes on an expression. Everyone
    # signed in before this upgrade logs in again.
    op.drop_column('customers', 'session_token')
    op.drop_column('staff_users', 'session_token')


def downgrade():
    # A new random token each, so that no session id of this revision opens anything there.
    random_token = (
        sa.text('lower(hex(randomblob(16)))')
        if op.get_bind().dialect.name == 'sqlite'
        else sa.text("md5(random()::text || id::text)")
    )
    for table in ('staff_users', 'customers'):
        op.add_column(
            table,
            sa.Column('session_token', sa.String(length=32), nullable=False, server_default=''),
        )
        op.execute(sa.table(table, sa.column('session_token')).update().values(session_token=random_token))
        if op.get_bind().dialect.name != 'sqlite':
            op.alter_column(table, 'session_token', server_default=None)

    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_staff_id'))
        batch_op.drop_index(batch_op.f('ix_login_sessions_shop_id'))
        batch_op.drop_index(batch_op.f('ix_login_sessions_expires_at'))
        batch_op.drop_index(batch_op.f('ix_login_sessions_customer_id'))

    op.drop_table('login_sessions')
