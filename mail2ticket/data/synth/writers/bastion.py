# ruff: noqa: E501  (text templates: long French sentences read better unbroken)
"""Writers for the CS2 bastion category (privileged-access accounts, targets, protocols).

Accounts appear as logins ("j.martin", "ext-axians-dupont") or full names; targets are the
client's servers; protocols SSH/RDP/HTTPS/SFTP/VNC/Telnet. `action` is "création" for new
accounts or accesses and "modification" for extensions, additions, protocol changes.
"""

from __future__ import annotations

from ..people import slug
from .common import W, a_, bullet, de_, join_names

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
        login = w.c(
            f"ext-{vendor}-{lb}", f"{fa[0]}.{lb}", f"presta_{lb}", f"{vendor}.{lb}", f"{fa}.{lb}.ext", f"{fa[0]}{lb}"
        )
    else:
        login = w.c(f"{fa[0]}.{lb}", f"adm-{lb}", f"{fa}.{lb}", f"{lb}{fa[0]}", f"adm_{fa[0]}{lb}", f"{fa[0]}{lb}")
    w.keep(login)
    return login, f"{a} {b}"


def _named(w: W, login: str, name: str) -> str:
    """How a request names an account: its login alone, or its holder with the login beside (the login is the value)."""
    return w.c(
        login,
        login,
        f"{name} ({login})",
        f"{name} (compte {login})",
        f"{name}, identifiant : {login},",
        f"l'utilisateur {login}",
    )


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
    if w.p(0.25):  # the holder's name only: the account to create is that person
        login = name
        w.keep(name)
        text = w.c(
            f"Merci d'ouvrir un accès {proto} via le bastion sur {h.name} à {name}, de la société {vendor}, {d.until}.",
            f"{name} ({vendor}) doit se connecter en {proto} sur {h.name}. Pouvez-vous lui créer un accès bastion {d.until} ?",
            f"Pouvez-vous créer un compte bastion au nom de {name} ({vendor}) avec un accès {proto} à {h.name} {d.until} ?",
        )
    else:
        text = w.c(
            f"Merci de créer un accès {proto} sur {h.name} via le bastion pour le prestataire {_named(w, login, name)} {d.until}.",
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
        f"L'accès bastion de {_named(w, login, name)} arrive à échéance, merci de le prolonger {d.until}.",
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
    login, name = _account(w)
    h = w.host()
    proto = _protos(w)[0]
    text = w.c(
        f"slt tu peux ouvrir {proto} sur {h.name} pour {login} via le bastion stp ?",
        f"salut, tu peux ouvrir {proto} sur {h.name} pour {_named(w, login, name)} via le bastion ?",
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


_GROUPS = (
    "GRP_ADMIN_WIN",
    "GRP_ADMIN_LINUX",
    "Prestataires",
    "Exploitation",
    "Admins-SQL",
    "BASTION_N2",
    "Support-Editeur",
    "GRP_RESEAU",
)


def change_rights(w: W):
    """An existing account whose rights change: a group, a profile, a reactivation, one more target."""
    login, name = _account(w)
    who = _named(w, login, name)
    group, other = w.rng.sample(_GROUPS, 2)
    w.keep(group, other)
    h = w.host() if w.p(0.5) else None
    on = f" sur {h.name}" if h else ""
    text = w.c(
        f"Pouvez-vous ajouter {who} au groupe {group} du bastion{on} ? Il a changé de poste.",
        f"Merci de changer les droits de {who} sur le bastion : il passe du groupe {other} au groupe {group}.",
        f"Le compte {login} a été désactivé par erreur. Pouvez-vous le réactiver avec les mêmes accès{on} ?",
        f"Changement de droits pour {who} : il lui faut les accès du groupe {group}{on}, en plus des siens.",
        f"Modification d'accès bastion : {who} doit garder son compte mais avec le profil {group} au lieu de {other}.",
    )
    w.fields.update({"action": "modification", "user_accounts": [login]})
    if h and h.name in text:
        w.fields["target_hosts"] = [h.name]
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "change_rights",
        w.c("Modification droits bastion", f"Bastion : droits de {login}", "Changement de groupe bastion"),
        text,
        w.reg("neutral", "formal", "informal"),
    )


# ================================================================== other registers and writers
# Non-technical staff relaying a vendor's need ("il m'a dit de passer par votre bastion"),
# one-liners, long project stories with the request at the end, and English speakers.

_SOFTWARE = (
    "le logiciel de paie",
    "notre logiciel métier",
    "le logiciel de planning",
    "la GED",
    "la GMAO",
    "le logiciel de caisse",
    "la badgeuse",
    "le logiciel de comptabilité",
    "la téléphonie",
    "le contrôle d'accès",
)
_WHY = (
    "pour faire une mise à jour",
    "pour installer la nouvelle version",
    "pour corriger un bug qu'on a signalé",
    "pour une maintenance annuelle",
    "pour regarder un problème de lenteur",
    "pour migrer les données",
)


def layperson_vendor(w: W):
    vendor = w.cl(_VENDORS)
    sw = w.cl(_SOFTWARE)
    a, b = w.person()
    name = f"{a} {b}"
    w.keep(name)
    d = w.future(1, 20)
    h = w.host() if w.p(0.7) else None
    where = w.c(
        f"le serveur {de_(sw)}", "notre serveur", f"la machine qui fait tourner {sw}", f"le serveur où il y a {sw}"
    )
    where_h = f"{where} ({h.name})" if h else where
    p1 = w.c(
        f"Notre éditeur {vendor} doit se connecter à distance sur {where_h} {d.when} {w.cl(_WHY)}.",
        f"Un technicien de chez {vendor} doit intervenir {d.when} sur {where_h} {w.cl(_WHY)}.",
        f"La société {vendor}, qui s'occupe {de_(sw)}, a besoin d'accéder {a_(where_h)} {w.cl(_WHY)}, {d.when} normalement.",
        f"Le prestataire {vendor} me demande un accès « bastion » pour se connecter sur {where_h} {d.when}.",
    )
    p2 = w.c(
        "Il m'a dit qu'il fallait passer par votre bastion et que c'était à vous de lui créer un accès.",
        "D'après lui, il faut que vous lui ouvriez un accès sur le bastion, je ne sais pas trop ce que c'est.",
        "Apparemment ça doit passer par chez vous (le « bastion »).",
        "Je ne connais pas bien la procédure mais on m'a dit de vous écrire.",
    )
    p3 = w.c(
        f"La personne qui va se connecter : {name}.",
        f"La personne qui intervient : {name}.",
        f"Son nom : {name}, de chez {vendor}.",
        f"C'est {name} qui va intervenir.",
    )
    p4 = w.c(
        "Pouvez-vous faire le nécessaire ? Je ne sais pas trop quelles informations il vous faut.",
        "Merci de faire le nécessaire et de me dire s'il vous manque quelque chose.",
        "Pouvez-vous lui créer l'accès ?",
        "Est-ce que vous pouvez vous en occuper ?",
    )
    w.fields.update({"action": "création", "user_accounts": [name]})
    if h:
        w.fields["target_hosts"] = [h.name]
    extra = ""
    if w.p(0.3):
        proto = w.c("RDP", "SSH", "SFTP")
        w.keep(proto)
        extra = w.c(
            f"Il parle de « {proto} », je ne sais pas ce que c'est mais je vous transmets.",
            f"Il aurait besoin du {proto} (je recopie ce qu'il m'a écrit).",
        )
        w.fields["protocols"] = [proto]
    end = w.future(21, 60)
    if w.p(0.35) and end.value and d.value and end.value > d.value:
        extra = (extra + " " if extra else "") + w.c(
            f"Il faudrait que l'accès reste ouvert {end.until}.", f"L'accès lui servira {end.until}."
        )
        w.fields["validity_end_date"] = end.iso
    parts = [p1, p2, p3] + ([extra] if extra else []) + [p4]
    text = w.c(" ", "\n", "\n\n").join(parts)
    return w.draft(
        "layperson_vendor",
        w.c(
            f"Intervention {vendor}",
            "Accès prestataire",
            "Accès à distance",
            f"Mise à jour {sw}",
            "Demande d'accès",
            "Bastion ?",
        ),
        text,
        w.reg("neutral", "informal", "phone"),
    )


def short_request(w: W):
    vendor = w.cl(_VENDORS)
    login, _ = _account(w, None, vendor)
    h = w.host()
    proto = _protos(w)[0]
    d = w.future(3, 60)
    r = w.rng.random()
    if r < 0.55:
        text = w.c(
            f"bastion : ouvrir {proto} {h.name} pour {login} {d.until}",
            f"accès bastion {login} -> {h.name} en {proto} svp",
            f"créer compte bastion {login} ({vendor}), cible {h.name}, {proto}",
            f"besoin accès {proto} sur {h.name} via bastion pour {login} asap",
            f"nouvel accès bastion stp : {login} / {h.name} / {proto} / {d.until}",
            f"{login} doit pouvoir aller sur {h.name} en {proto} par le bastion, merci",
            f"peux tu creer l'acces bastion de {login} sur {h.name} ({proto}) stp",
        )
        w.fields.update(
            {"action": "création", "user_accounts": [login], "target_hosts": [h.name], "protocols": [proto]}
        )
        if d.until in text:
            w.fields["validity_end_date"] = d.iso
    elif r < 0.8:
        text = w.c(
            f"prolonger {login} sur le bastion {d.until} stp",
            f"bastion {login} : prolongation {d.until} merci",
            f"le compte {login} expire, tu peux l'étendre {d.until} ?",
            f"compte bastion {login} a prolonger {d.until}",
        )
        w.fields.update({"action": "modification", "user_accounts": [login], "validity_end_date": d.iso})
    else:
        text = w.c(
            f"{login} : ajouter {h.name} dans ses cibles bastion ({proto})",
            f"bastion : +{h.name} en {proto} pour {login} svp",
            f"rajoute {h.name} aux accès de {login} sur le bastion stp ({proto})",
        )
        w.fields.update(
            {"action": "modification", "user_accounts": [login], "target_hosts": [h.name], "protocols": [proto]}
        )
    text = w.quick(text)
    return w.draft(
        "short_request",
        w.c("bastion", f"bastion {login}", "accès", h.name, "", "CS2"),
        text,
        w.c("phone", "informal", "informal", "bare"),
        greet=w.p(0.45),
        extras=False,
    )


_PROJECTS = (
    "la migration de notre ERP",
    "la mise à niveau de notre GMAO",
    "le renouvellement de notre logiciel de paie",
    "le déploiement du nouveau dossier patient",
    "la refonte de notre site intranet",
    "le passage de nos serveurs en Windows Server 2022",
    "la mise en place de notre nouvelle solution de supervision",
)


def long_story(w: W):
    vendor = w.cl(_VENDORS)
    project = w.cl(_PROJECTS)
    start = w.future(2, 20)
    end = w.future(30, 150)
    for _ in range(4):  # relative phrases ("demain") ignore lo: the access must outlast the project's start
        if end.value and (end.value - w.sent.date()).days >= 14 and (not start.value or end.value > start.value):
            break
        end = w.future(30, 150)
    if start.value and end.value and end.value <= start.value:
        start = type(start)("très prochainement", "de la semaine prochaine", "", "", None)
    hs = w.hosts(w.rng.randint(1, 3))
    names = join_names([h.name for h in hs], w.rng)
    protos = _protos(w, w.rng.randint(1, 2))
    accs = [_account(w, True, vendor)[0] for _ in range(w.rng.randint(1, 3))]
    weeks = w.rng.randint(3, 12)
    p1 = w.c(
        f"Nous lançons {project} avec la société {vendor}. Le projet démarre {start.when} et doit durer environ {weeks} semaines.",
        f"Vous avez peut-être entendu parler {de_(project)}, que nous menons avec {vendor}. Après plusieurs mois de préparation, la phase de réalisation commence {start.when}.",
        f"Je vous donne un peu de contexte : notre direction a validé {project}. Le projet est confié à {vendor}, pour une durée d'environ {weeks} semaines à partir {start.of}.",
    )
    p2 = w.c(
        f"Pendant cette période, les consultants de {vendor} vont devoir se connecter régulièrement à {names}, principalement en {join_names(protos, w.rng)}.",
        f"Leurs équipes travailleront à distance sur {names} ({join_names(protos, w.rng)}).",
        f"Les intervenants auront besoin d'accéder à {names} en {join_names(protos, w.rng)}, parfois en dehors des heures ouvrées.",
    )
    p3 = w.c(
        "Notre RSSI a validé le principe à condition que tout passe par le bastion et que les accès soient limités dans le temps.",
        "Pour des raisons de sécurité, nous ne voulons pas de VPN direct : tout doit passer par le bastion CS2, avec traçabilité des sessions.",
        "La dernière fois, nous avions ouvert un VPN et cela avait posé problème lors de l'audit ; cette fois nous voulons passer par le bastion.",
    )
    p4 = w.c(
        f"Pouvez-vous donc créer {'des comptes' if len(accs) > 1 else 'un compte'} pour {join_names(accs, w.rng)}, avec un accès à ces serveurs, valable {end.until} ?",
        f"Merci de créer les accès bastion pour {join_names(accs, w.rng)} {end.until}.",
        f"Je vous demande donc d'ouvrir les accès pour {join_names(accs, w.rng)} sur ces machines, {end.until}.",
    )
    p5 = w.c(
        "Si vous avez besoin d'un formulaire signé, dites-le-moi.",
        "Merci de me prévenir quand c'est prêt, que je transmette à " + vendor + ".",
        "",
    )
    text = "\n\n".join(x for x in (p1, p2, p3, p4, p5) if x)
    w.fields.update(
        {
            "action": "création",
            "user_accounts": accs,
            "target_hosts": [h.name for h in hs],
            "protocols": protos,
            "validity_end_date": end.iso,
        }
    )
    return w.draft(
        "long_story",
        w.c(
            f"Projet {vendor} - accès bastion",
            "Accès prestataires projet",
            "Ouverture d'accès pour le projet",
            "Demande d'accès bastion",
        ),
        text,
        w.reg("neutral", "formal"),
    )


def english_client(w: W):
    vendor = w.cl(_VENDORS)
    login, name = _account(w, None, vendor)
    w.keep(name)
    h = w.host()
    proto = _protos(w)[0]
    d = w.future(5, 90, lang="en")
    r = w.rng.random()
    if r < 0.3:
        text = w.c(
            f"Could you please extend my bastion account {login} {d.until}? The project has been extended.",
            f"My bastion access ({login}) expires soon - can it be extended {d.until}?",
        )
        w.fields.update({"action": "modification", "user_accounts": [login], "validity_end_date": d.iso})
    elif r < 0.55:
        hs = [h] + [x for x in w.hosts(w.rng.randint(1, 2)) if x.name != h.name]
        accs = [login] + ([_account(w, None, vendor)[0]] if w.p(0.5) else [])
        city = w.c("Lisbon", "Warsaw", "Bangalore", "Madrid", "Bucharest", "Casablanca")
        text = (
            f"Our team in {city} needs {proto} access to {join_names([x.name for x in hs], w.rng, 'en')} through the bastion. "
            f"Accounts: {', '.join(accs)}."
        )
        w.fields.update(
            {"action": "création", "user_accounts": accs, "target_hosts": [x.name for x in hs], "protocols": [proto]}
        )
    elif r < 0.8:
        text = w.c(
            f"Please add {h.name} to the allowed targets for {login} ({proto}).",
            f"{login} also needs {proto} to {h.name} via the bastion, could you update the account?",
        )
        w.fields.update(
            {"action": "modification", "user_accounts": [login], "target_hosts": [h.name], "protocols": [proto]}
        )
    else:
        text = (
            f"I'm {name}, a consultant with {vendor}. I'll be working on {h.name} next week and was told I need an account on your bastion. "
            f"Could you set one up for me ({proto})? {w.c('My manager should have approved it already.', 'Your IT manager is in copy.', '')}"
        ).strip()
        w.fields.update({"action": "création", "user_accounts": [name], "target_hosts": [h.name], "protocols": [proto]})
    return w.draft(
        "english_client",
        w.c("Bastion access", "Bastion account extension", "Access request", "PAM access", "Remote access via bastion"),
        text,
        "english",
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
    ("change_rights", 3.0, change_rights),
    ("layperson_vendor", 3.0, layperson_vendor),
    ("short_request", 2.5, short_request),
    ("long_story", 2.0, long_story),
    ("english_client", 1.5, english_client),
]
