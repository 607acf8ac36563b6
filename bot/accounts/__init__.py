"""Who works in the console and through the API: accounts, their passwords and API tokens, and
what each may act on. Agents act within their teams and levels; leads and admins everywhere;
admins also manage accounts."""

from bot.accounts.principal import Principal

__all__ = ["Principal"]
