"""Quoted history and signatures, French and English, and the guards against cutting too much."""

from __future__ import annotations

import pytest

from intake.mail.html import QUOTE_MARK
from intake.mail.quotes import strip_quoted


@pytest.mark.parametrize(
    "history",
    [
        "Le mar. 12 mars 2024 à 09 h 14, Centre de service <csc@x.example> a écrit :\n> Bonjour",
        "Le 12 mars 2024 à 09:14, Centre de service <csc@x.example> a\nécrit :\n> Bonjour",
        "On Tue, Mar 12, 2024 at 9:14 AM Service <csc@x.example> wrote:\n> Hello",
        "On Tue, Mar 12, 2024 at 9:14 AM Service <\ncsc@x.example> wrote:\n\n> Hello",
        "-----Message d'origine-----\nDe : Centre de service\nEnvoyé : 12 mars\nObjet : x\n\ntexte",
        "-----Original Message-----\nFrom: Service\nSent: March 12\nSubject: x\n\ntext",
        "De : Centre de service <csc@x.example>\nEnvoyé : 12 mars 2024 09:14\nÀ : Moi\n"
        "Objet : RE: x\n\nBonjour",
        "From: Service Centre <csc@x.example>\nSent: Tuesday, March 12, 2024 9:14 AM\nTo: Me\n"
        "Subject: x\n\nHello",
        "________________________________\nDe : Centre de service <csc@x.example>\n"
        "Envoyé : mardi 12 mars 2024 09:14\nÀ : Moi\nObjet : x\n\nBonjour",
        "*From:* Service <csc@x.example>\n*Sent:* Tuesday\n*To:* Me\n*Subject:* x\n\nHello",
        f"{QUOTE_MARK}\nanything the HTML client quoted",
        "----- Mail original -----\nDe: Centre\nÀ: Moi\nEnvoyé: lundi\nObjet: x\n\ntexte",
        "Jean Tremblay/MIN/QC wrote on 03/12/2024 09:14:00 AM:\n\n> texte",
        '-----"Centre" <csc@x.example> a écrit : -----\nPour : Moi\nDe : Centre',
        "Date: Tue, 12 Mar 2024 09:14\nFrom: csc@x.example\nSubject: x\nTo: me@x.example\n\nHello",
        "> Bonjour\n> votre demande est reçue",
        # Any case: the attribution's words are looked for case-folded before its pattern runs.
        "LE 12 MARS 2024 À 09:14, CENTRE DE SERVICE <CSC@X.EXAMPLE> A ÉCRIT :\n> Bonjour",
        "On Tue, Mar 12, 2024 at 9:14 AM Dienst <csc@x.example> SCHRIEB:\n> Hallo",
        "El 12 mar 2024, Servicio <csc@x.example> ESCRIBIÓ:\n> Hola",
        "2024-03-12 9:14 GMT+01:00 Service <csc@x.example>:\n> Hello",
    ],
)
def test_history_is_cut(history: str) -> None:
    text = f"Le poste PC-123 ne démarre plus.\n\n{history}\n"
    assert strip_quoted(text) == "Le poste PC-123 ne démarre plus."


@pytest.mark.parametrize(
    "signature",
    [
        "-- \nJean Tremblay\nAnalyste",
        "--\nJean Tremblay",
        "Merci,\nJean Tremblay\nAnalyste | Direction TI\n418 555-0100",
        "Cordialement,\n\nJean Tremblay",
        "Best regards,\nJohn",
        "Envoyé de mon iPhone",
        "Sent from my iPhone",
        "Obtenir Outlook pour iOS",
        "Thanks\nJohn",
    ],
)
def test_signature_is_cut(signature: str) -> None:
    assert strip_quoted(f"The printer is jammed.\n\n{signature}") == "The printer is jammed."


def test_lone_de_line_at_top_is_content() -> None:
    text = "De : Paul, chef d'équipe\nPour : l'équipe\n\nDonnez l'accès à Julie."
    assert strip_quoted(text) == text


def test_signoff_followed_by_a_long_text_is_kept() -> None:
    text = "Bonjour\n\nMerci\n" + "\n".join(f"ligne {n} du problème" for n in range(12))
    assert strip_quoted(text) == text


def test_a_message_of_only_a_thank_you_is_kept() -> None:
    assert strip_quoted("Merci!") == "Merci!"


def test_never_cut_to_nothing() -> None:
    text = "De : Centre de service\nEnvoyé : hier\nÀ : moi\nObjet : x\n\nLe texte transféré."
    assert "Le texte transféré." in strip_quoted(text)


def test_bottom_posting() -> None:
    text = "On Mon, Alex wrote:\n> Which model?\n\nA Dell 7440.\n"
    assert strip_quoted(text) == "A Dell 7440."


def test_interleaved_reply_keeps_unquoted_lines() -> None:
    text = "> Which model?\nA Dell.\n> Which floor?\nThe third."
    assert strip_quoted(text) == "A Dell.\nThe third."


def test_forward_keeps_forwarded_message() -> None:
    text = (
        "FYI\n\n---------- Forwarded message ---------\nFrom: Vendor <v@x.com>\n"
        "Date: Mon\nSubject: Outage\nTo: me\n\nThe sync failed at 02:00.\n"
    )
    body = strip_quoted(text)
    assert body.startswith("FYI") and "The sync failed at 02:00." in body


def test_forward_flag_keeps_outlook_block() -> None:
    text = "Voir ci-dessous.\n\nDe : Fournisseur\nEnvoyé : hier\nÀ : moi\nObjet : Panne\n\nPanne."
    assert "Panne." in strip_quoted(text, forward=True)
    assert "Panne." not in strip_quoted(text, forward=False)


def test_french_begin_forwarded_message() -> None:
    text = "Début du message réexpédié :\n\nDe: X <x@y.example>\nObjet: Panne\nDate: hier\n\nPanne réseau."
    assert "Panne réseau." in strip_quoted(text)
