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


class StartupError(ConfigError):
    """The service cannot start in this environment: a folder it cannot write, a port already
    taken (exit status 1).

    `setting` is the variable to look at (``GUICHET_HTTP_PORT``) or the file and key it came
    from; the message is one line: the setting, what is wrong, what to do. Never a secret.
    """

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(f"{setting}: {problem}")
        self.setting = setting


class SettingError(StartupError):
    """A setting has a bad value, is missing, or is unknown (exit status 2)."""
