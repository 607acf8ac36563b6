"""The teams file: every team of the triage guide has a mailbox; mistakes name the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sla.errors import PolicyError
from bot.sla.teams import load_teams
from nlp.labels import Team


def test_the_shipped_file_covers_every_team() -> None:
    teams = load_teams()
    assert set(teams.teams) == {t.value for t in Team}
    assert teams.contact("security").language == "en"
    assert teams.contact(None) == teams.default
    assert teams.contact("unknown-team") == teams.default


def test_mistakes_are_reported_with_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "teams.toml"
    bad.write_text(
        '[default]\naddress = "a@b.c"\nname_fr = "A"\nname_en = "A"\n'
        '[teams.plumbing]\naddress = "p@b.c"\nname_fr = "P"\nname_en = "P"\n',
        encoding="utf-8",
    )
    with pytest.raises(PolicyError, match="unknown team"):
        load_teams(bad)
    with pytest.raises(PolicyError, match="cannot read"):
        load_teams(tmp_path / "missing.toml")
    bad.write_text("[default\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_teams(bad)
