"""Text folding, light stemming and similarity: one home, pure and cheap (no spaCy).

The same function is applied to the phrases written in data files and to people's messages,
so a crude stemmer is enough as long as it is consistent: `stem` maps the usual French and
English inflections of one word onto one stem ("verrouillé", "verrouiller", "verrouillage" →
"verrouill"; "printer", "printing" → "print").

Two foldings live here on purpose, each kept exactly as its callers have always used it:

- `fold` lower-cases, strips accents and (by default) spells the ligatures œ and æ out and
  straightens curly apostrophes; `words` splits it into runs of letters and digits.
- `fold(..., ligatures=False)` leaves œ and æ alone, so `words` then drops them as
  non-letters ("cœur" → "c", "ur"): what outage matching has always compared, and
  `spaced` joins those words with single spaces for whole-word searches.

`unaccent` is different again: it keeps the length of the string (the spaCy norms and the
catalogue's phrases are matched on character offsets) and only knows French accents.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_LIGATURES = (("œ", "oe"), ("æ", "ae"), ("’", "'"), ("ʼ", "'"), ("`", "'"))
"""Replaced one after the other (`str.translate` with a mapping looks each character up: ten
times as long on a French message)."""
_UNACCENT = str.maketrans("àâäçéèêëîïôöûùüÿœæ", "aaaceeeeiioouuuyoa")

# Words that carry no topic: dropped before phrases are matched. Negations are kept on purpose
# ("personne ne peut", "not solved") since they change what a message means.
FILLERS = frozenset(
    """
    a au aux c ce cet cette ces d de des du en et j je l la le les m ma me mes mon moi n
    notre nos ou qu que s sa se ses sur t ta te tes ton un une vos votre y dans par pour
    avec est sont suis es etre ete ai as avez avons ont il elle ils elles on nous vous tu
    the an of to my your our his her their its it is are am be been was were i me we you he
    she they this that these those in on at for with and or by from as so do does did have has
    had
    """.split()  # noqa: SIM905
)

# Words that say nothing about a topic, for similarity between reports (fillers and more).
STOPWORDS = FILLERS | frozenset(
    """
    bonjour allo salut merci svp stp please hello hi thanks thank regards cordialement
    ne pas plus ni non not no n t don doesn isn can cannot won pourquoi comment quand quoi qui
    ca cela ceci tout tous toute toutes deja encore aussi tres trop bien peu si mais donc car
    depuis matin ce soir aujourd hui today morning since still again also very just now
    peut peux pouvez pourrait fait faire veux voudrais would could should will can need besoin
    some any all there here what which who when why how if then than about after before
    """.split()  # noqa: SIM905
)

_SUFFIXES = (
    "issements",
    "issement",
    "ations",
    "ation",
    "ements",
    "ement",
    "ments",
    "ment",
    "ages",
    "age",
    "ings",
    "ing",
    "ees",
    "ee",
    "ed",
    "er",
    "ez",
    "es",
    "e",
)
_MIN_STEM = 4
_UNDOUBLE = frozenset("bdgmnpt")


def fold(text: str, *, ligatures: bool = True) -> str:
    """Lower-case and strip accents; with `ligatures`, also spell œ and æ out and straighten
    curly apostrophes (see the module doc for the other form)."""
    lowered = text.lower()
    if ligatures:
        for ligature, spelled in _LIGATURES:
            lowered = lowered.replace(ligature, spelled)
    decomposed = unicodedata.normalize("NFKD", lowered)
    # Only a non-ASCII character can be a combining mark: the rest is not looked at one by one.
    return _NON_ASCII.sub(_drop_combining, decomposed)


def _drop_combining(found: re.Match[str]) -> str:
    char = found.group()
    return "" if unicodedata.combining(char) else char


def words(text: str, *, ligatures: bool = True) -> list[str]:
    """The folded words of `text` (runs of letters and digits); elisions ("l'imprimante",
    "n'est") are split off."""
    return _WORD.findall(fold(text, ligatures=ligatures))


def spaced(text: str, *, ligatures: bool = True) -> str:
    """The folded words of `text` joined by single spaces: "Réseau  ÉTEINT, à Québec!" →
    "reseau eteint a quebec" (whole-word search with `f" {needle} " in f" {haystack} "`)."""
    return " ".join(words(text, ligatures=ligatures))


def unaccent(text: str) -> str:
    """Strip French accents without changing the length of the string."""
    return text.translate(_UNACCENT)


def singular(word: str) -> str:
    """The lightest stem: a final s or x dropped from words of five letters or more
    ("services" → "service", "réseaux" → "réseau"; "pcs", "maux" stay)."""
    return word[:-1] if len(word) > 4 and word[-1] in "sx" else word


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A light, consistent French+English stem: plural, then one common ending (remembered:
    a desk's words repeat, and every self-service catalogue stems each message)."""
    if len(word) > 3 and word[-1] in "sx" and not word.endswith("ss"):
        word = word[:-1]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            word = word[: -len(suffix)]
            break
    if len(word) > 5 and word.endswith("ag"):  # "partag(er)" and "partage" meet on "part"
        word = word[:-2]
    if len(word) >= _MIN_STEM and word[-1] == word[-2] and word[-1] in _UNDOUBLE:
        word = word[:-1]  # "mapped" → "map", "stopping" → "stop"
    return word


def stems(text: str, *, drop: Iterable[str] = FILLERS) -> list[str]:
    """The stems of the words of `text`, in order, without the `drop` words."""
    dropped = drop if isinstance(drop, frozenset) else frozenset(drop)
    return [stem(w) for w in words(text) if w not in dropped]


def cosine(a: Counter[str], b: Counter[str]) -> float:
    """The cosine similarity of two term counts, 0 (nothing shared or one is empty) to 1."""
    if not a or not b:
        return 0.0
    dot = sum(count * b[term] for term, count in a.items())
    norm = math.sqrt(sum(c * c for c in a.values())) * math.sqrt(sum(c * c for c in b.values()))
    return dot / norm
