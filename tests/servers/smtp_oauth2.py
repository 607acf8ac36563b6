"""The recording SMTP server of `tests.servers.smtp`, requiring SASL XOAUTH2: the bearer token
must be active for the user it claims, by the fake identity platform's introspection. A refused
token gets Exchange Online's sequence: a 334 challenge carrying a base64 JSON error, an empty
line from the client, then 535."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

from tests.servers.identity import FakeIdentity
from tests.servers.smtp import RecordingHandler, SmtpServer, free_port


@dataclass
class OAuth2Handler(RecordingHandler):
    identity: FakeIdentity | None = None
    logins: list[str] = field(default_factory=list)
    """Users authenticated, in order."""
    refused: list[str] = field(default_factory=list)
    """Tokens refused, in order."""

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        if len(args) == 2:
            blob = args[1].encode()
        else:
            answer = await server.challenge_auth("", encode_to_b64=False)
            if not isinstance(answer, bytes):
                return AuthResult(success=False, handled=True)
            blob = base64.b64encode(answer)
        fields = dict(
            part.split("=", 1) for part in base64.b64decode(blob).decode().split("\x01") if part
        )
        user = fields.get("user", "")
        token = fields.get("auth", "").removeprefix("Bearer ")
        assert self.identity is not None
        if user and self.identity.active_user(token) == user:
            self.logins.append(user)
            return AuthResult(success=True, auth_data=user)
        self.refused.append(token)
        error = {"status": "401", "schemes": "bearer", "scope": "https://outlook.office365.com/"}
        await server.challenge_auth(json.dumps(error))  # the client answers with an empty line
        return AuthResult(
            success=False, handled=False, message="535 5.7.3 Authentication unsuccessful"
        )

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        if not session.authenticated:
            return "530 5.7.57 Client not authenticated to send mail"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"


def run_oauth2_smtp_server(identity: FakeIdentity) -> Iterator[tuple[SmtpServer, OAuth2Handler]]:
    handler = OAuth2Handler(identity=identity)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, auth_require_tls=False)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler), handler
    finally:
        controller.stop()
