"""Who is affected, said with a quantifier, in French and English.

"personne au ministère ne peut…", "plus personne", "aucun agent", "tout le monde au bureau",
"l'ensemble des bureaux", "nobody in the building", "the whole regional office", "all our
offices", "le ministère au complet", "une quarantaine d'agents", "3 of our 5 sites".

A quantifier opens a short noun phrase; the first place or unit named in it (an organisation, a
site, a group) gives the scope, else the people named ("tous les utilisateurs": all users of the
system; "tous les employés": the whole staff). A place named in the plural ("tous les bureaux",
"aucun bureau", "every office") is the organisation. The fixed expressions stay in
`nlp.patterns.scope`; this finds the open-ended ones. One pass over the tokens, a bounded window
per quantifier: linear in the length of the message.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from spacy.attrs import LIKE_NUM, LOWER, NORM
from spacy.tokens import Doc

from nlp.severity import Scope

# Accent-free lemmas (`token.norm_`), French and English.
ORGANISATION = frozenset(
    {
        "ministere", "organisation", "organisme", "organization", "ministry", "municipalite",
        "municipality", "ville", "city", "agence", "agency", "gouvernement", "government",
        "societe", "company", "corporation", "province", "region",
    }
)  # fmt: skip
SITE = frozenset(
    {
        "bureau", "edifice", "immeuble", "batiment", "building", "build", "site", "office",
        "succursale", "centre", "center", "campus", "siege", "hopital", "hospital",
        "ecole", "school", "caserne", "palais", "courthouse", "etablissement", "location",
        "point", "clinique", "clinic", "entrepot", "warehouse", "station", "comptoir",
        "bldg", "local", "usine", "plant", "facility", "installation", "locaux",
    }
)  # fmt: skip
GROUP = frozenset(
    {
        "equipe", "team", "direction", "section", "unite", "unit", "division", "departement",
        "department", "etage", "floor", "aile", "wing", "salle", "service", "secteur",
        "groupe", "group", "cellule", "module", "branche", "bureau-chef", "directorate",
    }
)  # fmt: skip
FLOORS = frozenset({"etage", "floor", "aile", "wing"})
UNITS = frozenset(
    {"direction", "directorate", "division", "departement", "department", "secteur", "branche",
     "branch", "unite", "unit", "section"}
)  # fmt: skip
# People, by the width "all of them" means.
USERS = frozenset(
    {"utilisateur", "utilisatrice", "usager", "user", "client", "customer", "citoyen",
     "citizen", "monde", "gens", "people", "everyone", "everybody", "agent", "agente",
     "intervenant", "caller", "appelant"}
)  # fmt: skip
STAFF = frozenset(
    {"employer", "employe", "employee", "personnel", "staff", "fonctionnaire", "worker",
     "travailleur", "teletravailleurs", "teletravailleur", "salarie"}
)  # fmt: skip
PEERS = frozenset(
    {"collegue", "colleague", "coworker", "membre", "member", "gars", "fille", "superviseur",
     "supervisor", "gestionnaire", "manager", "avocat", "lawyer", "infirmier", "infirmiere",
     "nurse", "clinicien", "clinician", "medecin", "doctor", "prepose", "preposee",
     "repartiteur", "dispatcher", "inspecteur", "inspector", "enseignant", "teacher",
     "policier", "officer", "technicien", "technician", "analyste", "analyst", "conseiller",
     "conseillere", "adjoint", "adjointe", "greffier", "greffiere", "clerk", "juge", "judge"}
)  # fmt: skip
PEOPLE = USERS | STAFF | PEERS | {"personne", "person"}
TIME = frozenset(
    {"journee", "jour", "matinee", "matin", "semaine", "nuit", "temps", "soiree", "annee",
     "mois", "day", "morning", "week", "night", "time", "afternoon", "year", "month", "weekend",
     "fichier", "file", "document", "dossier", "folder", "chose", "thing", "stuff"}
)  # fmt: skip

# Function words a quantifier may cross before its noun.
_SKIP = frozenset(
    {
        "le", "la", "l'", "les", "un", "une", "de", "d'", "du", "des", "au", "aux", "a", "à",
        "dans", "en", "sur", "notre", "nos", "votre", "vos", "mon", "ma", "mes", "son", "sa",
        "ses", "leur", "ce", "cet", "cette", "ces", "the", "our", "your", "my", "their", "of",
        "in", "at", "on", "this", "that", "these", "those", "entire", "whole", "regional",
        "main", "head", "local", "central", "nouveau", "grand", "petit", "ici",
        "same", "meme",
    }
)  # fmt: skip
_CLAUSE_END = frozenset({".", "!", "?", ";", ":", ",", "mais", "but", "sauf", "except"})
_DETERMINERS = frozenset(
    {"le", "la", "l'", "les", "nos", "notre", "ces", "ce", "cet", "cette", "mes", "mon", "ma",
     "vos", "votre", "leur", "leurs"}
)  # fmt: skip
_PLURAL_DET = frozenset({"les", "nos", "vos", "ces", "mes", "leurs", "des", "aux"})
_BEFORE_NOUN_PERSONNE = frozenset(
    {"une", "la", "cette", "chaque", "seule", "quelle", "aucune", "de", "d'", "par", "des",
     "les", "autre", "toute", "1", "une seule"}
)  # fmt: skip
_GREETING = frozenset(
    {"bonjour", "salut", "allo", "bonsoir", "hi", "hello", "hey", "merci", "thanks", "thank",
     "a", "à", "to", "dear", "cher", "chers", "chere", "cheres"}
)  # fmt: skip
_PREPOSITIONS = frozenset(
    {"de", "d'", "du", "des", "au", "aux", "à", "a", "dans", "en", "sur", "of", "in", "at", "on"}
)
_ARE = frozenset({"etre", "est", "sommes"})
_NAMED = PEOPLE | SITE | ORGANISATION | GROUP
_MANY = frozenset({"chaque", "aucun", "aucune", "nul", "nulle", "any"})
_ONE = frozenset({"whole", "entire", "nobody", "everyone", "everybody", "noone"})
_OTHERS = frozenset({"autre", "autres", "else", "other", "others", "rest"})
_ABILITY = frozenset(
    {"pouvoir", "peut", "peuvent", "arriver", "reussir", "acceder", "recevoir", "travailler",
     "connecter", "imprimer", "ouvrir", "fonctionner", "marcher", "can", "could", "able", "ca",
     "get", "gets", "has", "have", "is", "works", "work", "receive", "access", "reach"}
)  # fmt: skip
_ME = frozenset({"moi", "me", "myself", "mine"})
_WINDOW = 6


@dataclass(frozen=True, slots=True)
class ScopeSpan:
    scope: Scope
    start: int  # token indices, end exclusive
    end: int


@dataclass(frozen=True, slots=True)
class _Words:
    """Each token's `lower_`, `norm_` and `like_num`, read once through the doc's arrays: the
    scans below look at every token and its neighbours, and a `Token` made for each look was
    most of their cost."""

    low: list[str]
    norm: list[str]
    num: list[bool]

    @classmethod
    def of(cls, doc: Doc) -> _Words:
        strings = doc.vocab.strings
        rows = doc.to_array([LOWER, NORM, LIKE_NUM]).tolist()
        return cls(
            [strings[low] for low, _, _ in rows],
            [strings[norm] for _, norm, _ in rows],
            [bool(num) for _, _, num in rows],
        )


def _plural(low: str, norm: str) -> bool:
    """A word in the plural, by its lower-case text and its norm (the lemma)."""
    return low != norm and low.endswith(("s", "x"))


def _noun_scope(doc: Doc, start: int, many: bool) -> tuple[Scope, int] | None:
    """The scope of the first place, unit or people named from `start` (within the window).

    People alone give their width; a place after them wins ("tous les employés du bureau" is the
    site). One unknown word may come before the noun ("the whole accounting team"), two between
    people and their place ("all 20 supervisors in the Roads Maintenance division"); numbers
    are crossed; a time ("toute la journée") or a thing ("tous mes fichiers") ends the search.
    """
    people: tuple[Scope, int] | None = None
    unknown = 0
    crossed = False
    for i in range(start, min(len(doc), start + _WINDOW)):
        tok = doc[i]
        n = tok.norm_
        if tok.lower_ in _CLAUSE_END or "\n" in tok.text or n in TIME:
            break
        # "aucun bureau" is every office, "aucun poste du bureau de Laval" one site, and
        # "all on the 7th floor" one floor
        plural = _plural(tok.lower_, n) or (
            many and unknown == 0 and people is None and not crossed
        )
        if n in ORGANISATION or (n == "department" and i and doc[i - 1].lower_ == "the"):
            return Scope.ORGANISATION, i + 1  # "the department" is the ministry
        if n in SITE:
            return (Scope.ORGANISATION if plural else Scope.SITE), i + 1
        if n in GROUP:
            if plural and n in FLOORS:
                return Scope.SITE, i + 1
            # all the directorates or divisions are the organisation's every unit
            return (Scope.ORGANISATION if plural and n in UNITS else Scope.GROUP), i + 1
        if n in PEOPLE:
            if people is None:
                width = Scope.GROUP if n in PEERS else Scope.ORGANISATION if n in STAFF else None
                people = (width or Scope.SYSTEM, i + 1)
            continue
        if n in _SKIP or tok.lower_ in _SKIP or tok.like_num:
            crossed = crossed or tok.lower_ in _PREPOSITIONS
            continue
        unknown += 1
        if unknown > (2 if people is not None else 1):
            break
    return people


def _unable(doc: Doc, i: int) -> bool:
    """A verb of being able, reaching or working follows: "personne (ne) peut", "nobody can"."""
    return any(t.norm_ in _ABILITY for t in doc[i : i + 4])


def _except_me(doc: Doc, i: int) -> bool:
    """Only the writer: "tout le monde sauf moi", "everyone but me": only the writer is affected."""
    for j in range(i, min(len(doc), i + 4)):
        if doc[j].lower_ in ("sauf", "except", "but", "excepté", "hormis"):
            return j + 1 < len(doc) and doc[j + 1].lower_ in _ME
    return False


def _personne_pronoun(doc: Doc, i: int) -> bool:
    """The pronoun "personne" (nobody), not the noun ("une personne", "personne d'autre")."""
    if i and (doc[i - 1].lower_ in _BEFORE_NOUN_PERSONNE or doc[i - 1].like_num):
        return False
    nxt = doc[i + 1].lower_ if i + 1 < len(doc) else ""
    after = doc[i + 2].lower_ if i + 2 < len(doc) else ""
    if nxt in ("d'", "de") and after.startswith("autre"):
        return False
    if nxt in ("autre", "else", "-", "ressource", "responsable", "âgée", "agee"):
        return False
    return doc[i].lower_ == "personne"


def _quantifiers(doc: Doc, words: _Words) -> Iterator[tuple[int, int, bool]]:
    """(start, noun search start, many) of each quantifier."""
    lows, norms = words.low, words.norm
    n = len(lows)
    for i, (low, norm) in enumerate(zip(lows, norms, strict=True)):
        nxt = lows[i + 1] if i + 1 < n else ""
        if low in ("tous", "toutes", "tout", "toute") and nxt in _DETERMINERS:
            yield i, i + 1, nxt in _PLURAL_DET or low in ("tous", "toutes")
        elif norm == "ensemble" and i and lows[i - 1] in ("l'", "l’"):
            yield i - 1, i + 1, False
        elif low in _MANY or (low in ("all", "every", "each") and nxt not in ("day", "time")):
            yield i, i + 1, True
        elif low in _ONE or (low == "personne" and _personne_pronoun(doc, i)):
            yield i, i + 1, False
        elif low == "no" and i + 1 < n and (nxt == "one" or norms[i + 1] in _NAMED):
            yield i, i + (2 if nxt == "one" else 1), False
        elif low == "none" and nxt == "of":
            yield i, i + 2, True


def quantified_scopes(doc: Doc) -> list[ScopeSpan]:
    """Every quantified subject that says how far the trouble reaches."""
    out: list[ScopeSpan] = []
    words = _Words.of(doc)
    for start, search, many in _quantifiers(doc, words):
        if start and words.norm[start - 1] in _GREETING:
            continue  # "Bonjour tout le monde", "merci à tous", "hi all"
        if _except_me(doc, search):
            out.append(ScopeSpan(Scope.PERSON, start, min(len(doc), search + 3)))
            continue
        if any(norm in _OTHERS for norm in words.norm[search : search + 3]):
            continue  # "personne d'autre", "tous les autres agents": the others are fine
        found = _noun_scope(doc, search, many)
        if found is None:
            low = words.low[start]
            # "personne ne peut se connecter", "nobody can log in": all users of the service
            # ("aucun pdf", "personne n'a cliqué" say nothing of who is affected)
            pronoun = low in ("personne", "nobody", "noone", "no", "everyone", "everybody")
            if pronoun and _unable(doc, search):
                out.append(ScopeSpan(Scope.SYSTEM, start, search))
            continue
        scope, end = found
        out.append(ScopeSpan(scope, start, end))
    out.extend(_postposed(words))
    out.extend(_of_us(words))
    out.extend(_counted_sites(words))
    return out


def _postposed(words: _Words) -> Iterator[ScopeSpan]:
    """After the noun: "le ministère au complet", "l'édifice entier", "the department as a whole"."""
    lows = words.low
    for i, low in enumerate(lows):
        if (low == "complet" and i and lows[i - 1] == "au") or low in ("entier", "entière"):
            for j in range(i - 1, max(-1, i - 4), -1):
                n = words.norm[j]
                if n in ORGANISATION:
                    yield ScopeSpan(Scope.ORGANISATION, j, i + 1)
                elif n in SITE:
                    yield ScopeSpan(Scope.SITE, j, i + 1)
                elif n in GROUP:
                    yield ScopeSpan(Scope.GROUP, j, i + 1)
                else:
                    continue
                break


def _counted_sites(words: _Words) -> Iterator[ScopeSpan]:
    """Several sites named by number: "3 bureaux", "3 of our 5 sites", "deux édifices"."""
    lows, norms, nums = words.low, words.norm, words.num
    for i in range(len(lows) - 1):
        if not nums[i] or lows[i] in ("1", "un", "une", "one"):
            continue
        for j in range(i + 1, min(len(lows), i + 5)):
            if norms[j] in SITE and _plural(lows[j], norms[j]):
                yield ScopeSpan(Scope.ORGANISATION, i, j + 1)
                break
            if norms[j] not in _SKIP and not nums[j] and lows[j] not in ("sites",):
                break


def _of_us(words: _Words) -> Iterator[ScopeSpan]:
    """A group counted from inside: "5 of us", "on est 12", "nous sommes une dizaine"."""
    lows, norms, nums = words.low, words.norm, words.num
    for i in range(len(lows) - 2):
        counted = nums[i + 2] and lows[i + 2] not in ("1", "un", "une")
        of_us = nums[i] and lows[i + 1] == "of" and lows[i + 2] == "us"
        we_are = lows[i] in ("on", "nous") and norms[i + 1] in _ARE and counted
        if of_us or we_are:
            yield ScopeSpan(Scope.GROUP, i, i + 3)
