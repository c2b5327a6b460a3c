"""Email through an outbox table.

``queue_mail`` writes a row in the caller's transaction; once that commits, a background
task sends what is due in batches over one SMTP connection. A message the server refuses
for good is marked failed; anything else (the server down, a timeout, a 4xx answer) leaves
it queued for a later try with growing delays, so no message is lost while the server is
away. Without ``MAIL_SERVER`` messages are written to ``instance/mail/`` as ``.eml`` files.

Secret links (a password reset, an email confirmation, a guest's order page…) open something
to whoever holds them, so the row never shows them: the bodies keep a placeholder where each
one goes, the addresses wait in ``secret_urls`` until the message leaves, and are wiped once it
is sent or has failed for good. The admin's email log shows a "link hidden" marker instead.
"""

import enum
import logging
import re
import secrets
import smtplib
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_mail import BadHeaderError, Connection, Message
from markupsafe import Markup, escape
from sqlalchemy import or_, update

from core.clock import utcnow
from core.extensions import db
from core.inputs import multi_line, one_line
from core.jobs import enqueue_after_commit, periodic, task

log = logging.getLogger(__name__)

CLAIM_FOR = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=1)

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
        # Saying goodbye to a server that already hung up must not undo what was sent.
        if self.host is None:
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


def build_message(row):
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    if row.shop is not None:
        sender = (one_line(row.shop.name), _address_of(sender))
    # Names and subjects are cleaned again here: rows queued before they were cleaned on
    # the way in, or written by other code, must still become a mail with sound headers.
    to_name = one_line(row.to_name)
    recipient = (to_name, row.to_address) if to_name else row.to_address
    message = Message(
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


def _address_of(sender):
    if isinstance(sender, tuple):
        return sender[1]
    match = re.search(r"<([^>]+)>", sender or "")
    return match.group(1) if match else (sender or "")


def claim_batch(now, size):
    """Ids of due messages this sender now owns; another sender skips them."""
    due = db.session.scalars(
        db.select(OutboxMessage.id)
        .where(OutboxMessage.status == MailStatus.QUEUED)
        .where(OutboxMessage.next_attempt_at <= now)
        .where(or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        .order_by(OutboxMessage.id)
        .limit(size)
    ).all()
    claimed = []
    for message_id in due:
        # Every condition again: another sender may have claimed, or claimed and sent, the
        # message since we read it (a sent message has no claim left to protect it).
        result = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .where(OutboxMessage.status == MailStatus.QUEUED)
            .where(OutboxMessage.next_attempt_at <= now)
            .where(or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
            .values(claimed_until=now + CLAIM_FOR)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            claimed.append(message_id)
    db.session.commit()
    return claimed


def is_permanent(error):
    """A 5xx answer about this message: sending it again cannot help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def postpone(rows, error, now):
    """The server could not be reached or dropped us: try these again later."""
    for row in rows:
        row.attempts += 1
        row.last_error = error
        row.next_attempt_at = now + backoff(row.attempts)
        row.claimed_until = None
    db.session.commit()


@task("outbox.deliver")
def deliver_outbox():
    """Send everything due, batch by batch. Returns the number of messages sent."""
    size = current_app.config["OUTBOX_BATCH_SIZE"]
    sent = 0
    while True:
        now = utcnow()
        ids = claim_batch(now, size)
        if not ids:
            return sent
        count, connection_failed = send_batch(ids)
        sent += count
        if connection_failed:
            return sent


def send_batch(ids):
    """Send the claimed messages over one connection; returns (sent, connection_failed).

    The server's answer about one message (its recipient or its content refused) settles
    that message alone. Losing the server, or the server refusing our sender address (a
    setting, the same for every message), leaves this message and the rest queued.
    """
    rows = db.session.scalars(
        db.select(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == MailStatus.QUEUED)
        .order_by(OutboxMessage.id)
    ).all()
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    sent = settled = 0
    try:
        with open_connection() as connection:
            for row in rows:
                now = utcnow()
                try:
                    connection.send(build_message(row), row.id)
                except (smtplib.SMTPServerDisconnected, smtplib.SMTPSenderRefused):
                    raise
                except smtplib.SMTPException as error:
                    row.attempts += 1
                    row.last_error = _describe(error)
                    if is_permanent(error) or row.attempts >= max_attempts:
                        row.status = MailStatus.FAILED
                    else:
                        row.next_attempt_at = now + backoff(row.attempts)
                except (BadHeaderError, ValueError) as error:
                    # Cannot become an email as it is (a line break in a header, say):
                    # trying again would block the queue behind it.
                    log.warning("outbox message %s cannot be sent: %r", row.id, error)
                    row.attempts += 1
                    row.last_error = _describe(error)
                    row.status = MailStatus.FAILED
                else:
                    row.attempts += 1
                    row.status = MailStatus.SENT
                    row.sent_at = now
                    row.last_error = None
                    sent += 1
                if row.status != MailStatus.QUEUED:
                    # Sent or given up: no one needs the secret links any more.
                    row.secret_urls = None
                row.claimed_until = None
                db.session.commit()
                settled += 1
    except (smtplib.SMTPException, OSError) as error:
        # Connecting, logging in or staying connected failed: the rest of the batch waits.
        log.warning("mail server unavailable: %s", error)
        postpone(rows[settled:], _describe(error), utcnow())
        return sent, True
    return sent, False


def _describe(error):
    return f"{error.__class__.__name__}: {error}"[:1000]


@periodic("outbox.sweep", minute="*")
def sweep_outbox():
    """Every minute: send what is due again (retries, and anything whose task was lost)."""
    return deliver_outbox()
