"""A real SMTP server (aiosmtpd) on loopback that records what it accepted and can refuse."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RecordingHandler:
    accepted: list[Envelope] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    """Replies to give to the next DATA commands instead of accepting (e.g. '451 4.3.0 busy')."""

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refusals:
            return self.refusals.pop(0)
        self.accepted.append(envelope)
        return "250 2.0.0 OK"

    def messages(self) -> list[EmailMessage]:
        out = []
        for envelope in self.accepted:
            content = envelope.original_content or envelope.content
            assert isinstance(content, bytes)
            msg = message_from_bytes(content, policy=policy.default)
            assert isinstance(msg, EmailMessage)
            out.append(msg)
        return out


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: RecordingHandler


def run_smtp_server() -> Iterator[SmtpServer]:
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler)
    finally:
        controller.stop()
