"""The labels of the triage guide, spelled exactly as the guide spells them."""

from collections.abc import Mapping
from enum import StrEnum


class Kind(StrEnum):
    """What the person wants."""

    INCIDENT = "incident"
    REQUEST = "request"
    QUESTION = "question"
    STATUS = "status"


class Severity(StrEnum):
    """The service centre's P1–P5 matrix; incidents only."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"
    P5 = "P5"


class Level(StrEnum):
    """Who resolves it."""

    N1 = "N1"
    N2 = "N2"
    N3 = "N3"


class Team(StrEnum):
    """The eight sectors."""

    WORKSTATION = "workstation"
    COLLABORATION = "collaboration"
    IDENTITY = "identity"
    NETWORK = "network"
    PRINTING = "printing"
    APPLICATIONS = "applications"
    HOSTING = "hosting"
    SECURITY = "security"


class Language(StrEnum):
    FR = "fr"
    EN = "en"


class Channel(StrEnum):
    """How a message reached the service centre (for triage: email is long, chat is short)."""

    EMAIL = "email"
    CHAT = "chat"


# What the text categorisers propose, in training order.
TASKS: dict[str, tuple[str, ...]] = {
    "kind": tuple(k.value for k in Kind),
    "team": tuple(t.value for t in Team),
    "level": tuple(lv.value for lv in Level),
}


def category(task: str, label: str) -> str:
    """The categoriser's name for `label` of `task`. The categorisers of all tasks write into one
    `Doc.cats`, and tasks share label names ("none" is an impact and a security value, "yes" a
    mission and a workaround value): unqualified, the last categoriser would overwrite the
    others' scores."""
    return f"{task}:{label}"


def distributions(
    cats: Mapping[str, float], tasks: Mapping[str, tuple[str, ...]]
) -> dict[str, dict[str, float]]:
    """Each task's scores, by its own label names, out of the categorisers' `Doc.cats`."""
    return {
        task: {lb: float(cats.get(category(task, lb), 0.0)) for lb in labels}
        for task, labels in tasks.items()
    }
