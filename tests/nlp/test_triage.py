"""Triage on hand-written messages: negation, hedging, shouting, evidence spans, language."""

from __future__ import annotations

from typing import Any

from nlp.labels import Kind, Language, Severity, Team
from nlp.severity import Scope


def factors_of(t: Any, factor: str) -> dict[str, str]:
    return {e.label: e.text for e in t.evidence if e.factor == factor}


def test_negated_scope_narrows(tri: Any) -> None:
    t = tri("Mon Outlook plante au démarrage. Personne d'autre n'est touché.")
    assert t.kind is Kind.INCIDENT
    assert t.severity is Severity.P4
    assert factors_of(t, "scope").get(Scope.PERSON.value) == "Personne d'autre"


def test_negated_group_is_not_group(tri: Any) -> None:
    t = tri("L'imprimante ne fonctionne plus. Toute l'équipe n'est pas touchée, juste moi.")
    assert "group" not in factors_of(t, "scope")
    assert t.severity is Severity.P4


def test_not_urgent_alone_is_not_p5(tri: Any) -> None:
    t = tri("Mon écran clignote depuis ce matin. Ce n'est pas urgent.")
    assert t.severity is Severity.P4


def test_schedulable_preventive_is_p5(tri: Any) -> None:
    t = tri(
        "Le serveur FS02 est à 92 % d'espace disque. On peut planifier ça quand ça vous convient."
    )
    assert t.severity is Severity.P5


def test_shouting_is_not_scope(tri: Any) -> None:
    t = tri("URGENT!!! MA SOURIS NE MARCHE PLUS, RÉGLEZ ÇA TOUT DE SUITE!!!", subject="URGENT")
    assert t.kind is Kind.INCIDENT
    assert t.severity is Severity.P4
    assert t.team is Team.WORKSTATION


def test_same_words_in_capitals_give_the_same_triage(tri: Any) -> None:
    text = "Le VPN ne fonctionne plus pour tous les employés en télétravail."
    assert tri(text).severity == tri(text.upper()).severity == Severity.P2


def test_mission_outage_is_p1_with_evidence(tri: Any) -> None:
    t = tri("Le portail citoyen est inaccessible pour tous les citoyens. Aucun contournement.")
    assert t.severity is Severity.P1
    assert t.team is Team.APPLICATIONS
    assert factors_of(t, "workaround").get("no") == "Aucun contournement"
    assert "system" in factors_of(t, "scope")
    assert "yes" in factors_of(t, "mission")


def test_no_impact_on_citizens_is_no_mission(tri: Any) -> None:
    t = tri("The CRM is down for all users. It's an internal tool, no impact on citizens.")
    assert t.severity is Severity.P3
    assert "yes" not in factors_of(t, "mission")


def test_manual_fallback_is_not_a_workaround(tri: Any) -> None:
    t = tri(
        "SAGIR est inaccessible pour tous les utilisateurs, la paie doit partir demain. "
        "On est revenus aux formulaires papier."
    )
    assert t.severity is Severity.P1
    assert "manual-fallback" in factors_of(t, "workaround")


def test_equivalent_device_makes_it_negligible(tri: Any) -> None:
    t = tri("L'imprimante du 2e ne fonctionne plus. On imprime sur l'imprimante d'à côté.")
    assert t.severity is Severity.P4


def test_security_levels(tri: Any) -> None:
    assert tri("J'ai reçu un courriel d'hameçonnage, je n'ai pas cliqué.").severity is Severity.P4
    assert tri("J'ai cliqué sur un lien dans un courriel suspect.").severity is Severity.P3


def test_evidence_text_is_a_span_of_the_message(tri: Any) -> None:
    text = "Bonjour,\nLe wifi est down au 3e, toute l'équipe est bloquée.\nMerci"
    t = tri(text)
    assert t.team is Team.NETWORK
    assert factors_of(t, "service")["network"] == "wifi"
    for e in t.evidence:
        assert e.text in text


def test_non_incidents_have_no_severity(tri: Any) -> None:
    q = tri("Comment ajouter une signature dans Outlook?")
    assert q.kind is Kind.QUESTION
    assert q.severity is None and q.confidence.severity is None
    s = tri("Des nouvelles du billet CSC-004211 pour mon portable?", subject="Suivi")
    assert s.kind is Kind.STATUS and s.severity is None


def test_language(tri: Any) -> None:
    assert tri("my laptop won't boot, black screen").language is Language.EN
    assert tri("mon portable démarre pus").language is Language.FR


def test_quoted_history_is_ignored(tri: Any) -> None:
    text = (
        "Merci, c'est réglé!\n\n-----Message d'origine-----\nDe : Centre de service\n"
        "Le portail citoyen est en panne pour tous les citoyens."
    )
    t = tri(text)
    assert t.severity in (None, Severity.P4, Severity.P5)


def test_thresholds_come_with_the_model(tri: Any, model: Any) -> None:
    t = tri("Mon Outlook plante au démarrage.")
    assert set(model.thresholds) >= {"kind", "team", "level", "severity"}
    assert set(t.auto_apply) >= {"kind", "team", "level"}
    assert t.model == model.version


def test_aucun_does_not_negate_a_site(tri: Any) -> None:
    t = tri("Aucun poste du bureau de Laval ne démarre depuis la mise à jour de cette nuit.")
    assert "site" in factors_of(t, "scope")
    assert t.severity is Severity.P3


def test_counted_people_are_a_group(tri: Any) -> None:
    t = tri("Le wifi ne marche plus, 25 personnes en formation ne peuvent pas se connecter.")
    assert factors_of(t, "scope").get("group") == "25 personnes"
    assert t.severity is Severity.P3


def test_failed_backups_are_a_protective_loss(tri: Any) -> None:
    t = tri("Les sauvegardes du serveur SQL échouent depuis lundi, rien n'est encore tombé.")
    assert "protective" in factors_of(t, "impact")
    assert t.severity is Severity.P3


def test_wide_outage_raises_level_to_n3(tri: Any) -> None:
    t = tri("Internet access is down for every office in the organization since 9:00.")
    assert t.severity is Severity.P2
    assert t.level is not None and t.level.value == "N3"


def test_minor_for_everyone_is_p3_not_p2(tri: Any) -> None:
    t = tri("Outlook est un peu lent pour tout le monde dans l'organisation, ça se tolère.")
    assert t.severity is Severity.P3


def test_empty_message_does_not_fail(tri: Any) -> None:
    # The bot warms the model up with an empty message.
    t = tri("")
    assert t.language is Language.FR and t.kind is not None


def test_greeting_everyone_is_not_scope(tri: Any) -> None:
    t = tri("Bonjour tout le monde,\nMon Outlook plante au démarrage.\nMerci")
    assert t.severity is Severity.P4
