"""The folder source files what was confirmed under `done/`, together, and before it stops."""

from __future__ import annotations

from pathlib import Path

from intake.folder import FolderSource
from intake.message import InboundMessage
from tests.mail import drop, make_email


async def _read(source: FolderSource, count: int) -> list[InboundMessage]:
    out: list[InboundMessage] = []
    async for message in source:
        out.append(message)
        if len(out) == count:
            break
    return out


async def test_confirmed_files_are_all_filed_by_the_time_the_source_stops(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for index in range(100):
        drop(inbox, f"{index:03d}.eml", make_email(message_id=f"<f{index}@msss.example>"))
    source = FolderSource(inbox, poll_seconds=0.01)
    await source.start()
    messages = await _read(source, 100)
    for message in messages[:90]:  # confirming does not wait for the move
        await source.confirm(message)
    await source.stop()
    filed = sorted(p.name for p in (inbox / "done").iterdir())
    assert filed == [f"{i:03d}.eml" for i in range(90)]
    assert sorted(p.name for p in inbox.glob("*.eml")) == [f"{i:03d}.eml" for i in range(90, 100)]


async def test_a_file_being_filed_is_not_read_again(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    drop(inbox, "one.eml", make_email())
    source = FolderSource(inbox, poll_seconds=0.01)
    await source.start()
    [message] = await _read(source, 1)
    await source.confirm(message)
    drop(inbox, "two.eml", make_email(message_id="<two@msss.example>"))
    [second] = await _read(source, 1)
    assert second.ref == "two.eml"
    await source.stop()
    assert (inbox / "done" / "one.eml").exists()
