"""Delivering the outbox against a real SMTP server (aiosmtpd on a free port of 127.0.0.1):
each shop's rate, shops sharing every batch, the server's answers per message, the server
going away in the middle of a send, and a worker killed in the middle of a batch. Whatever
happens, every message arrives once: never lost, never twice."""

import email
import email.policy
import json
import os
import subprocess
import sys
import threading
from datetime import timedelta
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from sqlalchemy import event, update

from core import outbox as outbox_module
from core.extensions import db
from core.outbox import (
    CLAIM_FOR,
    OutboxMail,
    claim_batch,
    deliver_outbox,
    fair_shares,
    queue_mail,
)
from models import MailStatus, OutboxMessage, Shop, utcnow
from tests.smtp import SMTPServer

ROOT = Path(__file__).resolve().parents[2]
BODY = "Xin chào chị Lan,\n\nCửa hàng gửi chị ưu đãi tháng này: giảm 20% áo dài lụa."
# Generous: the machine may be busy. Nothing here waits this long unless something is wrong.
PATIENCE = 120


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app(make_app, smtp):
    """This module's app sends through the local SMTP server, with no rate unless a test
    sets one."""
    return make_app(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_TIMEOUT=30, MAIL_RATE_PER_SHOP=0
    )


class Clock:
    """The outbox's clock, standing still until a test moves it: a rate per clock minute
    must not depend on when the test runs or how long it takes."""

    def __init__(self):
        # Half a minute into a minute that has not begun yet: messages queued now are due.
        self.now = utcnow().replace(second=30, microsecond=0) + timedelta(minutes=1)

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(outbox_module, "utcnow", clock)
    return clock


# --- Helpers ---------------------------------------------------------------------------


def queue(app, shop_id, *addresses, kind="message", subject="Ưu đãi tháng 5", to_name=""):
    """Queue one message per address in one committed transaction; their ids."""
    with app.app_context():
        shop_row = db.session.get(Shop, shop_id) if shop_id is not None else None
        messages = [
            queue_mail(
                shop=shop_row, to=address, subject=subject, text=BODY, kind=kind, to_name=to_name
            )
            for address in addresses
        ]
        db.session.commit()
        return [message.id for message in messages]


def customers(prefix, count):
    return [f"{prefix}{i:03d}@example.com" for i in range(count)]


def rows(app):
    with app.app_context():
        return db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def by_address(app):
    return {row.to_address: row for row in rows(app)}


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
            .values(next_attempt_at=utcnow() - timedelta(days=1))
        )
        db.session.commit()


def claims_lapse(app):
    """As if the claims of a worker that died had run out."""
    with app.app_context():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.claimed_until.is_not(None))
            .values(claimed_until=utcnow() - timedelta(days=1))
        )
        db.session.commit()


def assert_each_arrived_once(smtp, addresses):
    assert sorted(smtp.recipients) == sorted(addresses)


# --- A rate per shop -------------------------------------------------------------------


def test_a_shop_over_its_rate_waits_for_the_next_minute_and_loses_nothing(app, shop, smtp, clock):
    # Given a rate of three messages a minute and a campaign of seven
    app.config["MAIL_RATE_PER_SHOP"] = 3
    addresses = customers("khach", 7)
    queue(app, shop.id, *addresses, kind="campaign")

    # When the worker runs, and runs again within the same minute
    assert sweep(app) == 3
    clock.advance(seconds=25)
    assert sweep(app) == 0

    # Then three went out and four wait, queued, never tried and never failed
    assert smtp.recipients == addresses[:3]
    waiting = [row for row in rows(app) if row.status == MailStatus.QUEUED]
    assert [row.to_address for row in waiting] == addresses[3:]
    assert all(row.attempts == 0 and row.last_error is None for row in waiting)
    assert all(row.claimed_until is None for row in waiting)

    # When the next minutes' sweeps run
    clock.advance(minutes=1)
    assert sweep(app) == 3
    clock.advance(minutes=1)
    assert sweep(app) == 1
    clock.advance(minutes=1)
    assert sweep(app) == 0

    # Then every message has arrived once, in the order it was queued
    assert smtp.recipients == addresses
    assert {row.status for row in rows(app)} == {MailStatus.SENT}


def test_the_rate_counts_what_other_senders_hold(app, shop, clock):
    # Given a rate of four a minute and six messages, three of them claimed by a sender
    app.config["MAIL_RATE_PER_SHOP"] = 4
    ids = queue(app, shop.id, *customers("khach", 6))
    with app.app_context():
        assert claim_batch(clock(), 3) == ids[:3]

    # When a second sender claims what it may
    with app.app_context():
        second = claim_batch(clock(), 10)

    # Then it takes one: three are on their way already
    assert second == ids[3:4]


def test_one_shops_campaign_does_not_hold_back_another_shops_password_reset(
    app, shop, other_shop, smtp
):
    # Given a big campaign of one shop queued first, then another shop's password reset
    app.config["OUTBOX_BATCH_SIZE"] = 5
    campaign = customers("khach", 40)
    queue(app, shop.id, *campaign, kind="campaign")
    [reset_id] = queue(app, other_shop.id, "binh@example.com", kind="password_reset")

    # When a sender claims a batch
    with app.app_context():
        first_batch = claim_batch(utcnow(), 5)

    # Then the reset is in it, with the campaign's oldest messages
    assert reset_id in first_batch
    assert len(first_batch) == 5

    # And once sent, it is among the first five to arrive, and everything arrives once
    claims_lapse(app)
    sweep(app)
    assert "binh@example.com" in smtp.recipients[:5]
    assert_each_arrived_once(smtp, [*campaign, "binh@example.com"])


def test_a_shop_over_its_rate_does_not_hold_back_another_shop(app, shop, other_shop, smtp, clock):
    # Given a rate of ten a minute, a shop that queued forty, then another shop's message
    app.config["MAIL_RATE_PER_SHOP"] = 10
    queue(app, shop.id, *customers("khach", 40), kind="campaign")
    queue(app, other_shop.id, "binh@example.com", kind="password_reset")

    # When the worker runs
    sweep(app)

    # Then the first shop sent its ten, and the other shop's message went too
    assert len(smtp.recipients) == 11
    assert "binh@example.com" in smtp.recipients


def test_within_a_shop_a_password_reset_goes_before_its_campaign(app, shop, smtp):
    # Given a shop's campaign of forty queued, then its own customer's password reset
    app.config["OUTBOX_BATCH_SIZE"] = 5
    queue(app, shop.id, *customers("khach", 40), kind="campaign")
    queue(app, shop.id, "lan@example.com", kind="password_reset")

    # When the worker sends
    sweep(app)

    # Then the reset is the first to arrive
    assert smtp.recipients[0] == "lan@example.com"
    assert len(smtp.recipients) == 41


def test_a_batch_is_dealt_to_the_shops_in_turn_within_their_budgets():
    budgets = [(1, 50), (None, 1), (3, 2), (4, 0)]
    assert fair_shares(budgets, 5) == [(1, 2), (None, 1), (3, 2)]
    assert fair_shares(budgets, 2) == [(1, 1), (None, 1)]
    assert fair_shares(budgets, 100) == [(1, 50), (None, 1), (3, 2)]
    assert fair_shares([], 5) == []


# --- The server's answer about each message ---------------------------------------------


def test_a_refused_content_is_retried_when_temporary_and_failed_when_permanent(app, shop, smtp):
    # Given a server that answers the content of two messages with a refusal
    smtp.mailbox.refuse_data["ban@example.com"] = "451 4.7.1 Greylisted, try again later"
    smtp.mailbox.refuse_data["spam@example.com"] = "554 5.7.1 Message rejected as spam"
    addresses = ["lan@example.com", "ban@example.com", "spam@example.com", "ha@example.com"]
    queue(app, shop.id, *addresses)

    # When the worker sends the batch
    sweep(app)

    # Then the others arrive over the same session, each refusal recorded on its message
    assert smtp.recipients == ["lan@example.com", "ha@example.com"]
    assert smtp.sessions == 1
    found = by_address(app)
    assert (found["ban@example.com"].status, found["ban@example.com"].attempts) == (
        MailStatus.QUEUED,
        1,
    )
    assert "451" in found["ban@example.com"].last_error
    assert found["ban@example.com"].next_attempt_at > utcnow()
    assert found["spam@example.com"].status == MailStatus.FAILED
    assert "554" in found["spam@example.com"].last_error

    # When the greylisting is over and the retry time comes
    del smtp.mailbox.refuse_data["ban@example.com"]
    retry_time_comes(app)
    sweep(app)

    # Then the greylisted message arrives; the rejected one is never tried again
    assert_each_arrived_once(smtp, ["lan@example.com", "ha@example.com", "ban@example.com"])
    assert by_address(app)["spam@example.com"].attempts == 1


def test_a_long_vietnamese_name_and_subject_arrive_whole(app, shop, smtp):
    name = "Nguyễn Thị Lan Phương Hoàng Bảo Ngọc Trâm"
    subject = "Đơn hàng DH000123 đã được xác nhận, cảm ơn chị đã mua sắm tại Thời Trang Mai"
    queue(app, shop.id, "lan@example.com", to_name=name, subject=subject)

    sweep(app)

    # Read as RFC 2047 says (encoded words next to each other join without a space; the
    # parser of policy.default adds one where a long header was folded)
    [raw] = smtp.mailbox.raw
    headers = email.message_from_bytes(raw, policy=email.policy.compat32)
    assert str(make_header(decode_header(headers["To"]))) == f"{name} <lan@example.com>"
    assert str(make_header(decode_header(headers["Subject"]))) == subject


def test_a_header_added_with_vietnamese_text_is_encoded(app):
    message = OutboxMail(
        subject="Ưu đãi",
        recipients=["lan@example.com"],
        body=BODY,
        sender="no-reply@example.com",
        extra_headers={"X-Chien-Dich": "Ưu đãi tháng 5", "List-Id": "<uu-dai.example.com>"},
    )
    with app.app_context():
        raw = message.as_bytes()
    assert raw.split(b"\r\n\r\n")[0].isascii()
    headers = email.message_from_bytes(raw, policy=email.policy.compat32)
    assert str(make_header(decode_header(headers["X-Chien-Dich"]))) == "Ưu đãi tháng 5"
    assert headers["List-Id"] == "<uu-dai.example.com>"


# --- The server goes away ---------------------------------------------------------------


def test_server_stopped_in_the_middle_of_a_send_and_restarted_loses_nothing(
    app, shop, smtp, monkeypatch
):
    # Given six messages, and a server that goes down once the worker has recorded two
    addresses = customers("khach", 6)
    ids = queue(app, shop.id, *addresses)
    settle = outbox_module.Claim.settle

    def settle_then_stop_the_server(claim, message_id, **values):
        settle(claim, message_id, **values)
        if message_id == ids[1]:
            smtp.stop()

    monkeypatch.setattr(outbox_module.Claim, "settle", settle_then_stop_the_server)

    # When the worker sends
    assert sweep(app) == 2
    monkeypatch.undo()

    # Then the two are sent and the rest wait, queued, each with the error
    assert smtp.recipients == addresses[:2]
    found = by_address(app)
    assert [found[a].status for a in addresses] == [MailStatus.SENT] * 2 + [MailStatus.QUEUED] * 4
    assert all(found[a].last_error and found[a].attempts == 1 for a in addresses[2:])
    assert all(found[a].claimed_until is None for a in addresses[2:])

    # When the retry time comes while the server is still down
    retry_time_comes(app)
    assert sweep(app) == 0
    assert all(row.status != MailStatus.FAILED for row in rows(app))

    # When the server is back and the retry time comes again
    smtp.start()
    retry_time_comes(app)
    assert sweep(app) == 4

    # Then every message has arrived exactly once
    assert_each_arrived_once(smtp, addresses)
    assert {row.status for row in rows(app)} == {MailStatus.SENT}


# --- A worker stopped in the middle of a batch -----------------------------------------


def test_a_worker_interrupted_right_after_the_server_took_a_message_sends_nothing_twice(
    app, shop, smtp
):
    # Given six messages, and a worker interrupted (Ctrl+C, the worker stopping) at the
    # moment the server has taken the third, before the worker has written that down
    addresses = customers("khach", 6)
    ids = queue(app, shop.id, *addresses)
    interrupted = []

    def interrupt_on_the_third_record(conn, cursor, statement, parameters, context, many):
        values = list(parameters.values() if isinstance(parameters, dict) else parameters)
        writing_sent = statement.startswith("UPDATE outbox_messages") and MailStatus.SENT in values
        if not interrupted and writing_sent and ids[2] in values:
            interrupted.append(True)
            raise KeyboardInterrupt

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", interrupt_on_the_third_record)
    try:
        with pytest.raises(KeyboardInterrupt):
            sweep(app)
    finally:
        event.remove(engine, "before_cursor_execute", interrupt_on_the_third_record)

    # Then the three the server took are recorded sent, the others are free again
    assert interrupted
    assert smtp.recipients == addresses[:3]
    found = by_address(app)
    assert [found[a].status for a in addresses] == [MailStatus.SENT] * 3 + [MailStatus.QUEUED] * 3
    assert all(found[a].claimed_until is None and found[a].attempts == 0 for a in addresses[3:])

    # When the worker comes back
    assert sweep(app) == 3

    # Then the rest arrive, and nothing arrived twice
    assert_each_arrived_once(smtp, addresses)


def test_a_worker_interrupted_while_handing_over_a_message_sends_it_again_once(
    app, shop, smtp, monkeypatch
):
    # Given six messages, and a worker interrupted in the middle of the third message's
    # conversation with the server, before its content was sent
    addresses = customers("khach", 6)
    queue(app, shop.id, *addresses)
    original_data = outbox_module.smtplib.SMTP.data
    calls = []

    def interrupted_data(self, msg):
        calls.append(True)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original_data(self, msg)

    monkeypatch.setattr(outbox_module.smtplib.SMTP, "data", interrupted_data)

    with pytest.raises(KeyboardInterrupt):
        sweep(app)

    # Then the server got two, and the rest, the third included, are free to go again
    assert smtp.recipients == addresses[:2]
    found = by_address(app)
    assert [found[a].status for a in addresses] == [MailStatus.SENT] * 2 + [MailStatus.QUEUED] * 4
    assert all(found[a].claimed_until is None for a in addresses[2:])

    # When the worker comes back
    monkeypatch.setattr(outbox_module.smtplib.SMTP, "data", original_data)
    assert sweep(app) == 4

    # Then each message has arrived exactly once
    assert_each_arrived_once(smtp, addresses)


WORKER = """
import json, os
from app import create_app
from core.outbox import deliver_outbox

app = create_app(json.loads(os.environ["OUTBOX_WORKER_SETTINGS"]))
with app.app_context():
    deliver_outbox()
"""
WORKER_SETTINGS = (
    "TESTING",
    "SECRET_KEY",
    "INSTANCE_PATH",
    "DATABASE_URL",
    "SQLALCHEMY_ENGINE_OPTIONS",
    "JOBS_BACKEND",
    "RATELIMIT_STORAGE_URI",
    "PUBLIC_URL",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_TIMEOUT",
    "MAIL_RATE_PER_SHOP",
)


def test_a_worker_killed_outright_in_the_middle_of_a_batch_sends_nothing_twice(app, shop, smtp):
    # Given six messages, and a worker process that the server holds on the third
    addresses = customers("khach", 6)
    queue(app, shop.id, *addresses)
    reached, release = threading.Event(), threading.Event()

    def hold_the_third(address):
        if address == addresses[2]:
            reached.set()
            release.wait(PATIENCE)

    smtp.mailbox.on_recipient = hold_the_third
    settings = {name: app.config[name] for name in WORKER_SETTINGS}
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER],
        cwd=ROOT,
        env={**os.environ, "OUTBOX_WORKER_SETTINGS": json.dumps(settings)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )

    # When the worker is killed there (no clean-up of any kind: SIGKILL)
    try:
        held = reached.wait(PATIENCE)
        worker.kill()
        _, errors = worker.communicate(timeout=PATIENCE)
    finally:
        release.set()
        if worker.poll() is None:
            worker.kill()
    assert held, errors.decode(errors="replace")
    smtp.mailbox.on_recipient = None

    # Then the two the server took were recorded as it took them
    assert smtp.recipients == addresses[:2]
    found = by_address(app)
    assert [found[a].status for a in addresses] == [MailStatus.SENT] * 2 + [MailStatus.QUEUED] * 4
    # And the rest stay with the dead worker until its claim lapses: no one sends them now
    assert all(found[a].claimed_until > utcnow() for a in addresses[2:])
    assert sweep(app) == 0

    # When the claim lapses and a worker runs
    claims_lapse(app)
    assert sweep(app) == 4

    # Then each message has arrived exactly once
    assert_each_arrived_once(smtp, addresses)


def test_a_slow_sender_keeps_its_claim_so_no_other_sender_takes_its_messages(
    app, shop, smtp, clock
):
    # Given three messages, and a server so slow that each one takes six minutes
    queue(app, shop.id, *customers("khach", 3))
    claimed_at = clock()
    taken_by_other = []

    def slow_server_and_another_sender(address):
        clock.advance(minutes=6)
        # Meanwhile another sender looks for work, in its own context and session
        with app.app_context():
            taken_by_other.extend(claim_batch(clock(), 10))

    smtp.mailbox.on_accept = slow_server_and_another_sender

    # When the first sender sends its batch
    assert sweep(app) == 3

    # Then the other sender never got one of its messages, and each arrived once
    assert taken_by_other == []
    assert_each_arrived_once(smtp, customers("khach", 3))
    assert [row.status for row in rows(app)] == [MailStatus.SENT] * 3
    # (the run lasted longer than the claim it started with)
    assert clock() - claimed_at > CLAIM_FOR
