"""Realistic synthetic service-desk mail, reproducible from a seed (no real person's data)."""

from __future__ import annotations

import email.policy
import random
from email.message import EmailMessage

DOMAINS = [
    "msss.example",
    "justice.example",
    "transports.example",
    "saaq.example",
    "education.example",
    "retraitequebec.example",
    "mcn.example",
    "gmail.example",
]
FIRST = [
    "Jeanne",
    "Marc",
    "Sophie",
    "Luc",
    "Isabelle",
    "Mathieu",
    "Nadia",
    "Patrick",
    "Chloé",
    "Kevin",
]
LAST = ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin"]

FR = [
    (
        "Outlook plante au démarrage",
        "Depuis ce matin, Outlook se ferme dès que je l'ouvre. J'ai redémarré mon poste, même résultat.",
    ),
    (
        "VPN qui décroche",
        "Le VPN coupe toutes les 5 minutes quand je suis en télétravail. C'est très dérangeant pour mes rencontres Teams.",
    ),
    (
        "Imprimante du 3e bloquée",
        "L'imprimante du 3e étage affiche « bourrage papier » mais il n'y a rien dedans. Tout l'étage est touché.",
    ),
    (
        "Compte verrouillé",
        "Mon compte est verrouillé après le changement de mot de passe. Je ne peux plus rien faire.",
    ),
    (
        "Demande d'installation Power BI",
        "Pourriez-vous installer Power BI Desktop sur mon poste? Mon gestionnaire a approuvé la demande.",
    ),
    (
        "Accès au dossier partagé",
        "J'aurais besoin d'un accès en lecture au dossier \\\\partage\\Finances\\2026 pour la fermeture d'année.",
    ),
    (
        "SAGIR inaccessible",
        "Personne dans notre direction ne peut se connecter à SAGIR depuis 8 h. Les paies doivent partir aujourd'hui!",
    ),
    (
        "Question signature Outlook",
        "Comment ajouter le logo du ministère dans ma signature Outlook? Merci d'avance.",
    ),
    (
        "Des nouvelles du billet?",
        "Bonjour, avez-vous des nouvelles de ma demande pour un deuxième écran? Ça fait une semaine.",
    ),
    (
        "Courriel suspect",
        "J'ai reçu un courriel qui me demande mon mot de passe au nom de la direction. Je n'ai pas cliqué.",
    ),
]
EN = [
    (
        "VPN keeps dropping",
        "Hi, the VPN drops every five minutes since this morning when I work from home.",
    ),
    (
        "New hire account",
        "A new analyst starts Monday in our team and needs an account and a laptop.",
    ),
    ("Teams calls freeze", "Teams calls freeze after a few minutes for everyone on our floor."),
    (
        "Printer out of toner?",
        "The printer near the kitchen says toner low but prints blank pages.",
    ),
    ("Password expired", "My password expired while I was on leave and I cannot log in anymore."),
]
GREET_FR = ["Bonjour,", "Bonjour à l'équipe,", "Allo,", "Bon matin,"]
GREET_EN = ["Hi,", "Hello team,", "Good morning,"]
SIGN_FR = ["Merci!", "Merci de votre aide,", "Bonne journée,", "Cordialement,"]
SIGN_EN = ["Thanks!", "Thank you,", "Best regards,"]


def generate(count: int, *, seed: int = 1) -> list[tuple[str, bytes]]:
    """`count` messages as (Message-ID without brackets, raw bytes)."""
    rng = random.Random(seed)
    out = []
    for index in range(count):
        english = rng.random() < 0.2
        subject, body = rng.choice(EN if english else FR)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        domain = rng.choice(DOMAINS)
        local = f"{first}.{last}".lower().replace("é", "e").replace("ô", "o")
        greet = rng.choice(GREET_EN if english else GREET_FR)
        sign = rng.choice(SIGN_EN if english else SIGN_FR)
        text = f"{greet}\n\n{body}\n\n{sign}\n{first} {last}\n"
        if rng.random() < 0.3:
            text += "\n-----Message d'origine-----\nDe : Centre de service\nObjet : ancien billet\n\n> texte cité\n"
        message_id = f"bench-{seed}-{index}@{domain}"
        msg = EmailMessage(policy=email.policy.SMTP)
        msg["From"] = f"{first} {last} <{local}@{domain}>"
        msg["To"] = "csc@itq.example"
        msg["Subject"] = subject if rng.random() < 0.8 else f"URGENT - {subject}"
        msg["Date"] = "Mon, 23 Nov 2026 09:00:00 -0500"
        msg["Message-ID"] = f"<{message_id}>"
        msg.set_content(text)
        if rng.random() < 0.25:
            msg.add_alternative(
                f"<html><body><p>{text.replace(chr(10), '<br>')}</p></body></html>", subtype="html"
            )
        out.append((message_id, msg.as_bytes()))
    return out
