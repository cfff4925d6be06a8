"""Registry of writer families per taxonomy category.

Each category maps to its taxonomy `key` (used as the prefix of `ClientEmail.style`) and a
weighted list of (family name, weight, function). Adding a family is adding one tuple.
"""

from __future__ import annotations

from . import bastion, bcs_autre, renseignement, restauration, sauvegarde, strategie, supervision, unknown
from .common import Family

_BCS = "Demande de service/Backup #BCS"
_POLICY = f"{_BCS}/Stratégie de sauvegarde"
REGISTRY: dict[str, tuple[str, list[tuple[str, float, Family]]]] = {
    "Incidents/Supervision": ("supervision", supervision.FAMILIES),
    f"{_BCS}/Restauration qualifiée": ("restauration", restauration.FAMILIES),
    "Incidents/Backup #BCS/Sauvegarde": ("incident_sauvegarde", sauvegarde.FAMILIES),
    f"{_BCS}/Autre": ("bcs_autre", bcs_autre.FAMILIES),
    f"{_POLICY}/Création": ("strategie_creation", strategie.CREATION),
    f"{_POLICY}/Suppression": ("strategie_suppression", strategie.SUPPRESSION),
    f"{_BCS}/Demande de renseignement": ("renseignement", renseignement.FAMILIES),
    f"{_POLICY}/Modification": ("strategie_modification", strategie.MODIFICATION),
    "Demande de service/Cyber Sécurité #CS2/Bastion/Création-Modification d'entrées": ("bastion", bastion.FAMILIES),
    "unknown": ("unknown", unknown.FAMILIES),
}

# cumulative weights per category, computed once so a draw is one bisect
CUM_WEIGHTS: dict[str, list[float]] = {}
for _name, (_key, _fams) in REGISTRY.items():
    total = 0.0
    cum: list[float] = []
    for _fam, weight, _fn in _fams:
        total += weight
        cum.append(total)
    CUM_WEIGHTS[_name] = cum
