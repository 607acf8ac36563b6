"""Outgoing email over SMTP (aiosmtplib); `intake.mail.send_folder` writes `.eml` files instead
when no server is set."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from datetime import UTC, datetime

import aiosmtplib

from intake.auth import Tokens
from intake.errors import DeliveryRefused, OperatorError
from intake.mail.compose import compose
from intake.mail.send_oauth2 import send_xoauth2
from intake.mail.smtp_connections import SmtpConnections
from intake.message import OutboundMessage


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    username: str = ""
    password: str = ""
    tls: str = "none"
    """none, starttls or implicit."""
    timeout: float = 30
    verify_tls: bool = True


class SmtpSender:
    """Sends through an SMTP server; only a 2xx answer to the whole transaction counts as sent."""

    def __init__(
        self,
        config: SmtpConfig,
        *,
        sender: str,
        sender_name: str,
        tokens: Tokens | None = None,
    ) -> None:
        """`tokens`: authenticate as `config.username` with OAuth2 (XOAUTH2), not a password."""
        self._config = config
        self._sender = sender
        self._sender_name = sender_name
        self._tokens = tokens
        context = None if config.verify_tls else _unverified()
        self.connections = SmtpConnections(config, context=context)
        """Kept open between messages (password or no authentication; XOAUTH2 connects for
        each message, its token may have changed)."""

    async def close(self) -> None:
        await self.connections.close()

    async def send(self, message: OutboundMessage) -> bytes:
        raw = compose(
            message, sender=self._sender, sender_name=self._sender_name, now=datetime.now(UTC)
        )
        config = self._config
        context = None if config.verify_tls else _unverified()
        try:
            if self._tokens is not None:
                errors = await send_xoauth2(
                    raw,
                    sender=self._sender,
                    recipients=list(message.to),
                    host=config.host,
                    port=config.port,
                    tls=config.tls,
                    timeout_seconds=config.timeout,
                    context=context,
                    user=config.username or self._sender,
                    tokens=self._tokens,
                )
            else:
                errors = await self.connections.sendmail(self._sender, message.to, raw)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            raise DeliveryRefused(
                f"recipients refused ({codes})", permanent=all(c >= 500 for c in codes)
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise DeliveryRefused(
                f"SMTP server answered {exc.code} {exc.message}", permanent=exc.code >= 500
            ) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise OperatorError(
                f"SMTP server {config.host}:{config.port} unreachable: {exc.__class__.__name__}"
            ) from exc
        if errors:
            raise DeliveryRefused(f"{len(errors)} recipient(s) refused", permanent=False)
        return raw


def _unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context
