"""The monthly reports on PostgreSQL: the demo history written, read back and reported, and the
schedule's once-per-organisation record. The reports' own tests, run again on this engine."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from tests.reports.conftest import fill
from tests.reports.test_report_command import (
    test_schedule_mails_each_organisation_once,
    test_without_chromium_html_and_csv_are_written_and_the_exit_says_why,
)

__all__ = [
    "test_schedule_mails_each_organisation_once",
    "test_without_chromium_html_and_csv_are_written_and_the_exit_says_why",
]


@pytest.fixture
def demo(migrated: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Two months of demo history in a PostgreSQL store; the CLI handlers see it too."""
    monkeypatch.setenv("GUICHET_DATA_DIR", str(migrated.data_dir))
    monkeypatch.setenv("GUICHET_DATABASE_URL", migrated.sqlalchemy_url)
    monkeypatch.setenv("GUICHET_MAIL_DOMAIN", migrated.mail_domain)
    fill(migrated)
    return migrated
