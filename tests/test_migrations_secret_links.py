"""The upgrade that takes secret links out of the outbox: the emails written before it no
longer show their links to staff, and one still waiting is sent with its link."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from core.extensions import db
from core.outbox import deliver_outbox
from models import MailStatus, OutboxMessage
from tests.mail import sent_message, text_of

REVISION = "0008_secret_links"
BASE = "http://shop.test/thoi-trang-mai"
RESET = f"{BASE}/account/password/reset/eyJzIjoxfQ.Z1.Ab-c_d"
CONFIRM = f"{BASE}/account/confirm/eyJzIjoxfQ.Z2.Ef-g_h"
ORDER = f"{BASE}/orders/Qx7-u_9kLmNoPqRsTuVwXyZ012345"
MEMBER_ORDER = f"{BASE}/account/orders/1001"
LOGIN = f"{BASE}/account/login"


def insert(status, body_text, body_html):
    return db.session.execute(
        text(
            "INSERT INTO outbox_messages (kind, to_address, to_name, subject, body_text, "
            "body_html, status, attempts, next_attempt_at, created_at) VALUES ('message', "
            "'lan@example.com', '', 'Thư', :body_text, :body_html, :status, 0, "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id"
        ),
        {"body_text": body_text, "body_html": body_html, "status": status},
    ).scalar_one()


def test_the_upgrade_hides_the_secret_links_of_the_emails_already_written(make_app):
    # Given emails written before the upgrade: sent ones with a reset, an order and a
    # member's order link, and one still waiting with a confirmation link
    app = make_app(create_schema=False)
    with app.app_context():
        upgrade(revision=f"{REVISION}-1")
        sent = insert(
            "sent",
            f"Mật khẩu mới: {RESET}\nĐơn hàng: {ORDER}\nCủa bạn: {MEMBER_ORDER}\n{LOGIN}",
            f'<a href="{RESET}">Đặt</a> <a href="{ORDER}">{ORDER}</a> <a href="{LOGIN}">x</a>',
        )
        waiting = insert("queued", f"Xác nhận: {CONFIRM}", f'<a href="{CONFIRM}">Xác nhận</a>')
        plain = insert("sent", f"Đăng nhập: {LOGIN}", None)
        db.session.commit()

    # When the schema is upgraded
    with app.app_context():
        upgrade(revision=REVISION)

    # Then no secret link is left in what staff can read, and the others are kept
    with app.app_context():
        # The columns of the outbox at this revision (later ones add more)
        columns = (
            OutboxMessage.id,
            OutboxMessage.body_text,
            OutboxMessage.body_html,
            OutboxMessage.secret_urls,
        )
        rows = {row.id: row for row in db.session.execute(db.select(*columns))}
        for secret in (RESET, ORDER, CONFIRM):
            for row in rows.values():
                assert secret.rsplit("/", 1)[1] not in row.body_text + (row.body_html or "")
        assert MEMBER_ORDER in rows[sent].body_text
        assert LOGIN in rows[sent].body_text
        assert LOGIN in rows[sent].body_html
        assert "cuahang-secret-password_reset-" in rows[sent].body_text
        assert "cuahang-secret-order-" in rows[sent].body_html
        assert rows[sent].secret_urls is None
        assert rows[plain].body_text == f"Đăng nhập: {LOGIN}"
        assert list(rows[waiting].secret_urls.values()) == [CONFIRM]

    # And the waiting one, once sent, carries its link to the recipient
    with app.app_context():
        upgrade()
        deliver_outbox()
        assert CONFIRM in text_of(sent_message(waiting))
        assert db.session.get(OutboxMessage, waiting).status == MailStatus.SENT


def test_the_downgrade_puts_back_the_links_of_the_emails_still_waiting(make_app):
    app = make_app(create_schema=False)
    with app.app_context():
        upgrade(revision=f"{REVISION}-1")
        waiting = insert("queued", f"Xác nhận: {CONFIRM}", f'<a href="{CONFIRM}">Xác nhận</a>')
        db.session.commit()
        upgrade(revision=REVISION)
        downgrade(revision=f"{REVISION}-1")
        row = db.session.execute(
            text("SELECT body_text, body_html FROM outbox_messages WHERE id = :id"),
            {"id": waiting},
        ).one()
    assert row.body_text == f"Xác nhận: {CONFIRM}"
    assert row.body_html == f'<a href="{CONFIRM}">Xác nhận</a>'
