"""The mail outbox against a real SMTP server (aiosmtpd on 127.0.0.1): a message is a row
first, goes out only after its transaction commits and a worker runs, in batches over one
connection, and is never lost or sent twice when the server is away or refuses it."""

import email
import re
from datetime import timedelta
from email import policy
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from core import outbox as outbox_module
from core.extensions import db
from core.jobs import drain
from core.outbox import (
    CLAIM_FOR,
    SecretLinks,
    claim_batch,
    deliver_outbox,
    html_for_staff,
    queue_mail,
    send_template,
    text_for_staff,
)
from models import MailStatus, OutboxMessage, Shop, StaffUser, utcnow
from tests.smtp import SMTPServer

VIETNAMESE_BODY = (
    "Xin chào chị Lan,\n\n"
    "Đơn hàng DH000123 của chị đã được xác nhận: áo dài lụa tơ tằm, 1.250.000 ₫.\n"
    "Cảm ơn chị đã mua sắm tại Thời Trang Mai!"
)


# --- A real SMTP server ----------------------------------------------------------------


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app(make_app, smtp):
    """This module's app sends through the local SMTP server."""
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_TIMEOUT=5)


# --- Helpers ---------------------------------------------------------------------------


def queue(app, shop, *addresses, subject="Đơn hàng của bạn đã được xác nhận", **fields):
    """Queue one message per address in one committed transaction; their ids."""
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        messages = [
            queue_mail(shop=shop_row, to=address, subject=subject, text=VIETNAMESE_BODY, **fields)
            for address in addresses
        ]
        db.session.commit()
        return [message.id for message in messages]


def outbox(app):
    """Every outbox row, oldest first, as it is in the database now."""
    with app.app_context():
        return db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def by_address(app):
    return {row.to_address: row for row in outbox(app)}


def sweep(app):
    """The minute sweep of a worker: send what is due."""
    with app.app_context():
        return deliver_outbox()


def retry_time_comes(app):
    """As if the wait before the next attempt had passed for every queued message."""
    with app.app_context():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == MailStatus.QUEUED)
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()


def plain_body(message):
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html_body(message):
    return message.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n")


# --- Queue, commit, send ---------------------------------------------------------------


def test_message_waits_in_outbox_until_commit_and_worker_then_arrives_in_vietnamese(
    app, shop, smtp, run_jobs
):
    # Given a message queued inside a transaction that has not committed yet
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        message = queue_mail(
            shop=shop_row,
            to="lan@example.com",
            to_name="Nguyễn Thị Lan",
            subject="Đơn hàng DH000123 đã được xác nhận",
            text=VIETNAMESE_BODY,
        )
        db.session.flush()
        assert message.status == MailStatus.QUEUED
        # Then a worker running now finds nothing to do
        assert run_jobs() == 0
        db.session.commit()
    # And the commit alone sends nothing: the row waits, queued
    assert smtp.messages == []
    [row] = outbox(app)
    assert (row.status, row.sent_at, row.attempts) == (MailStatus.QUEUED, None, 0)

    # When the worker runs
    assert run_jobs() == 1

    # Then the customer receives it, with the Vietnamese text intact
    assert smtp.recipients == ["lan@example.com"]
    [received] = smtp.messages
    assert received["To"] == "Nguyễn Thị Lan <lan@example.com>"
    assert received["Subject"] == "Đơn hàng DH000123 đã được xác nhận"
    assert received["From"] == "Thời Trang Mai <no-reply@localhost>"
    assert received["Reply-To"] == "mai@example.com"
    assert plain_body(received).strip() == VIETNAMESE_BODY
    # And the row says when it was sent
    [row] = outbox(app)
    assert row.status == MailStatus.SENT
    assert row.sent_at is not None
    assert row.attempts == 1
    assert row.last_error is None


def test_rolled_back_message_is_never_written_nor_sent(app, shop, smtp, run_jobs):
    # Given a message queued in a transaction that then rolls back (the use case failed)
    with app.app_context():
        queue_mail(
            shop=db.session.get(Shop, shop.id),
            to="lan@example.com",
            subject="Tài khoản của bạn đã được duyệt",
            text=VIETNAMESE_BODY,
        )
        db.session.flush()
        db.session.rollback()
        # When the same session commits something else afterwards
        db.session.commit()
    # Then no worker has anything to do, nothing is sent and no row is left
    assert run_jobs() == 0
    assert sweep(app) == 0
    assert smtp.messages == []
    assert outbox(app) == []


def test_several_messages_go_out_over_one_smtp_session(app, shop, smtp, run_jobs):
    # Given five messages queued together
    addresses = [f"khach{i}@example.com" for i in range(5)]
    queue(app, shop, *addresses)

    # When the worker runs
    run_jobs()

    # Then all five arrive, through a single SMTP session
    assert sorted(smtp.recipients) == addresses
    assert smtp.sessions == 1
    assert {row.status for row in outbox(app)} == {MailStatus.SENT}


def test_a_long_outbox_is_claimed_in_batches_of_the_configured_size_over_one_session(
    app, shop, smtp, run_jobs, monkeypatch
):
    # Given a batch size of two and five messages waiting
    app.config["OUTBOX_BATCH_SIZE"] = 2
    queue(app, shop, *[f"khach{i}@example.com" for i in range(5)])
    claims = []

    def counting_claim(now, size):
        claimed = claim_batch(now, size)
        claims.append(len(claimed))
        return claimed

    monkeypatch.setattr(outbox_module, "claim_batch", counting_claim)

    # When the worker runs once
    run_jobs()

    # Then everything is sent, claimed two at a time, through one SMTP session
    assert claims == [2, 2, 1, 0]
    assert len(smtp.messages) == 5
    assert smtp.sessions == 1
    assert {row.status for row in outbox(app)} == {MailStatus.SENT}


# --- The server is away ----------------------------------------------------------------


def test_message_waits_in_outbox_while_smtp_is_down_and_goes_out_once_when_back(
    app, shop, smtp, run_jobs
):
    # Given the mail server is down
    smtp.stop()
    addresses = ["lan@example.com", "hung@example.com", "ha@example.com"]
    before = utcnow()
    queue(app, shop, *addresses)

    # When the worker tries to send
    run_jobs()

    # Then every message is still queued, with the error and a later time to try again
    rows = outbox(app)
    assert len(rows) == 3
    for row in rows:
        assert row.status == MailStatus.QUEUED
        assert row.attempts == 1
        assert row.sent_at is None
        assert "ConnectionRefusedError" in row.last_error
        assert row.next_attempt_at > before + timedelta(seconds=30)
        assert row.claimed_until is None

    # When the server is back but the retry time has not come
    smtp.start()
    assert sweep(app) == 0
    # Then the sweep leaves the server alone
    assert smtp.sessions == 0

    # When the retry time comes and the sweep runs (twice, as a busy minute may)
    retry_time_comes(app)
    assert sweep(app) == 3
    assert sweep(app) == 0

    # Then each message arrives exactly once and is marked sent
    assert sorted(smtp.recipients) == sorted(addresses)
    assert {row.status for row in outbox(app)} == {MailStatus.SENT}
    assert all(row.last_error is None and row.attempts == 2 for row in outbox(app))


def test_each_failed_try_waits_longer_before_the_next(app, shop, smtp):
    # Given the mail server is down and a message waiting
    smtp.stop()
    queue(app, shop, "lan@example.com")
    waits = []
    for _ in range(3):
        # When the sweep tries again each time the wait is over
        started = utcnow()
        sweep(app)
        [row] = outbox(app)
        waits.append(row.next_attempt_at - started)
        retry_time_comes(app)
    # Then the waits grow, and the message is still queued, never dropped
    assert waits[0] < waits[1] < waits[2]
    [row] = outbox(app)
    assert (row.status, row.attempts) == (MailStatus.QUEUED, 3)


def test_server_hanging_up_mid_batch_postpones_the_rest_once_and_loses_nothing(
    app, shop, smtp, run_jobs
):
    # Given a server that answers "421 closing" for one recipient and hangs up
    smtp.mailbox.refuse_recipient["hung@example.com"] = "421 Service not available, closing"
    queue(app, shop, "lan@example.com", "hung@example.com", "ha@example.com", "mai@example.com")

    # When the worker sends the batch
    run_jobs()

    # Then what went out before is sent, the rest waits with one attempt counted
    rows = by_address(app)
    assert smtp.recipients == ["lan@example.com"]
    assert rows["lan@example.com"].status == MailStatus.SENT
    for address in ("hung@example.com", "ha@example.com", "mai@example.com"):
        assert rows[address].status == MailStatus.QUEUED, address
        assert rows[address].attempts == 1, address
        assert rows[address].last_error, address
    assert "421" in rows["hung@example.com"].last_error

    # When the server is well again and the retry time comes
    del smtp.mailbox.refuse_recipient["hung@example.com"]
    retry_time_comes(app)
    sweep(app)

    # Then every message has arrived exactly once
    assert sorted(smtp.recipients) == sorted(
        ["lan@example.com", "hung@example.com", "ha@example.com", "mai@example.com"]
    )
    assert {row.status for row in outbox(app)} == {MailStatus.SENT}


def test_server_refusing_our_sender_keeps_every_message_queued(app, shop, smtp, run_jobs):
    # Given a server that refuses the sender (a setting: credentials missing)
    smtp.mailbox.refuse_sender = "530 5.7.0 Authentication required"
    queue(app, shop, "lan@example.com", "hung@example.com")

    # When the worker runs
    run_jobs()

    # Then no message is marked failed: they all wait for the setting to be fixed
    rows = outbox(app)
    assert {row.status for row in rows} == {MailStatus.QUEUED}
    assert all("530" in row.last_error for row in rows)

    # When the server accepts us again
    smtp.mailbox.refuse_sender = None
    retry_time_comes(app)
    sweep(app)

    # Then both go out
    assert sorted(smtp.recipients) == ["hung@example.com", "lan@example.com"]


# --- The server refuses a message ------------------------------------------------------


def test_permanently_refused_recipient_fails_alone_while_the_batch_is_sent(
    app, shop, smtp, run_jobs
):
    # Given a batch in which the server does not know one recipient
    smtp.mailbox.refuse_recipient["khong-co@example.com"] = "550 5.1.1 No such user"
    queue(app, shop, "lan@example.com", "khong-co@example.com", "ha@example.com")

    # When the worker sends the batch
    run_jobs()

    # Then the others arrive, over the same session
    assert sorted(smtp.recipients) == ["ha@example.com", "lan@example.com"]
    assert smtp.sessions == 1
    # And the refused one is failed with the server's answer, not retried
    rows = by_address(app)
    refused = rows["khong-co@example.com"]
    assert refused.status == MailStatus.FAILED
    assert "550" in refused.last_error
    assert "No such user" in refused.last_error
    assert refused.sent_at is None
    assert rows["lan@example.com"].status == rows["ha@example.com"].status == MailStatus.SENT
    retry_time_comes(app)
    assert sweep(app) == 0
    assert len(smtp.messages) == 2


def test_temporarily_refused_recipient_is_retried_then_failed_after_max_attempts(
    app, shop, smtp, run_jobs
):
    # Given a mailbox that stays busy and at most three attempts per message
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    smtp.mailbox.refuse_recipient["ban@example.com"] = "450 4.2.1 Mailbox busy, try later"
    queue(app, shop, "ban@example.com", "lan@example.com")

    # When the worker sends
    run_jobs()

    # Then the busy one waits for another try while the other is sent
    rows = by_address(app)
    assert rows["lan@example.com"].status == MailStatus.SENT
    busy = rows["ban@example.com"]
    assert (busy.status, busy.attempts) == (MailStatus.QUEUED, 1)
    assert "450" in busy.last_error
    assert busy.next_attempt_at > utcnow()

    # When the second try meets the same answer, it still waits
    retry_time_comes(app)
    sweep(app)
    busy = by_address(app)["ban@example.com"]
    assert (busy.status, busy.attempts) == (MailStatus.QUEUED, 2)

    # When the third and last try fails too, the message is failed for good
    retry_time_comes(app)
    sweep(app)
    busy = by_address(app)["ban@example.com"]
    assert (busy.status, busy.attempts) == (MailStatus.FAILED, 3)
    retry_time_comes(app)
    sweep(app)
    assert by_address(app)["ban@example.com"].attempts == 3
    assert smtp.recipients == ["lan@example.com"]


def test_message_that_cannot_be_built_fails_alone_and_does_not_block_the_queue(
    app, shop, smtp, run_jobs
):
    # Given a message whose address would inject a header, queued before good ones
    # (names and subjects lose their line breaks on the way in: see test_control_characters)
    bad = "lan@example.com\nBcc: spy@example.com"
    queue(app, shop, bad)
    queue(app, shop, "hung@example.com", "ha@example.com")

    # When the worker runs
    run_jobs()

    # Then the bad one is failed with a reason, the others are sent
    rows = by_address(app)
    assert rows[bad].status == MailStatus.FAILED
    assert rows[bad].last_error
    assert sorted(smtp.recipients) == ["ha@example.com", "hung@example.com"]
    assert "spy@example.com" not in smtp.recipients


# --- Two senders -----------------------------------------------------------------------


def test_two_senders_never_claim_the_same_message(app, shop):
    # Given three due messages
    ids = queue(app, shop, "a@example.com", "b@example.com", "c@example.com")
    now = utcnow()
    # When two workers, each with its own session, claim a batch at the same moment
    with app.app_context():
        first = claim_batch(now, 10)
        with app.app_context():
            second = claim_batch(now, 10)
    # Then the first owns them all and the second gets nothing
    assert first == ids
    assert second == []
    # And a claim that was never finished (its worker died) lapses, so nothing is stuck
    with app.app_context():
        assert claim_batch(now + CLAIM_FOR + timedelta(seconds=1), 10) == ids


def test_a_sender_that_read_the_queue_before_another_sent_it_sends_nothing_twice(app, shop, smtp):
    # Given two due messages
    queue(app, shop, "lan@example.com", "hung@example.com")
    raced = []

    def other_worker_runs_first(orm_execute_state):
        """Between our worker reading the due ids and claiming them, another worker (its
        own app context, session and connection) claims and sends them."""
        if raced or not orm_execute_state.is_update:
            return
        raced.append(True)
        with app.app_context():
            assert deliver_outbox() == 2

    # When our worker runs with that timing
    event.listen(Session, "do_orm_execute", other_worker_runs_first)
    try:
        with app.app_context():
            sent_by_us = deliver_outbox()
    finally:
        event.remove(Session, "do_orm_execute", other_worker_runs_first)

    # Then our worker sends nothing and each customer gets one email
    assert raced
    assert sent_by_us == 0
    assert sorted(smtp.recipients) == ["hung@example.com", "lan@example.com"]


# --- Development: no mail server -------------------------------------------------------


def test_without_mail_server_messages_become_eml_files_in_the_instance_folder(make_app, shop):
    # Given an app with no MAIL_SERVER, as in development
    dev_app = make_app()
    assert not dev_app.config["MAIL_SERVER"]
    [message_id] = queue(
        dev_app, shop, "lan@example.com", to_name="Nguyễn Thị Lan", subject="Chào mừng chị Lan"
    )

    # When the worker runs
    drain(dev_app)

    # Then the message is a readable .eml file in <instance>/mail/
    files = sorted(Path(dev_app.instance_path, "mail").glob("*.eml"))
    assert [file.name for file in files] == [f"{message_id:06d}-lan-example-com.eml"]
    written = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert written["To"] == "Nguyễn Thị Lan <lan@example.com>"
    assert written["Subject"] == "Chào mừng chị Lan"
    assert plain_body(written).strip() == VIETNAMESE_BODY
    # And the row is marked sent
    [row] = outbox(dev_app)
    assert row.status == MailStatus.SENT
    assert row.sent_at is not None


# --- Templates -------------------------------------------------------------------------


def welcome(app, shop, owner, locale=None):
    """Queue the shop's welcome email to its owner through ``send_template``."""
    with app.app_context():
        shop_row = db.session.get(Shop, shop.id)
        if locale:
            shop_row.locale = locale
        send_template(
            shop=shop_row,
            to=owner.email,
            to_name="Chủ Thời Trang Mai",
            template="shop_welcome",
            subject="Chào mừng đến với Cửa Hàng",
            owner=db.session.get(StaffUser, owner.id),
            storefront_url=f"http://shop.test/{shop.slug}/",
            admin_url=f"http://shop.test/{shop.slug}/admin/",
            login_url=f"http://shop.test/{shop.slug}/admin/login",
        )
        db.session.commit()


def test_template_mail_has_text_and_html_with_the_shops_links(app, shop, owner, smtp, run_jobs):
    # Given the welcome email queued from its templates
    welcome(app, shop, owner)

    # Then the row holds both bodies, each with the links and the owner's login email
    [row] = outbox(app)
    assert row.kind == "shop_welcome"
    assert row.subject == "Chào mừng đến với Cửa Hàng"
    for body in (row.body_text, row.body_html):
        assert f"http://shop.test/{shop.slug}/" in body
        assert f"http://shop.test/{shop.slug}/admin/" in body
        assert owner.email in body
        assert "Thời Trang Mai" in body
    assert "<" not in row.body_text
    assert f'href="http://shop.test/{shop.slug}/admin/"' in row.body_html

    # When it is sent, the owner gets both versions in one email
    run_jobs()
    [received] = smtp.messages
    parts = {part.get_content_type() for part in received.walk()}
    assert {"multipart/alternative", "text/plain", "text/html"} <= parts
    assert f"http://shop.test/{shop.slug}/admin/" in plain_body(received)
    assert f'href="http://shop.test/{shop.slug}/admin/"' in html_body(received)


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_template_mail_is_rendered_in_the_shops_language(app, shop, owner, locale):
    # Given a shop whose language is ``locale`` (Vietnamese is the default)
    # When its welcome email is queued outside any request, as a job or the CLI would
    welcome(app, shop, owner, locale=None if locale == "vi" else locale)

    # Then the HTML is rendered in that language
    [row] = outbox(app)
    assert f'<html lang="{locale}">' in row.body_html


# --- Secret links ----------------------------------------------------------------------

RESET_URL = "http://shop.test/thoi-trang-mai/account/password/reset/Tk3n.bi-mat_42?a=1&b=2"


def queue_with_secret(app, shop, to="lan@example.com"):
    """A message whose text and HTML carry a password-reset link, marked as secret."""
    with app.app_context():
        links = SecretLinks()
        placeholder = links.add(RESET_URL, "password_reset")
        message = queue_mail(
            shop=db.session.get(Shop, shop.id),
            to=to,
            subject="Đặt lại mật khẩu",
            text=f"Đặt mật khẩu mới: {placeholder}",
            html=f'<p><a href="{placeholder}">Đặt mật khẩu mới</a></p>',
            secret_links=links,
        )
        db.session.commit()
        return message.id


def test_a_secret_link_reaches_the_recipient_and_then_leaves_the_outbox(app, shop, smtp, run_jobs):
    # Given a message with a secret link, waiting in the outbox
    message_id = queue_with_secret(app, shop)
    with app.app_context():
        row = db.session.get(OutboxMessage, message_id)
        assert RESET_URL not in row.body_text
        assert "bi-mat" not in row.body_text + row.body_html
        assert list(row.secret_urls.values()) == [RESET_URL]

    # When it is sent
    run_jobs()

    # Then the recipient gets the working link, in the text and (escaped) in the HTML
    [received] = smtp.messages
    assert plain_body(received) == f"Đặt mật khẩu mới: {RESET_URL}"
    assert f'href="{RESET_URL.replace("&", "&amp;")}"' in html_body(received)
    # And the row no longer holds it anywhere
    [row] = outbox(app)
    assert row.status == MailStatus.SENT
    assert row.secret_urls is None
    assert "bi-mat" not in row.body_text + row.body_html


def test_a_message_failed_for_good_forgets_its_secret_links(app, shop, smtp, run_jobs):
    smtp.mailbox.refuse_recipient["khong-co@example.com"] = "550 5.1.1 No such user"
    queue_with_secret(app, shop, to="khong-co@example.com")

    run_jobs()

    [row] = outbox(app)
    assert row.status == MailStatus.FAILED
    assert row.secret_urls is None


def test_a_message_waiting_for_the_server_keeps_its_secret_link_until_it_is_sent(
    app, shop, smtp, run_jobs
):
    # Given the server is down when a message with a secret link is sent
    smtp.stop()
    queue_with_secret(app, shop)
    run_jobs()
    [row] = outbox(app)
    assert (row.status, row.attempts) == (MailStatus.QUEUED, 1)
    assert list(row.secret_urls.values()) == [RESET_URL]

    # When the server is back and the retry comes
    smtp.start()
    retry_time_comes(app)
    sweep(app)

    # Then the link arrives, and only then leaves the row
    [received] = smtp.messages
    assert RESET_URL in plain_body(received)
    [row] = outbox(app)
    assert row.secret_urls is None


def test_a_secret_link_written_without_its_placeholder_is_refused(app, shop):
    with app.app_context():
        links = SecretLinks()
        links.add(RESET_URL, "password_reset")
        with pytest.raises(ValueError, match="placeholder"):
            queue_mail(
                shop=db.session.get(Shop, shop.id),
                to="lan@example.com",
                subject="Đặt lại mật khẩu",
                text=f"Đặt mật khẩu mới: {RESET_URL}",
                secret_links=links,
            )


def test_the_admin_shows_a_marker_where_each_secret_link_was(app):
    links = SecretLinks()
    reset = links.add(RESET_URL, "password_reset")
    order = links.add("http://shop.test/thoi-trang-mai/orders/abc", "order")
    assert links.add(RESET_URL, "password_reset") == reset
    html = (
        f'<p><a style="x" href="{reset}">Đặt mật khẩu mới</a></p>'
        f'<p><a href="{order}">{order}</a> {order}</p>'
    )
    with app.test_request_context(), force_locale("en"):
        shown = html_for_staff(html)
        assert text_for_staff(f"Xem: {order}") == "Xem: 🔒 link hidden: order link"
    assert "href" not in shown
    assert "cuahang-secret" not in shown
    assert shown.count("🔒 link hidden: password reset link") == 1
    assert shown.count("🔒 link hidden: order link") == 2


EMAIL_TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "email"
# The links of the emails that open something to whoever holds them: a context key ending so.
SECRET_KEYS = re.compile(
    r"\b(reset_url|confirm_url|order_url|invitation_url|invite_url|accept_url|claim_url"
    r"|unsubscribe_url|download_url)\b"
)


@pytest.mark.parametrize("template", sorted(p.name for p in EMAIL_TEMPLATES.iterdir()), ids=str)
def test_every_secret_link_of_the_email_templates_is_marked(template):
    source = (EMAIL_TEMPLATES / template).read_text()
    for match in SECRET_KEYS.finditer(source):
        before = source[: match.start()]
        written = before[before.rfind("{") :]
        assert "secret_link(" in written or written.startswith("{%"), (
            f"{template}: {match.group(1)} is written without secret_link()"
        )
