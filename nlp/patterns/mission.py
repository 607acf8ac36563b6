"""Mission: the message names a critical function (citizens, payroll, legal deadlines)."""

from __future__ import annotations

MISSION = [
    "citoyens",
    "la paie",
    "échéance légale",
    "date limite",
    "deadline",
    "paiements",
    "fournisseurs",
    "nos partenaires",
    "service aux citoyens",
    "délai légal",
    "les entreprises",
    "citizens",
    "payroll",
    "legal deadline",
    "payments",
    "suppliers",
    "partners",
]
