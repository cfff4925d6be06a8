# ruff: noqa: E501  (text templates: long French sentences read better unbroken)
"""Writers for the `restauration` category (qualified restore requests).

A restore request names an object (file, folder, VM, database, mailbox), a state date and
sometimes a destination. `_target` draws the object and its French description so every
family can mention it differently; ground truth keeps the path/VM/DB/mailbox verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..infra import Host, short_name, sql_instance
from .common import W, bullet, de_, join_names


@dataclass
class Target:
    kind: str
    phrase: str
    noun: str
    source: str
    host: str | None
    alt_dest: str


def _alt_folder(path: str, w: W) -> str:
    sep = "/" if path.startswith("/") else "\\"
    suffix = w.c(
        "Restauration",
        "RESTAURATION",
        "Restore",
        f"Restau_{w.sent:%d%m}",
        "_restaure",
        "RESTO",
        "Recup",
        "Restauration Nuvalis",
    )
    if w.p(0.3) and sep == "\\":
        return w.c(
            "D:\\Restauration",
            "E:\\Restore",
            "D:\\Temp\\Restauration",
            "\\\\" + path.split("\\")[2] + "\\Public\\Restauration" if path.startswith("\\\\") else "D:\\Restore",
        )
    return path.rstrip(sep) + sep + suffix


def _target(w: W, kind: str | None = None) -> Target:
    kind = kind or w.cl(("fichier", "fichier", "dossier", "dossier", "dossier", "vm", "base de données", "messagerie"))
    if kind == "fichier":
        full, folder, srv = w.file()
        sname = short_name(srv.name) if srv else None
        unc = full.startswith("\\\\")
        if unc:
            phrase = w.c(f"le fichier {full}", f"le fichier « {full} »", f"le fichier suivant : {full}")
            host = sname
        else:
            phrase = (
                w.c(
                    f"le fichier {full} sur le serveur {srv.name}",
                    f"le fichier {full} (serveur {srv.name})",
                    f"le fichier {full} présent sur {srv.name}",
                )
                if srv
                else f"le fichier {full}"
            )
            host = srv.name if srv else None
        alt = _alt_folder(folder, w)
        w.keep(alt)
        return Target("fichier", phrase, "le fichier", full, host, alt)
    if kind == "dossier":
        folder, srv = w.folder()
        unc = folder.startswith("\\\\")
        if unc:
            phrase = w.c(
                f"le dossier {folder}",
                f"le répertoire {folder}",
                f"le partage {folder}",
                f"le dossier « {folder} »",
                f"le contenu du dossier {folder}",
            )
            host = short_name(srv.name) if srv else None
        else:
            phrase = (
                w.c(
                    f"le dossier {folder} du serveur {srv.name}",
                    f"le répertoire {folder} sur {srv.name}",
                    f"{folder} sur {srv.name}",
                )
                if srv
                else f"le dossier {folder}"
            )
            host = srv.name if srv else None
        alt = _alt_folder(folder, w)
        w.keep(alt)
        return Target("dossier", phrase, "le dossier", folder, host, alt)
    if kind == "vm":
        h = w.host()
        phrase = w.c(
            f"la VM {h.name}",
            f"la machine virtuelle {h.name}",
            f"le serveur {h.name} (VM complète)",
            f"la VM {h.name} ({h.label})",
        )
        sn = short_name(h.name)
        alt = w.c(f"{sn}_restore", f"{sn}-TEST", f"{sn}_RESTO", f"{sn}-PRA", f"{sn}_old")
        w.keep(alt)
        return Target("vm", phrase, "la VM", h.name, h.name, alt)
    if kind == "base de données":
        srv = w.host(w.c("SQL", "BDD", "SQL", "ERP"))
        db = w.db()
        inst = sql_instance(srv, w.rng)
        w.keep(inst)
        phrase = w.c(
            f"la base {db} sur {inst}",
            f"la base de données {db} (serveur {srv.name})",
            f"la base SQL {db} de {srv.name}",
            f"la BDD {db} hébergée sur {inst}",
        )
        alt = w.c(f"{db}_RESTORE", f"{db}_TEST", f"{db}_{w.sent:%Y%m%d}", f"{db}_OLD")
        w.keep(alt)
        host = short_name(srv.name) if inst in phrase else srv.name
        return Target("base de données", phrase, "la base", db, host, alt)
    mbx = w.mailbox()
    a, b = w.person()
    phrase = w.c(
        f"la boîte aux lettres {mbx}",
        f"la boîte mail {mbx}",
        f"les mails de la boîte {mbx}",
        f"la boîte de {a} {b} ({mbx})",
        f"la messagerie de {mbx}",
    )
    alt = w.c("un dossier « Restauration » dans sa boîte", "un PST à part", "une boîte partagée temporaire")
    return Target("messagerie", phrase, "la boîte", mbx, None, alt)


def _set(w: W, t: Target, date_iso: str | None, dest: str | None = None, with_host: bool = True) -> None:
    w.fields["restore_type"] = t.kind
    w.fields["source_path"] = t.source
    if date_iso:
        w.fields["restore_date"] = date_iso
    if dest:
        w.fields["destination_path"] = dest
    if with_host and t.host:
        w.fields["hostname"] = t.host


def _subj(w: W, t: Target) -> str:
    return w.c(
        "Demande de restauration",
        "Restauration",
        f"Restauration {t.noun.split()[-1]}",
        "Restauration de données",
        f"Demande de restauration - {t.source}"[:80],
        "Restauration urgente",
        "Besoin d'une restauration",
        "Récupération de fichiers",
        "Restauration BCS",
        "Demande restore",
        "Fichier supprimé",
        "Récupération données",
    )


def simple(w: W):
    t = _target(w)
    d = w.past(0, 30)
    text = w.c(
        f"Pouvez-vous restaurer {t.phrase} dans l'état {d.of} ?",
        f"Merci de restaurer {t.phrase} à la date {d.of}.",
        f"Pourriez-vous nous restaurer {t.phrase}, version {d.of} ?",
        f"Je souhaiterais une restauration {de_(t.phrase)} à partir de la sauvegarde {d.of}.",
        f"Nous avons besoin de récupérer {t.phrase} tel qu'il était {d.when}.",
    )
    if w.p(0.4):
        text += w.c(
            " Restauration à l'emplacement d'origine.", " Vous pouvez écraser l'existant.", "\nMerci d'avance.", ""
        )
    _set(w, t, d.iso)
    return w.draft("simple_request", _subj(w, t), text, w.reg("neutral", "neutral", "formal", "informal"))


def deleted_by_mistake(w: W):
    t = _target(w, w.c("fichier", "dossier", "dossier"))
    who = w.c(
        "Un collaborateur",
        "Une collègue du service comptable",
        "Un agent",
        "Un utilisateur",
        "Notre stagiaire",
        "Mme " + w.person()[1],
        "M. " + w.person()[1],
    )
    d = w.past(0, 15)
    when = w.c(
        "ce matin",
        "hier en fin de journée",
        "par erreur en voulant faire du ménage",
        "lors d'un déplacement de fichiers",
    )
    text = f"{who} a supprimé {t.phrase} {when}.\n" + w.c(
        f"Pouvez-vous le restaurer à partir de la sauvegarde {d.of} ?",
        f"Merci de le restaurer dans l'état {d.of}.",
        f"La version {d.of} nous conviendrait.",
    )
    _set(w, t, d.iso)
    return w.draft(
        "deleted_by_mistake",
        w.c("Suppression accidentelle", "Dossier supprimé par erreur", _subj(w, t)),
        text,
        w.reg("neutral", "formal", "informal"),
    )


def ransomware(w: W):
    folder, srv = w.folder(flavor=w.c("unc", "win"))
    d = w.past(1, 10)
    ext = w.c(".locked", ".encrypted", ".lockbit", ".crypt", ".akira")
    text = (
        f"Suite à {w.c('une infection virale', 'une attaque par rançongiciel', 'un virus sur un poste utilisateur', 'un cryptolocker')}, "
        f"les fichiers du partage {folder} ont été chiffrés (extension {ext}). Le poste a été isolé.\n\n"
        f"Merci de restaurer l'intégralité du dossier {folder} dans l'état {d.of}, avant l'infection, en écrasant les fichiers chiffrés."
    )
    w.fields.update({"restore_type": "dossier", "source_path": folder, "restore_date": d.iso})
    if srv and folder.startswith("\\\\"):
        w.fields["hostname"] = short_name(srv.name)
    elif srv:
        text += f" (serveur {srv.name})"
        w.fields["hostname"] = srv.name
    return w.draft(
        "ransomware",
        w.c("URGENT - fichiers chiffrés", "Virus - restauration partage", "Cryptolocker : restauration"),
        text,
        w.reg("neutral", "formal", "phone"),
    )


def vm_urgent(w: W):
    t = _target(w, "vm")
    d = w.past(0, 3)
    cause = w.c(
        "ne démarre plus après la mise à jour",
        "a planté cette nuit et ne boote plus (écran bleu)",
        "est corrompue après la coupure électrique",
        "a été cassée par une mauvaise manip de notre prestataire",
        "affiche « Operating system not found »",
    )
    text = w.c(
        f"{t.phrase[0].upper() + t.phrase[1:]} {cause}. Merci de la restaurer depuis la sauvegarde {d.of}, c'est URGENT, la production est arrêtée.",
        f"Urgent : {t.phrase} {cause}.\nPouvez-vous la restaurer en l'état {d.of} au plus vite ?",
        f"Nous avons besoin d'une restauration complète {de_(t.phrase)} (sauvegarde {d.of}). Elle {cause}.",
    )
    _set(w, t, d.iso)
    return w.draft(
        "vm_urgent",
        w.c(f"URGENT restauration {t.source}", "VM plantée - restauration", f"{t.source} HS"),
        text,
        w.reg("neutral", "phone", "informal"),
    )


def vm_alt_name(w: W):
    t = _target(w, "vm")
    d = w.past(1, 30)
    text = (
        f"Pour des vérifications, nous aurions besoin de restaurer {t.phrase} dans son état {d.of}, "
        f"sous un autre nom ({t.alt_dest}) et sans connexion réseau, afin de ne pas perturber la production."
    )
    _set(w, t, d.iso, t.alt_dest)
    return w.draft(
        "vm_alt_name",
        w.c("Restauration VM sous un autre nom", f"Restauration {t.source} pour tests"),
        text,
        w.reg("neutral", "formal"),
    )


def db_sql(w: W):
    t = _target(w, "base de données")
    d = w.past(0, 20)
    text = w.c(
        f"Pouvez-vous restaurer {t.phrase} à la date {d.of} ? Une erreur de traitement a corrompu des données.",
        f"Suite à un import raté dans l'ERP, merci de restaurer {t.phrase} dans l'état {d.of}.\nL'application sera arrêtée pendant l'opération.",
        f"Besoin de restaurer {t.phrase} ({d.when}). Merci de me prévenir avant de lancer, je dois couper les accès.",
    )
    _set(w, t, d.iso)
    return w.draft(
        "db_sql",
        w.c("Restauration base SQL", f"Restauration BDD {t.source}", "Restauration base de données"),
        text,
        w.reg("neutral", "formal"),
    )


def db_side_by_side(w: W):
    t = _target(w, "base de données")
    d = w.past(1, 30)
    text = (
        f"Nous aurions besoin de comparer des données : pouvez-vous restaurer {t.phrase} {d.of} "
        f"à côté de la base de production, sous le nom {t.alt_dest} ? Surtout ne pas écraser la base actuelle."
    )
    _set(w, t, d.iso, t.alt_dest)
    return w.draft("db_side_by_side", "Restauration base sous un autre nom", text, w.reg("neutral", "formal"))


def mailbox_deleted(w: W):
    t = _target(w, "messagerie")
    d = w.past(1, 25)
    who = w.c("Une utilisatrice", "Notre directeur", "La personne de l'accueil", "Mon collègue")
    text = w.c(
        f"{who} a vidé par erreur le dossier « Éléments supprimés ». Pouvez-vous restaurer {t.phrase} dans l'état {d.of} ?",
        f"Des mails importants ont disparu {de_(t.phrase)}. Merci de restaurer le contenu à la date {d.of}, dans {t.alt_dest} si possible.",
        f"Pouvez-vous récupérer les messages {de_(t.phrase)} tels qu'ils étaient {d.when} ?",
    )
    _set(w, t, d.iso)
    return w.draft(
        "mailbox",
        w.c("Restauration boîte mail", "Mails supprimés", "Récupération de mails"),
        text,
        w.reg("neutral", "informal", "formal"),
    )


def mailbox_folder(w: W):
    t = _target(w, "messagerie")
    sub = w.c("Clients", "Factures 2024", "Boîte de réception", "Contrats", "Dossiers RH", "Archives")
    d = w.past(2, 30)
    text = (
        f"Est-il possible de restaurer uniquement le sous-dossier « {sub} » {de_(t.phrase)} ? "
        f"Il a été supprimé il y a quelques jours, la sauvegarde {d.of} devrait le contenir."
    )
    _set(w, t, d.iso)
    return w.draft("mailbox_folder", "Restauration dossier messagerie", text, w.reg("neutral", "formal"))


def form(w: W):
    t = _target(w, w.c("fichier", "dossier", "vm", "base de données"))
    d = w.past(0, 30)
    date_txt = d.value.strftime(w.c("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d.%m.%Y")) if d.value else d.when
    w.keep(date_txt)
    sep = w.c(" : ", ": ", " - ", "\t")
    dest = w.p(0.4)
    lines = [
        w.c("Demande de restauration", "DEMANDE DE RESTAURATION", "Formulaire de restauration", "Restauration BCS"),
        "",
    ]
    lines.append(
        f"{w.c('Type', 'Type de restauration', 'Objet')}{sep}{t.kind.capitalize() if t.kind != 'vm' else 'VM'}"
    )
    if t.host:
        lines.append(f"{w.c('Serveur', 'Hôte', 'Machine')}{sep}{t.host}")
    lines.append(f"{w.c('Chemin', 'Élément', 'Source', 'Chemin / nom')}{sep}{t.source}")
    lines.append(f"{w.c('Date', 'Date de la sauvegarde', 'Point de restauration', 'État du')}{sep}{date_txt}")
    lines.append(
        f"{w.c('Destination', 'Emplacement cible', 'Restaurer vers')}{sep}{t.alt_dest if dest else w.c('emplacement d’origine', 'Origine', 'idem source')}"
    )
    if w.p(0.5):
        lines.append(f"{w.c('Demandeur', 'Contact')}{sep}{w.sender.first_name} {w.sender.last_name}")
    text = "\n".join(lines)
    _set(w, t, d.value.isoformat() if d.value else None, t.alt_dest if dest and t.kind != "messagerie" else None)
    return w.draft(
        "form",
        w.c("Demande de restauration", "[Formulaire] Restauration", "Restauration"),
        text,
        w.reg("bare", "neutral"),
    )


def informal_slt(w: W):
    t = _target(w, w.c("fichier", "dossier"))
    d = w.past(0, 7)
    text = w.c(
        f"slt, tu peux me remonter {t.phrase} stp ? la version {d.of} ça ira",
        f"hello, petit restore à faire : {t.phrase}, version {d.of}. merci !!",
        f"tu pourrais me récupérer {t.phrase} ? {d.when} il était encore bon. thx",
        f"re, besoin {de_(t.phrase)} en version {d.of}, qqn l'a écrasé... merci",
    )
    _set(w, t, d.iso)
    return w.draft(
        "informal_slt",
        w.c("restau", "petit restore", "fichier", "help", "restauration stp"),
        text,
        "informal",
        greet=w.p(0.3),
    )


def linux(w: W):
    srv = w.host(w.c("WEB", "APP", "DEV", "GLPI", "INTRA"))
    path = w.c(
        "/var/www/html",
        "/etc/nginx",
        "/home/" + w.login()[2],
        "/var/lib/mysql",
        "/opt/glpi/files",
        "/srv/data/exports",
        "/var/www/html/wp-content",
        "/etc",
    )
    w.keep(path)
    d = w.past(0, 14)
    kind = "dossier"
    text = w.c(
        f"Merci de restaurer le répertoire {path} du serveur {srv.name} dans l'état {d.of}. Un déploiement a tout cassé.",
        f"Sur {srv.name}, pouvez-vous restaurer {path} à la date {d.of} vers /tmp/restore pour que je compare ?",
        f"Besoin d'une restau de {path} ({srv.name}) version {d.of}.",
    )
    w.fields.update({"restore_type": kind, "source_path": path, "hostname": srv.name, "restore_date": d.iso})
    if "/tmp/restore" in text:
        w.fields["destination_path"] = "/tmp/restore"
    return w.draft(
        "linux_path",
        w.c("Restauration répertoire Linux", f"Restau {srv.name}", "Restore"),
        text,
        w.reg("neutral", "informal"),
    )


def overwritten(w: W):
    t = _target(w, "fichier")
    d = w.past(0, 6)
    text = (
        f"{w.c('J’ai', 'Une collègue a', 'Nous avons')} écrasé {t.phrase} avec une mauvaise version "
        f"{w.c('en faisant un copier-coller', 'en enregistrant par-dessus', 'lors d’une synchro OneDrive')}.\n"
        f"Est-ce que vous pourriez récupérer la version {d.of} ? "
        + w.c(
            f"Merci de la mettre dans {t.alt_dest} pour ne pas écraser la version actuelle.", "Vous pouvez écraser.", ""
        )
    )
    _set(w, t, d.iso, t.alt_dest if t.alt_dest in text else None)
    return w.draft(
        "overwritten_file",
        w.c("Fichier écrasé", "Récupération ancienne version", "Version précédente d'un fichier"),
        text,
        w.reg("neutral", "informal", "phone"),
    )


def list_files(w: W):
    folder, srv = w.folder()
    names = [w.file_name() for _ in range(w.rng.randint(2, 5))]
    d = w.past(0, 15)
    b = bullet(w.rng)
    text = (
        f"Pourriez-vous restaurer les fichiers suivants du dossier {folder}, état {d.of} :\n"
        + "\n".join(f"{b}{n}" for n in names)
        + "\n\n"
        + w.c("Merci de les remettre au même endroit.", f"Merci de les déposer dans {folder}\\Restauration.", "")
    )
    w.fields.update({"restore_type": "fichier", "source_path": folder, "restore_date": d.iso})
    if f"{folder}\\Restauration" in text:
        w.fields["destination_path"] = f"{folder}\\Restauration"
    if srv:
        if folder.startswith("\\\\"):
            w.fields["hostname"] = short_name(srv.name)
        else:
            text = text.replace(f"du dossier {folder}", f"du dossier {folder} (serveur {srv.name})", 1)
            w.fields["hostname"] = srv.name
    return w.draft(
        "list_files",
        w.c(
            "Restauration de plusieurs fichiers",
            "Restauration fichiers",
            _subj(w, Target("fichier", "", "le fichier", folder, None, "")),
        ),
        text,
        w.reg("neutral", "formal"),
    )


def english(w: W):
    kind = w.c("fichier", "dossier", "vm", "base de données")
    t = _target(w, kind)
    d = w.past(0, 20, lang="en")
    obj = {"fichier": "file", "dossier": "folder", "vm": "VM", "base de données": "database"}[kind]
    text = w.c(
        f"Could you please restore the {obj} {t.source} {('on ' + t.host) if t.host and t.host not in t.source else ''} "
        f"to its state {d.of}? It was deleted by mistake.",
        f"We need a restore of {obj} {t.source}{(' (server ' + t.host + ')') if t.host and t.host not in t.source else ''}, "
        f"backup {d.of}. Please restore it to {t.alt_dest} and do not overwrite the current one.",
        f"Hi, can you restore {t.source} ({obj}) as it was {d.when}? Thanks",
    )
    _set(w, t, d.iso, t.alt_dest if t.alt_dest in text else None, with_host=bool(t.host) and t.host in text)
    return w.draft("english", w.c("Restore request", f"Restore {obj} {t.source}"[:70], "Data restore"), text, "english")


def ambiguous_failed_backup(w: W):
    t = _target(w, w.c("fichier", "dossier", "vm"))
    d = w.past(2, 10)
    text = (
        f"{w.c('Nous avons reçu un rapport de sauvegarde en échec cette nuit', 'La sauvegarde de cette nuit a échoué chez nous', 'Le backup d’hier soir est en erreur')}, "
        f"mais ce n'est pas le plus urgent : nous avons besoin de restaurer {t.phrase} à partir de la sauvegarde {d.of}, "
        f"qui elle s'est bien passée."
    )
    _set(w, t, d.iso)
    return w.draft(
        "ambiguous_failed_backup",
        w.c("Restauration + sauvegarde en échec", "Restauration urgente", _subj(w, t)),
        text,
        w.reg("neutral", "informal"),
    )


def followup_phone(w: W):
    t = _target(w)
    d = w.past(0, 20)
    text = (
        f"Suite à notre échange téléphonique de ce matin avec {w.c('votre collègue', 'Kevin', 'le support', 'votre technicien')}, "
        f"je vous confirme par écrit la demande de restauration {de_(t.phrase)}, dans l'état {d.of}."
    )
    if w.p(0.5):
        text += f"\nDestination : {t.alt_dest}."
        _set(w, t, d.iso, t.alt_dest if t.kind != "messagerie" else None)
    else:
        _set(w, t, d.iso)
    return w.draft(
        "followup_phone",
        w.c("Confirmation demande de restauration", "Suite appel - restauration"),
        text,
        w.reg("neutral", "formal"),
    )


def formal_letter(w: W):
    t = _target(w)
    d = w.past(1, 30)
    text = (
        f"Dans le cadre {w.c('d’un incident survenu sur notre système d’information', 'd’une erreur de manipulation', 'd’une demande de notre direction')}, "
        f"je vous saurais gré de bien vouloir procéder à la restauration {de_(t.phrase)}, dans l'état de la sauvegarde {d.of}.\n\n"
        f"Je vous remercie de me confirmer la bonne exécution de l'opération ainsi que le délai prévisionnel."
    )
    _set(w, t, d.iso)
    return w.draft(
        "formal_letter",
        w.c("Demande de restauration de données", "Demande d'intervention - restauration"),
        text,
        "formal",
    )


def user_quoted(w: W):
    t = _target(w, w.c("fichier", "dossier"))
    d = w.past(0, 10)
    a, b = w.person()
    quote = w.c(
        f"« Bonjour, j'ai perdu {t.phrase}, est-ce qu'on peut le récupérer comme il était {d.when} ? Merci, {a} »",
        f"« Je ne retrouve plus {t.phrase}, il y était encore {d.when}. {a} {b} »",
    )
    text = w.c(
        f"Ci-dessous la demande d'une utilisatrice :\n\n{quote}\n\nPouvez-vous faire le nécessaire ?",
        f"Je relaie la demande de {a} {b} :\n{quote}\nMerci de restaurer à l'emplacement d'origine.",
    )
    _set(w, t, d.iso)
    return w.draft(
        "user_quoted",
        w.c("Demande utilisateur - restauration", f"Restauration pour {a} {b}"),
        text,
        w.reg("neutral", "informal"),
    )


def phone_short(w: W):
    t = _target(w, w.c("dossier", "fichier", "vm"))
    d = w.past(0, 3)
    text = w.c(
        f"Besoin restauration urgente {de_(t.phrase)} état {d.of}. Merci",
        f"Restaurer {t.phrase} ({d.when}) stp urgent",
        f"Urgent restau {t.source} version {d.of}",
    )
    _set(w, t, d.iso, with_host=t.host is not None and t.host in text)
    return w.draft("phone_short", w.c("Restauration", "URGENT", "restau"), text, "phone", greet=w.p(0.4))


def pra_test(w: W):
    hs = w.hosts(1)
    h = hs[0]
    d = w.past(1, 7)
    dest = w.c(f"{h.name}-PRA", f"{h.name}_TEST_PRA", "le réseau isolé PRA", f"l'ESX de test sous le nom {h.name}-PRA")
    w.keep(dest)
    text = (
        f"Dans le cadre de notre test de PRA {w.sent.year}, merci de restaurer la VM {h.name} (sauvegarde {d.of}) "
        f"vers {dest}, sans la raccorder au réseau de production. Nous validerons le démarrage de l'application ensuite."
    )
    w.fields.update({"restore_type": "vm", "source_path": h.name, "hostname": h.name, "restore_date": d.iso})
    w.fields["destination_path"] = dest.replace("l'ESX de test sous le nom ", "")
    return w.draft(
        "pra_test",
        w.c("Test PRA - restauration VM", "Exercice PRA", "Restauration test PRA"),
        text,
        w.reg("neutral", "formal"),
    )


def possible_question(w: W):
    t = _target(w, w.c("fichier", "dossier"))
    weeks = w.c("3 semaines", "un mois", "15 jours", "deux semaines")
    d = w.past(14, 35)
    text = (
        f"Est-il possible de récupérer {t.phrase} ? Il a été supprimé il y a environ {weeks}.\n"
        f"Si oui, la version {d.of} serait parfaite. "
        + w.c(f"Merci de la restaurer dans {t.alt_dest}.", "Restauration à l'emplacement d'origine svp.", "")
    )
    _set(w, t, d.iso, t.alt_dest if t.alt_dest in text else None)
    return w.draft(
        "possible_question",
        w.c("Récupération possible ?", "Fichier supprimé il y a plusieurs semaines", _subj(w, t)),
        text,
        w.reg("neutral", "formal", "informal"),
    )


def vm_file_level(w: W):
    h = w.host()
    win = not h.name.islower() or w.p(0.4)
    path = (
        w.c("C:\\inetpub\\wwwroot", "D:\\Apps\\Config", "C:\\ProgramData\\App\\conf", "D:\\SQLBackup")
        if win
        else w.c("/etc", "/opt/app/conf", "/var/www", "/home")
    )
    w.keep(path)
    d = w.past(0, 14)
    text = (
        f"Pouvez-vous extraire de la sauvegarde de la VM {h.name} {d.of} le répertoire {path} "
        f"et le restaurer {w.c('à son emplacement', 'dans un sous-dossier _restore', 'au même endroit')} ? "
        f"Inutile de restaurer toute la VM."
    )
    w.fields.update({"restore_type": "dossier", "source_path": path, "hostname": h.name, "restore_date": d.iso})
    return w.draft(
        "vm_file_level",
        w.c("Restauration granulaire", f"Restauration fichiers VM {h.name}"),
        text,
        w.reg("neutral", "formal"),
    )


def alt_location(w: W):
    t = _target(w, w.c("dossier", "fichier"))
    d = w.past(0, 25)
    text = w.c(
        f"Merci de restaurer {t.phrase} ({d.when}) vers {t.alt_dest}. Ne pas écraser l'existant, l'utilisateur fera le tri.",
        f"Restauration {de_(t.phrase)}, sauvegarde {d.of}, à déposer dans {t.alt_dest} svp.",
        f"Pouvez-vous restaurer {t.phrase} dans {t.alt_dest} ? La date souhaitée est {d.when.removeprefix('le ')}.",
    )
    _set(w, t, d.iso, t.alt_dest)
    return w.draft("alt_location", _subj(w, t), text, w.reg("neutral", "informal", "formal"))


def long_story(w: W):
    t = _target(w, w.c("dossier", "base de données", "vm", "fichier"))
    d = w.past(2, 20)
    ctxt = w.c(
        "Nous avons migré notre application vers une nouvelle version la semaine dernière avec l'éditeur. Depuis, plusieurs "
        "utilisateurs remontent des incohérences dans les données et l'éditeur nous conseille de revenir en arrière.",
        "Lors du déménagement de nos bureaux, un disque externe a été branché sur le serveur et un script de synchronisation "
        "a supprimé une partie de l'arborescence. Nous ne nous en sommes rendu compte qu'aujourd'hui.",
        "Notre prestataire a fait une intervention sur le serveur et a supprimé des éléments qu'il pensait inutiles. "
        "Ce n'était évidemment pas le cas.",
    )
    text = f"{ctxt}\n\nNous aurions donc besoin de restaurer {t.phrase} dans l'état {d.of}.\n" + w.c(
        "Merci de m'appeler avant de lancer l'opération.", "Pouvez-vous nous indiquer la durée estimée ?", ""
    )
    _set(w, t, d.iso)
    return w.draft("long_story", _subj(w, t), text, w.reg("neutral", "formal"))


def several_versions(w: W):
    t = _target(w, w.c("fichier", "dossier"))
    d1 = w.past(1, 5)
    d2 = w.past(6, 15)
    text = (
        f"Nous ne savons pas exactement quand {t.phrase} a été modifié. Pouvez-vous restaurer les deux versions "
        f"({d1.when} et {d2.when}) dans {t.alt_dest}, pour que l'utilisateur choisisse ?"
    )
    _set(w, t, None, t.alt_dest)
    return w.draft(
        "several_versions", w.c("Restauration plusieurs versions", _subj(w, t)), text, w.reg("neutral", "formal")
    )


def portal_failed(w: W):
    t = _target(w, w.c("fichier", "dossier", "messagerie"))
    d = w.past(0, 10)
    text = (
        f"J'ai essayé de restaurer moi-même {t.phrase} via le portail BCS, mais la tâche reste en erreur "
        f"({w.c('timeout', 'accès refusé', 'erreur inconnue', 'Restore failed')}).\n"
        f"Pouvez-vous le faire de votre côté ? Version {d.of}."
    )
    _set(w, t, d.iso)
    return w.draft(
        "portal_failed",
        w.c("Restauration impossible depuis le portail", "Échec restauration self-service"),
        text,
        w.reg("neutral", "informal"),
    )


def service_lost(w: W):
    folder, srv = w.folder()
    d = w.past(1, 12)
    service = {
        "hopital": "service des admissions",
        "clinique": "secrétariat médical",
        "mairie": "service état civil",
        "interco": "service urbanisme",
        "departement": "service des routes",
    }.get(w.sector, "service comptabilité")
    text = (
        f"Le {service} ne retrouve plus le contenu du dossier {folder}. Tout était présent {d.when}.\n"
        f"Pouvez-vous restaurer ce dossier dans l'état {d.of} ?"
    )
    w.fields.update({"restore_type": "dossier", "source_path": folder, "restore_date": d.iso})
    if srv:
        w.fields["hostname"] = short_name(srv.name) if folder.startswith("\\\\") else srv.name
        if not folder.startswith("\\\\"):
            text += f" (il se trouve sur {srv.name})"
    return w.draft(
        "service_lost_folder",
        w.c("Dossier vide", "Contenu disparu", "Perte de données"),
        text,
        w.reg("neutral", "formal"),
    )


def waiting_complaint(w: W):
    t = _target(w)
    ref = w.ticket()
    d = w.past(2, 15)
    text = (
        f"J'attends toujours la restauration demandée il y a {w.c('deux jours', 'trois jours', 'une semaine')} "
        f"(ticket {ref}) : {t.phrase}, état {d.of}. Les utilisateurs sont bloqués, merci de faire le nécessaire rapidement."
    )
    _set(w, t, d.iso)
    return w.draft(
        "waiting_complaint",
        w.c(f"Relance {ref}", f"RE: {ref} restauration", "Relance restauration"),
        text,
        w.reg("neutral", "formal"),
    )


def sms_whole(w: W):
    t = _target(w, w.c("fichier", "dossier"))
    d = w.past(0, 4)
    text = w.c(
        f"bjr pouvez vs restaurer {t.phrase} version {d.of} svp c urgent merci",
        f"jai supprimé {t.phrase} par erreur, on peut le recup (version {d.of}) ? merci bcp",
    )
    _set(w, t, d.iso)
    return w.draft("sms_style", w.c("restauration", "urgent", "fichier perdu"), text, "phone", greet=False)


def list_hosts_vm(w: W):
    hs: list[Host] = w.hosts(w.rng.randint(2, 3))
    d = w.past(0, 5)
    names = join_names([h.name for h in hs], w.rng)
    text = (
        f"Suite à la panne du SAN, nous devons restaurer les VM {names} depuis la sauvegarde {d.of}.\n"
        f"Priorité : {hs[0].name} en premier."
    )
    w.fields.update({"restore_type": "vm", "source_path": hs[0].name, "hostname": hs[0].name, "restore_date": d.iso})
    return w.draft(
        "multi_vm", w.c("Restauration de plusieurs VM", "Panne SAN - restauration"), text, w.reg("neutral", "phone")
    )


FAMILIES = [
    ("simple_request", 8.0, simple),
    ("deleted_by_mistake", 5.0, deleted_by_mistake),
    ("ransomware", 1.5, ransomware),
    ("vm_urgent", 3.0, vm_urgent),
    ("vm_alt_name", 1.5, vm_alt_name),
    ("db_sql", 3.0, db_sql),
    ("db_side_by_side", 1.5, db_side_by_side),
    ("mailbox", 3.0, mailbox_deleted),
    ("mailbox_folder", 1.5, mailbox_folder),
    ("form", 3.0, form),
    ("informal_slt", 3.0, informal_slt),
    ("linux_path", 2.0, linux),
    ("overwritten_file", 3.0, overwritten),
    ("list_files", 2.0, list_files),
    ("english", 1.5, english),
    ("ambiguous_failed_backup", 1.5, ambiguous_failed_backup),
    ("followup_phone", 2.0, followup_phone),
    ("formal_letter", 2.0, formal_letter),
    ("user_quoted", 2.0, user_quoted),
    ("phone_short", 2.5, phone_short),
    ("pra_test", 1.0, pra_test),
    ("possible_question", 2.0, possible_question),
    ("vm_file_level", 1.5, vm_file_level),
    ("alt_location", 3.0, alt_location),
    ("long_story", 1.5, long_story),
    ("several_versions", 1.0, several_versions),
    ("portal_failed", 1.0, portal_failed),
    ("service_lost_folder", 2.0, service_lost),
    ("waiting_complaint", 1.0, waiting_complaint),
    ("sms_style", 1.5, sms_whole),
    ("multi_vm", 1.0, list_hosts_vm),
]
