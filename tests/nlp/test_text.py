"""nlp.text: the outputs pinned here are those of the two copies it replaced
(`bot/selfservice/text.py` and `bot/outages/matching.py`), recorded before the move."""

from __future__ import annotations

from collections import Counter

import pytest

from nlp.text import (
    FILLERS,
    STOPWORDS,
    cosine,
    fold,
    singular,
    spaced,
    stem,
    stems,
    unaccent,
    words,
)

# text → (fold, words, stems, stems without STOPWORDS, spaced(ligatures=False))
PINNED = {
    "Éléphant Œuvre Ça’va": (
        "elephant oeuvre ca'va",
        ["elephant", "oeuvre", "ca", "va"],
        ["elephant", "oeuvr", "ca", "va"],
        ["elephant", "oeuvr", "va"],
        "elephant uvre ca va",
    ),
    "L'imprimante n'imprime plus depuis ce matin": (
        "l'imprimante n'imprime plus depuis ce matin",
        ["l", "imprimante", "n", "imprime", "plus", "depuis", "ce", "matin"],
        ["imprimant", "imprim", "plu", "depui", "matin"],
        ["imprimant", "imprim"],
        "l imprimante n imprime plus depuis ce matin",
    ),
    "Réseau  ÉTEINT, à Québec!": (
        "reseau  eteint, a quebec!",
        ["reseau", "eteint", "a", "quebec"],
        ["reseau", "eteint", "quebec"],
        ["reseau", "eteint", "quebec"],
        "reseau eteint a quebec",
    ),
    "cœur d’Æther — naïve façade ﬁchier": (
        "coeur d'aether — naive facade fichier",
        ["coeur", "d", "aether", "naive", "facade", "fichier"],
        ["coeur", "aeth", "naiv", "facad", "fichi"],
        ["coeur", "aeth", "naiv", "facad", "fichi"],
        "c ur d ther naive facade fichier",
    ),
    "Mot de passe verrouillé; réinitialisations échouées (3x)": (
        "mot de passe verrouille; reinitialisations echouees (3x)",
        ["mot", "de", "passe", "verrouille", "reinitialisations", "echouees", "3x"],
        ["mot", "pass", "verrouill", "reinitialis", "echou", "3x"],
        ["mot", "pass", "verrouill", "reinitialis", "echou", "3x"],
        "mot de passe verrouille reinitialisations echouees 3x",
    ),
    "Printers PRINTING locked-out; mapped drives, stopping": (
        "printers printing locked-out; mapped drives, stopping",
        ["printers", "printing", "locked", "out", "mapped", "drives", "stopping"],
        ["print", "print", "lock", "out", "map", "driv", "stop"],
        ["print", "print", "lock", "out", "map", "driv", "stop"],
        "printers printing locked out mapped drives stopping",
    ),
    "Straße İstanbul ÀÉÎÕÜ ǅ ½ ²": (
        "straße istanbul aeiou dz 1⁄2 2",
        ["stra", "e", "istanbul", "aeiou", "dz", "1", "2", "2"],
        ["stra", "e", "istanbul", "aeiou", "dz", "1", "2", "2"],
        ["stra", "e", "istanbul", "aeiou", "dz", "1", "2", "2"],
        "stra e istanbul aeiou dz 1 2 2",
    ),
    "Serveurs VPN: accès coupés à Gatineau & Montréal #CSC-000123": (
        "serveurs vpn: acces coupes a gatineau & montreal #csc-000123",
        ["serveurs", "vpn", "acces", "coupes", "a", "gatineau", "montreal", "csc", "000123"],
        ["serveur", "vpn", "acce", "coup", "gatineau", "montreal", "csc", "000123"],
        ["serveur", "vpn", "acce", "coup", "gatineau", "montreal", "csc", "000123"],
        "serveurs vpn acces coupes a gatineau montreal csc 000123",
    ),
    "": ("", [], [], [], ""),
    "   ": ("   ", [], [], [], ""),
    "can't connect — l`accès ʼwifiʼ": (
        "can't connect — l'acces 'wifi'",
        ["can", "t", "connect", "l", "acces", "wifi"],
        ["can", "connect", "acce", "wifi"],
        ["connect", "acce", "wifi"],
        "can t connect l acces wifi",
    ),
}


@pytest.mark.parametrize("text", list(PINNED))
def test_folding_and_stems_are_those_of_the_old_copies(text: str) -> None:
    folded, split, stemmed, topical, bare = PINNED[text]
    assert fold(text) == folded  # bot.selfservice.text.fold
    assert words(text) == split
    assert stems(text) == stemmed
    assert stems(text, drop=STOPWORDS) == topical
    assert spaced(text, ligatures=False) == bare  # bot.outages.matching.fold


def test_the_two_foldings_differ_only_in_ligatures_and_apostrophes() -> None:
    assert fold("Cœur d’ÆTHER", ligatures=False) == "cœur d’æther"
    assert spaced("Cœur d’ÆTHER") == "coeur d aether"


# word → (stem, singular): the self-service stem and outage matching's plural stem
WORDS = {
    "partagés": ("partagé", "partagé"),
    "verrouillage": ("verrouill", "verrouillage"),
    "stopping": ("stop", "stopping"),
    "mapped": ("map", "mapped"),
    "box": ("box", "box"),
    "boss": ("boss", "boss"),
    "class": ("class", "clas"),
    "réseaux": ("réseau", "réseau"),
    "pcs": ("pcs", "pcs"),
    "ordis": ("ordi", "ordi"),
    "maux": ("mau", "maux"),
    "xxxx": ("xxx", "xxxx"),
    "xxxxx": ("xxxx", "xxxx"),
    "services": ("servic", "service"),
    "sites": ("site", "site"),
    "pass": ("pass", "pass"),
    "as": ("as", "as"),
    "aux": ("aux", "aux"),
}


@pytest.mark.parametrize("word", list(WORDS))
def test_stem_and_singular_are_those_of_the_old_copies(word: str) -> None:
    assert (stem(word), singular(word)) == WORDS[word]


def test_stopwords_contain_the_fillers() -> None:
    assert FILLERS < STOPWORDS
    assert "pas" in STOPWORDS and "pas" not in FILLERS  # negations survive phrase matching


def test_cosine() -> None:
    def counts(text: str) -> Counter[str]:
        return Counter(stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1)

    same = cosine(counts("Outlook ne répond plus"), counts("outlook répond pas depuis ce matin"))
    assert same == pytest.approx(1.0)
    assert cosine(counts("Imprimante hors ligne"), counts("Outlook ne répond plus")) == 0.0
    assert cosine(counts(""), counts("Outlook")) == 0.0
    half = cosine(Counter({"a": 1, "b": 1}), Counter({"a": 1, "c": 1}))
    assert half == pytest.approx(0.5)


def test_unaccent_keeps_the_length() -> None:
    text = "réinitialisé à l'écran, cœur"
    assert unaccent(text) == "reinitialise a l'ecran, cour"
    assert len(unaccent(text)) == len(text)


def test_fold_spells_ligatures_and_apostrophes_out() -> None:
    assert fold("Éléphant Œuvre Ça’va") == "elephant oeuvre ca'va"


def test_words_split_elisions() -> None:
    assert words("L'imprimante n'imprime plus") == ["l", "imprimante", "n", "imprime", "plus"]


@pytest.mark.parametrize(
    "forms",
    [
        ("verrouillé", "verrouiller", "verrouillage", "verrouillés"),
        ("partage", "partager", "partagé", "partagés"),
        ("réinitialiser", "réinitialisation", "réinitialisé"),
        ("printer", "printing", "printers", "print"),
        ("locked", "lock", "locks"),
        ("mapped", "map", "maps"),
        ("caméra", "camera", "caméras"),
        ("certificat", "certificate", "certificates"),
    ],
)
def test_forms_meet(forms: tuple[str, ...]) -> None:
    assert len({stem(fold(f)) for f in forms}) == 1, [stem(fold(f)) for f in forms]


def test_distinct_words_stay_distinct() -> None:
    assert stem("outage") != stem("out")
    assert stem("passe") != stem("pas")


def test_stems_drop_fillers_keep_negations() -> None:
    assert stems("Mon compte n'est pas verrouillé") == ["compt", "pas", "verrouill"]


def test_fold_drops_every_combining_mark_and_keeps_every_other_character() -> None:
    """Every code point of the Basic Multilingual Plane folds as lower-casing, NFKD and dropping
    the combining marks say, one character at a time (the fold skips the ASCII ones)."""
    import unicodedata

    for point in range(0x10000):
        if 0xD800 <= point <= 0xDFFF:
            continue
        char = chr(point)
        decomposed = unicodedata.normalize("NFKD", char.lower())
        expected = "".join(c for c in decomposed if not unicodedata.combining(c))
        assert fold(char, ligatures=False) == expected, hex(point)
    assert fold("Cafe\u0301 de\u0301ja\u0300 vu") == "cafe deja vu"
