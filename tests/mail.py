"""Email as its recipient gets it.

The outbox keeps no secret link (a reset, a confirmation, a guest's order page): a test reads
those links where the recipient does, in the message sent. Tests send without an SMTP server,
so each message sent is an ``.eml`` file in ``instance/mail/``. Call these inside an app context.
"""

import email
import re
from email import policy
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from core.extensions import db
from core.jobs import drain
from core.urls import external_url
from models import OutboxMessage


def delivered(kind=None, to=None):
    """The last message (of ``kind``, to ``to``) as it was sent; the outbox is sent first, as
    a worker would."""
    app = current_app._get_current_object()
    drain(app)
    query = select(OutboxMessage.id).order_by(OutboxMessage.id.desc())
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    if to is not None:
        query = query.where(OutboxMessage.to_address == to)
    message_id = db.session.scalars(query).first()
    assert message_id is not None, f"no {kind or ''} message queued"
    return sent_message(message_id)


def sent_message(message_id):
    """Outbox message ``message_id`` as it was sent (it must have been)."""
    files = list(Path(current_app.instance_path, "mail").glob(f"{message_id:06d}-*.eml"))
    assert files, f"message {message_id} was not sent"
    return email.message_from_bytes(files[0].read_bytes(), policy=policy.default)


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html_of(message):
    return message.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n")


def sent_text(kind, to=None):
    """The plain text of the last message of ``kind``, as sent."""
    return text_of(delivered(kind, to))


def link_in(text, endpoint, shop_slug):
    """The path (with its token) of the ``endpoint`` link written in an email's ``text``."""
    path = external_url(endpoint, shop=shop_slug, token="TOKEN").split("://", 1)[1]
    path = path[path.index("/") :]
    before, _, after = path.partition("TOKEN")
    match = re.search(re.escape(before) + r"([A-Za-z0-9_.-]+)" + re.escape(after), text)
    assert match, f"no {endpoint} link in {text!r}"
    return before + match.group(1) + after


def sent_link(kind, endpoint, shop_slug, to=None):
    """The path (with its token) of the ``endpoint`` link in the last message of ``kind``
    sent, as the recipient would follow it."""
    return link_in(sent_text(kind, to), endpoint, shop_slug)


def token_of(link):
    return link.rstrip("/").rsplit("/", 1)[1]
