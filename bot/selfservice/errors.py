"""The self-service package's one error: a data file an operator must fix."""

from __future__ import annotations

from pathlib import Path

from bot.errors import ConfigError


class SelfServiceDataError(ConfigError):
    """A knowledge-base article or the redirection catalogue is wrong: names the file and why."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")
