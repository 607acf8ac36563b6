"""One IMAP mailbox (a real Dovecot), two services on one PostgreSQL database: one worker reads
it while the other stands by; when the reader stops, the other takes over. Every message is
ticketed and acknowledged once (real SMTP server)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Message, Ticket
from tests.conftest import eventually
from tests.imap.conftest import dovecot  # noqa: F401
from tests.imap.test_imap_intake import (
    append,
    count,
    folder_counts,
    health,
    numbered,
    running,
    with_mailbox,
)
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import SmtpServer


async def state(url: str) -> str:
    found: dict[str, Any] = (await health(url))["connectors"].get("imap:default", {})
    return str(found.get("state", ""))


async def test_one_worker_reads_the_mailbox_and_the_other_takes_over(
    migrated: Settings,
    dovecot: Dovecot,  # noqa: F811
    smtp_server: SmtpServer,
    store: Sessions,
    tmp_path: Path,
) -> None:
    first = with_mailbox(migrated, dovecot, smtp_server)
    second = first.model_copy(update={"data_dir": tmp_path / "second" / "var"})
    make = numbered(40)
    async with contextlib.AsyncExitStack() as later:
        async with running(first) as reader:
            await eventually(lambda: _is(reader, "running"))
            standby = await later.enter_async_context(running(second))
            await eventually(lambda: _is(standby, "standby"))
            append(dovecot, *(make(i) for i in range(20)))
            await eventually(lambda: len(smtp_server.handler.accepted) >= 20, timeout=60)
            assert await state(standby) == "standby"  # it never read: the reader did
        # The reader stopped: the second worker takes the mailbox over.
        await eventually(lambda: _is(standby, "running"), timeout=30)
        append(dovecot, *(make(i) for i in range(20, 40)))
        await eventually(lambda: len(smtp_server.handler.accepted) >= 40, timeout=60)
    assert await count(store, Ticket) == 40
    assert await count(store, Message) == 80  # 40 in, 40 acknowledgements
    assert len(smtp_server.handler.accepted) == 40
    assert folder_counts(dovecot)["INBOX"] == 0


async def _is(url: str, wanted: str) -> bool:
    return await state(url) == wanted
