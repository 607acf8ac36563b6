"""Cues that settle the team where the guide is explicit.

An access, a permission or a group membership is `identity` whatever the application it opens
("ajoutez-moi au groupe SharePoint RH" is identity, not collaboration). Security situations go
to `security` through the security factor, not through these cues.
"""

from __future__ import annotations

ACCESS = [
    "droits d'accès",
    "droit d'accès",
    "octroi d'accès",
    "octroi accès",
    "demande d'accès",
    "donner accès",
    "donner l'accès",
    "accès refusé",
    "accès en lecture",
    "accès en écriture",
    "modification droits",
    "modifier les droits",
    "ajouter au groupe",
    "ajoutez-moi au groupe",
    "ajoutez-moi dans le groupe",
    "m'ajouter au groupe",
    "membre du groupe",
    "dans le groupe",
    "au groupe",
    "permissions",
    "access rights",
    "access denied",
    "grant access",
    "give access",
    "read access",
    "write access",
    "add me to",
    "add to the group",
    "member of the group",
    "security group",
    "groupe de sécurité",
    "profil utilisateur",
    "user profile",
    "annuaire",
    "directory",
]
