"""Signing in to the console with Microsoft Entra ID (OpenID Connect, `bot.console.oidc`):
the application registered for the console, strict and frozen, its secret a `SecretStr`."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class ConsoleOidc(BaseModel):
    """`GUICHET_CONSOLE_OIDC` / `[console_oidc]`: who signs people in, and where they come back."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant: str = Field(min_length=1, description="Directory (tenant) ID or domain.")
    client_id: str = Field(min_length=1, description="Application (client) ID.")
    client_secret: SecretStr = Field(description="A client secret of that application.")
    redirect_uri: str = Field(
        description="This service's https://…/console/login/entra/callback, as registered "
        "under the application's Web redirect URIs."
    )
    authority: str = Field(
        default="", description="Empty = https://login.microsoftonline.com/<tenant>."
    )
    ca_file: str = Field(default="", description="CA bundle for the authority (tests, proxies).")

    @field_validator("client_secret")
    @classmethod
    def _given(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("client_secret is required: a secret of the application (its value)")
        return value

    @field_validator("redirect_uri")
    @classmethod
    def _callback(cls, value: str) -> str:
        parts = urlsplit(value)
        secure = parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK)
        if not secure or not parts.path.endswith("/console/login/entra/callback"):
            raise ValueError(
                "redirect_uri is https://<this service>/console/login/entra/callback "
                "(http only on 127.0.0.1 or localhost)"
            )
        return value

    @property
    def authority_url(self) -> str:
        return self.authority.rstrip("/") or f"https://login.microsoftonline.com/{self.tenant}"
