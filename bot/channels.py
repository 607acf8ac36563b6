"""The edges of the flow built from `Settings`: the connectors messages come in by (folder,
IMAP mailboxes, Slack) with the loop that commits what they yield, and the senders answers go
out by (SMTP or the outbox folder, Slack)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path

from sqlalchemy.exc import OperationalError

from bot.checkpoints import StoreCheckpoints
from bot.graph_channels import graph_reader, graph_sender
from bot.leading import Elected
from bot.receive import store_raw_batch
from bot.settings import MailboxSettings, Settings
from bot.settings_oauth2 import OAuth2Settings
from bot.slack.desk import SlackDesk
from bot.slack.setup import slack_connector
from bot.store.db import Sessions
from bot.store.election import Election
from bot.store.unavailable import Unavailable
from intake.auth import MsalTokens, Tokens
from intake.auth.delegated import DelegatedTokens
from intake.folder import FolderSource
from intake.imap import ImapReader, MailboxConfig
from intake.mail.compose import Composer
from intake.mail.send import SmtpConfig, SmtpSender
from intake.mail.send_folder import FolderSender
from intake.message import Channel, InboundMessage
from intake.ports import Connector, Sender
from intake.slack.sender import SlackSender

log = logging.getLogger(__name__)


def mail_sender(settings: Settings, composer: Composer | None = None) -> Sender:
    """SMTP when a server is configured, else Microsoft Graph `sendMail` when a mailbox uses
    Graph, otherwise `.eml` files in the outbox folder, composed by `composer` (None: here)."""
    if settings.smtp_host:
        oauth2 = settings.smtp_oauth2()
        tokens = None
        if oauth2 is not None and oauth2.oauth2 is not None:
            tokens = oauth2_tokens(settings, oauth2.name, oauth2.username, oauth2.oauth2, "smtp")
        return SmtpSender(
            SmtpConfig(
                host=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username or (oauth2.username if oauth2 else ""),
                password=settings.smtp_password.get_secret_value(),
                tls=settings.smtp_tls,
                timeout=settings.smtp_timeout_seconds,
            ),
            sender=settings.mail_from,
            sender_name=settings.mail_from_name,
            tokens=tokens,
        )
    graph = graph_sender(settings)  # a mailbox read over Microsoft Graph sends over it too
    if graph is not None:
        return graph
    return FolderSender(
        settings.outbox,
        sender=settings.mail_from,
        sender_name=settings.mail_from_name,
        composer=composer,
    )


def oauth2_tokens(
    settings: Settings, mailbox: str, user: str, oauth2: OAuth2Settings, use: str
) -> Tokens:
    """The tokens of an OAuth2 mailbox: the application's own, or a signed-in person's."""
    if oauth2.flow == "device_code":
        return DelegatedTokens(
            oauth2.config(),
            user=user,
            cache_path=token_cache_path(settings, mailbox),
            mailbox=mailbox,
            name=f"{use}:{mailbox}",
        )
    return MsalTokens(oauth2.config(), name=f"{use}:{mailbox}")


def token_cache_path(settings: Settings, mailbox: str) -> Path:
    """Where a delegated mailbox's sign-in (its refresh token) is kept, mode 0600."""
    return settings.data_dir / "oauth2" / f"{mailbox}.json"


def senders(settings: Settings, composer: Composer | None = None) -> dict[Channel, Sender]:
    found: dict[Channel, Sender] = {Channel.EMAIL: mail_sender(settings, composer)}
    token = settings.slack_bot_token.get_secret_value()
    if token:
        found[Channel.SLACK] = SlackSender(token, api_url=settings.slack_api_url)
    return found


BATCH = 256
"""Messages committed together at most: what a connector has read while the last batch was
being written (one message alone when intake is quiet, hundreds in a storm)."""


async def consume(
    connector: Connector,
    sessions: Sessions,
    wake: Callable[[], None],
    *,
    max_bytes: int,
    batch: int = BATCH,
) -> None:
    """Commit the messages the connector yields, a batch at a time, then confirm them; retry
    while the store is down. Nothing is confirmed before its bytes are committed."""
    down = Unavailable(log, f"intake from {connector.name}")
    async with connector:
        ready: asyncio.Queue[InboundMessage] = asyncio.Queue(maxsize=batch)
        reader = asyncio.create_task(_read(connector, ready))
        getter: asyncio.Future[InboundMessage] | None = None
        try:
            while True:
                if ready.empty() and reader.done():
                    reader.result()  # what stopped the connector, if anything
                    return
                getter = asyncio.ensure_future(ready.get())
                await asyncio.wait({getter, reader}, return_when=asyncio.FIRST_COMPLETED)
                if not getter.done():
                    getter.cancel()
                    continue
                taken = [getter.result()]
                while len(taken) < batch and not ready.empty():
                    taken.append(ready.get_nowait())
                if await _commit(connector, sessions, taken, max_bytes, down):
                    wake()
        finally:  # stopping: neither task may outlive the loop (a pending get would)
            waiting = [task for task in (reader, getter) if task is not None]
            for task in waiting:
                task.cancel()
            await asyncio.gather(*waiting, return_exceptions=True)


async def _read(connector: Connector, ready: asyncio.Queue[InboundMessage]) -> None:
    async for message in connector:
        await ready.put(message)


async def _commit(
    connector: Connector,
    sessions: Sessions,
    taken: list[InboundMessage],
    max_bytes: int,
    down: Unavailable,
) -> bool:
    """Store `taken` (rejecting what is too large), then confirm it; True if anything was.
    While the store is unavailable, try again with backoff (up to a minute): the messages wait
    in memory, unconfirmed, so the source keeps them should the process die meanwhile."""
    kept = []
    for message in taken:
        if len(message.raw) > max_bytes:
            await connector.reject(message, f"larger than {max_bytes} bytes")
        else:
            kept.append(message)
    if not kept:
        return False
    delay = 1.0
    while True:
        try:
            await store_raw_batch(sessions, kept)
            break
        except OperationalError as exc:
            down.failed(exc, "with backoff up to 60s")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60)
    down.working()
    for message in kept:
        await connector.confirm(message)
    return True


def build_connectors(
    settings: Settings,
    sessions: Sessions,
    desk: SlackDesk | None = None,
    election: Election | None = None,
) -> list[Connector]:
    """The folder source, one reader per configured mailbox (IMAP or Microsoft Graph), and
    Slack when configured.

    With an `election`, each mailbox is read only while this worker leads it (`Elected`):
    workers sharing a store would otherwise all fetch, and all move, the same mail. The folder
    is this worker's own and Slack spreads its events over the workers: they need none."""
    connectors: list[Connector] = [
        FolderSource(settings.inbox, poll_seconds=settings.inbox_poll_seconds)
    ]
    if desk is not None:
        connectors.append(slack_connector(settings, sessions, desk))
    for mailbox in settings.mailboxes():
        make = partial(_mailbox_reader, settings, sessions, mailbox)
        if election is None:
            connectors.append(make())
        else:
            connectors.append(Elected(_reader_name(mailbox), make, election))
    return connectors


def _reader_name(mailbox: MailboxSettings) -> str:
    """The name its reader gives itself (health, logs), known before one is made."""
    return f"{'graph' if mailbox.transport == 'graph' else 'imap'}:{mailbox.name}"


def _mailbox_reader(settings: Settings, sessions: Sessions, mailbox: MailboxSettings) -> Connector:
    """A new reader of one mailbox (each term of an `Elected` reader has its own)."""
    if mailbox.transport == "graph":
        return graph_reader(mailbox, sessions)
    checkpoints = StoreCheckpoints(sessions)
    config = MailboxConfig(
        name=mailbox.name,
        host=mailbox.host,
        port=mailbox.port,
        username=mailbox.username,
        password=mailbox.password.get_secret_value(),
        security=mailbox.security,
        folder=mailbox.folder,
        processed=tuple(p for p in mailbox.processed_folder.split("/") if p),
        after_commit=mailbox.after_commit,
        poll_seconds=mailbox.poll_seconds,
        idle_seconds=mailbox.idle_seconds,
        chunk=mailbox.chunk,
        verify_tls=mailbox.verify_tls,
        ca_file=mailbox.ca_file,
    )
    tokens = None
    if mailbox.oauth2 is not None:
        tokens = oauth2_tokens(settings, mailbox.name, mailbox.username, mailbox.oauth2, "imap")
    return ImapReader(config, checkpoints, tokens)
