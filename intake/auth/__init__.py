"""Credentials a mail server accepts besides a password: OAuth2 bearer tokens (SASL XOAUTH2)
from the Microsoft identity platform, for Exchange Online mailboxes where basic authentication
is turned off."""

from intake.auth.oauth2 import (
    DEFAULT_AUTHORITY,
    DEFAULT_SCOPE,
    FixedTokens,
    MsalTokens,
    OAuth2Config,
    OAuth2Refused,
    Tokens,
    xoauth2,
)

__all__ = [
    "DEFAULT_AUTHORITY",
    "DEFAULT_SCOPE",
    "FixedTokens",
    "MsalTokens",
    "OAuth2Config",
    "OAuth2Refused",
    "Tokens",
    "xoauth2",
]
