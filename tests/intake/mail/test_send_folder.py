"""The folder sender: every message a whole `.eml` file, written together when many wait."""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from intake.errors import DeliveryRefused, OperatorError
from intake.files import write_all_atomically
from intake.mail.compose import LocalComposer, Refused
from intake.mail.send_folder import FolderSender, file_name
from intake.message import Channel, OutboundMessage


def _message(index: int, to: str = "marie.tremblay@ville.example") -> OutboundMessage:
    return OutboundMessage(
        Channel.EMAIL,
        (to,),
        f"[GU-2026-{index:06d}] Demande reçue",
        f"Bonjour,\n\nVotre billet GU-2026-{index:06d} est ouvert.\n",
        f"gu-2026-{index:06d}.ack@guichet.example",
    )


async def test_many_sends_at_once_each_leave_their_whole_file(tmp_path: Path) -> None:
    sender = FolderSender(tmp_path / "out", sender="guichet@guichet.example", sender_name="G")
    messages = [_message(i) for i in range(200)]
    raws = await asyncio.gather(*(sender.send(m) for m in messages))
    files = sorted((tmp_path / "out").iterdir())
    assert [f.name for f in files] == sorted(file_name(m) for m in messages)
    for message, raw in zip(messages, raws, strict=True):
        written = (tmp_path / "out" / file_name(message)).read_bytes()
        assert written == raw
        parsed = email.message_from_bytes(written, policy=email.policy.default)
        assert parsed["Message-ID"] == f"<{message.message_id}>"
    assert not [f for f in files if f.name.startswith(".")]  # no temporary file left


async def test_a_resend_replaces_the_file_instead_of_adding_one(tmp_path: Path) -> None:
    sender = FolderSender(tmp_path, sender="guichet@guichet.example", sender_name="G")
    await sender.send(_message(1))
    await asyncio.gather(sender.send(_message(1)), sender.send(_message(1)))
    assert [f.name for f in tmp_path.iterdir()] == [file_name(_message(1))]


async def test_a_folder_that_cannot_be_written_fails_every_send_saying_where(
    tmp_path: Path,
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the outbox folder should be")
    sender = FolderSender(blocked, sender="guichet@guichet.example", sender_name="G")
    found = await asyncio.gather(
        *(sender.send(_message(i)) for i in range(3)), return_exceptions=True
    )
    assert all(isinstance(e, OperatorError) for e in found)
    assert all(str(blocked) in str(e) for e in found)


@pytest.mark.parametrize("file_by_file", [False, True])
def test_one_bad_path_does_not_keep_the_others_from_being_written(
    tmp_path: Path, file_by_file: bool
) -> None:
    (tmp_path / "file").write_text("x")
    good, bad = tmp_path / "ok" / "a.eml", tmp_path / "file" / "b.eml"
    errors = write_all_atomically(
        [(good, b"one"), (bad, b"two"), (tmp_path / "ok" / "c.eml", b"three")],
        file_by_file=file_by_file,
    )
    assert errors[0] is None and errors[2] is None
    assert isinstance(errors[1], OSError)
    assert good.read_bytes() == b"one"
    assert (tmp_path / "ok" / "c.eml").read_bytes() == b"three"
    assert sorted(f.name for f in (tmp_path / "ok").iterdir()) == ["a.eml", "c.eml"]


@pytest.mark.parametrize("count", [1, 50])
async def test_a_sender_that_stops_waiting_does_not_stop_the_others(
    tmp_path: Path, count: int
) -> None:
    sender = FolderSender(tmp_path, sender="guichet@guichet.example", sender_name="G")
    tasks = [asyncio.create_task(sender.send(_message(i))) for i in range(count + 1)]
    await asyncio.sleep(0)
    tasks[0].cancel()
    done = await asyncio.gather(*tasks[1:])
    assert len(done) == count
    assert {file_name(_message(i)) for i in range(1, count + 1)} <= {
        f.name for f in tmp_path.iterdir()
    }


async def test_a_message_that_cannot_be_composed_is_refused_alone(tmp_path: Path) -> None:
    sender = FolderSender(tmp_path, sender="guichet@guichet.example", sender_name="G")
    broken = replace(_message(4), headers=(("X-Guichet-Ticket",),))  # type: ignore[arg-type]
    found = await asyncio.gather(
        sender.send(_message(1)),
        sender.send(_message(2, to="not an address")),
        sender.send(_message(3)),
        sender.send(broken),
        return_exceptions=True,
    )
    assert isinstance(found[0], bytes) and isinstance(found[2], bytes)
    assert isinstance(found[1], DeliveryRefused) and found[1].permanent
    assert isinstance(found[3], DeliveryRefused) and found[3].permanent
    assert "cannot be composed: ValueError" in str(found[3])
    assert sorted(f.name for f in tmp_path.iterdir()) == sorted(
        file_name(_message(i)) for i in (1, 3)
    )


class BrokenOnce:
    """A composer whose process could not start the first time it was asked."""

    def __init__(self) -> None:
        self.calls = 0

    async def compose_all(
        self, messages: Sequence[OutboundMessage], sender: str, sender_name: str, now: datetime
    ) -> list[bytes | Refused]:
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("the composing process could not start")
        return await LocalComposer().compose_all(messages, sender, sender_name, now)


async def test_a_composer_that_fails_fails_its_turn_and_the_next_turn_goes_out(
    tmp_path: Path,
) -> None:
    sender = FolderSender(
        tmp_path, sender="g@guichet.example", sender_name="G", composer=BrokenOnce()
    )
    with pytest.raises(OperatorError, match="outbox folder not written"):
        await sender.send(_message(1))
    raw = await sender.send(_message(2))
    assert (tmp_path / file_name(_message(2))).read_bytes() == raw
