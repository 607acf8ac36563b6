"""Building blocks the corpus generator composes: factor sentences and message wrappers.

Each factor sentence states one factor of the guide's decision table and nothing else, so the
label computed from the planted factors is the label a reader applying the table would give.
"""

from __future__ import annotations

Lang = str
Blocks = dict[Lang, list[str]]

SCOPE: dict[str, Blocks] = {
    "person": {
        "fr": [
            "Personne d'autre n'est touché.",
            "Mes collègues n'ont pas le problème.",
            "C'est seulement sur mon poste.",
            "Juste moi apparemment, les autres ça marche.",
            "Mes voisins de bureau n'ont rien remarqué.",
            "Ça a l'air d'être juste moi.",
            "Les autres dans l'équipe n'ont pas ce problème-là.",
        ],
        "en": [
            "Nobody else is affected.",
            "My colleagues are fine.",
            "It's only me.",
            "Nobody else on the team has the issue.",
            "Seems to be just me.",
        ],
    },
    "group": {
        "fr": [
            "Toute mon équipe est touchée.",
            "Toute la direction des finances a le problème.",
            "Tout le 3e étage est touché.",
            "On est une douzaine dans l'unité à avoir le problème.",
            "Toute l'équipe du service à la clientèle est affectée.",
            "Les huit personnes de ma section ont le même problème.",
            "Toute la direction des communications est touchée.",
            "Tout le 5e étage est pogné.",
        ],
        "en": [
            "My whole team is affected.",
            "The entire finance branch has it.",
            "The whole 3rd floor is affected.",
            "About a dozen of us in the unit have it.",
            "Everyone in the communications team is affected.",
        ],
    },
    "site": {
        "fr": [
            "Tout l'édifice est touché.",
            "Tout le bureau régional de Rimouski est touché.",
            "C'est tout le monde au 875 Grande Allée.",
            "L'ensemble du bureau de Sherbrooke est touché.",
            "Tout le bâtiment est affecté.",
            "Tous les employés du bureau de Gatineau sont touchés.",
            "Tout le monde dans l'immeuble a le problème.",
        ],
        "en": [
            "The whole building is affected.",
            "The entire Rimouski regional office is affected.",
            "Everyone at 875 Grande Allée has it.",
            "All staff at the Gatineau office are affected.",
        ],
    },
    "system": {
        "fr": [
            "Tous les utilisateurs du système sont touchés, peu importe le bureau.",
            "Personne ne peut l'utiliser, ni au bureau ni en télétravail.",
            "C'est pareil pour tous les utilisateurs du système, partout.",
            "Aucun utilisateur n'y a accès, peu importe où il se trouve.",
        ],
        "en": [
            "All users of the system are affected, wherever they are.",
            "Nobody can use it, in the office or remote.",
            "It's the same for every user of the system.",
        ],
    },
    "organisation": {
        "fr": [
            "Toute l'organisation est touchée.",
            "Tous les bureaux sont touchés.",
            "Tout le personnel est touché.",
            "Tous les employés en télétravail sont touchés.",
            "C'est partout au ministère.",
            "Ça touche tous nos bureaux régionaux.",
            "Tous les employés de l'organisation ont le problème.",
        ],
        "en": [
            "The whole organisation is affected.",
            "Every office is affected.",
            "All staff are affected.",
            "All remote workers are affected.",
            "It's happening across the whole organization.",
        ],
    },
}

IMPACT_TOTAL: Blocks = {
    "fr": [
        "On ne peut plus travailler du tout.",
        "Tout est arrêté.",
        "Impossible de travailler.",
        "Le travail est complètement bloqué.",
        "On est à l'arrêt.",
        "On est complètement bloqués.",
    ],
    "en": [
        "We can't work at all.",
        "Everything is stopped.",
        "Work has completely stopped.",
        "We are completely blocked.",
    ],
}
IMPACT_TOTAL_PERSON: Blocks = {
    "fr": ["Je ne peux plus travailler.", "Je suis complètement bloqué.", "Chu bloquée ben raide."],
    "en": ["I can't work at all.", "I'm completely blocked."],
}

DEGRADED_MAJOR: Blocks = {
    "fr": [
        "{svc} est extrêmement lent, chaque action prend plusieurs minutes.",
        "{svc} fonctionne une fois sur deux.",
        "{svc} coupe aux dix minutes.",
        "{svc} marche à moitié : plusieurs fonctions ne répondent plus.",
        "{svc} rame tellement qu'on avance presque pas.",
    ],
    "en": [
        "{svc} is extremely slow, every action takes minutes.",
        "{svc} works one time out of two.",
        "{svc} keeps cutting out every ten minutes.",
        "{svc} half works: many functions fail.",
    ],
}
DEGRADED_MINOR: Blocks = {
    "fr": [
        "{svc} est un peu plus lent que d'habitude.",
        "{svc} affiche un message d'erreur de temps en temps.",
        "Petit irritant avec {svc} : une fenêtre d'avertissement apparaît à chaque ouverture.",
        "{svc} affiche mal certains caractères accentués.",
    ],
    "en": [
        "{svc} is a bit slower than usual.",
        "{svc} shows an error message now and then.",
        "Small annoyance with {svc}: a warning pops up every time it opens.",
    ],
}
MINOR_TAIL: Blocks = {
    "fr": [
        "Ça peut attendre.",
        "On peut continuer à travailler, c'est juste agaçant.",
        "C'est pas bloquant.",
        "Rien de bloquant, on s'arrange.",
    ],
    "en": ["It can wait.", "We can keep working, it's just annoying.", "It's not blocking."],
}
MAJOR_TAIL: Blocks = {
    "fr": ["On travaille au ralenti.", "On n'avance presque plus."],
    "en": ["We're working at a crawl.", "We can barely get anything done."],
}
SCHEDULE: Blocks = {
    "fr": [
        "On peut planifier ça quand ça vous convient.",
        "Pas pressé, ça peut se faire lors d'une prochaine fenêtre de maintenance.",
        "À planifier dans les prochaines semaines.",
        "Vous pouvez céduler l'intervention quand ça vous arrange.",
    ],
    "en": [
        "This can be scheduled whenever suits you.",
        "No rush, it can wait for the next maintenance window.",
        "Please plan it in the coming weeks.",
    ],
}
MISSION: Blocks = {
    "fr": [
        "Les citoyens ne peuvent plus faire leurs demandes.",
        "La paie doit partir demain.",
        "On a une échéance légale vendredi.",
        "Les paiements aux fournisseurs sont bloqués.",
        "Nos partenaires attendent les données aujourd'hui.",
        "Le service aux citoyens est paralysé.",
    ],
    "en": [
        "Citizens can't file their requests.",
        "Payroll has to go out tomorrow.",
        "We have a legal deadline on Friday.",
        "Payments to suppliers are blocked.",
    ],
}
WORKAROUND: Blocks = {
    "fr": [
        "On peut passer par la version web en attendant.",
        "En attendant on utilise le téléphone.",
        "On peut utiliser le portail web en attendant, ça dépanne.",
    ],
    "en": ["We can use the web version meanwhile.", "We use the phone in the meantime."],
}
# An equivalent device or room at hand: negligible impact (decision table, row P4).
EQUIVALENT: Blocks = {
    "fr": [
        "On a un autre poste disponible en attendant.",
        "On imprime sur l'imprimante d'à côté en attendant.",
        "On peut aller dans une autre salle, ça dépanne.",
    ],
    "en": ["There's a spare computer we can use for now.", "We print on another printer for now."],
}
NO_WORKAROUND: Blocks = {
    "fr": ["Aucune solution de contournement.", "Pas de contournement possible."],
    "en": ["There is no workaround.", "No workaround available."],
}
PAPER_FALLBACK: Blocks = {
    "fr": ["On est revenus aux formulaires papier pour l'instant."],
    "en": ["We've gone back to paper forms for now."],
}
HEDGES: Blocks = {
    "fr": [
        "Ce n'est pas urgent.",
        "J'ai déjà redémarré deux fois.",
        "J'ai essayé de redémarrer, rien à faire.",
        "Je ne sais pas si c'est lié à la panne d'hier.",
        "C'est vraiment weird.",
        "Je suis stuck.",
        "J'ai vidé la cache, pas mieux.",
    ],
    "en": [
        "Not urgent.",
        "I already restarted twice.",
        "Not sure if it's related to yesterday's outage.",
        "Cleared the cache, no luck.",
    ],
}
SHOUT: Blocks = {
    "fr": ["URGENT!!!", "C'EST URGENT, RÉGLEZ ÇA SVP!!!", "TRÈS URGENT", "URGENT URGENT"],
    "en": ["URGENT!!!", "PLEASE FIX ASAP!!!", "VERY URGENT"],
}

CONTEXT: Blocks = {
    "fr": [
        "Je travaille sur le dossier des subventions cette semaine et j'en ai besoin pour avancer.",
        "Mon gestionnaire m'a demandé de vous écrire.",
        "J'ai essayé de fermer ma session et de la rouvrir.",
        "Je suis en télétravail aujourd'hui et demain.",
        "J'ai regardé sur l'intranet mais je n'ai rien trouvé là-dessus.",
        "Je vous joins une capture d'écran au besoin.",
        "Je suis disponible toute la journée si vous voulez m'appeler.",
        "C'est la deuxième fois ce mois-ci.",
        "Je ne sais pas trop à qui m'adresser, alors je vous écris.",
    ],
    "en": [
        "I'm working on the grants file this week and need this to move forward.",
        "My manager asked me to contact you.",
        "I tried logging out and back in.",
        "I'm available all day if you want to call me.",
        "Screenshot attached if needed.",
        "This is the second time this month.",
    ],
}
GREETING: Blocks = {
    "fr": [
        "Bonjour,",
        "Bonjour à tous,",
        "Salut,",
        "Bonjour l'équipe du CSC,",
        "Allo,",
        "Bon matin,",
        "Bonjour madame, monsieur,",
    ],
    "en": ["Hi,", "Hello,", "Good morning,", "Hi team,", "Hello service desk,"],
}
OPENER: Blocks = {
    "fr": [
        "Je vous écris parce que",
        "Petit problème ce matin :",
        "Depuis ce matin,",
        "Je ne sais pas si c'est le bon endroit, mais",
        "Désolé de vous déranger,",
        "",
    ],
    "en": ["I'm writing because", "Quick one:", "Since this morning,", "Sorry to bother you,", ""],
}
CLOSING: Blocks = {
    "fr": [
        "Merci d'avance",
        "Merci de votre aide",
        "Merci!",
        "Bonne journée",
        "Cordialement,",
        "Au plaisir",
        "Merci beaucoup",
    ],
    "en": ["Thanks in advance", "Thanks!", "Best regards,", "Cheers,", "Thank you"],
}
NAMES = [
    "Julie Tremblay",
    "Marc Gagnon",
    "Sophie Roy",
    "Jean-François Côté",
    "Nathalie Bouchard",
    "Éric Gauthier",
    "Isabelle Morin",
    "Patrick Lavoie",
    "Mélanie Fortin",
    "Kevin Pelletier",
    "Sarah Nguyen",
    "David Leblanc",
]
TITLES = {
    "fr": [
        "Conseillère en gestion financière",
        "Agent de bureau",
        "Technicienne en administration",
        "Directeur des communications",
        "Analyste d'affaires",
        "Préposée aux renseignements",
    ],
    "en": ["Financial analyst", "Office clerk", "Communications director", "Business analyst"],
}
UNITS = [
    "Direction des ressources financières",
    "Direction des communications",
    "Service à la clientèle",
    "Direction régionale de l'Estrie",
    "Secrétariat général",
]
FOOTER = {
    "fr": "AVIS DE CONFIDENTIALITÉ : Ce courriel peut contenir des renseignements confidentiels. "
    "Si vous l'avez reçu par erreur, veuillez le détruire.",
    "en": "CONFIDENTIALITY NOTICE: This email may contain confidential information. "
    "If you received it in error, please delete it.",
}
QUOTED: Blocks = {
    "fr": [
        "Votre billet a été fermé. Merci d'avoir communiqué avec le centre de service.",
        "Pouvez-vous nous confirmer que le problème est réglé?",
        "Bonjour, nous avons bien reçu votre demande, un technicien vous contactera.",
    ],
    "en": [
        "Your ticket has been closed. Thank you for contacting the service desk.",
        "Can you confirm the issue is fixed?",
    ],
}
SUBJECT: dict[str, Blocks] = {
    "incident": {
        "fr": [
            "Problème {svc}",
            "{svc} ne fonctionne pas",
            "Panne",
            "Problème",
            "Besoin d'aide",
            "Ça marche pus",
            "Erreur {svc}",
        ],
        "en": ["{svc} issue", "Problem with {svc}", "Outage", "Help", "{svc} not working"],
    },
    "request": {
        "fr": ["Demande", "Demande de service", "Requête", "Besoin", "Installation"],
        "en": ["Request", "Service request", "New request"],
    },
    "question": {
        "fr": ["Question", "Petite question", "Info", "Renseignement"],
        "en": ["Question", "Quick question", "Info"],
    },
    "status": {
        "fr": ["Suivi", "RE: billet CSC-{n}", "Suivi de ma demande", "Des nouvelles?"],
        "en": ["Follow-up", "RE: ticket CSC-{n}", "Any update?"],
    },
}
STATUS: Blocks = {
    "fr": [
        "Des nouvelles du billet CSC-{n} concernant {topic}?",
        "Je fais un suivi concernant {topic}, billet CSC-{n}.",
        "Avez-vous du nouveau pour {topic}? J'ai ouvert une demande la semaine passée.",
        "Ça fait trois jours que j'attends un retour pour {topic}, où en est mon billet?",
        "Est-ce que quelqu'un a regardé {topic}? Toujours pas de nouvelles.",
        "Je relance pour {topic} (CSC-{n}), c'est rendu où?",
        "Savez-vous quand {topic} va être réglé? J'ai le numéro CSC-{n}.",
        "Petit suivi pour {topic}, toujours en attente de votre part.",
    ],
    "en": [
        "Any update on {topic}?",
        "Following up on ticket CSC-{n} about {topic}.",
        "Still waiting to hear back about {topic}, what's the status?",
        "Is anyone looking at {topic}? Ticket CSC-{n}.",
        "Checking in on {topic}, reported last week.",
    ],
}
