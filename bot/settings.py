"""One typed `Settings` object, built once at start-up from `GUICHET_*` variables.

An optional TOML file (`GUICHET_CONFIG_FILE`) gives defaults; the environment wins over it.
Secrets are `SecretStr`: they print as `**********`; a password inside a URL (the database's)
prints as `***`. Core code receives values, never `Settings`.

A misspelt setting must not be ignored (GUICHET_SMTP_HOTS kept mail in the file outbox): an
unknown `GUICHET_*` variable or TOML key is a `SettingError` naming the closest known one, at
every level: structured settings (mailboxes, Slack agents) are strict models (`extra="forbid"`)
and the Slack settings hold levels, teams and IDs, not free strings, so a typo refuses the start
instead of granting or routing something else (`team` for `teams` granted every team).
`explain` turns pydantic's multi-line `ValidationError` into one line naming the variable.
"""

from __future__ import annotations

import difflib
import json
import os
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from bot.errors import SettingError
from bot.organisations import DEFAULT_FILE
from bot.settings_oauth2 import Auth, OAuth2Settings, check_auth, check_transport
from bot.settings_oidc import ConsoleOidc
from bot.settings_slack import AgentEntry, ChannelId, ChannelIdOrNone, triage_levels
from bot.settings_webhooks import WebhookEntry, unique_names
from bot.tickets import Level

PREFIX = "GUICHET_"
CONFIG_FILE = "GUICHET_CONFIG_FILE"
# GUICHET_* variables that are not settings, each documented where it is read: the TOML file's
# path (here), test-only fault injection (bot/faults.py), and CI's "servers must be present"
# switch (tests/conftest.py, .ci/run).
NOT_SETTINGS = frozenset({CONFIG_FILE, "GUICHET_TEST_CRASH_AT", "GUICHET_REQUIRE_SERVERS"})


class MailboxSettings(BaseModel):
    """One IMAP mailbox to read (several may be configured)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(default="default", pattern=r"^[A-Za-z0-9_.-]+$")
    transport: Literal["imap", "graph"] = Field(
        default="imap", description="graph: Microsoft Graph (auth = oauth2), for no IMAP."
    )
    graph_base_url: str = Field(default="https://graph.microsoft.com", pattern=r"^https?://")
    host: str = ""
    port: int = Field(default=993, ge=1, le=65535)
    username: str
    password: SecretStr = SecretStr("")
    auth: Auth = "password"
    oauth2: OAuth2Settings | None = Field(default=None, description="When auth = oauth2.")
    security: Literal["ssl", "starttls", "none"] = "ssl"
    folder: str = "INBOX"
    processed_folder: str = Field(
        default="Guichet/Traité",
        description="Path parts separated by '/', joined with the server's own delimiter.",
    )
    after_commit: Literal["move", "flag"] = "move"
    poll_seconds: float = Field(default=60, gt=0)
    idle_seconds: float = Field(default=25 * 60, gt=0, le=29 * 60)
    chunk: int = Field(default=50, ge=2, le=1000)
    verify_tls: bool = True
    ca_file: str = ""

    @model_validator(mode="after")
    def _auth_complete(self) -> MailboxSettings:
        check_auth(self.auth, self.password, self.oauth2)
        check_transport(self.transport, self.auth, self.host)
        return self


class Settings(BaseSettings):
    """Every setting the service reads. Each field is documented in README.md."""

    # "forbid": an unknown key (from the TOML file) is an error, not silently ignored. Unknown
    # variables are caught by `_NoUnknownVariables`: pydantic-settings ignores them whatever
    # `extra` says.
    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="forbid")

    data_dir: Path = Field(default=Path("var"), description="Root of the embedded state.")
    database_url: str = Field(
        default="",
        repr=False,
        description="SQLAlchemy async URL (may hold a password); empty = SQLite.",
    )
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)

    inbox_dir: Path | None = Field(
        default=None, description="Folder source; empty = DATA_DIR/inbox."
    )
    inbox_poll_seconds: float = Field(default=0.25, gt=0)
    max_message_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    attachment_max_bytes: int = Field(
        default=10 * 1024 * 1024, ge=0, description="Larger attachments keep metadata only."
    )
    outbox_dir: Path | None = Field(default=None, description="File mailer; DATA_DIR/outbox.")

    smtp_host: str = Field(default="", description="Empty = write mail to the outbox folder.")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_tls: str = Field(default="none", pattern="^(none|starttls|implicit)$")
    smtp_timeout_seconds: float = Field(default=30, gt=0)
    smtp_auth: Auth = "password"
    smtp_oauth2_mailbox: str = Field(
        default="", description="With smtp_auth = oauth2: whose application sends; empty = the one."
    )

    mail_from: str = "csc@guichet.example"
    mail_from_name: str = "Centre de service à la clientèle"
    mail_domain: str = Field(default="", description="Message-ID domain; empty = mail_from's.")

    organisations_file: Path = DEFAULT_FILE
    triage_worker: Literal["auto", "process", "thread"] = Field(
        default="auto",
        description="Where the model runs: a child process (uses a second core), a thread, or "
        "auto = a process when the machine has two cores or more.",
    )
    services_file: Path | None = Field(
        default=None,
        description="The desk's service catalogue (TOML); unset or empty = the shipped one.",
    )

    imap_mailboxes: list[MailboxSettings] = Field(
        default_factory=list, description="JSON list (env) or [[imap_mailboxes]] (file)."
    )
    imap_host: str = Field(default="", description="Shortcut for one mailbox named 'default'.")
    imap_port: int = Field(default=993, ge=1, le=65535)
    imap_username: str = ""
    imap_password: SecretStr = SecretStr("")
    imap_security: Literal["ssl", "starttls", "none"] = "ssl"
    imap_folder: str = "INBOX"

    outbox_max_attempts: int = Field(default=12, ge=1)
    outbox_lease_seconds: float = Field(
        default=90,
        ge=5,
        description="A claimed notification returns after this if its worker died.",
    )
    dispatch_lease_seconds: float = Field(
        default=60, ge=5, description="A claimed batch returns after this if its worker died."
    )
    send_cap_per_recipient_per_hour: int = Field(default=20, ge=1)
    send_cap_per_ticket_per_day: int = Field(default=30, ge=1)
    bounce_suppression_days: float = Field(default=30, ge=0)
    outbox_retry_base_seconds: float = Field(default=5, gt=0)
    outbox_retry_max_seconds: float = Field(default=3600, gt=0)

    slack_bot_token: SecretStr = Field(
        default=SecretStr(""), description="xoxb-… token; empty = the Slack connector is off."
    )
    slack_signing_secret: SecretStr = SecretStr("")
    slack_app_token: SecretStr = Field(
        default=SecretStr(""), description="xapp-… app-level token: turns Socket Mode on."
    )
    slack_api_url: str = "https://slack.com/api/"
    slack_support_channels: list[ChannelId] = Field(
        default_factory=list, description="Channel IDs where every message becomes a ticket."
    )
    slack_triage_channels: dict[Level, ChannelId] = Field(
        default_factory=dict,
        description='Triage channel per level, e.g. {"N1": "C01", "N2": "C02", "N3": "C03"}; '
        "a level without its own channel uses N1's.",
    )
    slack_agents: list[AgentEntry] = Field(
        default_factory=list,
        description='Agents: [{"user": "U1", "teams": ["network"], "levels": ["N2"]}, '
        '{"group": "S1", ...}]; empty or left-out teams/levels = all.',
    )
    slack_reaction: str = Field(default="ticket", description="Reaction that makes a ticket.")

    outage_slack_channel: ChannelIdOrNone = Field(
        default="", description="Slack announcement channel ID."
    )
    outage_mail_lists: list[str] = Field(
        default_factory=list, description="Addresses that receive every outage notice."
    )
    outage_planned_lead_hours: float = Field(
        default=48, ge=0, description="How long before a planned interruption it is announced."
    )
    outage_api_tokens: list[SecretStr] = Field(
        default_factory=list, description="Bearer tokens of agents allowed to use /api/outages."
    )
    public_url: str = Field(
        default="", description="Public base URL of this service (links to the status page)."
    )
    gather_window_minutes: float = Field(default=30, gt=0)
    gather_min_reports: int = Field(default=3, ge=2)
    gather_similarity: float = Field(default=0.5, gt=0, le=1)
    selfservice_wait_hours: float = Field(
        default=24, gt=0, description="Time for a requester to say whether an article helped."
    )

    webhooks: list[WebhookEntry] = Field(
        default_factory=list,
        description='Webhook endpoints: [{"name": "itsm", "url": "https://…", "secret": "…", '
        '"events": ["ticket.opened", "ticket.changed"]}]; left-out events = all.',
    )

    console_oidc: ConsoleOidc | None = Field(
        default=None,
        description="Sign in to the console with Microsoft Entra ID: "
        '{"tenant": "…", "client_id": "…", "client_secret": "…", "redirect_uri": '
        '"https://…/console/login/entra/callback"}; none = passwords only.',
    )

    log_level: str = Field(default="INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$")

    @field_validator("services_file", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: Any) -> Any:
        # GUICHET_SERVICES_FILE= means "the shipped catalogue", not the current directory.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("slack_triage_channels", mode="before")
    @classmethod
    def _levels_only(cls, value: Any) -> Any:
        return triage_levels(value)

    @field_validator("webhooks", mode="after")
    @classmethod
    def _unique_webhooks(cls, value: list[WebhookEntry]) -> list[WebhookEntry]:
        return unique_names(value)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _slack_needed(self) -> Settings:
        if self.outage_slack_channel and not self.slack_bot_token.get_secret_value():
            raise ValueError(
                "GUICHET_OUTAGE_SLACK_CHANNEL is set but GUICHET_SLACK_BOT_TOKEN is not: "
                "set the token, or leave the channel empty"
            )
        return self

    @model_validator(mode="after")
    def _smtp_oauth2(self) -> Settings:
        if self.smtp_auth == "oauth2":
            self.smtp_oauth2()
        return self

    def smtp_oauth2(self) -> MailboxSettings | None:
        """With smtp_auth = oauth2, the OAuth2 mailbox whose application sends (ValueError if
        none or several fit)."""
        if self.smtp_auth != "oauth2":
            return None
        boxes = [m for m in self.imap_mailboxes if m.oauth2 is not None]
        wanted = self.smtp_oauth2_mailbox
        found = [m for m in boxes if m.name == wanted] if wanted else boxes
        if len(found) != 1:
            names = ", ".join(m.name for m in boxes) or "none"
            raise ValueError(
                "GUICHET_SMTP_AUTH is oauth2: set GUICHET_SMTP_OAUTH2_MAILBOX to the name of the "
                f'mailbox with auth = "oauth2" whose application sends (OAuth2 mailboxes: {names})'
            )
        return found[0]

    def mailboxes(self) -> list[MailboxSettings]:
        """Every mailbox to read: the list, plus the one given by the IMAP_* shortcut."""
        found = list(self.imap_mailboxes)
        if self.imap_host:
            found.append(
                MailboxSettings(
                    host=self.imap_host,
                    port=self.imap_port,
                    username=self.imap_username,
                    password=self.imap_password,
                    security=self.imap_security,
                    folder=self.imap_folder,
                )
            )
        return found

    @property
    def inbox(self) -> Path:
        return self.inbox_dir or self.data_dir / "inbox"

    @property
    def outbox(self) -> Path:
        return self.outbox_dir or self.data_dir / "outbox"

    @property
    def message_id_domain(self) -> str:
        return self.mail_domain or self.mail_from.rpartition("@")[2] or "guichet.invalid"

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'guichet.db'}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            _NoUnknownVariables(settings_cls),
            init_settings,
            _EnvSource(settings_cls),
            _TomlFileSource(settings_cls),
        )

    def describe(self) -> dict[str, str]:
        """Every setting as text, secrets masked: safe to print or log. A list or table is
        shown as the JSON an operator writes (unset keys of its entries left out)."""
        return {name: _shown(value) for name, value in self.model_dump(mode="json").items()}

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # A URL setting may carry credentials (a proxy in GUICHET_SLACK_API_URL): never shown.
        for name, value in super().__repr_args__():
            yield name, without_password(value) if isinstance(value, str) else value


def without_password(text: str) -> str:
    """``text`` with the password of a URL (``scheme://user:password@host``) shown as ``***``."""
    if "://" not in text or "@" not in text:
        return text
    try:
        parts = urlsplit(text)
        password = parts.password
    except ValueError:  # not a URL after all (bad port, brackets): hide it whole
        return "**********"
    if not password:
        return text
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{parts.username}:***@{host}").geturl()


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return without_password(value)
    if isinstance(value, list | dict):
        return json.dumps(_set_only(value), ensure_ascii=False)
    return str(value)


def _set_only(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _set_only(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_set_only(v) for v in value]
    return without_password(value) if isinstance(value, str) else value


def _secret(name: str) -> bool:
    """A setting whose value must never be printed, even when it is invalid."""
    field = Settings.model_fields.get(name)
    if field is None:
        return True  # unknown: say nothing of its value
    annotation = str(field.annotation)
    return not field.repr or "SecretStr" in annotation or "MailboxSettings" in annotation


def _closest(name: str, known: Iterable[str]) -> str:
    found = difflib.get_close_matches(name, sorted(known), n=1)
    return f"; did you mean {found[0]}?" if found else "; see `python -m bot settings`"


class _NoUnknownVariables(PydanticBaseSettingsSource):
    """Refuses a `GUICHET_*` variable that is no setting (case-insensitive, as pydantic reads
    them): a typo must stop the start, not leave the default in place."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        names = {f"{PREFIX}{name.upper()}" for name in self.settings_cls.model_fields}
        for variable in sorted(os.environ):
            upper = variable.upper()
            if upper.startswith(PREFIX) and upper not in names | NOT_SETTINGS:
                raise SettingError(
                    variable, "unknown setting" + _closest(upper, names) + " Rename or remove it."
                )
        return {}


def _where(name: str) -> str:
    """Where a top-level setting came from: its variable, or the config file's key."""
    variable = f"{PREFIX}{name.upper()}"
    config = os.environ.get(CONFIG_FILE, "")
    if config and not any(v.upper() == variable for v in os.environ):
        return f"{config}: {name}"
    return variable


def explain(error: ValidationError) -> str:
    """pydantic's report as one line: each bad setting, what is wrong, and (when it is not a
    secret and is short) the value given."""
    parts = []
    for item in error.errors(include_url=False):
        loc = item["loc"]
        message = str(item["msg"]).removeprefix("Value error, ")
        if not loc:  # a check across settings: its message names them
            parts.append(message)
            continue
        top = str(loc[0])
        where = _where(top) + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[1:])
        if item["type"] == "extra_forbidden":
            # A key of a mailbox ([[imap_mailboxes]]) is matched against a mailbox's keys.
            known = Settings.model_fields if len(loc) == 1 else MailboxSettings.model_fields
            known = OAuth2Settings.model_fields if "oauth2" in loc[:-1] else known
            key = str(loc[-1])
            parts.append(f"{where}: unknown setting{_closest(key, known)} Rename or remove it.")
            continue
        value = item.get("input")
        shown = ""
        if repr(value) in message:
            pass  # the message quotes it already
        elif not _secret(top) and isinstance(value, str | int | float) and len(str(value)) <= 60:
            shown = f" (got {value!r})"
        parts.append(f"{where}: {message[:1].lower()}{message[1:]}{shown}")
    return "; ".join(parts)


class _EnvSource(EnvSettingsSource):
    """pydantic-settings' own source of `GUICHET_*` variables, where a list or table that is not
    JSON is a `SettingError` naming the variable (pydantic-settings raised a traceback)."""

    def decode_complex_value(self, field_name: str, field: FieldInfo, value: Any) -> Any:
        try:
            return super().decode_complex_value(field_name, field, value)
        except ValueError as exc:
            example = _JSON_EXAMPLES.get(field_name, '["…"]')
            raise SettingError(
                f"{PREFIX}{field_name.upper()}",
                f"not valid JSON ({exc}) — write it as JSON, e.g. {example}",
            ) from None


_JSON_EXAMPLES = {
    "slack_agents": '[{"user": "U012AB3CD", "teams": ["network"], "levels": ["N2"]}]',
    "slack_triage_channels": '{"N1": "C…", "N2": "C…", "N3": "C…"}',
    "imap_mailboxes": '[{"name": "rh", "host": "imap.example", "username": "…", "password": "…"}]',
    "webhooks": '[{"name": "itsm", "url": "https://hooks.example/guichet", "secret": "…"}]',
    "console_oidc": '{"tenant": "…", "client_id": "…", "client_secret": "…", "redirect_uri": '
    '"https://guichet.example/console/login/entra/callback"}',
}


class _TomlFileSource(PydanticBaseSettingsSource):
    """Values from the TOML file named by GUICHET_CONFIG_FILE (keys without the prefix)."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        path = os.environ.get("GUICHET_CONFIG_FILE", "")
        self._values: dict[str, Any] = {}
        if path:
            try:
                with open(path, "rb") as handle:
                    self._values = tomllib.load(handle)
            except OSError as exc:
                raise SettingError(CONFIG_FILE, f"cannot read {path} ({exc.strerror})") from exc
            except tomllib.TOMLDecodeError as exc:
                raise SettingError(CONFIG_FILE, f"{path} is not valid TOML ({exc})") from exc

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        # Every key, known or not: the model's extra="forbid" refuses the unknown ones.
        return dict(self._values)
