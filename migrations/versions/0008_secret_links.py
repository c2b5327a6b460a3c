"""secret links leave the outbox once sent; a reset link is spent by a newer one

Revision ID: 0008_secret_links
Revises: 0007_login_sessions
Create Date: 2026-12-01 09:00:00.000000

"""
import re
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_secret_links'
down_revision = '0007_login_sessions'
branch_labels = None
depends_on = None

JOINED_AT = sa.text('coalesce(registered_at, created_at)')

# The secret links the emails written so far hold, by kind (``core.outbox.SECRET_LINK_KINDS``):
# a password reset, an email confirmation, a guest's order page (not the member's
# ``/account/orders/<number>``, which needs a login).
SECRET_URL = re.compile(
    r"""https?://[^\s"'<>]*?(?:"""
    r"""(?P<password_reset>/account/password/reset/[A-Za-z0-9_.\-]+)"""
    r"""|(?P<email_confirmation>/account/confirm/[A-Za-z0-9_.\-]+)"""
    r"""|(?P<order>(?<!/account)/orders/[A-Za-z0-9_\-]+))"""
)

outbox = sa.table(
    'outbox_messages',
    sa.column('id', sa.Integer()),
    sa.column('status', sa.String()),
    sa.column('body_text', sa.Text()),
    sa.column('body_html', sa.Text()),
    sa.column('secret_urls', sa.JSON(none_as_null=True)),
)


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret_urls', sa.JSON(none_as_null=True), nullable=True))
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reset_nonce', sa.String(length=32), nullable=True))

    # The emails already in the outbox: their secret links become placeholders, so no page
    # shows them; a message still waiting keeps its links until it is sent.
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(outbox.c.id, outbox.c.status, outbox.c.body_text, outbox.c.body_html).where(
            sa.or_(
                *(
                    outbox.c.body_text.like(f'%{path}%')
                    for path in ('/account/password/reset/', '/account/confirm/', '/orders/')
                )
            )
        )
    ).all()
    for row in rows:
        nonce = secrets.token_hex(8)
        urls = {}

        def hide(match):
            url = match.group(0)
            for placeholder, known in urls.items():
                if known == url:
                    return placeholder
            placeholder = f'cuahang-secret-{match.lastgroup}-{nonce}-{len(urls) + 1}'
            urls[placeholder] = url
            return placeholder

        text = SECRET_URL.sub(hide, row.body_text)
        html = SECRET_URL.sub(hide, row.body_html) if row.body_html is not None else None
        if not urls:
            continue
        connection.execute(
            outbox.update()
            .where(outbox.c.id == row.id)
            .values(
                body_text=text,
                body_html=html,
                secret_urls=urls if row.status == 'queued' else None,
            )
        )


def downgrade():
    # The messages still waiting get their links back in their bodies, as before.
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(outbox.c.id, outbox.c.body_text, outbox.c.body_html, outbox.c.secret_urls).where(
            outbox.c.secret_urls.is_not(None)
        )
    ).all()
    for row in rows:
        text, html = row.body_text, row.body_html
        for placeholder, url in (row.secret_urls or {}).items():
            text = text.replace(placeholder, url)
            html = html.replace(placeholder, url) if html is not None else None
        connection.execute(
            outbox.update().where(outbox.c.id == row.id).values(body_text=text, body_html=html)
        )

    # Outside the batches: on SQLite a batch copies the table by reflecting it (and the
    # customers table its foreign keys point to), and SQLite cannot reflect an index on an
    # expression.
    op.drop_index('ix_customers_shop_id_status_joined_at', table_name='customers')
    op.drop_index('ix_customers_shop_id_joined_at', table_name='customers')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('secret_urls')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('reset_nonce')
    op.create_index('ix_customers_shop_id_joined_at', 'customers', ['shop_id', JOINED_AT], unique=False)
    op.create_index(
        'ix_customers_shop_id_status_joined_at', 'customers', ['shop_id', 'status', JOINED_AT], unique=False
    )
