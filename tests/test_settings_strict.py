"""Issue #15: structured settings fail closed. A mis-spelt key (`team` for `teams`), an unknown
team or level, an entry naming neither or both of user and group refuse the start with one line
naming the entry, the key and what to write; in a variable (JSON) and in the config file (TOML).
Unknown keys are refused at every nesting level of the settings and of the data files.

Run as an operator would (`python -m bot settings` in a subprocess) and through the real loaders.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.errors import ConfigError, SettingError
from bot.organisations import DEFAULT_FILE as ORGANISATIONS
from bot.organisations import load_directory
from bot.selfservice.errors import SelfServiceDataError
from bot.selfservice.redirect import DEFAULT_FILE as REDIRECTS
from bot.selfservice.redirect import load_catalogue
from bot.settings import Settings
from bot.settings_slack import AgentEntry
from bot.sla.errors import PolicyError
from bot.sla.policy import load_policy
from bot.sla.teams import DEFAULT_TEAMS_FILE, load_teams
from bot.slack.setup import agent_grants
from bot.tickets import Level, Team
from intake.slack.agents import Agent, AgentDirectory, groups
from tests.test_cli import bot

Entries = list[dict[str, object]]

# (case, entries, what the line must say: entry index, its id, the key, what to write instead)
BAD: list[tuple[str, Entries, tuple[str, ...]]] = [
    (
        "typo",
        [{"user": "U012AB3CD", "team": ["network"]}],
        ("slack_agents[0]", "user U012AB3CD", "'team'", "write 'teams'"),
    ),
    (
        "unknown team",
        [{"user": "U012AB3CD"}, {"group": "S034N1", "teams": ["netwrok"]}],
        ("slack_agents[1]", "group S034N1", "teams", "'netwrok'", "'network'", "security"),
    ),
    (
        "unknown level",
        [{"user": "U012AB3CD", "levels": ["N2", "N4"]}],
        ("slack_agents[0]", "user U012AB3CD", "levels", "'N4'", "N1, N2, N3"),
    ),
    (
        "both",
        [{"user": "U012AB3CD", "group": "S034N1", "levels": ["N1"]}],
        ("slack_agents[0]", "U012AB3CD", "S034N1", "not both", "two entries"),
    ),
    (
        "neither",
        [{"teams": ["network"]}],
        ("slack_agents[0]", "names no one", 'user = "U…"', 'group = "S…"'),
    ),
    (
        "not an ID",
        [{"user": "jean.tremblay", "teams": ["network"]}],
        ("slack_agents[0]", "'jean.tremblay'", "user", "member ID", "U…"),
    ),
]


def _toml(entries: Entries) -> str:
    """`[[slack_agents]]` tables (strings and lists of strings: JSON's quoting is TOML's)."""
    tables = []
    for entry in entries:
        lines = ["[[slack_agents]]"] + [f"{k} = {json.dumps(v)}" for k, v in entry.items()]
        tables.append("\n".join(lines))
    return "\n\n".join(tables) + "\n"


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text and "pydantic" not in text, text
    assert lines[0].startswith("guichet: "), text
    return lines[0]


@pytest.mark.parametrize(("case", "entries", "says"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_agent_entry_in_the_variable_refuses_to_start(
    settings: Settings, case: str, entries: Entries, says: tuple[str, ...]
) -> None:
    result = bot(settings, "settings", extra_env={"GUICHET_SLACK_AGENTS": json.dumps(entries)})
    assert result.returncode == 2, (case, result.stdout)
    line = _one_line(result.stderr)
    assert line.startswith("guichet: GUICHET_SLACK_AGENTS["), line
    for part in says:
        assert part.replace("slack_agents", "GUICHET_SLACK_AGENTS") in line, (part, line)


@pytest.mark.parametrize(("case", "entries", "says"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_agent_entry_in_the_config_file_refuses_to_start(
    settings: Settings, tmp_path: Path, case: str, entries: Entries, says: tuple[str, ...]
) -> None:
    config = tmp_path / "guichet.toml"
    config.write_text(_toml(entries), encoding="utf-8")
    result = bot(settings, "serve", extra_env={"GUICHET_CONFIG_FILE": str(config)})
    assert result.returncode == 2, (case, result.stdout)
    line = _one_line(result.stderr)
    assert line.startswith(f"guichet: {config}: slack_agents["), line
    for part in says:
        assert part in line, (part, line)


VALID: Entries = [
    {"user": "U012CHEFN1"},
    {"group": "S034N1DESK", "levels": ["N1"]},
    {"group": "S056RESEAU", "teams": ["network"], "levels": ["N2", "N3"]},
    {"user": "U078SECU", "teams": ["security"]},
    {"user": "U078SECU", "teams": "identity", "levels": []},  # one name for a list of one
    {"user": "W090GRID", "teams": [], "levels": ["N3"]},
]
DIRECTORY = AgentDirectory(
    {
        "U012CHEFN1": Agent("U012CHEFN1"),
        "U078SECU": Agent("U078SECU", frozenset({"security", "identity"})),
        "W090GRID": Agent("W090GRID", levels=frozenset({"N3"})),
    }
)
GROUPS = [("S034N1DESK", (), ("N1",)), ("S056RESEAU", ("network",), ("N2", "N3"))]


def _from_variable(monkeypatch: pytest.MonkeyPatch, _: Path) -> Settings:
    monkeypatch.setenv("GUICHET_SLACK_AGENTS", json.dumps(VALID))
    return Settings()


def _from_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Settings:
    config = tmp_path / "guichet.toml"
    config.write_text(_toml(VALID), encoding="utf-8")
    monkeypatch.setenv("GUICHET_CONFIG_FILE", str(config))
    return Settings()


@pytest.mark.parametrize("read", [_from_variable, _from_file], ids=["variable", "file"])
def test_valid_agents_give_the_same_directory_as_before(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    read: Callable[[pytest.MonkeyPatch, Path], Settings],
) -> None:
    for name in [n for n in os.environ if n.upper().startswith("GUICHET_")]:
        monkeypatch.delenv(name)
    made = read(monkeypatch, tmp_path)
    assert made.slack_agents[2] == AgentEntry(
        group="S056RESEAU", teams=(Team.NETWORK,), levels=(Level.N2, Level.N3)
    )
    grants = agent_grants(made.slack_agents)
    directory = AgentDirectory.from_config(grants)
    assert directory == DIRECTORY
    assert all(type(t) is str for a in directory.agents.values() for t in a.teams | a.levels)
    assert groups(grants) == GROUPS
    agent = directory.get("U078SECU")
    assert agent is not None and agent.covers(team="identity", level="N1")
    assert not agent.covers(team="network")
    assert directory.get("U012CHEFN1").covers(team="printing", level="N3")  # type: ignore[union-attr]


def test_bot_settings_shows_the_agents_and_masks_what_it_did(settings: Settings) -> None:
    result = bot(
        settings,
        "settings",
        extra_env={
            "GUICHET_SLACK_AGENTS": json.dumps(VALID[:3]),
            "GUICHET_SLACK_TRIAGE_CHANNELS": '{"N1": "C0456TRIAGE1", "N3": "C0458TRIAGE3"}',
            "GUICHET_SMTP_PASSWORD": "s3cret-smtp",
            "GUICHET_OUTAGE_API_TOKENS": '["s3cret-api"]',
        },
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    shown = next(line for line in lines if line.startswith("GUICHET_SLACK_AGENTS="))
    # What is shown is what an operator writes: the same JSON, back.
    assert json.loads(shown.partition("=")[2]) == [
        {"user": "U012CHEFN1", "teams": [], "levels": []},
        {"group": "S034N1DESK", "teams": [], "levels": ["N1"]},
        {"group": "S056RESEAU", "teams": ["network"], "levels": ["N2", "N3"]},
    ]
    assert "GUICHET_SLACK_TRIAGE_CHANNELS=" in result.stdout
    channels = next(line for line in lines if line.startswith("GUICHET_SLACK_TRIAGE_CHANNELS="))
    assert json.loads(channels.partition("=")[2]) == {"N1": "C0456TRIAGE1", "N3": "C0458TRIAGE3"}
    assert "s3cret" not in result.stdout + result.stderr
    assert "GUICHET_SMTP_PASSWORD=**********" in lines


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("GUICHET_SLACK_TRIAGE_CHANNELS", '{"N1": "C01", "n4": "C04"}', ("'n4'", "N1, N2, N3")),
        ("GUICHET_SLACK_TRIAGE_CHANNELS", '{"N1": "#triage"}', ("'#triage'", "channel ID")),
        ("GUICHET_SLACK_SUPPORT_CHANNELS", '["#support"]', ("'#support'", "channel ID")),
        ("GUICHET_OUTAGE_SLACK_CHANNEL", "#annonces", ("'#annonces'", "channel ID")),
        ("GUICHET_SLACK_AGENTS", '[{"user": "U1",}]', ("not valid JSON", "line 1 column 16")),
        ("GUICHET_SLACK_TRIAGE_CHANNELS", "N1=C01", ("not valid JSON", '{"N1": "C…"')),
    ],
)
def test_slack_channels_are_levels_and_channel_ids_and_json_is_json(
    settings: Settings, variable: str, value: str, says: tuple[str, ...]
) -> None:
    extra = {variable: value, "GUICHET_SLACK_BOT_TOKEN": "xoxb-s3cret-bot"}
    result = bot(settings, "settings", extra_env=extra)
    assert result.returncode == 2, result.stdout
    line = _one_line(result.stderr)
    assert line.startswith(f"guichet: {variable}"), line
    for part in says:
        assert part in line, (part, line)


# Unknown keys, at every nesting level of the config file and of the data files.


def _insert(text: str, after: str | None, line: str) -> str:
    """``text`` with ``line`` as the first key of table ``after`` (None: the top level)."""
    lines = text.splitlines()
    at = 0 if after is None else lines.index(after) + 1
    return "\n".join([*lines[:at], line, *lines[at:]]) + "\n"


CONFIG = """http_port = 8081

[slack_triage_channels]
N1 = "C0456TRIAGE1"

[[imap_mailboxes]]
name = "rh"
host = "imap.example"
username = "rh"
password = "s3cret-mbox"

[[slack_agents]]
user = "U012CHEFN1"
"""


@pytest.mark.parametrize(
    ("table", "key", "says"),
    [
        (None, "smtp_hots", ("smtp_hots", "did you mean smtp_host")),
        ("[slack_triage_channels]", "N4", ("'N4'", "N1, N2, N3")),
        ("[[imap_mailboxes]]", "hots", ("imap_mailboxes[0].hots", "did you mean host")),
        ("[[slack_agents]]", "level", ("slack_agents[0]", "'level'", "write 'levels'")),
    ],
)
def test_an_unknown_key_at_any_level_of_the_config_file_is_refused(
    settings: Settings, tmp_path: Path, table: str | None, key: str, says: tuple[str, ...]
) -> None:
    config = tmp_path / "guichet.toml"
    config.write_text(_insert(CONFIG, table, f'{key} = "C01"'), encoding="utf-8")
    valid = tmp_path / "valid.toml"
    valid.write_text(CONFIG, encoding="utf-8")
    assert bot(settings, "settings", extra_env={"GUICHET_CONFIG_FILE": str(valid)}).returncode == 0
    result = bot(settings, "settings", extra_env={"GUICHET_CONFIG_FILE": str(config)})
    assert result.returncode == 2, result.stdout
    line = _one_line(result.stderr)
    assert str(config) in line and "s3cret" not in line, line
    for part in says:
        assert part in line, (part, line)


DATA_FILES: list[tuple[str, Path, Callable[[Path], object], type[Exception], list[str | None]]] = [
    ("organisations", ORGANISATIONS, load_directory, ConfigError, [None, "[[organisation]]"]),
    ("redirects", REDIRECTS, load_catalogue, SelfServiceDataError, [None, "[catalogue]", "[[redirect]]"]),
    ("teams", DEFAULT_TEAMS_FILE, load_teams, PolicyError, [None, "[default]", "[teams.network]"]),
    (
        "policy",
        Path("bot/sla/policy.toml"),
        load_policy,
        PolicyError,
        [None, "[holidays]", "[calendars.business]", "[restoration.P1]", "[answer]"],
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "load", "error", "table"),
    [(path, load, error, table) for _, path, load, error, tables in DATA_FILES for table in tables],
    ids=[f"{name}:{table or 'top'}" for name, _, _, _, tables in DATA_FILES for table in tables],
)
def test_an_unknown_key_at_any_level_of_a_data_file_is_refused(
    tmp_path: Path,
    path: Path,
    load: Callable[[Path], object],
    error: type[Exception],
    table: str | None,
) -> None:
    text = Path(__file__).parents[1].joinpath(path).read_text(encoding="utf-8")
    copy = tmp_path / "valid.toml"
    copy.write_text(text, encoding="utf-8")
    load(copy)  # the shipped file, copied, is valid
    typo = tmp_path / "typo.toml"
    typo.write_text(_insert(text, table, 'colour_typo = "x"'), encoding="utf-8")
    with pytest.raises(error) as raised:
        load(typo)
    assert "colour_typo" in str(raised.value), str(raised.value)


def test_an_agent_entry_is_frozen_and_refuses_unknown_keys_in_python_too() -> None:
    entry = AgentEntry(user="U012CHEFN1", teams=(Team.NETWORK,))
    with pytest.raises(ValueError, match="frozen"):
        entry.teams = ()  # type: ignore[misc]
    with pytest.raises(ValueError, match="'team'"):
        AgentEntry.model_validate({"user": "U012CHEFN1", "team": ["network"]})
    assert issubclass(SettingError, ConfigError)
