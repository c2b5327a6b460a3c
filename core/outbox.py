"""Email through an outbox table.

``queue_mail`` writes a row in the caller's transaction; once that commits, a background
task sends what is due in batches over one SMTP connection, recording each message as the
server answers for it. A message the server refuses for good is marked failed; anything
else (the server down, a timeout, a 4xx answer) leaves it queued for a later try with
growing delays, so no message is lost while the server is away, and none goes twice. Each
shop sends at most ``MAIL_RATE_PER_SHOP`` messages a minute, and the shops with mail waiting
share every batch, so one shop's campaign never holds back another's password reset.
Without ``MAIL_SERVER`` messages are written to ``instance/mail/`` as ``.eml`` files.

Secret links (a password reset, an email confirmation, a guest's order page…) open something
to whoever holds them, so the row never shows them: the bodies keep a placeholder where each
one goes, the addresses wait in ``secret_urls`` until the message leaves, and are wiped once it
is sent or has failed for good. The admin's email log shows a "link hidden" marker instead.
"""

import email.generator
import email.header
import email.policy
import enum
import functools
import io
import logging
import re
import secrets
import smtplib
import time
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_mail import BadHeaderError, Connection, Message, sanitize_address
from markupsafe import Markup, escape
from sqlalchemy import bindparam, func, or_, update
from sqlalchemy.orm import selectinload

from core.clock import utcnow
from core.extensions import db
from core.inputs import multi_line, one_line
from core.jobs import enqueue_after_commit, periodic, task

log = logging.getLogger(__name__)

# How long a sender owns the messages it claimed; it renews the claim while it works, so
# this is how long the messages of a worker that died wait before another sender takes them.
CLAIM_FOR = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=1)
# Kinds of message sent to many customers at once (a campaign's, ``services.campaign_send``):
# within a shop they go after the rest, so a campaign of thousands never holds back the
# shop's own password resets and order mail.
BULK_KINDS = ("campaign",)

# The model of outbox rows, given by ``models.outbox`` (see ``bind_model``).
OutboxMessage = None


class MailStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


def bind_model(model):
    """Class decorator of the model of outbox rows (``models.outbox``): core works that table
    without importing the models, which sit above it."""
    global OutboxMessage
    OutboxMessage = model
    return model


def init_app(app):
    Path(app.instance_path, "mail").mkdir(parents=True, exist_ok=True)


# --- Secret links ---------------------------------------------------------------------

# What each kind of secret link is called where it is hidden. Another kind is one more line.
SECRET_LINK_KINDS = {
    "password_reset": _l("password reset link"),
    "email_confirmation": _l("email confirmation link"),
    "staff_invitation": _l("staff invitation link"),
    "member_invitation": _l("member invitation link"),
    "unsubscribe": _l("unsubscribe link"),
    "download": _l("download link"),
    "order": _l("order link"),
}
# Letters, digits and dashes only: the same in text, in an HTML attribute and once escaped.
PLACEHOLDER = re.compile(r"cuahang-secret-([a-z_]+)-[0-9a-f]{16}-[0-9]+")


class SecretLinks:
    """The secret links of one message, each standing for a placeholder in its bodies.

    The placeholders carry a random part of their own, so text a customer typed (a name, say)
    can never be taken for one of them when the message is sent.
    """

    def __init__(self):
        self.nonce = secrets.token_hex(8)
        self.urls = {}

    def add(self, url, kind):
        """The placeholder to write where ``url`` goes (the same one for the same link)."""
        if kind not in SECRET_LINK_KINDS:
            raise ValueError(f"unknown kind of secret link {kind!r}")
        url = str(url)
        for placeholder, known in self.urls.items():
            if known == url and PLACEHOLDER.fullmatch(placeholder).group(1) == kind:
                return placeholder
        placeholder = f"cuahang-secret-{kind}-{self.nonce}-{len(self.urls) + 1}"
        self.urls[placeholder] = url
        return placeholder


def reveal(body, urls, *, html):
    """The body as it is sent: each placeholder replaced by its link."""
    if body is None:
        return None
    for placeholder, url in (urls or {}).items():
        body = body.replace(placeholder, str(escape(url)) if html else url)
    return body


def _marker(match):
    label = SECRET_LINK_KINDS.get(match.group(1), _l("secret link"))
    return "🔒 " + _("link hidden: %(kind)s", kind=label)


def text_for_staff(body):
    """A text body as the admin shows it: every secret link replaced by a marker."""
    return PLACEHOLDER.sub(_marker, body or "")


# A link (the email's button, say) whose address is secret, whole: the marker takes its place.
_SECRET_ANCHOR = re.compile(
    r"<a\b[^>]*\bhref=([\"'])(" + PLACEHOLDER.pattern + r")\1[^>]*>.*?</a>",
    re.IGNORECASE | re.DOTALL,
)


def html_for_staff(body):
    """An HTML body as the admin shows it: every secret link replaced by a marker."""

    def anchor(match):
        return str(
            Markup(
                '<span style="display:inline-block;padding:10px 16px;border:1px dashed #a1a1aa;'
                'border-radius:6px;background:#f4f4f5;color:#52525b;">{}</span>'
            ).format(_marker(PLACEHOLDER.fullmatch(match.group(2))))
        )

    body = _SECRET_ANCHOR.sub(anchor, body or "")
    return PLACEHOLDER.sub(lambda match: str(escape(_marker(match))), body)


# --- Queueing -------------------------------------------------------------------------


def queue_mail(
    *,
    shop,
    to,
    subject,
    text,
    html=None,
    to_name="",
    customer_id=None,
    kind="message",
    reply_to=None,
    secret_links=None,
    headers=None,
    campaign_id=None,
):
    """Record a message to send once the caller's transaction commits.

    Secret links in ``text``, ``html`` and the values of ``headers`` (more headers, such as
    List-Unsubscribe) are written as the placeholders ``secret_links`` (a ``SecretLinks``)
    gave for them; the address itself must not appear in the message.
    """
    urls = dict(secret_links.urls) if secret_links is not None else {}
    for url in urls.values():
        if url in text or (html and str(escape(url)) in html):
            raise ValueError("a secret link is written in the body without its placeholder")
        if any(url in value for value in (headers or {}).values()):
            raise ValueError("a secret link is written in a header without its placeholder")
    message = OutboxMessage(
        shop_id=shop.id if shop is not None else None,
        customer_id=customer_id,
        kind=kind,
        to_address=to,
        # Headers are one line: a name typed with a line break must not stop the mail.
        to_name=one_line(to_name),
        subject=one_line(subject),
        body_text=multi_line(text),
        body_html=html,
        reply_to=reply_to or (shop.contact_email if shop is not None else None),
        secret_urls=urls or None,
        headers={name: one_line(value) for name, value in headers.items()} if headers else None,
        campaign_id=campaign_id,
    )
    db.session.add(message)
    enqueue_after_commit("outbox.deliver")
    return message


def render_mail(template, *, locale, secret_links, **context):
    """Text and HTML bodies of ``templates/email/<template>.txt|.html`` in ``locale``.

    The templates write a secret link as ``secret_link(url, kind)``: ``secret_links`` keeps
    the address and the body gets its placeholder.
    """
    with force_locale(locale):
        text = render_template(f"email/{template}.txt", secret_link=secret_links.add, **context)
        html = render_template(f"email/{template}.html", secret_link=secret_links.add, **context)
    return text, html


def send_template(*, shop, to, template, subject, to_name="", customer_id=None, **context):
    """Render a template in the shop's language and queue it."""
    locale = shop.locale if shop is not None else current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        subject = str(subject)
    links = SecretLinks()
    text, html = render_mail(template, locale=locale, secret_links=links, shop=shop, **context)
    return queue_mail(
        shop=shop,
        to=to,
        subject=subject,
        text=text,
        html=html,
        to_name=to_name,
        customer_id=customer_id,
        kind=template,
        secret_links=links,
    )


def backoff(attempts):
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


# --- Delivery -------------------------------------------------------------------------
#
# A sender claims a batch, hands each message to the server and writes down the server's
# answer about it in a transaction of its own before handing over the next. The value a
# claim writes in ``claimed_until`` is the sender's token: no other sender takes those rows
# before that time, every record of an answer checks it, and the sender renews it while
# half of it is left, so a slow server can never let a second sender take a message the
# first one is about to send.
#
# A worker killed in the middle of a batch has written down every message the server had
# taken before the one in hand. Interrupted in Python (Ctrl+C, the worker stopping), it
# also writes down the message whose "250 accepted" it had just read and gives the rest of
# its batch back at once. Killed outright, the rest waits for its claim to lapse and goes
# out then. The one message that can go twice is the one the process died with, after the
# server accepted it and before the record was written (SMTP cannot tell a client what it
# did not hear); it goes again with the same Message-ID, by which mail systems recognise
# the copy.


class _AsEncoded(email.policy.Compat32):
    """Writes each header as Flask-Mail encoded it (RFC 2047 words, folded), line by line."""

    def _fold(self, name, value, sanitize):
        if isinstance(value, str) and not value.isascii():
            # A header added as it is (``extra_headers``) with text in it is encoded here.
            value = email.header.Header(value, "utf-8", header_name=name)
        if not isinstance(value, str):
            return super()._fold(name, value, sanitize)
        return f"{name}: " + self.linesep.join(value.splitlines()) + self.linesep


class _Writer(email.generator.BytesGenerator):
    """The standard writer, except for the boundary between parts: the standard one checks
    its random boundary against the text with a regular expression compiled anew for each
    message; a boundary of 128 random bits cannot be in the text."""

    @classmethod
    def _make_boundary(cls, text=None):
        return f"=_{secrets.token_hex(16)}"


class OutboxMail(Message):
    """Flask-Mail's message, written out with its headers exactly as Flask-Mail encoded them.

    Flask-Mail encodes every header itself (a Vietnamese name or subject becomes RFC 2047
    encoded words, folded), then writes the message with ``policy.SMTP``, which parses each
    header again whenever the writer reads one and re-folds the long ones: that costs four
    times the rest of the message (paid 10,000 times for a campaign), and the re-folding
    splits a long name inside a word ("Ng ọc"). ``compat32`` reads headers without parsing
    them; it only must not fold them a second time either.
    """

    WIRE_POLICY = _AsEncoded(linesep="\r\n")

    def as_bytes(self):
        out = io.BytesIO()
        _Writer(out, policy=self.WIRE_POLICY).flatten(self._message())
        return out.getvalue()


class TimeoutConnection(Connection):
    """Flask-Mail's connection with a socket timeout, so a silent server cannot hang a worker.

    It is given the app's mail settings (``app.extensions["mail"]``): the unbound ``mail``
    object of ``core.extensions`` answers None for every setting. Flask-Mail's
    ``MAIL_SUPPRESS_SEND`` defaults to on under ``TESTING``, which would mark messages sent
    that never left; the outbox suppresses only when that setting is given explicitly.
    """

    def __enter__(self):
        if current_app.config.get("MAIL_SUPPRESS_SEND", False):
            self.host = None
        else:
            self.host = self.configure_host()
        self.num_emails = 0
        return self

    def __exit__(self, exc_type, exc_value, tb):
        # Saying goodbye to a server that already hung up must not undo what was sent. A
        # worker being stopped (an interrupt, not an error) may be in the middle of a
        # message: it hangs up without waiting for an answer that may never come.
        if self.host is None:
            return
        if exc_type is not None and not issubclass(exc_type, Exception):
            self.host.close()
            return
        try:
            self.host.quit()
        except (smtplib.SMTPException, OSError):
            self.host.close()

    def configure_host(self):
        timeout = current_app.config["MAIL_TIMEOUT"]
        smtp_class = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp_class(self.mail.server, self.mail.port, timeout=timeout)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host

    def send(self, message, envelope_from=None):
        """Flask-Mail's ``send``, except that the new connection after ``MAIL_MAX_EMAILS``
        messages is made before the next message, not after this one: failing to
        reconnect must not look like this message failing once the server has taken it."""
        if message.has_bad_headers():
            raise BadHeaderError
        if self.host is None:
            return
        if self.mail.max_emails and self.num_emails >= self.mail.max_emails:
            self.__exit__(None, None, None)
            self.host = self.configure_host()
            self.num_emails = 0
        if message.date is None:
            message.date = time.time()
        # The envelope wants addresses only (Flask-Mail encodes each name again for it).
        self.host.sendmail(
            _envelope(envelope_from or message.sender),
            [_envelope(recipient) for recipient in message.send_to],
            message.as_bytes(),
            message.mail_options,
            message.rcpt_options,
        )
        self.num_emails += 1


class FileConnection:
    """Development: each message becomes an .eml file in ``instance/mail/``."""

    def __init__(self, folder):
        self.folder = Path(folder)

    def send(self, message, outbox_id):
        recipient = message.recipients[0]
        address = recipient[1] if isinstance(recipient, tuple) else recipient
        safe = re.sub(r"[^A-Za-z0-9]+", "-", address)[:60]
        (self.folder / f"{outbox_id:06d}-{safe}.eml").write_bytes(message.as_bytes())


@contextmanager
def open_connection():
    if current_app.config["MAIL_SERVER"]:
        with TimeoutConnection(current_app.extensions["mail"]) as connection:
            yield _SMTPSender(connection)
    else:
        yield FileConnection(Path(current_app.instance_path) / "mail")


class _SMTPSender:
    def __init__(self, connection):
        self.connection = connection

    def send(self, message, outbox_id):
        self.connection.send(message)


class Courier:
    """The connection of one delivery run: opened when the first message needs it (a run
    with nothing to send never calls the server), then used for every batch of the run."""

    def __init__(self):
        self.stack = ExitStack()
        self.connection = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return self.stack.__exit__(*exc_info)

    def send(self, message, outbox_id):
        if self.connection is None:
            self.connection = self.stack.enter_context(open_connection())
        self.connection.send(message, outbox_id)


def build_message(row):
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    if row.shop is not None:
        sender = (one_line(row.shop.name), _address_of(sender))
    # Names and subjects are cleaned again here: rows queued before they were cleaned on
    # the way in, or written by other code, must still become a mail with sound headers.
    to_name = one_line(row.to_name)
    recipient = (to_name, row.to_address) if to_name else row.to_address
    message = OutboxMail(
        subject=one_line(row.subject),
        recipients=[recipient],
        body=reveal(row.body_text, row.secret_urls, html=False),
        html=reveal(row.body_html, row.secret_urls, html=True),
        sender=sender,
        reply_to=row.reply_to,
    )
    if row.headers:
        message.extra_headers = {
            name: reveal(value, row.secret_urls, html=False) for name, value in row.headers.items()
        }
    domain = _address_of(current_app.config["MAIL_DEFAULT_SENDER"]).rpartition("@")[2]
    message.msgId = f"<outbox-{row.id}@{domain or 'localhost'}>"
    return message


def _envelope(sender):
    """The address alone, its domain in IDNA when it is not ASCII, as Flask-Mail writes it."""
    address = _address_of(sender)
    return address if address.isascii() else sanitize_address(("", address))


def _address_of(sender):
    if isinstance(sender, tuple):
        return sender[1]
    match = re.search(r"<([^>]+)>", sender or "")
    return match.group(1) if match else (sender or "")


# --- Claiming: fair between shops, within each shop's rate ------------------------------


def _due(now):
    return (OutboxMessage.status == MailStatus.QUEUED) & (OutboxMessage.next_attempt_at <= now)


def _unclaimed(now):
    return or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)


def _of_shops(shop_ids):
    """Messages of these shops; None stands for the platform's own mail (no shop)."""
    known = [shop_id for shop_id in shop_ids if shop_id is not None]
    condition = OutboxMessage.shop_id.in_(known)
    if None in shop_ids:
        condition = or_(condition, OutboxMessage.shop_id.is_(None))
    return condition


def shop_budgets(now):
    """(shop id, how many of its due messages may be claimed now) for each shop with mail
    due, the shop whose oldest message has waited longest first.

    ``MAIL_RATE_PER_SHOP`` counts, for the clock minute of ``now``, what the shop has sent
    and what other senders hold claimed; the minute sweep starts each minute afresh. The
    platform's own mail (no shop) is one more sender with the same rate.
    """
    free = _unclaimed(now)
    waiting = db.session.execute(
        db.select(
            OutboxMessage.shop_id,
            func.count(OutboxMessage.id).filter(free),
            func.count(OutboxMessage.id).filter(~free),
            func.min(OutboxMessage.id).filter(free),
        )
        .where(_due(now))
        .group_by(OutboxMessage.shop_id)
    ).all()
    waiting = sorted((row for row in waiting if row[1]), key=lambda row: row[3])
    rate = current_app.config["MAIL_RATE_PER_SHOP"]
    if not rate or not waiting:
        return [(shop_id, free_count) for shop_id, free_count, _, _ in waiting]
    minute = now.replace(second=0, microsecond=0)
    sent = dict(
        db.session.execute(
            db.select(OutboxMessage.shop_id, func.count(OutboxMessage.id))
            .where(_of_shops([row[0] for row in waiting]), OutboxMessage.sent_at >= minute)
            .group_by(OutboxMessage.shop_id)
        ).all()
    )
    return [
        (shop_id, max(0, min(free_count, rate - sent.get(shop_id, 0) - in_flight)))
        for shop_id, free_count, in_flight, _ in waiting
    ]


def fair_shares(budgets, size):
    """(shop id, share) pairs: ``size`` places dealt one at a time to each shop in turn, in
    the order given, none getting more than its budget."""
    shares = {shop_id: 0 for shop_id, budget in budgets if budget > 0}
    limits = dict(budgets)
    left = size
    while left > 0:
        open_shops = [shop_id for shop_id in shares if shares[shop_id] < limits[shop_id]]
        if not open_shops:
            break
        for shop_id in open_shops[:left]:
            shares[shop_id] += 1
        left -= min(left, len(open_shops))
    return [(shop_id, share) for shop_id, share in shares.items() if share]


def claim_batch(now, size):
    """Ids of at most ``size`` due messages this sender now owns, until ``now + CLAIM_FOR``.

    The batch is shared between the shops with mail due, one message each in turn (see
    ``fair_shares``), so one shop's campaign of 10,000 never holds back another shop's
    password reset; within a shop, campaign messages (``BULK_KINDS``) come after the rest.
    A shop over its rate gets nothing this round: its messages stay queued for the next.
    """
    picked = []
    for shop_id, share in fair_shares(shop_budgets(now), size):
        picked += db.session.scalars(
            db.select(OutboxMessage.id)
            .where(_due(now), _unclaimed(now), _of_shops([shop_id]))
            .order_by(OutboxMessage.kind.in_(BULK_KINDS), OutboxMessage.id)
            .limit(share)
        ).all()
    claimed = []
    if picked:
        # Every condition again: another sender may have claimed, or claimed and sent,
        # these messages since we read them (a sent message has no claim left to protect
        # it). The database settles the race: each row goes to one sender.
        claimed = db.session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(picked), _due(now), _unclaimed(now))
            .values(claimed_until=now + CLAIM_FOR)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        ).all()
    db.session.commit()
    return sorted(claimed)


@contextmanager
def record_connection():
    """The connection that writes down what becomes of each claimed message.

    In autocommit, a record is one statement and one round trip, committed on its own. On
    PostgreSQL the commit does not wait for the disk either: a worker killed afterwards
    loses nothing (the database server has the record); only the database server crashing
    within a fraction of a second could lose one, and then that message goes again (twice,
    never lost): not worth a disk flush for every message. The setting leaves with the
    connection: it is reset, or the connection dropped, before the pool has it back.
    """
    connection = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    postgres = connection.dialect.name == "postgresql"
    try:
        if postgres:
            connection.exec_driver_sql("SET synchronous_commit TO OFF")
        yield connection
    finally:
        try:
            if postgres:
                connection.exec_driver_sql("RESET synchronous_commit")
        except Exception:
            connection.invalidate()
        connection.close()


class Claim:
    """The messages of a batch this sender owns, the ``claimed_until`` value that proves it
    (a later claim by anyone else writes a later time), and the connection (see
    ``record_connection``) that writes down each message's outcome, against the table,
    without the ORM's bookkeeping."""

    def __init__(self, ids, token, records):
        self.ids = set(ids)
        self.token = token
        self.records = records
        self.columns = OutboxMessage.__table__.c

    def owned(self):
        columns = self.columns
        return (columns.status == MailStatus.QUEUED) & (columns.claimed_until == self.token)

    def _update(self, ids, **values):
        columns = self.columns
        return (
            update(OutboxMessage.__table__)
            .where(columns.id.in_(ids), self.owned())
            .values(**values)
            .returning(columns.id)
        )

    def renew_if_half_gone(self, ids):
        """Keep owning ``ids`` for another ``CLAIM_FOR`` once half of the claim is gone, so
        that no message is handed to the server on a claim that may lapse meanwhile."""
        if utcnow() < self.token - CLAIM_FOR / 2:
            return
        token = utcnow() + CLAIM_FOR
        kept = self.records.execute(self._update(ids, claimed_until=token)).scalars().all()
        self.ids, self.token = set(kept), token

    def settle(self, message_id, **values):
        """Write the outcome of one message and end its claim."""
        statement = _settle_statement(tuple(sorted(values)))
        result = self.records.execute(
            statement, {"message_id": message_id, "token": self.token, **values}
        )
        self.ids.discard(message_id)
        if result.rowcount != 1:
            log.warning("outbox message %s was no longer ours to record", message_id)

    def give_back(self, ids):
        """End the claim on ``ids`` without an attempt: the next round takes them at once."""
        self.records.execute(self._update(ids, claimed_until=None))
        self.ids.difference_update(ids)


@functools.cache
def _settle_statement(names):
    """The UPDATE that records an outcome writing ``names``: made once for each kind of
    outcome, it is compiled once too, not for each of 10,000 messages."""
    columns = OutboxMessage.__table__.c
    return (
        update(OutboxMessage.__table__)
        .where(
            columns.id == bindparam("message_id"),
            columns.status == MailStatus.QUEUED,
            columns.claimed_until == bindparam("token"),
        )
        .values(claimed_until=None, **{name: bindparam(name) for name in names})
    )


def is_permanent(error):
    """A 5xx answer about this message: sending it again cannot help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def outcome_sent(attempts, now):
    # Sent or given up: no one needs the secret links any more.
    return {
        "status": MailStatus.SENT,
        "sent_at": now,
        "attempts": attempts + 1,
        "last_error": None,
        "secret_urls": None,
    }


def outcome_failed(attempts, error):
    return {
        "status": MailStatus.FAILED,
        "attempts": attempts + 1,
        "last_error": _describe(error),
        "secret_urls": None,
    }


def outcome_later(attempts, error, now):
    return {
        "status": MailStatus.QUEUED,
        "attempts": attempts + 1,
        "last_error": _describe(error),
        "next_attempt_at": now + backoff(attempts + 1),
    }


@task("outbox.deliver")
def deliver_outbox():
    """Send everything due, batch by batch over one connection. Returns the number sent."""
    size = current_app.config["OUTBOX_BATCH_SIZE"]
    sent = 0
    with ExitStack() as stack:
        courier = stack.enter_context(Courier())
        records = None
        while True:
            now = utcnow()
            ids = claim_batch(now, size)
            if not ids:
                return sent
            if records is None:
                records = stack.enter_context(record_connection())
            claim = Claim(ids, now + CLAIM_FOR, records)
            count, connection_failed = send_batch(claim, courier)
            sent += count
            if connection_failed:
                return sent


def send_batch(claim, courier):
    """Send the claimed messages; returns (sent, connection_failed).

    The server's answer about one message (its recipient or its content refused) settles
    that message alone. Losing the server, or the server refusing our sender address (a
    setting, the same for every message), leaves this message and the rest queued.
    """
    rows = db.session.scalars(
        db.select(OutboxMessage)
        .where(
            OutboxMessage.id.in_(claim.ids),
            OutboxMessage.status == MailStatus.QUEUED,
            OutboxMessage.claimed_until == claim.token,
        )
        .options(selectinload(OutboxMessage.shop))
        .order_by(OutboxMessage.kind.in_(BULK_KINDS), OutboxMessage.id)
    ).all()
    batch = [(row.id, row.attempts, _built(row)) for row in rows]
    db.session.rollback()  # nothing written: the records go through their own connection
    sent = 0
    accepted = None  # (id, attempts) of a message the server took, not yet written down
    try:
        for position, (message_id, attempts, message) in enumerate(batch):
            claim.renew_if_half_gone([item[0] for item in batch[position:]])
            if message_id not in claim.ids:
                continue
            outcome = attempt(courier, message_id, attempts, message)
            if outcome["status"] == MailStatus.SENT:
                accepted = (message_id, attempts)
                sent += 1
            claim.settle(message_id, **outcome)
            accepted = None
    except (smtplib.SMTPException, OSError) as error:
        # Connecting, logging in or staying connected failed: the rest of the batch waits.
        log.warning("mail server unavailable: %s", error)
        postpone(claim, batch, error, utcnow())
        return sent, True
    except BaseException:
        _stop_cleanly(claim, accepted)
        raise
    return sent, False


def attempt(courier, message_id, attempts, message):
    """Hand one message to the server; what to record about it. Losing the server, or the
    server refusing our sender address, is raised: that is not this message's fault."""
    now = utcnow()
    if isinstance(message, Exception):
        return outcome_failed(attempts, message)
    try:
        courier.send(message, message_id)
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPSenderRefused):
        raise
    except smtplib.SMTPException as error:
        if is_permanent(error) or attempts + 1 >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
            return outcome_failed(attempts, error)
        return outcome_later(attempts, error, now)
    except (BadHeaderError, ValueError) as error:
        # Cannot become an email as it is (a line break in a header, say): trying again
        # would block the queue behind it.
        log.warning("outbox message %s cannot be sent: %r", message_id, error)
        return outcome_failed(attempts, error)
    return outcome_sent(attempts, now)


def _built(row):
    """The message of ``row``, or the error that keeps it from being one: a row that cannot
    become an email fails alone instead of stopping every batch it is in."""
    try:
        return build_message(row)
    except Exception as error:
        log.exception("outbox message %s cannot be built", row.id)
        return error


def postpone(claim, batch, error, now):
    """The server could not be reached or dropped us: try the rest again later."""
    for message_id, attempts, _message in batch:
        if message_id in claim.ids:
            claim.settle(message_id, **outcome_later(attempts, error, now))


def _stop_cleanly(claim, accepted):
    """The worker is being stopped in the middle of a batch: write down the message the
    server has just taken, and give the others back so the next round sends them now."""
    try:
        db.session.rollback()
        # A fresh connection: the interruption may have struck in the middle of a record.
        with record_connection() as claim.records:
            if accepted is not None:
                message_id, attempts = accepted
                claim.settle(message_id, **outcome_sent(attempts, utcnow()))
            claim.give_back(sorted(claim.ids))
    except Exception:
        log.exception("outbox: the claimed messages wait for their claim to lapse")


def _describe(error):
    return f"{error.__class__.__name__}: {error}"[:1000]


@periodic("outbox.sweep", minute="*")
def sweep_outbox():
    """Every minute: send what is due again (retries, a shop's messages over its rate, and
    anything whose task was lost)."""
    return deliver_outbox()
