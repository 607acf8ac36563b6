"""Checks made before a command touches anything, and start-up failures told in one line.

Each problem becomes a `StartupError` (exit 1: the environment, e.g. a port in use or a folder
the service cannot write) or a `SettingError` (exit 2: a value to change), whose message names
the setting and says what to do. Without them the operator got a traceback or a `sqlite3`
error far from its cause.
"""

from __future__ import annotations

import errno
import os
import socket
import tempfile
from pathlib import Path

from bot.errors import SettingError, StartupError
from bot.settings import Settings

# Commands that write under the data directory (the SQLite store, the inbox and outbox
# folders, reports): checked before they start.
WRITERS = frozenset({"serve", "migrate", "ingest", "demo"})


def check_writable(settings: Settings) -> None:
    """The data directory, and the inbox and outbox folders when set apart, can be written."""
    folders = [("GUICHET_DATA_DIR", settings.data_dir)]
    if settings.inbox_dir is not None:
        folders.append(("GUICHET_INBOX_DIR", settings.inbox_dir))
    if settings.outbox_dir is not None:
        folders.append(("GUICHET_OUTBOX_DIR", settings.outbox_dir))
    for setting, folder in folders:
        _probe(setting, folder)


def _probe(setting: str, folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder, prefix=".guichet-probe-"):
            pass
    except OSError as exc:
        user = os.getuid()
        raise StartupError(
            setting,
            f"{folder} is not writable ({exc.strerror}) — give the service's user (uid {user}) "
            f"write access to it, or point {setting} at another folder",
        ) from None


def use_services_file(settings: Settings, *, here: bool = True) -> None:
    """Give triage the desk's service catalogue (GUICHET_SERVICES_FILE; unset: the shipped one),
    read and checked now, before the model loads: a mistake in the file is a `SettingError`
    naming the file, the service and the problem. `here`: the model runs in this process (a
    thread), which then uses the file; else it is only checked here (the triage process is
    given the file, and this process never loads spaCy)."""
    from nlp.services import SERVICES_PATH, CatalogueError, load_services

    try:
        if here:
            from nlp.model import configure

            configure(services_file=settings.services_file)
        else:
            load_services(settings.services_file or SERVICES_PATH)
    except CatalogueError as exc:
        fix = "unset it for the shipped one" if settings.services_file else "restore it"
        raise SettingError("GUICHET_SERVICES_FILE", f"{exc} — correct the file, or {fix}") from None


def check_slack(settings: Settings) -> None:
    """A Slack bot token alone cannot serve: Slack's requests could not be verified."""
    token = settings.slack_bot_token.get_secret_value()
    secret = settings.slack_signing_secret.get_secret_value()
    app = settings.slack_app_token.get_secret_value()
    if token and not secret and not app:
        raise SettingError(
            "GUICHET_SLACK_SIGNING_SECRET",
            "not set, but GUICHET_SLACK_BOT_TOKEN is: Slack's requests could not be verified — "
            "set it (the Slack app's Basic Information page), or set GUICHET_SLACK_APP_TOKEN "
            "for Socket Mode",
        )
    if (secret or app) and not token:
        raise SettingError(
            "GUICHET_SLACK_BOT_TOKEN",
            "not set, so Slack stays off although its secret or app token is — set the xoxb- "
            "token, or remove the others",
        )


def bind_problem(error: BaseException, settings: Settings) -> StartupError | None:
    """The HTTP listener's failure to bind, told by setting; None for any other error."""
    found = _os_error(error)
    if found is None or found.filename is not None:  # a file's error, not a socket's
        return None
    port, host = settings.http_port, settings.http_host
    if found.errno == errno.EADDRINUSE:
        return StartupError(
            "GUICHET_HTTP_PORT",
            f"{port} is already in use on {host} — choose another port or stop the other process",
        )
    if found.errno in (errno.EACCES, errno.EPERM):
        return StartupError(
            "GUICHET_HTTP_PORT",
            f"{port} needs privileges to listen on — choose a port above 1023",
        )
    if isinstance(found, socket.gaierror) or found.errno in (
        errno.EADDRNOTAVAIL,
        errno.EAFNOSUPPORT,
    ):
        return StartupError(
            "GUICHET_HTTP_HOST",
            f"cannot listen on {host!r} ({found.strerror or found}) — use an address of this "
            "machine, 0.0.0.0 for all, or 127.0.0.1",
        )
    return None


def _os_error(error: BaseException) -> OSError | None:
    """The first `OSError` in ``error`` (the start may run in a TaskGroup)."""
    if isinstance(error, OSError):
        return error
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            found = _os_error(inner)
            if found is not None:
                return found
    return None
