"""Text in, triage proposal out. Pure: knows nothing of tickets, channels' protocols or storage."""

from nlp.labels import Channel, Kind, Language, Level, Severity, Team
from nlp.language import detect_language
from nlp.triage import Confidence, Evidence, Triage, TriageInput, triage, triage_batch

__all__ = [
    "Channel",
    "Confidence",
    "Evidence",
    "Kind",
    "Language",
    "Level",
    "Severity",
    "Team",
    "Triage",
    "TriageInput",
    "detect_language",
    "triage",
    "triage_batch",
]
