"""Printing a dashboard to PDF with Debian's Chromium in headless mode.

Light on purpose (the standard library only): the `report` command's parser names `CHROMIUM`
without loading the report machinery.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from bot.errors import GuichetError

CHROMIUM = "/usr/bin/chromium"
PDF_TIMEOUT_SECONDS = 120
PDF_WORKERS = min(4, os.cpu_count() or 1)


class ReportError(GuichetError):
    """A report could not be made completely: the operator's problem (a missing tool, a hang)."""


class ChromiumMissing(ReportError):
    """Debian's Chromium is not installed: no PDF."""


def chromium_path(chromium: str = CHROMIUM) -> str:
    """The Chromium executable to print with, or `ChromiumMissing` saying what to install."""
    found = shutil.which(chromium)
    if found is None:
        raise ChromiumMissing(
            f"Chromium ({chromium}) is not installed, so no PDF was written (the HTML and CSV "
            "were): install the Debian package `chromium` (apt-get install chromium, or run "
            "scripts/system-deps.sh as root)"
        )
    return found


def print_pdf(html: Path, pdf: Path, chromium: str = CHROMIUM) -> None:
    """Print ``html`` to ``pdf`` with headless Chromium; `ChromiumMissing` or `ReportError`."""
    chromium = chromium_path(chromium)
    with tempfile.TemporaryDirectory(prefix="guichet-chromium-") as profile:
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(  # noqa: S603  (fixed program, our own arguments)
                command, capture_output=True, timeout=PDF_TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired:
            raise ReportError(
                f"Chromium took over {PDF_TIMEOUT_SECONDS} s to print {html}"
            ) from None
    if done.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise ReportError(f"Chromium could not print {html}: {' / '.join(tail)}")
