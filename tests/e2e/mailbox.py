"""The mail the served app sent, as its recipients get it: the ``.eml`` files it writes to
the instance folder when no SMTP server is set."""

import email
import email.policy
import re
import time
from pathlib import Path


def messages_to(instance, address):
    """(subject, text body) of every message sent to ``address``, oldest first."""
    found = []
    for path in sorted(Path(instance, "mail").glob("*.eml"), key=lambda p: p.stat().st_mtime):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if address.lower() in str(message["To"]).lower():
            body = message.get_body(preferencelist=("plain",))
            found.append((str(message["Subject"]), body.get_content() if body else ""))
    return found


def wait_for_link(instance, address, pattern, timeout=30):
    """The first link matching ``pattern`` in the newest message to ``address`` that has one;
    the job consumer sends mail a moment after the page answered."""
    deadline = time.monotonic() + timeout
    while True:
        for _subject, text in reversed(messages_to(instance, address)):
            match = re.search(pattern, text)
            if match:
                return match.group(0)
        if time.monotonic() > deadline:
            raise AssertionError(f"no mail to {address} with a link like {pattern}")
        time.sleep(0.2)
