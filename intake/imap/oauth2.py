"""Logging in to an IMAP mailbox with an OAuth2 bearer token (SASL XOAUTH2, as Exchange Online
and Gmail define it), fetching a new token once when the server refuses the one in hand."""

from __future__ import annotations

import imaplib

from imap_tools import BaseMailBox

from intake.auth import OAuth2Refused, Tokens


def login_xoauth2(box: BaseMailBox, user: str, tokens: Tokens, *, name: str) -> None:
    """Authenticate `box` as `user`; raise `OAuth2Refused` when two tokens in a row fail.

    Runs on the reader's thread (it may fetch a token over the network)."""
    for attempt in (1, 2):
        token = tokens.token_blocking()
        try:
            box.client.authenticate("XOAUTH2", _Responses(user, token))
        except imaplib.IMAP4.abort:
            raise  # the connection dropped: not the token's fault
        except imaplib.IMAP4.error:
            tokens.refused(token)
            if attempt == 2:
                raise OAuth2Refused(
                    f"{name}: the IMAP server refused the OAuth2 token for {user} twice "
                    "(a new token did not help): check that the application has the "
                    "IMAP.AccessAsApp permission with admin consent, that its service principal "
                    "is registered in Exchange Online (New-ServicePrincipal) with FullAccess to "
                    "this mailbox (Add-MailboxPermission), and that no application access policy "
                    "leaves this mailbox out"
                ) from None
            continue
        return


class _Responses:
    """imaplib's SASL callback: the initial response, then an empty line to any further
    challenge (XOAUTH2 sends its error as a JSON challenge and expects an empty reply)."""

    def __init__(self, user: str, token: str) -> None:
        self._first = f"user={user}\x01auth=Bearer {token}\x01\x01".encode()
        self._sent = False

    def __repr__(self) -> str:
        return "_Responses(…)"

    def __call__(self, challenge: bytes) -> bytes:
        if self._sent:
            return b""
        self._sent = True
        return self._first
