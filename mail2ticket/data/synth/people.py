"""Companies, client staff and Nuvalis agents.

Clients are a mix of SMEs, hospitals, clinics, nursing homes, local authorities and
professional firms, because the real desk serves all of them and their vocabulary differs
(a hospital talks about the DPI and PACS, a town hall about état civil). The sector is not
a field of `Company` (the public contract is fixed), so `sector_of` infers it from the name.
"""

from __future__ import annotations

import random
import unicodedata
import zlib
from functools import lru_cache

from faker import Faker

from .model import Company, Person
from .vocab import (
    AGENT_FIRST_NAMES,
    DEPARTMENTS,
    FEMALE_NAMES,
    INDUSTRY_WORDS,
    LAST_NAMES,
    LEGAL_FORMS,
    MODERN_FIRST_NAMES,
    REGIONS,
    SAINTS,
    SUPPORT_TITLES,
    TOWNS,
    TREES,
    dept_name,
)

NUVALIS_DOMAIN = "nuvalis.fr"

_SECTOR_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("pme", 34),
    ("hopital", 10),
    ("clinique", 7),
    ("ehpad", 4),
    ("mairie", 12),
    ("interco", 6),
    ("departement", 3),
    ("cabinet", 8),
    ("oph", 3),
    ("association", 4),
    ("industrie", 9),
)
_SECTORS = tuple(s for s, _ in _SECTOR_WEIGHTS)
_SECTOR_CUM = tuple(w for _, w in _SECTOR_WEIGHTS)

_ASCII = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "’": "", "'": ""})


def de(name: str) -> str:
    """French 'de' + name with elision: 'de Rennes', 'd'Angers', 'du Mans'."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name[:1] in "AEIOUYÉÈÂaeiouyéH" and not name.startswith("Hau"):
        return "d'" + name
    return "de " + name


def strip_accents(text: str) -> str:
    """Remove diacritics (used for domains, e-mail addresses and hostnames)."""
    text = text.translate(_ASCII)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def slug(text: str, sep: str = "-") -> str:
    """Lower-case ASCII slug of a name, words joined by `sep`."""
    out = []
    word = []
    for ch in strip_accents(text).lower():
        if ch.isalnum():
            word.append(ch)
        elif word:
            out.append("".join(word))
            word = []
    if word:
        out.append("".join(word))
    return sep.join(out)


@lru_cache(maxsize=4096)
def sector_of(company: Company) -> str:
    """Infer the client's sector from its name (the public dataclass has no sector)."""
    n = company.name.lower()
    if "hospital" in n or n.startswith("ch ") or "hôpital" in n:
        return "hopital"
    if "clinique" in n:
        return "clinique"
    if "ehpad" in n or "résidence" in n:
        return "ehpad"
    if n.startswith(("mairie", "ville de")):
        return "mairie"
    if "communauté" in n or "agglo" in n or "syndicat" in n:
        return "interco"
    if "départemental" in n:
        return "departement"
    if any(k in n for k in ("cabinet", "avocats", "étude", "notaires", "expertise comptable")):
        return "cabinet"
    if "habitat" in n or n.startswith("oph"):
        return "oph"
    if "association" in n or "adapei" in n:
        return "association"
    if any(k in n for k in ("industries", "plasturgie", "métallerie", "mécanique", "usine")):
        return "industrie"
    return "pme"


@lru_cache(maxsize=4096)
def company_code(company: Company) -> str:
    """Short upper-case code of the client (used in job names and hostnames): 'TMS', 'CHVIT'."""
    words = [w for w in slug(company.name, " ").split() if w not in {"de", "du", "des", "la", "le", "les", "et"}]
    if not words:
        return "CLI"
    if len(words) == 1:
        return words[0][:5].upper()
    code = "".join(w[0] for w in words[:4]).upper()
    if len(code) < 3:
        code = (words[0][:2] + words[-1][:3]).upper()
    return code


def _domain_hash(company: Company) -> int:
    return zlib.crc32(company.domain.encode())


def _pme_name(rng: random.Random, faker: Faker) -> str:
    last = rng.choice(LAST_NAMES)
    r = rng.random()
    if r < 0.3:
        form = rng.choice(LEGAL_FORMS)
        return f"{rng.choice(INDUSTRY_WORDS)} {last} {form}".strip()
    if r < 0.5:
        return f"{last} {rng.choice(INDUSTRY_WORDS)}"
    if r < 0.62:
        return f"Groupe {last}"
    if r < 0.8:
        name = faker.company()
        has_form = name.endswith(("SA", "SAS", "SARL", "S.A.", "S.A.R.L.", "et Fils", "EURL"))
        return name if len(name) > 6 or has_form else f"{name} {rng.choice(('SAS', 'SA', 'Distribution'))}"
    town = rng.choice(TOWNS)
    return f"{rng.choice(INDUSTRY_WORDS)} {de(town.split('-')[0])}"


def make_company(rng: random.Random, faker: Faker) -> Company:
    """Draw a client company with a plausible name, e-mail domain and server naming style."""
    sector = rng.choices(_SECTORS, weights=_SECTOR_CUM)[0]
    town = rng.choice(TOWNS)
    tslug = slug(town)
    tld = rng.choice((".fr", ".fr", ".fr", ".com", ".fr", ".eu"))
    if sector == "hopital":
        kind = rng.randrange(4)
        if kind == 0:
            name, domain = f"Centre Hospitalier {de(town)}", f"ch-{tslug}.fr"
        elif kind == 1:
            town2 = rng.choice(TOWNS)
            name = f"Centre Hospitalier Intercommunal {town}-{town2}"
            domain = f"chi-{tslug}-{slug(town2)}.fr"
        elif kind == 2:
            region = rng.choice(REGIONS)
            name, domain = f"Groupe Hospitalier {region}", f"gh-{slug(region)}.fr"
        else:
            name, domain = f"Hôpital local {de(town)}", f"hl-{tslug}.fr"
    elif sector == "clinique":
        if rng.random() < 0.6:
            saint = rng.choice(SAINTS)
            name, domain = f"Clinique {saint}", f"clinique-{slug(saint, '')}.fr"
        else:
            name, domain = f"Polyclinique de {town}", f"polyclinique-{tslug}.fr"
    elif sector == "ehpad":
        tree = rng.choice(TREES)
        name, domain = f"EHPAD {tree}", f"ehpad-{slug(tree)}-{tslug[:12]}.fr"
    elif sector == "mairie":
        name = f"Mairie {de(town)}" if rng.random() < 0.6 else f"Ville {de(town)}"
        domain = rng.choice((f"ville-{tslug}.fr", f"mairie-{tslug}.fr", f"{tslug}.fr"))
    elif sector == "interco":
        if rng.random() < 0.5:
            region = rng.choice(REGIONS)
            name, domain = f"Communauté de communes du {region}", f"cc-{slug(region)}.fr"
        else:
            name, domain = f"Communauté d'agglomération {de(town)}", f"{tslug}-agglo.fr"
    elif sector == "departement":
        dept = rng.choice(DEPARTMENTS)
        name, domain = f"Conseil départemental {dept}", f"{slug(dept_name(dept))}.fr"
    elif sector == "cabinet":
        last = rng.choice(LAST_NAMES)
        kind = rng.randrange(4)
        if kind == 0:
            name = f"Cabinet {last} & Associés"
        elif kind == 1:
            name = f"Étude de Maîtres {last} et {rng.choice(LAST_NAMES)}, notaires"
        elif kind == 2:
            name = f"{last} Avocats"
        else:
            name = f"Cabinet d'expertise comptable {last}"
        domain = slug(last) + rng.choice(("-associes", "-avocats", "-notaires", "-expert", "")) + tld
    elif sector == "oph":
        name, domain = f"{town} Habitat", f"{tslug}-habitat.fr"
    elif sector == "association":
        dept = rng.choice(DEPARTMENTS)
        name = rng.choice((f"ADAPEI {dept}", f"Association Les Papillons Blancs {de(town)}"))
        if name.startswith("ADAPEI"):
            domain = f"adapei-{slug(dept_name(dept))[:10]}.org"
        else:
            domain = f"papillonsblancs-{tslug}.org"
    elif sector == "industrie":
        last = rng.choice(LAST_NAMES)
        word = rng.choice(("Industries", "Plasturgie", "Métallerie", "Mécanique"))
        name = f"{last} {word} {rng.choice(('SAS', 'SA', ''))}".strip()
        domain = slug(last) + "-" + slug(word) + tld
    else:
        name = _pme_name(rng, faker)
        base = slug(name)
        for form in ("-sas", "-sarl", "-s-a-r-l", "-eurl", "-s-a", "-sa", "-group", "-et-fils"):
            base = base.removesuffix(form)
        if rng.random() < 0.35:
            base = base.replace("-", "")
        domain = base[:28].strip("-") + tld
    if domain.startswith(".") or domain.split(".")[0] in {"", "nuvalis"}:
        domain = "client-" + tslug + ".fr"
    style = _hostname_style(name, sector, town, rng)
    return Company(name=name, domain=domain, hostname_style=style)


def _hostname_style(name: str, sector: str, town: str, rng: random.Random) -> str:
    site = slug(town, "").upper()
    site3 = site[:3]
    code = company_code(Company(name=name, domain="x", hostname_style=""))
    ad = slug(name, "")[:10] or "corp"
    styles = [
        "SRV-{ROLE}-{NN}",
        "SRV{ROLE}{NN}",
        "srv{role}{nn}",
        "srv-{role}-{nn}",
        "VM-{ROLE}-{ENV}-{NN}",
        "{role}-{env}-{nn}." + ad + ".local",
        site[:6] + "-{ROLE}{NN}",
        site3 + "{ROLE}{NN}",
        code[:4] + "-{ROLE}{NN}",
        code[:4].lower() + "{role}{nn}",
        "{ROLE}{NN}",
        "{role}{nn}." + ad + ".lan",
        "S-" + site3 + "-{ROLE}{NN}",
        "{MYTH}",
        # Names without a number: one server per role (SRV-COMPTA, GED-PROD, intranet-rec).
        "SRV-{ROLE}",
        "{ROLE}-{ENV}",
        "{role}-{env}",
    ]
    if sector in {"hopital", "clinique", "ehpad"}:
        styles += ["CH" + site3 + "-{ROLE}{NN}", "{ROLE}{NN}-" + site3, "SRV-{ROLE}-{NN}"]
    if sector in {"mairie", "interco", "departement"}:
        styles += ["{ROLE}{NN}-" + site3, "srv{role}{nn}", "SRV{ROLE}{NN}"]
    return rng.choice(styles)


@lru_cache(maxsize=4096)
def email_pattern(company: Company) -> int:
    """Index of the company's address convention (stable per domain)."""
    return _domain_hash(company) % 6


_TITLES: dict[str, tuple[str, ...]] = {
    "it": (
        "Responsable informatique",
        "DSI",
        "Technicien informatique|Technicienne informatique",
        "Administrateur systèmes et réseaux|Administratrice systèmes et réseaux",
        "Responsable des systèmes d'information",
        "Chargé de support informatique|Chargée de support informatique",
        "Responsable infrastructure",
        "Ingénieur systèmes|Ingénieure systèmes",
        "Technicien de proximité|Technicienne de proximité",
        "Alternant informatique|Alternante informatique",
        "Responsable d'exploitation",
        "RSSI",
        "Chef de projet informatique|Cheffe de projet informatique",
        "Gestionnaire de parc",
        "Directeur des systèmes d'information|Directrice des systèmes d'information",
        "Responsable IT",
        "IT Manager",
        "Administrateur réseau|Administratrice réseau",
        "Technicien systèmes et réseaux|Technicienne systèmes et réseaux",
        "Responsable informatique et télécoms",
    ),
    "biz": (
        "Assistant de direction|Assistante de direction",
        "Comptable",
        "Directeur administratif et financier|Directrice administrative et financière",
        "Gérant|Gérante",
        "Responsable administratif|Responsable administrative",
        "Office manager",
        "Responsable RH",
        "Assistant comptable|Assistante comptable",
        "Directeur général|Directrice générale",
        "Contrôleur de gestion|Contrôleuse de gestion",
        "Responsable des services généraux",
    ),
    "health": (
        "Responsable du service informatique",
        "Ingénieur biomédical|Ingénieure biomédicale",
        "Cadre de santé",
        "Directeur des systèmes d'information|Directrice des systèmes d'information",
        "Technicien informatique hospitalier|Technicienne informatique hospitalière",
        "Responsable applicatif DPI",
        "Ingénieur réseaux et télécoms|Ingénieure réseaux et télécoms",
        "Directeur des soins|Directrice des soins",
        "Chef de projet SIH|Cheffe de projet SIH",
        "Responsable sécurité des SI",
    ),
    "public": (
        "Directeur général des services|Directrice générale des services",
        "Secrétaire de mairie",
        "Responsable du service informatique",
        "Technicien informatique territorial|Technicienne informatique territoriale",
        "Chargé de mission numérique|Chargée de mission numérique",
        "Responsable SIG",
        "Directeur des services techniques|Directrice des services techniques",
        "Gestionnaire informatique",
        "DGA Ressources",
    ),
}


def gendered(title: str, female: bool) -> str:
    """Pick the masculine or feminine form of a 'masc|fem' title."""
    if "|" not in title:
        return title
    masc, fem = title.split("|", 1)
    return fem if female else masc


def _title(sector: str, rng: random.Random, female: bool) -> str:
    r = rng.random()
    if sector in {"hopital", "clinique", "ehpad"} and r < 0.5:
        pool = _TITLES["health"]
    elif sector in {"mairie", "interco", "departement"} and r < 0.5:
        pool = _TITLES["public"]
    elif r < 0.78:
        pool = _TITLES["it"]
    else:
        pool = _TITLES["biz"]
    return gendered(rng.choice(pool), female)


def _local_part(first: str, last: str, pattern: int) -> str:
    f = slug(first, "-")
    lst = slug(last, "")
    if pattern == 0:
        return f"{f}.{lst}"
    if pattern == 1:
        return f"{f[0]}.{lst}"
    if pattern == 2:
        return f"{f[0]}{lst}"
    if pattern == 3:
        return f"{lst}.{f}"
    if pattern == 4:
        return f"{f}.{lst}"
    return f"{lst}{f[0]}"


def make_person(company: Company, rng: random.Random, faker: Faker) -> Person:
    """Draw a client employee: name, job title, address at the company's domain, phone."""
    first = rng.choice(MODERN_FIRST_NAMES) if rng.random() < 0.55 else faker.first_name()
    last = faker.last_name() if rng.random() < 0.6 else rng.choice(LAST_NAMES)
    title = _title(sector_of(company), rng, first in FEMALE_NAMES)
    r = rng.random()
    if r < 0.05:
        provider = rng.choice(("gmail.com", "orange.fr", "wanadoo.fr", "free.fr", "hotmail.fr", "laposte.net"))
        local = f"{slug(first, '')}.{slug(last, '')}{rng.choice(('', '', str(rng.randint(1, 99))))}"
        email = f"{local}@{provider}"
    elif r < 0.09:
        role = rng.choice(("informatique", "support.info", "dsi", "it", "helpdesk", "si"))
        email = f"{role}@{company.domain}"
    else:
        email = f"{_local_part(first, last, email_pattern(company))}@{company.domain}"
    mobile = "06 " + " ".join(f"{rng.randint(10, 99)}" for _ in range(4))
    phone = faker.phone_number() if rng.random() < 0.7 else mobile
    return Person(first_name=first, last_name=last, email=email, title=title, phone=phone)


def make_support_agent(rng: random.Random, faker: Faker) -> Person:
    """Draw a Nuvalis desk agent (address @nuvalis.fr)."""
    first = rng.choice(AGENT_FIRST_NAMES) if rng.random() < 0.5 else rng.choice(MODERN_FIRST_NAMES)
    last = faker.last_name()
    email = f"{slug(first, '-')}.{slug(last, '')}@{NUVALIS_DOMAIN}"
    phone = rng.choice(("02 99 ", "01 84 ", "02 30 ")) + " ".join(f"{rng.randint(0, 99):02d}" for _ in range(3))
    return Person(first_name=first, last_name=last, email=email, title=rng.choice(SUPPORT_TITLES), phone=phone)
