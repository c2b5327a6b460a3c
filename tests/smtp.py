"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, on a free port, that can go down and
come back on the same port, refuse a recipient or a message's content, and count sessions."""

import email
import socket
from email import policy

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """aiosmtpd handler: keeps what arrives, counts SMTP sessions (one EHLO/HELO each) and
    answers with a refusal where a test asks for one."""

    def __init__(self):
        self.received = []
        self.raw = []  # the bytes of each message received, as they came
        self.sessions = 0
        self.refuse_recipient = {}  # address -> reply such as "550 no such user"
        self.refuse_data = {}  # address -> reply to the message's content, such as "554 spam"
        self.refuse_sender = None  # reply to MAIL FROM, such as "530 authentication required"
        self.on_recipient = None  # called with each address before it is answered
        self.on_accept = None  # called with each address of a message accepted

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname  # what the default EHLO does: MAIL is allowed now
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        self.sessions += 1
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.refuse_sender:
            return self.refuse_sender
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.on_recipient is not None:
            self.on_recipient(address)
        if address in self.refuse_recipient:
            return self.refuse_recipient[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            if address in self.refuse_data:
                return self.refuse_data[address]
        parsed = email.message_from_bytes(envelope.original_content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), parsed))
        self.raw.append(envelope.original_content)
        if self.on_accept is not None:
            for address in envelope.rcpt_tos:
                self.on_accept(address)
        return "250 Message accepted for delivery"


class SMTPServer:
    """A local SMTP server that can go down and come back on the same port."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.mailbox = Mailbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return [message for _, message in self.mailbox.received]

    @property
    def recipients(self):
        return [address for rcpt_tos, _ in self.mailbox.received for address in rcpt_tos]

    @property
    def sessions(self):
        return self.mailbox.sessions
