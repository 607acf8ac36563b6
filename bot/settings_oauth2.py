"""How a mailbox authenticates: a password, or OAuth2 with an application registered in Entra ID
(`[imap_mailboxes.oauth2]`), strict and frozen, the secret a `SecretStr`.

A mailbox with `auth = "oauth2"` and no `oauth2` table, a table on a password mailbox, both a
secret and a certificate, or neither, refuses the start with a line that names the key and what
to write.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from intake.auth import DEFAULT_SCOPE, OAuth2Config

Auth = Literal["password", "oauth2"]

_TABLE = (
    'add an oauth2 table: {"tenant": "<directory (tenant) ID>", "client_id": "<application '
    '(client) ID>", "client_secret": "<secret>"} (or certificate_path and '
    "certificate_thumbprint instead of client_secret)"
)


class OAuth2Settings(BaseModel):
    """The application that reads and sends as a mailbox (client-credentials flow)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    flow: Literal["client_credentials", "device_code"] = Field(
        default="client_credentials",
        description="client_credentials: the application's own access (IMAP.AccessAsApp); "
        "device_code: a person signs in once (`python -m bot mailbox login NAME`).",
    )
    tenant: str = Field(min_length=1, description="Directory (tenant) ID or domain.")
    client_id: str = Field(min_length=1, description="Application (client) ID.")
    client_secret: SecretStr = SecretStr("")
    certificate_path: str = Field(default="", description="PEM with the certificate's key.")
    certificate_thumbprint: str = Field(default="", description="Its SHA-1 thumbprint (hex).")
    authority: str = Field(
        default="", description="Empty = https://login.microsoftonline.com/<tenant>."
    )
    scope: str = DEFAULT_SCOPE
    ca_file: str = Field(default="", description="CA bundle for the authority (tests, proxies).")

    @model_validator(mode="after")
    def _one_credential(self) -> OAuth2Settings:
        secret = bool(self.client_secret.get_secret_value())
        certificate = bool(self.certificate_path or self.certificate_thumbprint)
        if self.flow == "device_code":
            if secret or certificate:
                raise ValueError(
                    'flow = "device_code" signs in as a person, without an application secret: '
                    "remove client_secret, certificate_path and certificate_thumbprint"
                )
            return self
        if secret and certificate:
            raise ValueError(
                "give client_secret or certificate_path + certificate_thumbprint, not both"
            )
        if not secret and not certificate:
            raise ValueError(
                "no credential: set client_secret, or certificate_path and certificate_thumbprint"
            )
        if certificate and not (self.certificate_path and self.certificate_thumbprint):
            raise ValueError("a certificate needs both certificate_path and certificate_thumbprint")
        if self.authority and not self.authority.startswith("https://"):
            raise ValueError(
                f"authority must be an https:// URL (got {self.authority!r}); leave it empty "
                "for https://login.microsoftonline.com/<tenant>"
            )
        return self

    def config(self) -> OAuth2Config:
        return OAuth2Config(
            tenant=self.tenant,
            client_id=self.client_id,
            client_secret=self.client_secret.get_secret_value(),
            certificate_path=self.certificate_path,
            certificate_thumbprint=self.certificate_thumbprint,
            authority=self.authority,
            scope=self.scope,
            ca_file=self.ca_file,
        )


def check_auth(auth: Auth, password: SecretStr, oauth2: OAuth2Settings | None) -> None:
    """A mailbox's `auth`, `password` and `oauth2` agree; else a ValueError saying what to write."""
    if auth == "oauth2":
        if oauth2 is None:
            raise ValueError(f'auth = "oauth2" needs its credentials: {_TABLE}')
        if password.get_secret_value():
            raise ValueError('auth = "oauth2" takes no password: remove password')
    else:
        if oauth2 is not None:
            raise ValueError(
                'an oauth2 table is set but auth is "password": write auth = "oauth2", or remove '
                "the oauth2 table"
            )
        if not password.get_secret_value():
            raise ValueError('no password: set password, or auth = "oauth2" with ' + _TABLE)


def check_transport(transport: str, auth: Auth, host: str) -> None:
    """An IMAP mailbox names its server; a Graph mailbox signs in with OAuth2."""
    if transport == "graph" and auth != "oauth2":
        raise ValueError(
            'transport = "graph" needs auth = "oauth2" and its credentials (application '
            'permissions Mail.ReadWrite and Mail.Send): write auth = "oauth2" and ' + _TABLE
        )
    if transport == "imap" and not host:
        raise ValueError(
            'host: the IMAP server is missing; set host, or transport = "graph" for Microsoft Graph'
        )
