# ruff: noqa: E501  (text templates: long French sentences read better unbroken)
"""Writers for the CS2 bastion category (privileged-access accounts, targets, protocols).

Accounts appear as logins ("j.martin", "ext-axians-dupont") or full names; targets are the
client's servers; protocols SSH/RDP/HTTPS/SFTP/VNC/Telnet. `action` is "création" for new
accounts or accesses and "modification" for extensions, additions, protocol changes.
"""

from __future__ import annotations

from ..people import slug
from .common import W, bullet, join_names

_PROTOS = ("RDP", "SSH", "HTTPS", "SFTP", "VNC", "SSH", "RDP")
_VENDORS = (
    "Axians",
    "Inetum",
    "Sopra",
    "Econocom",
    "Berger-Levrault",
    "Agfa",
    "Philips",
    "Maincare",
    "Sage",
    "Cegid",
    "Schneider",
    "Siemens",
    "Dedalus",
    "Capgemini",
    "SPIE",
)


LEADS = (
    "Demande d'accès bastion :",
    "Dans le cadre d'une intervention planifiée,",
    "Pour faire suite à la validation de notre RSSI,",
    "Petite demande concernant le bastion CS2.",
    "Suite à l'arrivée d'un nouveau prestataire,",
    "Comme convenu avec votre équipe sécurité,",
    "Une demande pour l'équipe CS2 :",
)


def _account(w: W, external: bool | None = None, vendor_name: str | None = None) -> tuple[str, str]:
    """(login, display) of a bastion account; external logins may carry the vendor's name."""
    a, b = w.person()
    ext = w.p(0.5) if external is None else external
    fa, lb = slug(a, ""), slug(b, "")
    if ext:
        vendor = slug(vendor_name or w.cl(_VENDORS), "")
        login = w.c(f"ext-{vendor}-{lb}", f"{fa[0]}.{lb}", f"presta_{lb}", f"{vendor}.{lb}", f"{fa}.{lb}.ext")
    else:
        login = w.c(f"{fa[0]}.{lb}", f"adm-{lb}", f"{fa}.{lb}", f"{lb}{fa[0]}", f"adm_{fa[0]}{lb}")
    w.keep(login)
    return login, f"{a} {b}"


def _protos(w: W, n: int = 1) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        p = w.cl(_PROTOS)
        if p not in out:
            out.append(p)
    w.keep(*out)
    return out


def create_contractor(w: W):
    h = w.host()
    vendor = w.cl(_VENDORS)
    login, name = _account(w, True, vendor)
    proto = _protos(w)[0]
    d = w.future(5, 120)
    text = w.c(
        f"Merci de créer un accès {proto} sur {h.name} via le bastion pour le prestataire {login} {d.until}.",
        f"Pouvez-vous créer un compte bastion pour {name} ({vendor}), identifiant {login}, avec un accès {proto} à {h.name}, valable {d.until} ?",
        f"Le prestataire {vendor} doit intervenir sur {h.name}. Merci de créer l'accès {proto} pour le compte {login} {d.until}.",
    )
    w.fields.update({"action": "création", "user_accounts": [login], "target_hosts": [h.name], "protocols": [proto]})
    w.fields["validity_end_date"] = d.iso
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "create_contractor",
        w.c("Création accès bastion", f"Accès bastion {vendor}", "Demande accès prestataire"),
        text,
        w.reg("neutral", "formal"),
    )


def create_ssh_multi(w: W):
    hs = w.hosts(w.rng.randint(2, 4))
    accs = [_account(w, False)[0] for _ in range(w.rng.randint(1, 3))]
    text = (
        f"Merci de créer les accès SSH via le bastion pour {join_names(accs, w.rng)} sur les serveurs suivants : "
        f"{join_names([h.name for h in hs], w.rng)}."
    )
    w.keep("SSH")
    w.fields.update(
        {"action": "création", "user_accounts": accs, "target_hosts": [h.name for h in hs], "protocols": ["SSH"]}
    )
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "create_ssh_multi", w.c("Accès SSH bastion", "Création d'accès bastion"), text, w.reg("neutral", "formal")
    )


def extend_validity(w: W):
    login, name = _account(w)
    d = w.future(10, 180)
    text = w.c(
        f"Le compte bastion {login} expire bientôt. Pouvez-vous prolonger sa validité {d.until} ?",
        f"Merci de prolonger l'accès de {name} ({login}) sur le bastion {d.until}, sa mission est prolongée.",
    )
    w.fields.update({"action": "modification", "user_accounts": [login], "validity_end_date": d.iso})
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "extend_validity",
        w.c("Prolongation accès bastion", f"Prolongation {login}"),
        text,
        w.reg("neutral", "informal"),
    )


def add_target(w: W):
    login, _ = _account(w)
    h = w.host()
    proto = _protos(w)[0]
    text = w.c(
        f"Pouvez-vous ajouter le serveur {h.name} ({proto}) aux cibles autorisées du compte {login} sur le bastion ?",
        f"Le compte {login} a besoin d'accéder aussi à {h.name} en {proto}. Merci de modifier ses droits sur le bastion.",
    )
    w.fields.update(
        {"action": "modification", "user_accounts": [login], "target_hosts": [h.name], "protocols": [proto]}
    )
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "add_target", w.c("Ajout cible bastion", f"Bastion : ajout {h.name}"), text, w.reg("neutral", "formal")
    )


def form(w: W):
    login, name = _account(w)
    hs = w.hosts(w.rng.randint(1, 3))
    protos = _protos(w, w.rng.randint(1, 2))
    d = w.future(7, 200)
    date_txt = d.value.strftime(w.c("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y")) if d.value else d.when
    w.keep(date_txt)
    action = w.c("Création", "Modification", "Création")
    sep = w.c(" : ", ": ", " - ", "\t")
    text = (
        f"{w.c('Demande bastion CS2', 'FORMULAIRE ACCÈS BASTION', 'Demande d’accès privilégié')}\n\n"
        f"{w.c('Action', 'Type de demande')}{sep}{action}\n{w.c('Compte', 'Utilisateur', 'Identifiant')}{sep}{login}\n"
        f"{w.c('Nom', 'Bénéficiaire')}{sep}{name}\n{w.c('Cibles', 'Serveurs', 'Équipements')}{sep}{', '.join(h.name for h in hs)}\n"
        f"{w.c('Protocoles', 'Protocole')}{sep}{', '.join(protos)}\n{w.c('Fin de validité', 'Date de fin', 'Valable jusqu’au')}{sep}{date_txt}"
    )
    w.fields.update(
        {
            "action": "création" if action == "Création" else "modification",
            "user_accounts": [login],
            "target_hosts": [h.name for h in hs],
            "protocols": protos,
        }
    )
    if d.value:
        w.fields["validity_end_date"] = d.value.isoformat()
    return w.draft("form", w.c("Demande d'accès bastion", "[Formulaire] Bastion CS2"), text, w.reg("bare", "neutral"))


def new_employee(w: W):
    login, name = _account(w, False)
    hs = w.hosts(w.rng.randint(2, 4))
    protos = _protos(w, 2)
    text = (
        f"{name} a rejoint notre équipe infrastructure. Merci de lui créer un compte sur le bastion ({login}) avec les mêmes "
        f"droits que le reste de l'équipe : {join_names(protos, w.rng)} sur {join_names([h.name for h in hs], w.rng)}."
    )
    w.fields.update(
        {"action": "création", "user_accounts": [login], "target_hosts": [h.name for h in hs], "protocols": protos}
    )
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "new_employee",
        w.c("Arrivée nouvel administrateur", "Création compte bastion"),
        text,
        w.reg("neutral", "formal"),
    )


def english_vendor(w: W):
    vendor = w.cl(_VENDORS)
    login, name = _account(w, True, vendor)
    h = w.host()
    proto = _protos(w)[0]
    d = w.future(3, 60, lang="en")
    text = (
        f"Hi, I am {name} from {vendor}. I need {proto} access to {h.name} through your bastion {d.until} "
        f"to perform the application upgrade. My account is {login}."
    )
    w.fields.update(
        {
            "action": "création",
            "user_accounts": [login],
            "target_hosts": [h.name],
            "protocols": [proto],
            "validity_end_date": d.iso,
        }
    )
    return w.draft("english_vendor", w.c("Bastion access request", "Remote access for upgrade"), text, "english")


def informal(w: W):
    login, _ = _account(w)
    h = w.host()
    proto = _protos(w)[0]
    text = w.c(
        f"slt tu peux ouvrir {proto} sur {h.name} pour {login} via le bastion stp ?",
        f"hello, {login} a besoin du {proto} sur {h.name}, tu peux ajouter ça dans le bastion ? thx",
    )
    w.fields.update(
        {
            "action": "création" if "ouvrir" in text else "modification",
            "user_accounts": [login],
            "target_hosts": [h.name],
            "protocols": [proto],
        }
    )
    return w.draft("informal", w.c("bastion", f"accès {h.name}", "accès"), text, "informal", greet=w.p(0.4))


def formal_hospital(w: W):
    login, name = _account(w, True)
    h = w.host()
    protos = _protos(w, w.rng.randint(1, 2))
    d = w.future(7, 90)
    text = (
        f"Dans le cadre de la maintenance de {w.c('notre PACS', 'notre logiciel métier', 'notre DPI', 'notre GMAO')}, "
        f"l'éditeur doit disposer d'un accès à distance au serveur {h.name}. Je vous remercie de bien vouloir créer, via le "
        f"bastion, un accès {join_names(protos, w.rng)} pour le compte {login} ({name}), valable {d.until}."
    )
    w.fields.update(
        {
            "action": "création",
            "user_accounts": [login],
            "target_hosts": [h.name],
            "protocols": protos,
            "validity_end_date": d.iso,
        }
    )
    text = w.lead(LEADS, text, 0.35)
    return w.draft("formal_letter", w.c("Accès distant éditeur", "Demande d'accès bastion éditeur"), text, "formal")


def modify_protocol(w: W):
    login, _ = _account(w)
    h = w.host()
    proto = w.c("SFTP", "HTTPS", "SSH")
    w.keep(proto)
    text = (
        f"Le compte {login} a actuellement un accès RDP à {h.name}. Pouvez-vous y ajouter le protocole {proto} ? "
        f"Il doit transférer des fichiers."
    )
    w.keep("RDP")
    w.fields.update(
        {"action": "modification", "user_accounts": [login], "target_hosts": [h.name], "protocols": [proto]}
    )
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "modify_protocol",
        w.c("Ajout protocole bastion", f"Bastion {login} : ajout {proto}"),
        text,
        w.reg("neutral", "informal"),
    )


def urgent_intervention(w: W):
    login, _ = _account(w, True)
    h = w.host()
    proto = _protos(w)[0]
    text = (
        f"URGENT : notre prestataire doit intervenir aujourd'hui sur {h.name} (panne en cours). Merci de créer un accès "
        f"{proto} via le bastion pour {login}, valable jusqu'à ce soir."
    )
    w.fields.update(
        {
            "action": "création",
            "user_accounts": [login],
            "target_hosts": [h.name],
            "protocols": [proto],
            "validity_end_date": w.sent.date().isoformat(),
        }
    )
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "urgent_intervention",
        w.c("URGENT accès bastion", "Accès bastion pour intervention"),
        text,
        w.reg("neutral", "phone"),
    )


def table(w: W):
    rows = []
    accs: list[str] = []
    targets: list[str] = []
    protos: list[str] = []
    b = bullet(w.rng)
    for _ in range(w.rng.randint(2, 4)):
        login, _name = _account(w)
        h = w.host()
        p = _protos(w)[0]
        rows.append(f"{b}{login} -> {h.name} ({p})")
        accs.append(login)
        if h.name not in targets:
            targets.append(h.name)
        if p not in protos:
            protos.append(p)
    text = "Merci de créer les accès bastion suivants :\n" + "\n".join(rows)
    w.fields.update({"action": "création", "user_accounts": accs, "target_hosts": targets, "protocols": protos})
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "table", w.c("Création d'accès bastion (liste)", "Accès bastion à créer"), text, w.reg("neutral", "formal")
    )


def rename_account(w: W):
    login, name = _account(w, False)
    new_login, _ = _account(w, False)
    text = (
        f"Suite au changement de nom de {name}, merci de modifier son identifiant sur le bastion : {login} devient "
        f"{new_login}. Les accès restent identiques."
    )
    w.fields.update({"action": "modification", "user_accounts": [login, new_login]})
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "rename_account",
        w.c("Modification identifiant bastion", "Changement de login"),
        text,
        w.reg("neutral", "formal"),
    )


FAMILIES = [
    ("create_contractor", 5.0, create_contractor),
    ("create_ssh_multi", 2.5, create_ssh_multi),
    ("extend_validity", 3.0, extend_validity),
    ("add_target", 3.0, add_target),
    ("form", 2.0, form),
    ("new_employee", 2.0, new_employee),
    ("english_vendor", 1.0, english_vendor),
    ("informal", 1.5, informal),
    ("formal_letter", 1.5, formal_hospital),
    ("modify_protocol", 1.5, modify_protocol),
    ("urgent_intervention", 1.5, urgent_intervention),
    ("table", 1.0, table),
    ("rename_account", 1.0, rename_account),
]
