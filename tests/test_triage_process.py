"""The model in a child process (`bot.triager.ProcessTriager`): the same proposals as in a
thread, a child that dies is replaced, and a service killed outright leaves no child behind."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.triager import ProcessTriager, ThreadTriager, triager_for
from intake.mail.compose import Refused, compose_all
from intake.message import OutboundMessage
from nlp import Channel, Triage, TriageInput
from tests.conftest import eventually
from tests.servers.worker import children

ITEMS = [
    TriageInput("Paie", "Personne au ministère ne peut ouvrir le système de paie depuis ce matin."),
    TriageInput("", "my laptop will not boot, can someone come by?", Channel.CHAT),
    TriageInput("Accès", "Pouvez-vous me donner accès au dossier partagé de l'équipe Projets?"),
]


def pool(parent: int) -> set[int]:
    """The pool processes `parent` started (not multiprocessing's resource tracker)."""
    found = set()
    for pid in children(parent):
        try:
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.add(pid)
        except OSError:
            continue
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in state


def essentials(found: list[Triage | None]) -> list[tuple[object, ...]]:
    return [
        (t.kind, t.severity, t.team, t.level, t.model, t.to_confirm) if t else () for t in found
    ]


@pytest.fixture
async def in_process() -> AsyncIterator[ProcessTriager]:
    triager = ProcessTriager()
    await triager.warm_up()
    yield triager
    triager.close()


async def test_a_child_process_proposes_what_the_thread_does(in_process: ProcessTriager) -> None:
    threaded = ThreadTriager()
    try:
        expected = await threaded.triage(ITEMS)
    finally:
        threaded.close()
    found = await in_process.triage(ITEMS)
    assert essentials(found) == essentials(expected)
    assert found[0] is not None and found[0].severity is not None
    assert pool(os.getpid()), "the model runs in a child process"


async def test_the_child_composes_mail_as_this_process_does(in_process: ProcessTriager) -> None:
    when = datetime(2026, 12, 8, 14, 5, tzinfo=UTC)
    mails = [
        OutboundMessage(Channel.EMAIL, ("marie@ville.example",), "Reçu", "Bonjour Zoë,\n", "a@x"),
        OutboundMessage(Channel.EMAIL, ("not an address",), "Reçu", "Bonjour\n", "b@x"),
    ]
    found = await in_process.compose_all(mails, "csc@itq.example", "Centre", when)
    assert found == compose_all(mails, "csc@itq.example", "Centre", when)
    assert isinstance(found[0], bytes) and isinstance(found[1], Refused)
    assert "not an email address" in found[1].reason


async def test_a_dead_child_is_replaced_and_its_batch_triaged(in_process: ProcessTriager) -> None:
    (first,) = pool(os.getpid())
    os.kill(first, signal.SIGKILL)
    await eventually(lambda: not alive(first))
    found = await in_process.triage(ITEMS)
    assert all(t is not None and t.kind is not None for t in found)
    assert first not in pool(os.getpid())


async def test_closing_ends_the_child() -> None:
    triager = ProcessTriager()
    await triager.warm_up()
    (child,) = pool(os.getpid())
    triager.close()
    await eventually(lambda: not alive(child))


@pytest.mark.parametrize("when", ["starting", "ready"])
async def test_a_service_killed_outright_leaves_no_triage_process(when: str) -> None:
    """Killed once its triage process has loaded the model, or while that process is still
    starting (its parent is then gone before it could look)."""
    script = textwrap.dedent(
        f"""
        import asyncio, os, signal, sys
        from bot.triager import ProcessTriager

        async def main():
            triager = ProcessTriager()
            warm = asyncio.ensure_future(triager.warm_up())
            if {when!r} == "ready":
                await warm
            else:
                await asyncio.sleep(0.2)  # the child is spawned, not yet started
            print("ready", flush=True)
            sys.stdin.readline()
            os.kill(os.getpid(), signal.SIGKILL)

        asyncio.run(main())
        """
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=Path(__file__).parents[1],
    )
    assert proc.stdout is not None and proc.stdin is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 120)
    assert line.strip() == b"ready"
    left = pool(proc.pid)  # while the parent lives: an orphan changes parents
    proc.stdin.write(b"kill\n")
    await proc.stdin.drain()
    assert await asyncio.wait_for(proc.wait(), 60) == -signal.SIGKILL
    assert left, "the child was found while its parent lived"
    for pid in left:
        await eventually(lambda pid=pid: not alive(pid))


def test_the_setting_chooses_where_the_model_runs() -> None:
    assert isinstance(triager_for("thread", None), ThreadTriager)
    process = triager_for("process", None)
    assert isinstance(process, ProcessTriager)
    process.close()
    auto = triager_for("auto", None)
    expected = ProcessTriager if len(os.sched_getaffinity(0)) >= 2 else ThreadTriager
    assert isinstance(auto, expected)
    auto.close()


def _modules_after(code: str, roots: tuple[str, ...]) -> list[str]:
    """The top-level packages among `roots` that a fresh interpreter imported to run `code`."""
    found = f"sorted({{m.split('.')[0] for m in sys.modules}} & {set(roots)!r})"
    probe = f"{code}\nimport json, sys\nprint(json.dumps({found}))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return list(json.loads(done.stdout))


def test_each_process_loads_only_what_it_runs() -> None:
    """Memory: the service, when the model runs beside it, checks the services file without
    spaCy; the triage process reads and triages without the store's libraries."""
    service = textwrap.dedent(
        """
        from bot.settings import Settings
        from bot.startup import use_services_file
        import bot.app
        use_services_file(Settings(), here=False)
        """
    )
    assert _modules_after(service, ("spacy", "thinc", "numpy")) == []
    child = textwrap.dedent(
        """
        from bot.triager import read_all, triage_isolated
        from nlp import TriageInput
        raw = b"From: a@client.example\\r\\nSubject: VPN\\r\\n\\r\\nLe VPN ne marche plus."
        read_all([(1, "email", raw)], "guichet.example", 1_000_000)
        triage_isolated([TriageInput("VPN", "Le VPN ne marche plus.")])
        """
    )
    assert _modules_after(child, ("sqlalchemy", "sqlmodel", "aiohttp", "slack_bolt")) == []
