"""Read a requester's answer to "Est-ce réglé? / Did this solve it?".

Only the first few lines the person wrote now count (quoted history and signatures are cut
first): our own question, quoted below the answer, must not answer itself. A "no" wins over
words like "réglé" that it negates ("pas réglé", "not solved"); after "mais"/"but" only what
follows counts ("oui mais ça ne marche pas"). Anything else, both signals at once, a question
or a doubt ("je pense", "not sure") is None: a person reads it.
"""

from __future__ import annotations

import re
from typing import Literal

from nlp.clean import clean
from nlp.text import fold

Confirmation = Literal["solved", "unsolved"]

LINES = 3
MAX_CHARS = 300

# Patterns run on accent-folded, lower-cased text.
_UNSOLVED = re.compile(
    "|".join(
        (
            r"\bnon[- ](?:resolu|regle)\b",
            r"\bunsolved\b",
            r"^\s*(?:non|no|nope|nah|pas vraiment|not really)\b",
            r"\b(?:toujours|encore|still|pas|not|jamais|never)\s+(?:pas\s+|not\s+)?"
            r"(?:regle|resolu|corrige|fixed|solved|resolved|working|fonctionnel)\b",
            r"\b(?:never|jamais)\b(?:\s+\w+)?",
            r"\btoujours pas\b",
            r"\bpas encore\b",
            r"\bnot yet\b",
            r"\bstill (?:not|broken|failing|the same|down)\b",
            r"\bn[e ']*\s*(?:fonctionne|marche|va|regle|resout|change|aide)\w*\s+"
            r"(?:toujours\s+|encore\s+)?(?:pas|plus|rien|toujours pas)\b",
            r"\b(?:fonctionne|marche)\s+(?:toujours\s+|encore\s+)?(?:pas|plus)\b",
            r"\b(?:does ?n[o']?t|did ?n[o']?t|does not|did not|won'?t|can'?t|cannot)\s+"
            r"(?:still\s+)?(?:work|help|fix|solve|resolve)\w*",
            r"\bnot (?:work|help)\w*",
            r"\bsame (?:problem|issue|error)\b",
            r"\b(?:meme|le meme) (?:probleme|erreur|message)\b",
            r"\bn'a (?:pas|rien) (?:\w+ )?(?:regle|change|aide|fonctionne|marche)",
        )
    )
)
_SOLVED = re.compile(
    "|".join(
        (
            r"^\s*(?:oui|yes|yep|yup|ouais|absolument|tout a fait)\b",
            r"\b(?:resolu|regle|reglee|corrige|solved|resolved|fixed)\b",
            r"\b(?:ca|cela|tout|it|that|everything)\s+(?:\w+\s+)?"
            r"(?:marche|fonctionne|works?|worked|did it)\b",
            r"\b(?:fonctionne|marche|works?|working)\s+"
            r"(?:maintenant|now|bien|again|de nouveau|a nouveau)\b",
            r"\bc'?est (?:beau|bon|parfait|correct)\b",
            r"\bparfait\b",
            r"\ball (?:good|set)\b",
        )
    )
)
_UNSURE = re.compile(
    r"\?|\b(?:je ne sais pas|je sais pas|pas sur|pas certaine?|peut-etre|je pense|je crois"
    r"|not sure|no idea|don'?t know|maybe|perhaps|i think|seems?|semble)\b"
)
_BUT = re.compile(r"\b(?:mais|but|however|cependant|par contre)\b")


def read_confirmation(text: str) -> Confirmation | None:
    """Return "solved", "unsolved", or None when the answer says neither clearly."""
    head = _head(text)
    if not head or _UNSURE.search(head):
        return None
    parts = _BUT.split(head)
    for part in reversed(parts):  # after "mais"/"but" the last clause with a signal wins
        verdict = _verdict(part)
        if verdict is not None:
            return verdict if verdict != "both" else None
    return None


def _head(text: str) -> str:
    kept = [line.strip() for line in clean(text).split("\n") if line.strip()][:LINES]
    return fold(" ".join(kept))[:MAX_CHARS]


def _verdict(part: str) -> Confirmation | Literal["both"] | None:
    negative = _UNSOLVED.search(part) is not None
    rest = _UNSOLVED.sub(" ", part)
    positive = _SOLVED.search(rest) is not None
    if negative and positive:
        return "both"
    if negative:
        return "unsolved"
    if positive:
        return "solved"
    return None
