"""Registry of writer families per taxonomy category, by the category's taxonomy `key`.

Each key (also the prefix of `ClientEmail.style`) maps to a weighted list of (family name,
weight, function). Adding a family is adding one tuple; the labels themselves live in the
taxonomy only.
"""

from __future__ import annotations

from . import bastion, bcs_autre, renseignement, restauration, sauvegarde, strategie, supervision, unknown
from .common import Family

#: Taxonomy key -> weighted writer families (name, weight, function).
REGISTRY: dict[str, list[tuple[str, float, Family]]] = {
    "supervision": supervision.FAMILIES,
    "restauration": restauration.FAMILIES,
    "incident_sauvegarde": sauvegarde.FAMILIES,
    "bcs_autre": bcs_autre.FAMILIES,
    "strategie_creation": strategie.CREATION,
    "strategie_suppression": strategie.SUPPRESSION,
    "renseignement": renseignement.FAMILIES,
    "strategie_modification": strategie.MODIFICATION,
    "bastion": bastion.FAMILIES,
    "unknown": unknown.FAMILIES,
}

# cumulative weights per category, computed once so a draw is one bisect
CUM_WEIGHTS: dict[str, list[float]] = {}
for _key, _fams in REGISTRY.items():
    total = 0.0
    cum: list[float] = []
    for _fam, weight, _fn in _fams:
        total += weight
        cum.append(total)
    CUM_WEIGHTS[_key] = cum
