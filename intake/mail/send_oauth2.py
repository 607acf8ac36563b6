"""Sending over SMTP with an OAuth2 bearer token (SASL XOAUTH2), as Exchange Online requires
once basic authentication is off.

aiosmtplib has no XOAUTH2, so the AUTH command is sent as is (RFC 4954 with an initial
response). A server that refuses the token first sends its reason as a base64 JSON challenge
(334) and waits for an empty line before the final 535; a refused token is dropped and a new
one tried once.
"""

from __future__ import annotations

import ssl

import aiosmtplib

from intake.auth import OAuth2Refused, Tokens, xoauth2
from intake.errors import OperatorError

_ACCEPTED = 235
_CHALLENGE = 334
_REFUSED = 535


async def send_xoauth2(
    raw: bytes,
    *,
    sender: str,
    recipients: list[str],
    host: str,
    port: int,
    tls: str,
    timeout_seconds: float,
    context: ssl.SSLContext | None,
    user: str,
    tokens: Tokens,
) -> dict[str, aiosmtplib.SMTPResponse]:
    """One SMTP transaction authenticated as `user`; the refused recipients, as aiosmtplib's
    `sendmail` returns them. SMTP errors are aiosmtplib's, for the caller to sort out."""
    client = aiosmtplib.SMTP(
        hostname=host,
        port=port,
        use_tls=tls == "implicit",
        start_tls=tls == "starttls",
        tls_context=context,
        timeout=timeout_seconds,
    )
    async with client:
        await client.ehlo()  # after STARTTLS the earlier EHLO no longer counts (RFC 3207 §4.2)
        await _authenticate(client, user, tokens, where=f"{host}:{port}")
        errors, _ = await client.sendmail(sender, recipients, raw)
    return errors


async def _authenticate(client: aiosmtplib.SMTP, user: str, tokens: Tokens, *, where: str) -> None:
    for attempt in (1, 2):
        token = await tokens.token()
        response = await client.execute_command(b"AUTH", b"XOAUTH2", xoauth2(user, token).encode())
        if response.code == _CHALLENGE:
            response = await client.execute_command(b"")
        if response.code == _ACCEPTED:
            return
        if response.code != _REFUSED:
            raise OperatorError(
                f"SMTP server {where} did not accept AUTH XOAUTH2 ({response.code} "
                f"{response.message[:200]}); check that it offers OAuth2 (Exchange Online: "
                "smtp.office365.com port 587 with STARTTLS)"
            )
        tokens.refused(token)
        if attempt == 2:
            raise OAuth2Refused(
                f"SMTP server {where} refused the OAuth2 token for {user} twice (a new token did "
                "not help): check that the application has the SMTP.SendAsApp permission with "
                "admin consent, that its service principal is registered in Exchange Online "
                "(New-ServicePrincipal) with access to this mailbox (Add-MailboxPermission), that "
                "SMTP AUTH is enabled for the mailbox (Set-CASMailbox "
                "-SmtpClientAuthenticationDisabled $false), and that no application access policy "
                "leaves it out"
            )
