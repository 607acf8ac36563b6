"""The bot's error tree. Intake's own tree (`intake.errors`) splits the same way.

`ConfigError` and `StoreUnavailable` are the operator's problem: logged at error, the message
says what to fix. Problems with a message itself are `intake.errors.SenderError`.
"""


class GuichetError(Exception):
    """Base of every error the bot raises on purpose."""


class ConfigError(GuichetError):
    """A setting or a data file is wrong. The message names it and says what to change."""


class NotFound(GuichetError):
    """A ticket, message or row asked for by an operator does not exist."""
