"""The Microsoft Graph connector and sender built from `Settings` (`transport = "graph"`)."""

from __future__ import annotations

import dataclasses
import ssl

from bot.graph_checkpoints import StoreDeltaLinks
from bot.settings import MailboxSettings, Settings
from bot.store.db import Sessions
from intake.auth import DEFAULT_SCOPE, MsalTokens, Tokens
from intake.graph import GRAPH_SCOPE, GraphConfig, GraphReader, GraphSender


def graph_config(mailbox: MailboxSettings) -> GraphConfig:
    return GraphConfig(
        name=mailbox.name,
        mailbox=mailbox.username,
        folder="inbox" if mailbox.folder.upper() == "INBOX" else mailbox.folder,
        processed=tuple(p for p in mailbox.processed_folder.split("/") if p),
        base_url=mailbox.graph_base_url,
        poll_seconds=mailbox.poll_seconds,
        chunk=mailbox.chunk,
    )


def graph_tokens(mailbox: MailboxSettings, use: str) -> Tokens:
    """The application's own tokens for Graph (the Outlook scope, the default, becomes Graph's)."""
    assert mailbox.oauth2 is not None  # checked by the settings
    config = mailbox.oauth2.config()
    if config.scope == DEFAULT_SCOPE:
        config = dataclasses.replace(config, scope=GRAPH_SCOPE)
    return MsalTokens(config, name=f"{use}:{mailbox.name}")


def _tls(mailbox: MailboxSettings) -> ssl.SSLContext | None:
    if not mailbox.ca_file and mailbox.verify_tls:
        return None
    context = ssl.create_default_context(cafile=mailbox.ca_file or None)
    if not mailbox.verify_tls:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def graph_reader(mailbox: MailboxSettings, sessions: Sessions) -> GraphReader:
    return GraphReader(
        graph_config(mailbox),
        StoreDeltaLinks(sessions),
        graph_tokens(mailbox, "graph"),
        ssl_context=_tls(mailbox),
    )


def graph_sender(settings: Settings) -> GraphSender | None:
    """With no SMTP server, the Graph mailbox that sends: the one named by
    smtp_oauth2_mailbox, else the first; None when no mailbox uses Graph."""
    boxes = [m for m in settings.mailboxes() if m.transport == "graph"]
    named = [m for m in boxes if m.name == settings.smtp_oauth2_mailbox]
    if not boxes:
        return None
    chosen = (named or boxes)[0]
    return GraphSender(
        graph_config(chosen),
        graph_tokens(chosen, "graph-send"),
        sender=settings.mail_from,
        sender_name=settings.mail_from_name,
        ssl_context=_tls(chosen),
    )
