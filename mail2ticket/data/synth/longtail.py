# ruff: noqa: E501  (text templates: long French sentences read better unbroken)
"""The long tail: ~450 other ticket categories of an MSP desk, and a generic writer for them.

Real exports carry hundreds of categories besides the nine the model learns; their mails
are the negatives (and the hard negatives: "Demande de service/Supervision/Modification
de seuil", "Demande de service/Cyber Sécurité #CS2/Bastion/Suppression d'entrées"). Names
are built from a compact table (domain -> objects -> actions); the writer reads a name
back into (kind, domain, object, action) and writes a plausible request or incident with
domain-specific details (people, workstations, printers, phone numbers, applications).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .infra import host, ip_address, login_of, random_person_name
from .longtail_text import APP_INCIDENTS, APP_REQUESTS, INCIDENTS, REQUESTS
from .model import Draft
from .vocab import FEMALE_NAMES
from .writers.common import W

_REQ = "Demande de service"
_INC = "Incidents"

# topic -> (domain path, request leaves, incident leaves)
_TABLE: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "account",
        "Compte utilisateur",
        (
            "Création",
            "Création/Interne",
            "Création/Externe",
            "Création/Stagiaire",
            "Modification",
            "Suppression",
            "Déblocage",
            "Réinitialisation mot de passe",
            "Droits d'accès",
            "Prolongation",
            "Changement de nom",
            "Désactivation temporaire",
        ),
        ("Compte verrouillé", "Mot de passe expiré", "Connexion impossible", "MFA"),
    ),
    (
        "account",
        "Active Directory",
        (
            "Création de groupe",
            "Ajout membre groupe",
            "Retrait membre groupe",
            "GPO",
            "Création OU",
            "Compte de service",
            "Délégation de droits",
            "Export des comptes",
        ),
        ("Réplication", "Authentification", "GPO non appliquée"),
    ),
    (
        "mail",
        "Messagerie",
        (
            "Boîte partagée",
            "Boîte partagée/Création",
            "Boîte partagée/Droits",
            "Liste de diffusion",
            "Liste de diffusion/Modification",
            "Alias",
            "Création boîte",
            "Délégation",
            "Quota",
            "Redirection",
            "Signature",
            "Règle de transfert",
            "Archivage",
            "Calendrier partagé",
            "Salle de réunion",
            "Whitelist expéditeur",
            "Suppression boîte",
        ),
        (
            "Envoi impossible",
            "Réception impossible",
            "Spam",
            "Phishing signalé",
            "Outlook ne démarre plus",
            "Boîte pleine",
            "Synchronisation mobile",
            "Mails en quarantaine",
            "Lenteurs Outlook",
            "Calendrier",
        ),
    ),
    (
        "network",
        "Réseau",
        (
            "Ouverture de flux",
            "Règle firewall",
            "Nouveau VLAN",
            "Prise réseau",
            "Accès VPN",
            "Wi-Fi invité",
            "Redirection de port",
            "Filtrage web",
            "Liaison inter-sites",
            "Adresse IP fixe",
            "Réservation DHCP",
            "Enregistrement DNS",
        ),
        (
            "VPN",
            "Wi-Fi",
            "Lenteurs",
            "Coupure site",
            "DNS",
            "DHCP",
            "Switch",
            "Lien internet",
            "Firewall",
            "Filtrage web",
            "Liaison inter-sites",
            "Prise réseau",
        ),
    ),
    (
        "workstation",
        "Poste de travail",
        (
            "Installation logiciel",
            "Nouveau poste",
            "Remplacement",
            "Masterisation",
            "Droits admin",
            "Déplacement",
            "Installation logiciel/Adobe",
            "Installation logiciel/Office",
            "Mise à jour",
            "Restitution matériel",
            "Second écran",
            "Station d'accueil",
        ),
        (
            "Lenteurs",
            "Écran bleu",
            "Ne démarre plus",
            "Périphérique",
            "Clavier souris",
            "Écran",
            "Batterie",
            "Session",
            "Mise à jour Windows",
            "Profil corrompu",
            "Bitlocker",
        ),
    ),
    (
        "printer",
        "Impression",
        ("Ajout imprimante", "Toner", "Scan vers dossier", "Scan vers mail", "Nouveau copieur", "Code utilisateur"),
        (
            "Imprimante hors ligne",
            "Bourrage",
            "Scan vers mail",
            "File d'attente bloquée",
            "Qualité d'impression",
            "Pilote",
        ),
    ),
    (
        "telephony",
        "Téléphonie",
        (
            "Nouvelle ligne",
            "Renvoi d'appel",
            "Messagerie vocale",
            "Mobile",
            "Portabilité",
            "Groupement d'appels",
            "Annonce standard",
            "Softphone",
        ),
        ("Ligne coupée", "Softphone", "Standard", "Qualité audio", "Poste téléphonique", "Mobile"),
    ),
    (
        "m365",
        "Microsoft 365",
        (
            "Licence",
            "Teams",
            "SharePoint - Site",
            "SharePoint - Droits",
            "OneDrive",
            "Groupe Teams",
            "Licence/Attribution",
            "Licence/Retrait",
            "Forms",
            "Planner",
            "Partage externe",
        ),
        ("Teams", "OneDrive synchro", "SharePoint accès", "Activation Office", "Authentification"),
    ),
    (
        "security",
        "Cyber Sécurité #CS2",
        (
            "Antivirus - Exclusion",
            "EDR - Isolation poste",
            "EDR - Exclusion",
            "Analyse de vulnérabilités",
            "Certificat SSL",
            "Sensibilisation phishing",
            "Audit de sécurité",
            "Revue des droits",
            "Bastion/Suppression d'entrées",
            "Bastion/Réinitialisation mot de passe",
            "Bastion/Rapport d'activité",
            "Bastion/Enregistrement de session",
            "Coffre-fort de mots de passe",
            "Durcissement",
            "Test d'intrusion",
            "Campagne de phishing",
            "SOC/Règle de détection",
            "MFA/Activation",
            "Pare-feu/Règle",
        ),
        (
            "Phishing",
            "Virus détecté",
            "Compte compromis",
            "Alerte EDR",
            "Tentative d'intrusion",
            "Fuite de données",
            "Rançongiciel",
            "Bastion/Accès impossible",
            "Bastion/Session coupée",
            "Usurpation d'identité",
        ),
    ),
    (
        "server",
        "Serveur",
        (
            "Création VM",
            "Augmentation ressources",
            "Extension disque",
            "Mise à jour Windows",
            "Redémarrage planifié",
            "Installation rôle",
            "Décommissionnement VM",
            "Installation application",
            "Planification tâche",
            "Renouvellement licence",
        ),
        (
            "Redémarrage inopiné",
            "Lenteurs",
            "Service arrêté",
            "Espace disque",
            "Mise à jour échouée",
            "Accès RDP impossible",
        ),
    ),
    (
        "storage",
        "Stockage",
        ("Extension volume", "Nouveau partage", "Droits partage", "Quota", "Lecteur réseau", "Archivage"),
        ("NAS", "SAN", "Partage inaccessible", "Lecteur réseau déconnecté"),
    ),
    (
        "virtualization",
        "Virtualisation",
        ("Snapshot", "Clonage VM", "Migration VM", "Template", "Mise à jour ESXi"),
        ("ESX", "vCenter", "Hyper-V", "VM figée", "Datastore"),
    ),
    (
        "monitoring",
        "Supervision",
        (
            "Ajout équipement",
            "Modification seuil",
            "Suppression équipement",
            "Mise en maintenance",
            "Accès console",
            "Rapport de disponibilité",
            "Ajout contact d'alerte",
            "Nouvelle sonde",
        ),
        (),
    ),
    (
        "hosting",
        "Hébergement",
        ("Nom de domaine", "DNS public", "Certificat", "Site web", "Base MySQL", "Accès FTP"),
        ("Site inaccessible", "Certificat expiré", "Lenteurs site"),
    ),
    (
        "mobile",
        "Mobilité",
        ("Smartphone", "Enrôlement MDM", "Tablette", "Ligne data", "Renouvellement flotte"),
        ("MDM", "Smartphone", "Messagerie mobile"),
    ),
    (
        "purchase",
        "Achat",
        ("Matériel", "Licence", "Devis", "Commande PC portable", "Commande écran", "Accessoires"),
        (),
    ),
    (
        "billing",
        "Facturation",
        ("Question facture", "Avoir", "Changement adresse de facturation", "Bon de commande"),
        (),
    ),
    ("access", "Accès", ("Badge", "Salle serveur", "Visiteur datacenter", "Clés"), ("Badge",)),
    (
        "rds",
        "RDS-Citrix",
        ("Accès", "Publication application", "Imprimante de session", "Licence CAL"),
        ("Connexion impossible", "Session bloquée", "Lenteurs", "Profil"),
    ),
    (
        "database",
        "Base de données",
        ("Création base", "Droits", "Migration", "Export", "Mise à jour SQL Server"),
        ("Lenteurs", "Espace disque", "Base inaccessible", "Verrous"),
    ),
    ("video", "Visioconférence", ("Salle", "Matériel", "Compte Zoom"), ("Salle de réunion", "Son", "Caméra")),
    (
        "general",
        "Autre",
        (
            "Information",
            "Réunion",
            "Documentation",
            "Formation",
            "Projet/Déménagement",
            "Projet/Nouveau site",
            "Projet/Migration",
            "Intervention sur site",
            "Astreinte",
            "Changement de contact",
            "Inventaire",
            "Audit",
        ),
        ("Autre", "Non qualifié", "Électricité", "Climatisation"),
    ),
)
_APPS: tuple[str, ...] = (
    "Sage 100",
    "Cegid",
    "SAP",
    "Divalto",
    "EBP",
    "Silae",
    "Odoo",
    "Salesforce",
    "GLPI",
    "Hexagone",
    "Berger-Levrault",
    "Ciril",
    "DPI",
    "PACS",
    "Osiris",
    "GMAO Carl",
    "Yourcegid",
    "Quadra",
    "Pennylane",
    "Lucca",
    "Octime",
    "Coswin",
)
_APP_REQ = ("Création utilisateur", "Mise à jour", "Paramétrage", "Export de données", "Droits")
_APP_INC = ("Erreur", "Lenteurs", "Accès impossible")


@dataclass(frozen=True)
class TailEntry:
    name: str
    topic: str
    domain: str
    leaf: str
    incident: bool


def _build() -> tuple[TailEntry, ...]:
    out: list[TailEntry] = []
    for topic, domain, reqs, incs in _TABLE:
        for leaf in reqs:
            out.append(TailEntry(f"{_REQ}/{domain}/{leaf}", topic, domain, leaf, False))
        for leaf in incs:
            out.append(TailEntry(f"{_INC}/{domain}/{leaf}", topic, domain, leaf, True))
    for app in _APPS:
        for leaf in _APP_REQ:
            out.append(TailEntry(f"{_REQ}/Application métier/{app}/{leaf}", "application", app, leaf, False))
        for leaf in _APP_INC:
            out.append(TailEntry(f"{_INC}/Application métier/{app}/{leaf}", "application", app, leaf, True))
    seen: set[str] = set()
    uniq = []
    for e in out:
        if e.name not in seen:
            seen.add(e.name)
            uniq.append(e)
    return tuple(uniq)


LONG_TAIL: tuple[TailEntry, ...] = _build()
_BY_NAME: dict[str, TailEntry] = {e.name: e for e in LONG_TAIL}


def long_tail_categories(rng: random.Random, n: int) -> list[str]:
    """`n` distinct long-tail category names (n up to len(LONG_TAIL), about 450), drawn with `rng`."""
    if n > len(LONG_TAIL):
        raise ValueError(f"only {len(LONG_TAIL)} long-tail categories available, asked for {n}")
    return [e.name for e in rng.sample(LONG_TAIL, n)]


def entry_for(name: str) -> TailEntry:
    """Entry of a long-tail name; unknown names are parsed from their path."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    parts = name.split("/")
    incident = parts[0].lower().startswith("incident")
    domain = parts[1] if len(parts) > 1 else "Autre"
    leaf = "/".join(parts[2:]) if len(parts) > 2 else domain
    return TailEntry(name, "general", domain, leaf, incident)


# ------------------------------------------------------------------ generic writer
_FEM = frozenset(
    {
        "boîte",
        "liste",
        "imprimante",
        "ligne",
        "licence",
        "création",
        "modification",
        "suppression",
        "règle",
        "signature",
        "redirection",
        "délégation",
        "salle",
        "station",
        "file",
        "qualité",
        "annonce",
        "messagerie",
        "tablette",
        "base",
        "session",
        "publication",
        "mise",
        "migration",
        "vm",
        "réplication",
        "authentification",
        "gpo",
        "prise",
        "réservation",
        "adresse",
        "liaison",
        "batterie",
        "caméra",
        "sonde",
        "console",
        "tâche",
        "campagne",
        "analyse",
        "revue",
        "fuite",
        "tentative",
        "alerte",
        "isolation",
        "exclusion",
        "sensibilisation",
        "clé",
        "intervention",
        "astreinte",
        "documentation",
        "formation",
        "information",
        "réunion",
        "électricité",
        "climatisation",
        "commande",
        "facture",
        "connexion",
        "erreur",
        "extension",
        "planification",
        "restitution",
        "masterisation",
        "synchronisation",
        "calendrier_",
        "whitelist",
        "usurpation",
        "désactivation",
    }
)


_PROPER = frozenset(
    {
        "Teams",
        "Outlook",
        "Office",
        "Adobe",
        "Forms",
        "Planner",
        "Bitlocker",
        "Windows",
        "Wi-Fi",
        "Hyper-V",
        "Switch",
        "Firewall",
    }
)


def np(leaf: str) -> str:
    """Noun phrase with article for a category leaf: 'la boîte partagée', 'le VPN', 'les droits d'accès'."""
    text = leaf.split("/")[-1].replace(" - ", " ")
    first = text.split()[0].lower()
    word = text.split()[0]
    keep_case = any(c.isupper() for c in word[1:]) or word in _PROPER
    low = text if keep_case else text[0].lower() + text[1:]
    if (
        first.endswith(("s", "x"))
        and first not in {"accès", "bus", "dns", "nas", "sms", "vocals", "ios", "mdm"}
        and len(first) > 3
    ):
        return "les " + low
    if first[0] in "aeiouyéèh" and first not in {"hyper-v", "hébergement"}:
        return "l'" + low
    if first in _FEM:
        return "la " + low
    return "le " + low


_SERVICES = (
    "comptabilité",
    "RH",
    "logistique",
    "accueil",
    "achats",
    "direction",
    "commercial",
    "technique",
    "paie",
    "urbanisme",
    "état civil",
    "admissions",
    "qualité",
)
_SOFTWARE = (
    "Adobe Acrobat Pro",
    "7-Zip",
    "Notepad++",
    "VLC",
    "le client VPN",
    "Chrome",
    "AutoCAD LT",
    "Teams",
    "Sage 100",
)
_VENDORS = (
    "Axians",
    "Inetum",
    "Berger-Levrault",
    "Cegid",
    "Sage",
    "Orange Business",
    "SCC",
    "Econocom",
    "Bouygues Telecom",
)
_ERRORS = (
    "Erreur 500",
    "Connexion à la base impossible",
    "Licence invalide",
    "Timeout",
    "Accès refusé",
    "Erreur inattendue 0x80004005",
)


_LOWERABLE = frozenset(
    {
        "Merci",
        "Pouvez-vous",
        "Nous",
        "Le",
        "La",
        "Les",
        "Un",
        "Une",
        "Plus",
        "Des",
        "Impossible",
        "Tout",
        "Pas",
        "Outlook",
        "Office",
        "Teams",
        "Serait-il",
    }
)


def _slots(e: TailEntry, w: W) -> dict[str, str]:
    rng = w.rng
    a, b = random_person_name(rng)
    a2, b2 = random_person_name(rng)
    login = login_of(a, b, rng)
    h = host(w.company, rng)
    srv_fs = host(w.company, rng, "FIC")
    share = rng.choice(("Compta", "RH", "Commun", "Direction", "Projets", "Qualite", "Scans"))
    slots = {
        "user": rng.choice((f"{a} {b}", f"{a} {b}", f"M. {b}" if a not in FEMALE_NAMES else f"Mme {b}", a)),
        "user2": f"{a2} {b2}",
        "login": login,
        "pc": rng.choice(
            (
                f"PC-{rng.choice(('COMPTA', 'RH', 'ACCUEIL', 'DIR', 'ADV', 'LOG'))}-{rng.randint(1, 40):02d}",
                f"LAPTOP-{login.upper()[:8]}",
                f"PO{rng.randint(1000, 9999)}",
                f"W11-{rng.randint(100, 999)}",
            )
        ),
        "site": rng.choice(
            (
                "siège",
                "site de production",
                "bâtiment B",
                "2e étage",
                "rez-de-chaussée",
                "annexe",
                "site de " + rng.choice(("Rennes", "Nantes", "Lyon", "Lille", "Tours", "Angers")),
            )
        ),
        "host": h.name,
        "mail": rng.choice(("contact", "compta", "rh", "accueil", "commandes", "factures")) + "@" + w.company.domain,
        "phone": f"0{rng.randint(1, 5)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        "service": rng.choice(_SERVICES),
        "share": f"\\\\{srv_fs.name.split('.')[0]}\\{share}",
        "vendor": rng.choice(_VENDORS),
        "ip": ip_address(rng),
        "ip2": ip_address(rng),
        "port": str(rng.choice((443, 3389, 22, 1433, 8443, 25, 5432, 8080))),
        "printer": rng.choice(
            (
                f"IMP-{rng.randint(1, 20):02d}",
                "Ricoh du 2e",
                "Kyocera de l'accueil",
                f"COPIEUR-{rng.randint(1, 9)}",
                "HP LaserJet de la compta",
            )
        ),
        "domain": w.company.domain,
        "software": rng.choice(_SOFTWARE),
        "app": e.domain,
        "error": rng.choice(_ERRORS),
        "service_name": rng.choice(("Spooler", "MSSQLSERVER", "W3SVC", "Tomcat")),
    }
    w.keep(slots["host"], slots["share"], slots["login"], slots["pc"])
    return slots


def _fill(template: str, slots: dict[str, str]) -> str:
    out = template
    for k, v in slots.items():
        token = "{" + k + "}"
        if token in out:
            out = out.replace(token, v)
    return out


def _sentence(e: TailEntry, w: W, slots: dict[str, str]) -> str:
    if e.topic == "application":
        bank = APP_INCIDENTS if e.incident else APP_REQUESTS
        opts = bank.get(e.leaf)
    else:
        bank = INCIDENTS if e.incident else REQUESTS
        opts = bank.get(f"{e.domain}/{e.leaf}") or bank.get(e.leaf)
    if opts:
        return _fill(w.rng.choice(opts), slots)
    leaf = e.leaf.replace("/", " - ")
    if e.incident:
        return w.rng.choice(
            (
                f"Nous rencontrons un incident de type « {leaf} » ({e.domain}).",
                f"Incident {e.domain.lower()} : {leaf.lower()}.",
                f"Nous avons un problème ({leaf.lower()}) qui bloque les utilisateurs.",
            )
        )
    return w.rng.choice(
        (
            f"Nous avons une demande concernant {np(e.domain)} : {leaf.lower()}.",
            f"Demande : {leaf} ({e.domain}).",
            f"Pouvez-vous prendre en charge une demande « {leaf} » ?",
        )
    )


def write_long_tail(name: str, w: W) -> Draft:
    """A plausible e-mail for any long-tail category name."""
    e = entry_for(name)
    rng = w.rng
    slots = _slots(e, w)
    core = _sentence(e, w, slots)
    obj = e.leaf.split("/")[-1]
    if e.incident:
        tail = rng.choice(
            (
                "",
                "",
                "Merci d'intervenir rapidement.",
                "Pouvez-vous regarder ?",
                "C'est bloquant.",
                "Les utilisateurs sont bloqués.",
                "Merci de me rappeler.",
                "Urgent svp.",
            )
        )
        lead = rng.choice(("", "", "", "Depuis ce matin : ", "Nous avons un souci. ", "Petit problème : "))
        subj = rng.choice(
            (
                f"Incident {obj.lower()}",
                f"Problème {obj.lower()}",
                f"{obj} HS",
                f"URGENT - {obj.lower()}",
                f"Souci {obj.lower()}",
                f"{e.domain} : {obj.lower()}",
            )
        )
        family = f"incident_{e.topic}"
    else:
        tail = rng.choice(
            (
                "",
                "",
                "Merci d'avance.",
                "Merci de me tenir informé.",
                "Dites-moi si vous avez besoin d'autres informations.",
                "C'est assez urgent.",
                "Pas d'urgence.",
            )
        )
        lead = rng.choice(("", "", "", "Nouvelle demande : ", "Petite demande : "))
        subj = rng.choice(
            (
                f"Demande {obj.lower()}",
                f"{e.domain} - {obj}",
                f"Demande de service - {obj}",
                obj,
                f"Besoin : {obj.lower()}",
            )
        )
        family = f"request_{e.topic}"
    if lead and core.split(" ", 1)[0] in _LOWERABLE:
        core = core[0].lower() + core[1:]
    text = (lead + core + (" " + tail if tail else "")).strip()
    return w.draft(family, subj, text, w.reg("neutral", "neutral", "formal", "informal", "phone"))
