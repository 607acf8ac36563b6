"""Workaround: a way to keep working, its explicit absence, a manual fallback, or an
equivalent device or room at hand."""

from __future__ import annotations

WORKAROUND = [
    "version web",
    "on utilise le téléphone",
    "autre poste disponible",
    "portail web",
    "ça dépanne",
    "on peut passer par",
    "solution de contournement",
    "en attendant on utilise",
    "web version",
    "use the phone",
    "workaround",
    "use our cellphones",
    "on the wifi",
    "sur le wifi",
    "in the meantime we use",
    "peuvent encore",
    "peuvent toujours",
    "on peut encore",
    "on peut toujours",
    "can still",
    "still able to",
    "still working fine",
    "fonctionne toujours",
    "redirigé les citoyens vers",
    "redirected to",
]
# An equivalent device or room at hand: the loss is negligible for the people concerned.
EQUIVALENT = [
    "imprimante d'à côté",
    "autre imprimante",
    "celui du",
    "celle du",
    "celle d'à côté",
    "autre poste disponible",
    "autre salle",
    "on imprime ailleurs",
    "another printer",
    "printer next door",
    "spare computer",
    "another room",
    "the one on the",
]
NO_WORKAROUND = [
    "aucune solution de contournement",
    "pas de contournement",
    "aucun contournement",
    "no workaround",
    "there is no workaround",
    "no workaround available",
]
MANUAL_FALLBACK = ["formulaires papier", "formulaire papier", "paper forms", "radio"]
