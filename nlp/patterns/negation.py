"""Words that negate a matched phrase in the same clause (see `nlp.factors._negated`)."""

from __future__ import annotations

NEGATORS = frozenset(
    {"pas", "aucun", "aucune", "sans", "jamais", "not", "no", "never", "n't", "without", "none"}
)
# A scope is only negated by a plain negation ("pas toute l'équipe"), never by "aucun":
# "aucun poste du bureau de Laval ne démarre" is the whole site.
SCOPE_NEGATORS = frozenset({"pas", "jamais", "not", "never", "n't"})
# A mission is negated only with one of these words near the negator: "aucun impact sur les
# citoyens" is no mission, "aucun citoyen ne peut se connecter" still is.
MISSION_NEGATED_BY = frozenset(
    {"impact", "effet", "incidence", "affect", "affecter", "toucher", "touche", "effect"}
)
# A scope is negated from behind only with one of these: "toute l'équipe n'est pas touchée",
# "not everyone is affected"; "toute l'équipe ne peut pas se connecter" is the whole team.
SCOPE_NEGATED_BY = frozenset(
    {"toucher", "touche", "touchee", "touches", "touchees", "affectee", "affectes", "impactee",
     "impactes", "concernee", "concernes", "affect", "affecter", "affected", "impact", "impacter", "concerner",
     "concerne", "probleme", "problem", "issue", "meme", "same"}
)  # fmt: skip
