"""A reproducible, realistic ticket history, as plain data. Pure: the seed and ``until`` fix it.

Each planned ticket carries the log entries the bot itself writes (`bot.sla.events` vocabulary):
opening and proposal, the acknowledgement's delivery, the agent's confirmation or change of the
severity, replies, pauses waiting on the user, escalations, resolution (in time for most,
breached for some), reopenings and closing. Entries after ``until`` are cut, so the last tickets
are still open, some of them at risk. The store writer is `bot.demo.command`.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.sla.calendar import Calendar
from bot.sla.policy import Policy
from bot.tickets.number import TicketNumber
from nlp.labels import Severity

DAY = timedelta(days=1)

FIRST = (
    "Julie",
    "Marc",
    "Sophie",
    "Mathieu",
    "Isabelle",
    "François",
    "Nathalie",
    "Éric",
    "Catherine",
    "Simon",
    "Geneviève",
    "Alexandre",
    "Chantal",
    "Patrick",
    "Émilie",
    "Olivier",
    "Marie-Ève",
    "Jean-François",
    "Karine",
    "Samuel",
)
LAST = (
    "Tremblay",
    "Gagnon",
    "Roy",
    "Côté",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Gagné",
    "Ouellet",
    "Pelletier",
    "Bélanger",
    "Lévesque",
    "Bergeron",
    "Leblanc",
    "Paquette",
    "Girard",
    "Simard",
    "Boucher",
)
AGENTS = ("agent.lemieux", "agent.caron", "agent.poirier", "agent.dufour", "agent.nadeau")

# Subjects per language, so a ticket's language is the language its subject is written in
# (`nlp.language.detect_language` reads each one as its language: tests/hardening).
SUBJECTS: dict[str, dict[str, tuple[str, ...]]] = {
    "fr": {
        "workstation": (
            "Mon portable ne démarre plus",
            "Écran noir après la mise à jour",
            "Mon ordinateur est très lent depuis lundi",
            "Station d'accueil non reconnue",
        ),
        "collaboration": (
            "Outlook plante au démarrage",
            "Teams : pas de son en réunion",
            "Je ne peux pas ouvrir le calendrier partagé",
            "OneDrive ne synchronise plus",
        ),
        "identity": (
            "Compte verrouillé",
            "Mot de passe expiré",
            "MFA sur mon nouveau téléphone",
            "Accès refusé au dossier des finances",
        ),
        "network": (
            "Wi-Fi instable au 3e étage",
            "Le VPN coupe toutes les 5 minutes",
            "Pas d'accès Internet au bureau régional",
            "Téléphone IP sans tonalité",
        ),
        "printing": (
            "L'imprimante du 2e bourre",
            "File d'impression bloquée",
            "Le numériseur n'envoie rien par courriel",
        ),
        "applications": (
            "Erreur dans le système de paie",
            "Portail citoyen inaccessible",
            "Le système de gestion des dossiers est très lent",
        ),
        "hosting": (
            "Lecteur réseau P: inaccessible",
            "Serveur FS02 presque plein",
            "Restauration de fichiers supprimés",
        ),
        "security": (
            "Courriel d'hameçonnage reçu",
            "J'ai cliqué sur un lien suspect",
            "Portable volé dans le métro",
        ),
        "request": (
            "Installer Power BI",
            "Nouvel employé lundi : compte et poste",
            "Accès au dossier partagé des RH",
            "Un deuxième écran pour mon poste",
        ),
        "question": (
            "Comment ajouter une signature dans Outlook?",
            "Maintenance prévue ce week-end?",
            "Comment partager un enregistrement Teams?",
        ),
    },
    "en": {
        "workstation": (
            "My laptop is very slow since Monday",
            "The screen is black after the update",
            "My docking station is not recognised",
        ),
        "collaboration": (
            "I cannot open the shared calendar",
            "Outlook crashes when I start it",
            "There is no sound in my Teams meetings",
        ),
        "identity": (
            "Access denied to the finance folder",
            "My account is locked",
            "My password has expired",
        ),
        "network": (
            "The Wi-Fi on the 3rd floor keeps dropping",
            "The VPN disconnects every few minutes",
        ),
        "printing": (
            "The scanner sends nothing by email",
            "The printer on the 2nd floor is jammed",
        ),
        "applications": (
            "Error in the payroll system",
            "The case management system is very slow",
        ),
        "hosting": (
            "The P: network drive is not available",
            "Please restore my deleted files",
        ),
        "security": (
            "I clicked on a suspicious link",
            "I received a phishing email",
        ),
        "request": (
            "Please install Power BI on my laptop",
            "A second monitor for my desk",
            "New employee on Monday: account and laptop",
        ),
        "question": (
            "How do I share a Teams recording?",
            "How can I add a signature in Outlook?",
        ),
    },
}


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class PlannedEvent:
    at: datetime
    type: str
    actor: str = "bot"
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class PlannedTicket:
    id: int
    organisation: str
    requester: str  # address
    requester_name: str
    language: str
    channel: str
    kind: str
    severity: str | None  # the final one (after the agent's change, if any)
    level: str
    team: str | None
    subject: str
    created_at: datetime
    proposed: str | None = None
    proposed_level: str = ""
    status: str = "new"
    updated_at: datetime | None = None
    ack_sent: datetime | None = None
    ack_due: datetime | None = None  # queued; sent_at stays empty when after ``until``
    events: list[PlannedEvent] = field(default_factory=list)

    @property
    def number(self) -> str:
        return str(TicketNumber(self.id))


class Planner:
    """Builds the history; one instance per run (it holds the random generator)."""

    def __init__(
        self,
        seed: int,
        policy: Policy,
        calendars: Mapping[str, Calendar],
        organisations: Sequence[tuple[str, str]],
    ) -> None:
        self._rng = random.Random(seed)
        self._policy = policy
        self._calendars = calendars
        self._orgs = list(organisations)  # (id, mail domain)
        weights = [self._rng.uniform(0.5, 3.0) for _ in self._orgs]
        self._org_weights = dict(zip([o for o, _ in self._orgs], weights, strict=True))

    def plan(self, start: datetime, until: datetime, count: int) -> list[PlannedTicket]:
        """``count`` tickets opened between ``start`` and ``until``, ids 1..count by opening."""
        instants = sorted(self._instant(start, until) for _ in range(count))
        tickets = [self._ticket(i + 1, at) for i, at in enumerate(instants)]
        for ticket in tickets:
            self._life(ticket, until)
        return tickets

    def _instant(self, start: datetime, until: datetime) -> datetime:
        """Mostly weekdays in office hours, some evenings and weekends (P1s do not wait)."""
        rng = self._rng
        zone = self._calendars["business"].time_zone
        days = (until - start).days + 2  # partial first and last days too; checked below
        while True:
            day = (start + DAY * rng.randrange(days)).astimezone(zone).date()
            if day.weekday() >= 5 and rng.random() > 0.1:
                continue
            hour = rng.gauss(11.5, 2.6) if rng.random() < 0.92 else rng.uniform(0, 24)
            if not 0 <= hour < 24:
                continue
            local = datetime(day.year, day.month, day.day, tzinfo=zone)
            at = (local + timedelta(hours=hour)).astimezone(UTC)
            if start <= at < until:
                return at.replace(microsecond=0)

    def _ticket(self, ident: int, at: datetime) -> PlannedTicket:
        rng = self._rng
        org = _pick(rng, self._org_weights)
        domain = dict(self._orgs)[org]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        address = f"{first}.{last}{rng.randrange(40)}@{domain}".lower().replace("é", "e")
        kind = _pick(rng, {"incident": 55, "request": 28, "question": 12, "status": 5})
        team: str | None = _pick(
            rng,
            {
                "workstation": 22,
                "collaboration": 20,
                "identity": 16,
                "network": 12,
                "printing": 8,
                "applications": 10,
                "hosting": 6,
                "security": 6,
            },
        )
        language = "en" if rng.random() < 0.12 else "fr"
        subjects = SUBJECTS[language]
        severity = None
        if kind == "incident":
            severity = _pick(rng, {"P1": 2, "P2": 6, "P3": 22, "P4": 55, "P5": 15})
            subject = rng.choice(subjects[team or "workstation"])
        else:
            subject = rng.choice(subjects["request" if kind == "request" else "question"])
            team = team if kind == "request" else rng.choice((None, "workstation"))
        office = team in ("workstation", "collaboration", "identity", "printing")
        level = "N1" if office and rng.random() < 0.7 else _pick(rng, {"N1": 2, "N2": 5, "N3": 2})
        if severity in ("P1", "P2"):
            level = "N3"
        return PlannedTicket(
            id=ident,
            organisation=org,
            requester=address,
            requester_name=f"{first} {last}",
            language=language,
            # The channels the service has: mail and Slack (no web chat connector yet).
            channel=_pick(rng, {"email": 65, "slack": 35}),
            kind=kind,
            severity=severity,
            level=level,
            team=team,
            subject=subject,
            created_at=at,
        )

    def _add(self, t: PlannedTicket, at: datetime, type_: str, actor: str, **data: Any) -> None:
        # In UTC: SQLite keeps the wall-clock digits and drops the offset.
        t.events.append(PlannedEvent(at.astimezone(UTC), type_, actor, data))

    def _status(self, t: PlannedTicket, at: datetime, to: str, actor: str) -> None:
        if t.status != to:
            self._add(t, at, "status_changed", actor, **{"from": t.status, "to": to})
            t.status = to

    def _life(self, t: PlannedTicket, until: datetime) -> None:
        """The whole life of one ticket, then cut at ``until``."""
        rng, t0 = self._rng, t.created_at
        answer_cal = self._calendars[self._policy.answer.calendar]
        agent = rng.choice(AGENTS)
        proposed = t.proposed = t.severity
        t.proposed_level = t.level
        undecided = rng.random() < 0.08
        if t.severity is not None and not undecided and rng.random() < 0.18:  # agent changes it
            index = int(t.severity[1]) + rng.choice((-1, 1))
            t.severity = f"P{min(5, max(1, index))}"
        self._add(
            t, t0, "opened", "bot", message=None, channel=t.channel, organisation=t.organisation
        )
        self._add(
            t,
            t0,
            "proposed",
            "bot",
            model="demo-1",
            kind=t.kind,
            severity=proposed,
            level=t.level,
            team=t.team,
        )
        if rng.random() > 0.03:  # a few senders get no acknowledgement (unknown address)
            late = rng.random() < 0.06
            seconds = (
                rng.uniform(45, 400) if late else rng.uniform(1, 6 if t.channel != "email" else 25)
            )
            t.ack_due = t0 + timedelta(seconds=seconds)
        # Confirmation (or change) of the proposal: minutes later in office hours.
        decided_at = answer_cal.add_business_seconds(t0, rng.uniform(60, 1800))
        if not undecided:
            if t.kind == "incident":
                self._add(
                    t,
                    decided_at,
                    "severity_set",
                    agent,
                    **{
                        "from": proposed,
                        "to": t.severity,
                        "by": agent,
                        "kind": t.kind,
                        "confirmed": proposed == t.severity,
                    },
                )
            self._status(t, decided_at, "open", agent)
        # First answer by a person: chat agents are quick, mail waits in the queue.
        quick = t.channel != "email" and rng.random() < 0.55
        reply_at = answer_cal.add_business_seconds(
            t0, rng.uniform(8, 38) if quick else rng.lognormvariate(6.5, 1.2)
        )
        self._add(t, reply_at, "agent_reply", agent, message=None)
        work_at = max(reply_at, decided_at) + timedelta(minutes=rng.uniform(1, 30))
        self._status(t, work_at, "in_progress", agent)
        resolved_at = self._work(t, work_at, agent)
        if rng.random() < 0.05:  # the user says it is not fixed
            back = resolved_at + timedelta(hours=rng.uniform(2, 60))
            self._status(t, back, "open", "bot")
            again = self._calendars["business"].add_business_seconds(back, rng.uniform(1800, 14400))
            self._status(t, again, "resolved", agent)
            resolved_at = again
        self._status(t, resolved_at + timedelta(days=rng.uniform(3, 6)), "closed", "bot")
        self._cut(t, until)

    def _work(self, t: PlannedTicket, start: datetime, agent: str) -> datetime:
        """Pauses, escalation, resolution; returns when it is resolved."""
        rng = self._rng
        if t.severity is not None and t.kind == "incident":
            target = self._policy.target(Severity(t.severity))
            calendar, budget = self._calendars[target.calendar], target.budget_seconds
            share = rng.uniform(1.05, 2.5) if rng.random() < 0.14 else rng.uniform(0.05, 0.95)
        else:
            calendar, budget = self._calendars["business"], 3600 * 8.0
            share = rng.lognormvariate(0, 0.9)
        work = budget * share - calendar.business_seconds(t.created_at, start)
        cursor = start
        if rng.random() < 0.25 and work > 600:  # waiting on the user for a while
            first = rng.uniform(0.1, 0.8) * work
            cursor = calendar.add_business_seconds(cursor, first)
            work -= first
            self._status(t, cursor, "waiting_on_user", agent)
            cursor += timedelta(hours=rng.uniform(1, 48))
            self._status(t, cursor, "in_progress", "bot")
        if t.level == "N1" and rng.random() < 0.12:  # escalated past the first level
            self._add(t, cursor, "level_set", agent, **{"from": "N1", "to": "N2"})
            t.level = "N2"
        end = calendar.add_business_seconds(cursor, max(work, 60.0))
        self._status(t, end, "resolved", agent)
        return end

    def _cut(self, t: PlannedTicket, until: datetime) -> None:
        """Forget what happens after ``until``: replay the statuses that did happen."""
        t.events = sorted((e for e in t.events if e.at <= until), key=lambda e: e.at)
        t.status = "new"
        for event in t.events:
            if event.type == "status_changed":
                t.status = event.data["to"]
        t.updated_at = t.events[-1].at if t.events else t.created_at
        if t.ack_due is not None and t.ack_due <= until:
            t.ack_sent = t.ack_due
        # The columns hold what was true at ``until``.
        if not any(e.type == "severity_set" for e in t.events):
            t.severity = t.proposed
        if not any(e.type == "level_set" for e in t.events):
            t.level = t.proposed_level
