"""A client's IT estate: hostnames, IPs, paths, databases, mailboxes, backup job names.

Each company follows one hostname convention (`Company.hostname_style`), so the servers of
one client look alike while clients differ, as in a real desk. All vocabularies are tuples
built at import time; every draw goes through the caller's `rng`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .model import Company
from .people import company_code, sector_of, slug, strip_accents
from .vocab import FIRST_NAMES, LAST_NAMES, MYTH_NAMES, PROJECT_NAMES

# (role code, what a human calls it)
_ROLES_COMMON: tuple[tuple[str, str], ...] = (
    ("FIC", "serveur de fichiers"),
    ("FS", "serveur de fichiers"),
    ("FILE", "serveur de fichiers"),
    ("DC", "contrôleur de domaine"),
    ("AD", "contrôleur de domaine"),
    ("SQL", "serveur SQL"),
    ("BDD", "serveur de base de données"),
    ("APP", "serveur applicatif"),
    ("WEB", "serveur web"),
    ("EXCH", "serveur Exchange"),
    ("MAIL", "serveur de messagerie"),
    ("RDS", "serveur RDS"),
    ("TSE", "serveur TSE"),
    ("CTX", "serveur Citrix"),
    ("PRINT", "serveur d'impression"),
    ("IMP", "serveur d'impression"),
    ("ERP", "serveur ERP"),
    ("SAGE", "serveur Sage"),
    ("COMPTA", "serveur de compta"),
    ("PAIE", "serveur de paie"),
    ("GED", "serveur GED"),
    ("VEEAM", "serveur de sauvegarde"),
    ("BCK", "serveur de sauvegarde"),
    ("ESX", "hôte ESX"),
    ("HV", "hôte Hyper-V"),
    ("WSUS", "serveur WSUS"),
    ("AV", "serveur antivirus"),
    ("GLPI", "serveur GLPI"),
    ("PROXY", "proxy"),
    ("DNS", "serveur DNS"),
    ("INTRA", "intranet"),
    ("FTP", "serveur FTP"),
    ("BI", "serveur décisionnel"),
    ("CRM", "serveur CRM"),
    ("LOG", "serveur de logs"),
    ("DEV", "serveur de dev"),
    ("RDSGW", "passerelle RDS"),
    ("NAS", "NAS"),
    ("SFTP", "serveur SFTP"),
    ("LIC", "serveur de licences"),
)
_ROLES_HEALTH: tuple[tuple[str, str], ...] = (
    ("PACS", "serveur PACS"),
    ("DPI", "serveur DPI"),
    ("LAB", "serveur labo"),
    ("HL7", "passerelle HL7"),
    ("PHARMA", "serveur pharmacie"),
    ("RIS", "serveur RIS"),
    ("HPRIM", "serveur Hprim"),
)
_ROLES_PUBLIC: tuple[tuple[str, str], ...] = (
    ("CIVIL", "serveur état civil"),
    ("SIG", "serveur SIG"),
    ("FIN", "serveur finances"),
    ("ELEC", "serveur élections"),
    ("URBA", "serveur urbanisme"),
    ("CCAS", "serveur CCAS"),
)
_ENVS: tuple[str, ...] = ("PRD", "PRD", "PROD", "REC", "DEV", "TST", "PP", "PRD")

_FILE_ROLES = ("FIC", "FS", "FILE")
_SQL_ROLES = ("SQL", "BDD", "SQL")
_NON_SERVER_ROLES = frozenset({"NAS", "ESX", "HV"})


@dataclass(frozen=True)
class Host:
    """A server name together with the role it plays, for human descriptions."""

    name: str
    role: str
    label: str


def _roles(company: Company) -> tuple[tuple[str, str], ...]:
    sector = sector_of(company)
    if sector in {"hopital", "clinique", "ehpad"}:
        return _ROLES_COMMON + _ROLES_HEALTH * 2
    if sector in {"mairie", "interco", "departement"}:
        return _ROLES_COMMON + _ROLES_PUBLIC * 2
    return _ROLES_COMMON


def _render(style: str, role: str, rng: random.Random) -> str:
    nn = rng.choice((1, 1, 1, 2, 2, 3, 4, 5, 6, 8, 10, 11, 12, 21))
    env = rng.choice(_ENVS)
    env_l = {"PRD": "prod", "PROD": "prod", "REC": "rec", "DEV": "dev", "TST": "test", "PP": "preprod"}[env]
    if "{MYTH}" in style:
        return rng.choice(MYTH_NAMES) + rng.choice(("", "", "", "2", "-01"))
    return (
        style.replace("{ROLE}", role)
        .replace("{role}", role.lower())
        .replace("{NN}", f"{nn:02d}")
        .replace("{nn}", f"{nn:02d}")
        .replace("{ENV}", env)
        .replace("{env}", env_l)
    )


def host(company: Company, rng: random.Random, role: str | None = None) -> Host:
    """A server of this company, optionally of a given role code (FIC, SQL, ...)."""
    roles = _roles(company)
    if role is None:
        code, label = rng.choice(roles)
    else:
        code = role
        label = next((lbl for c, lbl in roles if c == role), "serveur")
    return Host(_render(company.hostname_style, code, rng), code, label)


def hosts(company: Company, rng: random.Random, n: int, role: str | None = None) -> list[Host]:
    """`n` distinct servers of the company."""
    out: list[Host] = []
    seen: set[str] = set()
    for _ in range(n * 6):
        h = host(company, rng, role)
        if h.name not in seen:
            seen.add(h.name)
            out.append(h)
        if len(out) == n:
            break
    return out


def file_server(company: Company, rng: random.Random) -> Host:
    return host(company, rng, rng.choice(_FILE_ROLES))


def sql_server(company: Company, rng: random.Random) -> Host:
    return host(company, rng, rng.choice(_SQL_ROLES))


def ip_address(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.5:
        return f"10.{rng.randint(0, 254)}.{rng.randint(0, 254)}.{rng.randint(2, 250)}"
    if r < 0.85:
        return f"192.168.{rng.randint(0, 254)}.{rng.randint(2, 250)}"
    return f"172.{rng.randint(16, 31)}.{rng.randint(0, 254)}.{rng.randint(2, 250)}"


def short_name(host_name: str) -> str:
    """First label of an FQDN (what appears in UNC paths)."""
    return host_name.split(".")[0]


# ---------------------------------------------------------------- paths
_SHARES_COMMON = (
    "Compta",
    "COMPTA",
    "RH",
    "Direction",
    "Commun",
    "Partage",
    "Services",
    "Projets",
    "Qualite",
    "Qualité",
    "Ressources Humaines",
    "Achats",
    "Commercial",
    "Technique",
    "BE",
    "Scans",
    "Public",
    "Data",
    "Production",
    "Logistique",
    "ADV",
    "Juridique",
    "Marketing",
    "DAF",
    "Paie",
)
_SHARES_HEALTH = ("Pharmacie", "DIM", "Cadres de santé", "Bloc", "Admissions", "Qualité-Risques", "Biomed")
_SHARES_PUBLIC = (
    "Etat-Civil",
    "Urbanisme",
    "Elections",
    "Marchés publics",
    "CCAS",
    "Services Techniques",
    "Cabinet du Maire",
)
_SUBDIRS = (
    "2023",
    "2024",
    "2025",
    "Factures",
    "Archives",
    "Contrats",
    "Budget 2025",
    "Clients",
    "Fournisseurs",
    "Procédures",
    "Modèles",
    "Planning",
    "Bilans",
    "Exports",
    "Commun",
    "Devis",
    "Notes de frais",
    "Inventaire",
    "Réunions",
    "PV",
    "Rapports",
    "Paie",
    "Déclarations",
    "Formations",
    "Recrutement",
)
_FILE_STEMS = (
    "Budget_2025_v3",
    "Tableau de bord RH",
    "Planning équipe",
    "export_paie_032025",
    "PV CA",
    "Suivi_commandes",
    "base_clients",
    "Inventaire matériel",
    "Liste fournisseurs",
    "Rapport annuel",
    "Tarifs 2025",
    "Prévisionnel",
    "Suivi des congés",
    "Relevé bancaire",
    "Fichier_adherents",
    "Registre",
    "Contrat cadre",
    "Plan de charge",
    "Grille salaires",
    "Procédure qualité",
    "Devis_client",
    "Stock",
    "Facturation",
    "Tableau_amortissements",
    "Annuaire interne",
)
_EXTS = (".xlsx", ".xlsx", ".xlsx", ".docx", ".docx", ".pdf", ".csv", ".accdb", ".pptx", ".xlsm", ".ods")
_LINUX_DIRS = (
    "/var/lib/mysql",
    "/var/www/html",
    "/srv/www/intranet",
    "/etc/nginx",
    "/var/lib/pgsql/data",
    "/opt/{app}/data",
    "/data/exports",
    "/home/{login}/projets",
    "/home/{login}",
    "/srv/ftp/clients",
    "/var/www/html/wp-content/uploads",
    "/opt/{app}/conf",
    "/data/partage",
    "/var/spool/cron",
    "/srv/samba/commun",
    "/var/opt/gitlab/backups",
    "/home/{login}/scripts",
    "/etc",
)
_APPS = ("glpi", "nextcloud", "tomcat", "odoo", "gitlab", "jira", "sage", "metabase", "zimbra", "moodle")
_DRIVES = ("D:", "E:", "F:", "D:", "D:")
_LOCAL_ROOTS = ("Data", "Partages", "Shares", "Apps", "DATA", "Donnees", "Données", "Echange")

DATABASES = (
    "GESCOM",
    "SAGE_COMPTA",
    "PROD_ERP",
    "X3_PROD",
    "CEGID_PAIE",
    "GLPI",
    "wordpress",
    "ReportServer",
    "WSS_Content",
    "EBP_COMPTA",
    "DIVALTO",
    "QUADRA",
    "CRM_PROD",
    "BI_DWH",
    "STOCK",
    "PAIE_2025",
    "Hexagone",
    "GRH",
    "AdventureWorks",
    "nextcloud",
    "odoo_prod",
    "T2I",
    "SILAE",
    "MAGIC",
)
_DB_HEALTH = ("DPI_PROD", "PACS_DB", "HOPITAL_MANAGER", "PHARMA", "LABO_SIL", "CROSSWAY", "ORBIS")
_DB_PUBLIC = ("CIRIL_FIN", "ETATCIVIL", "ELECTIONS", "SEDIT_GF", "BERGER_LEVRAULT", "URBA_ADS")
_SQL_INSTANCES = ("", "", "", "\\SQLEXPRESS", "\\PROD", "\\MSSQLSERVER01", "\\SAGE100")


def login_of(first: str, last: str, rng: random.Random) -> str:
    f = slug(first, "")
    lst = slug(last, "")
    return rng.choice((f"{f[0]}{lst}", f"{f}.{lst}", f"{lst}{f[0]}", f"{f[0]}.{lst}", lst[:8]))


def random_person_name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def share_name(company: Company, rng: random.Random) -> str:
    sector = sector_of(company)
    pool = _SHARES_COMMON
    if sector in {"hopital", "clinique", "ehpad"} and rng.random() < 0.4:
        pool = _SHARES_HEALTH
    elif sector in {"mairie", "interco", "departement"} and rng.random() < 0.4:
        pool = _SHARES_PUBLIC
    return rng.choice(pool)


def folder_path(
    company: Company,
    rng: random.Random,
    server: Host | None = None,
    depth: int | None = None,
    flavor: str | None = None,
    for_file: bool = False,
) -> tuple[str, Host | None]:
    """A directory path: UNC on a file server, local Windows path, or Linux path.

    Returns the path and the server it lives on when the path itself names it (UNC) or when
    the caller must state it (local paths); None for nothing.
    """
    r = rng.random()
    if flavor == "unc":
        r = 0.0
    elif flavor == "win":
        r = rng.random() * 0.8
    elif flavor == "linux":
        r = 0.9
    if depth is None:
        depth = rng.choice((1, 1, 2, 2, 3))
    if r < 0.55:
        srv = server or file_server(company, rng)
        parts = [share_name(company, rng)] + [rng.choice(_SUBDIRS) for _ in range(depth - 1)]
        if rng.random() < 0.25:
            parts.append(rng.choice(_SUBDIRS))
        return "\\\\" + short_name(srv.name) + "\\" + "\\".join(_dedupe(parts)), srv
    if r < 0.8:
        srv = server or file_server(company, rng)
        parts = [rng.choice(_LOCAL_ROOTS), share_name(company, rng)]
        parts += [rng.choice(_SUBDIRS) for _ in range(depth - 1)]
        return rng.choice(_DRIVES) + "\\" + "\\".join(_dedupe(parts)), srv
    srv = server or host(company, rng, rng.choice(("WEB", "APP", "FILE", "DEV", "SFTP")))
    a, b = random_person_name(rng)
    p = rng.choice(_LINUX_DIRS).replace("{app}", rng.choice(_APPS)).replace("{login}", login_of(a, b, rng))
    if p == "/etc" and for_file:
        p = "/data/partage"
    if rng.random() < 0.3 and not p.endswith("/etc"):
        p += "/" + rng.choice(("2024", "2025", "archives", "config", "prod", "old"))
    return p, srv


def _dedupe(parts: list[str]) -> list[str]:
    out: list[str] = []
    for p in parts:
        if p not in out:
            out.append(p)
    return out


def file_name(rng: random.Random) -> str:
    stem = rng.choice(_FILE_STEMS)
    if rng.random() < 0.3:
        stem += rng.choice(("_v2", "_final", " (2)", "_2025", "_MAJ", " - copie", "_def"))
    return stem + rng.choice(_EXTS)


def file_path(company: Company, rng: random.Random, server: Host | None = None) -> tuple[str, str, Host | None]:
    """(full path of a file, its folder, server)."""
    folder, srv = folder_path(company, rng, server, for_file=True)
    name = file_name(rng)
    sep = "/" if folder.startswith("/") else "\\"
    if sep == "/":
        name = strip_accents(name.replace(" ", "_"))
    return folder + sep + name, folder, srv


def database(company: Company, rng: random.Random) -> str:
    sector = sector_of(company)
    if sector in {"hopital", "clinique"} and rng.random() < 0.5:
        return rng.choice(_DB_HEALTH)
    if sector in {"mairie", "interco", "departement"} and rng.random() < 0.5:
        return rng.choice(_DB_PUBLIC)
    return rng.choice(DATABASES)


def sql_instance(server: Host, rng: random.Random) -> str:
    return short_name(server.name) + rng.choice(_SQL_INSTANCES)


def mailbox(company: Company, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.55:
        a, b = random_person_name(rng)
        return f"{slug(a, '-')}.{slug(b, '')}@{company.domain}"
    return (
        rng.choice(
            (
                "compta",
                "accueil",
                "rh",
                "contact",
                "direction",
                "secretariat",
                "facturation",
                "commandes",
                "recrutement",
                "dsi",
                "admissions",
                "marches",
            )
        )
        + "@"
        + company.domain
    )


# ---------------------------------------------------------------- backup jobs
def client_code(company: Company) -> str:
    return company_code(company)


#: What a job named in words backs up, and how often ("Backup-Compta-Daily", "Sauvegarde_Paie_Nuit").
_JOB_TOPICS = ("Compta", "Paie", "RH", "GED", "Fichiers", "Mails", "Exchange", "SQL", "ERP", "VM", "Partages")
_JOB_CADENCES = ("Daily", "Nightly", "Weekly", "Nuit", "Quotidien", "Hebdo", "Full", "Incr", "Mensuel")


def job_name(company: Company, rng: random.Random, hostname: str | None = None, tool: str = "veeam") -> str:
    """A backup job / policy name following one of several real-world conventions."""
    code = company_code(company)
    h = strip_accents(short_name(hostname)).upper() if hostname else None
    if tool == "netbackup":
        kinds = ("WIN", "LNX", "VMW", "SQL", "EXCH") if h is None else ("WIN", "VMW", "SQL", "LNX")
        kind = rng.choice(kinds)
        target = h or code
        return rng.choice(
            (f"POL_{kind}_{target}_INC", f"POL_{kind}_{target}", f"{code}_{kind}_{target}", f"P-{target}-{kind}-DAILY")
        )
    if tool == "commvault":
        target = h or code
        return rng.choice((f"SC_FS_{target}", f"SC_{target}_SQL", f"{code}_{target}_FS", f"SC_VM_{target}"))
    if h is not None and rng.random() < 0.7:
        return rng.choice(
            (
                f"BCK_{h}_DAILY",
                f"BCK_{h}_FULL_WE",
                f"Backup Job {h}",
                f"JOB-{h}-QUOTIDIEN",
                f"{h}_Daily",
                f"BCS_{code}_{h}",
                f"JOB_{h}_INC",
                f"Sauvegarde {h}",
                f"{code}-{h}-J",
            )
        )
    topic = rng.choice(_JOB_TOPICS)
    cadence = rng.choice(_JOB_CADENCES)
    return rng.choice(
        (
            f"{code}_VM_PROD_Daily",
            f"BCS_{code}_FS_Daily",
            "VM_Critiques_Nuit",
            f"{code}-FILESERVERS-INC",
            "Backup Copy Job - Offsite",
            f"BCS_{code}_SQL",
            f"{code}_Exchange_Daily",
            "Job VM Production",
            f"BCK_{code}_HEBDO",
            f"{code}_SRV_WINDOWS",
            "Sauvegarde quotidienne serveurs",
            f"BCS-{code}-VM-J-1",
            f"Backup-{topic}-{cadence}",
            f"{topic}_{cadence}",
            f"Sauvegarde_{topic}_{cadence}",
            f"Job-{topic}-{cadence}",
        )
    )


def project_name(rng: random.Random) -> str:
    return rng.choice(PROJECT_NAMES)
