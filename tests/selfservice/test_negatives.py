"""Messages that are neither a self-service question nor for another centre match nothing."""

from __future__ import annotations

import pytest

from bot.selfservice.kb import load_kb
from bot.selfservice.redirect import load_catalogue
from nlp.language import detect_language

KB = load_kb()
CATALOGUE = load_catalogue()

UNRELATED = (
    # outages
    "Le serveur de fichiers est inaccessible pour tout le monde depuis 8 h",
    "Panne générale : personne ne peut se connecter au système de gestion des dossiers",
    "Le site transactionnel pour les citoyens affiche une erreur 500",
    "The whole office lost internet access this morning",
    "Outage: the payroll application is down for all users",
    "Tout l'étage n'a plus de Wi-Fi depuis le dîner",
    "Le VPN est en panne pour tous les employés en télétravail",
    "Nobody can print on the 4th floor, all printers show offline",
    # purchases, new things
    "J'aimerais acheter une licence Adobe Acrobat Pro",
    "Can we purchase two new monitors for the reception desk?",
    "Nouvel employé lundi : il lui faut un compte, un portable et un mot de passe",
    "Please install Power BI Desktop on my computer",
    "Demande de création d'un site SharePoint pour notre direction",
    # security
    "J'ai cliqué sur un lien d'hameçonnage et entré mon mot de passe",
    "Ransomware alert on my laptop, files renamed .locked",
    "Mon portable a été volé dans ma voiture hier soir",
    "Suspicious activity: someone logged into my account from another country",
    # status
    "Des nouvelles du billet CSC-004211?",
    "Any update on my laptop repair? Ticket CSC-000871",
    "Suivi de ma demande de la semaine dernière pour l'accès au dossier Finances",
    # other incidents with no article
    "Outlook plante au démarrage depuis la mise à jour",
    "My laptop battery is swelling and the case is bent",
    "L'écran de mon ordinateur reste noir au démarrage",
    "Excel freezes whenever I open the budget workbook",
    "Le logiciel SIGMA-Finances plante quand j'approuve une facture",
    "Is there planned maintenance this weekend?",
)


@pytest.mark.parametrize("text", UNRELATED)
def test_no_article(text: str) -> None:
    match = KB.match(text, detect_language(text))
    assert match is None, (text, match and match.article.slug, match and match.evidence)


@pytest.mark.parametrize("text", UNRELATED)
def test_no_redirection(text: str) -> None:
    match = CATALOGUE.match(text, detect_language(text))
    assert match is None, (text, match and match.redirect.id, match and match.evidence)


def test_enough_unrelated_messages() -> None:
    assert len(UNRELATED) >= 20
