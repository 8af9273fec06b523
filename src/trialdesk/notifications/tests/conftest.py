"""Notification test fixtures: a real SMTP server on a free local port (aiosmtpd) and what arrived."""

import email
import email.policy
import socket
from dataclasses import dataclass

import pytest
from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    """One message as the server received it."""

    sender: str
    recipients: tuple[str, ...]
    subject: str
    body: str

    @property
    def lines(self) -> list[str]:
        return self.body.splitlines()


class Inbox:
    def __init__(self):
        self.messages: list[Received] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(
            Received(
                envelope.mail_from,
                tuple(envelope.rcpt_tos),
                str(message["Subject"]),
                message.get_body(("plain",)).get_content(),
            )
        )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [message for message in self.messages if address in message.recipients]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """Django's SMTP backend pointed at a local server; yields the server's inbox."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    settings.SITE_URL = "https://trialdesk.example.org"
    try:
        yield inbox
    finally:
        controller.stop()
