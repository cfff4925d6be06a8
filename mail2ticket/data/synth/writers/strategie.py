# ruff: noqa: E501  (text templates: long French sentences read better unbroken)
"""Writers for the three backup-policy categories: Création, Suppression, Modification.

Schedules and retentions are written many ways ("tous les soirs à 22h", "rétention d'un
mois"). The ground truth holds them in the e-mail's words, as the taxonomy asks; the short
normalised form ("quotidienne 22h", "1 mois") is what the paraphrased ``requested_change``
says. Backup types map French/English words to the taxonomy enum.
"""

from __future__ import annotations

from ..infra import Host, database, share_name
from ..people import slug
from .common import W, bullet, de_, join_names

# (as written, normalised)
SCHEDULES: tuple[tuple[str, str], ...] = (
    ("tous les soirs à 22h", "quotidienne 22h"),
    ("chaque nuit à 23h", "quotidienne 23h"),
    ("tous les jours à 20h", "quotidienne 20h"),
    ("tous les jours", "quotidienne"),
    ("une fois par jour", "quotidienne"),
    ("une fois par semaine, le samedi", "hebdomadaire (samedi)"),
    ("chaque dimanche à 2h", "hebdomadaire dimanche 2h"),
    ("toutes les 4 heures", "toutes les 4 heures"),
    ("du lundi au vendredi à 21h", "quotidienne du lundi au vendredi 21h"),
    ("une fois par mois, le 1er", "mensuelle"),
    ("deux fois par jour (12h et 20h)", "2 fois par jour (12h et 20h)"),
    ("chaque nuit à 1h du matin", "quotidienne 1h"),
    ("tous les soirs à 19h30", "quotidienne 19h30"),
    ("toutes les heures en journée", "toutes les heures en journée"),
    ("le vendredi soir", "hebdomadaire (vendredi soir)"),
    ("tous les jours après 20h", "quotidienne après 20h"),
    ("en quotidien à 21h", "quotidienne 21h"),
    ("en hebdomadaire le samedi", "hebdomadaire (samedi)"),
)
SCHEDULES_EN: tuple[tuple[str, str], ...] = (
    ("daily at 10pm", "quotidienne 22h"),
    ("every night", "quotidienne"),
    ("weekly on Saturday", "hebdomadaire (samedi)"),
    ("every 4 hours", "toutes les 4 heures"),
)
RETENTIONS: tuple[tuple[str, str], ...] = (
    ("30 jours", "30 jours"),
    ("un mois", "1 mois"),
    ("14 jours", "14 jours"),
    ("90 jours", "90 jours"),
    ("1 an", "1 an"),
    ("un an", "1 an"),
    ("6 mois", "6 mois"),
    ("3 mois", "3 mois"),
    ("7 ans", "7 ans"),
    ("4 semaines", "4 semaines"),
    ("60 jours", "60 jours"),
    ("10 ans", "10 ans"),
    ("30 points de restauration", "30 points de restauration"),
    ("deux semaines", "2 semaines"),
    ("15 jours", "15 jours"),
    ("5 ans", "5 ans"),
    ("12 mois", "12 mois"),
)
RETENTIONS_EN: tuple[tuple[str, str], ...] = (
    ("30 days", "30 jours"),
    ("one year", "1 an"),
    ("90 days", "90 jours"),
    ("3 months", "3 mois"),
)
# (text as in "en mode X" / "Type : X", enum value)
TYPES: tuple[tuple[str, str], ...] = (
    ("complet", "complète"),
    ("full", "complète"),
    ("complet (full)", "complète"),
    ("incrémental", "incrémentale"),
    ("incrémentiel", "incrémentale"),
    ("incrémental permanent", "incrémentale"),
    ("différentiel", "différentielle"),
    ("snapshot", "snapshot"),
    ("par snapshot", "snapshot"),
    ("incrémental (forever incremental)", "incrémentale"),
)


def de_ret(text: str) -> str:
    """'de 30 jours', 'd'un mois', 'd'un an'."""
    return ("d'" if text.startswith(("un ", "une ", "o")) else "de ") + text


LEADS = (
    "Dans le cadre de l'évolution de notre infrastructure,",
    "Suite à la mise en production de la semaine dernière,",
    "Demande concernant nos stratégies de sauvegarde :",
    "Pour faire suite à notre dernier comité,",
    "Petite demande sur la sauvegarde :",
    "Suite à notre revue annuelle des sauvegardes,",
    "Je me permets de vous contacter au sujet de notre politique de sauvegarde.",
    "Comme évoqué au téléphone,",
    "Après validation par notre direction,",
    "Nous faisons évoluer notre parc serveurs.",
)


def _sched(w: W, en: bool = False) -> tuple[str, str]:
    t, n = w.rng.choice(SCHEDULES_EN if en else SCHEDULES)
    w.keep(t)
    return t, n


def _ret(w: W, en: bool = False) -> tuple[str, str]:
    t, n = w.rng.choice(RETENTIONS_EN if en else RETENTIONS)
    w.keep(t)
    return t, n


def _type(w: W) -> tuple[str, str]:
    t, n = w.rng.choice(TYPES)
    w.keep(t)
    return t, n


def _paths(w: W, h: Host, n: int) -> list[str]:
    out: list[str] = []
    for _ in range(n):
        r = w.rng.random()
        if r < 0.35:
            p, _srv = w.folder(server=h, flavor="win")
        elif r < 0.55:
            p = w.c("C:", "D:", "E:", "D:\\", "E:\\Data", "F:\\")
        elif r < 0.75:
            p, _srv = w.folder(server=h, flavor="linux")
        else:
            p = database(w.company, w.rng)
        if p not in out:
            out.append(p)
            w.keep(p)
    return out


def _scope(w: W, h: Host, n: int, en: bool = False) -> tuple[list[str], str]:
    """``n`` folders, shares, drives, volumes or databases of ``h`` to protect, and how a client names them."""
    values: list[str] = []
    phrases: list[str] = []
    for _ in range(n):
        r = w.rng.random()
        if r < 0.3:
            value, _srv = w.folder(server=h, flavor="win")
            phrase = (
                w.c(value, f"the {value} folder")
                if en
                else w.c(value, f"le dossier {value}", f"le répertoire {value}", f"« {value} »", f'"{value}"')
            )
        elif r < 0.38:
            value = share_name(w.company, w.rng)
            w.keep(value)
            phrase = f"the {value} share" if en else w.c(f"le partage {value}", f"le partage « {value} »")
        elif r < 0.5:
            value = w.c("C:", "D:", "E:", "F:")
            w.keep(value)
            phrase = f"drive {value}" if en else w.c(f"le disque {value}", f"le lecteur {value}")
        elif r < 0.67:
            value, _srv = w.folder(server=h, flavor="linux")
            phrase = value if en else w.c(value, f"le répertoire {value}")
        elif r < 0.75:
            value = "vol_" + slug(share_name(w.company, w.rng), "_").lower()
            w.keep(value)
            phrase = f"the {value} volume" if en else w.c(f"le volume {value}", f"le volume NetApp {value}")
        else:
            value = w.db()
            engine = w.c("", "", "Oracle ", "SQL Server ", "PostgreSQL ", "MySQL ")
            phrase = (
                f"the {engine}{value} database"
                if en
                else w.c(f"la base {engine}{value}", f"la base de données {engine}{value}", f"la base {value}")
            )
        if value not in values:
            values.append(value)
            phrases.append(phrase)
    return values, join_names(phrases, w.rng, "en" if en else "fr")


def _with_scope(w: W, h: Host, text: str, p: float, en: bool = False) -> str:
    """``text`` with, at probability ``p``, what the new policy must protect: the ticket's ``paths``.

    A request for a new backup usually says which data matter (a share, a drive, a database)
    besides the server; the families that do not already list them add it here.
    """
    if "paths" in w.fields or not w.p(p):
        return text
    paths, listed = _scope(w, h, w.rng.randint(1, 2), en)
    sentence = (
        w.c(f"Scope: {listed}.", f"Please include {listed}.", f"The data to protect is {listed}.")
        if en
        else w.c(
            f"Données à sauvegarder : {listed}.",
            f"Il faut sauvegarder {listed}.",
            f"Périmètre : {listed}.",
            f"Merci d'inclure {listed}.",
            f"Les données importantes sont dans {listed}.",
            f"C'est surtout {listed} qu'il faut protéger.",
        )
    )
    w.fields["paths"] = paths
    return text + w.c(" ", "\n\n", "\n") + sentence


def _with_existing_backups(w: W, text: str, p: float, en: bool = False) -> str:
    """``text`` with, at probability ``p``, what becomes of the backups already taken: ``delete_existing_backups``.

    Whoever stops a backup is asked, sooner or later, whether its history may go; many say it
    up front, one way or the other, and a negation ("ne supprimez pas") is what decides.
    """
    if "delete_existing_backups" in w.fields or not w.p(p):
        return text
    delete = w.p(0.5)
    if en:
        sentence = (
            w.c("The existing backups can be deleted.", "Old restore points can go too.")
            if delete
            else w.c("Please keep the existing backups until they expire.", "Do not delete the old restore points.")
        )
    elif delete:
        sentence = w.c(
            "Les sauvegardes existantes peuvent être supprimées.",
            "Vous pouvez aussi purger les anciennes sauvegardes.",
            "Inutile de garder l'historique, vous pouvez tout effacer.",
            "Merci de supprimer également les points de restauration existants.",
            "Pas besoin de conserver ce qui a déjà été sauvegardé.",
        )
    else:
        sentence = w.c(
            "Merci de conserver les sauvegardes existantes jusqu'à leur expiration.",
            "Par contre, gardez l'historique : on peut encore en avoir besoin.",
            "Ne supprimez pas les sauvegardes déjà faites, s'il vous plaît.",
            "Les sauvegardes déjà réalisées doivent rester disponibles jusqu'à la fin de leur rétention.",
            "Attention, il ne faut pas effacer les anciennes sauvegardes.",
        )
    w.fields["delete_existing_backups"] = delete
    return text + w.c(" ", "\n\n") + sentence


def _set(w: W, hosts: list[str] | None = None, **kw: object) -> None:
    if hosts:
        w.fields["hostnames"] = hosts
    for k, v in kw.items():
        if v:
            w.fields[k] = v


# ================================================================== CRÉATION
def c_new_server(w: W):
    h = w.host()
    st, _sn = _sched(w)
    rt, _rn = _ret(w)
    text = w.c(
        f"Merci d'ajouter le nouveau serveur {h.name} à la sauvegarde quotidienne, rétention {rt}.",
        f"Nous venons de mettre en service {h.name} ({h.label}). Pouvez-vous le mettre en sauvegarde {st}, avec une rétention {de_ret(rt)} ?",
        f"Pouvez-vous intégrer {h.name} au périmètre BCS ? Sauvegarde {st}, conservation {rt}.",
        f"Le serveur {h.name} vient d'être installé par notre prestataire. Merci de le sauvegarder {st} (rétention {rt}).",
        f"Nouveau {h.label} en production : {h.name}. Sauvegarde souhaitée {st}, à conserver {rt}.",
        f"Il faudrait mettre en place la sauvegarde de {h.name}, {st}, avec une rétention {de_ret(rt)}.",
    )
    _set(w, [h.name], schedule=st if st in text else ("quotidienne" if "quotidienne" in text else None), retention=rt)
    text = _with_scope(w, h, text, 0.5)
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "new_server",
        w.c(f"Mise en sauvegarde {h.name}", "Nouveau serveur à sauvegarder", f"Ajout {h.name} à la sauvegarde"),
        text,
        w.reg("neutral", "neutral", "formal"),
    )


def c_vm_list(w: W):
    hs = w.hosts(w.rng.randint(2, 5))
    b = bullet(w.rng)
    st, _sn = _sched(w)
    rt, _rn = _ret(w)
    lst = "\n".join(f"{b}{h.name}" + (f" ({h.label})" if w.p(0.4) else "") for h in hs)
    text = f"Voici la liste des nouvelles VM à intégrer à la sauvegarde :\n{lst}\n\nFréquence : {st}\nRétention : {rt}"
    _set(w, [h.name for h in hs], schedule=st, retention=rt)
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "vm_list",
        w.c("Nouvelles VM à sauvegarder", "Intégration VM au BCS", "Mise en sauvegarde de VM"),
        text,
        w.reg("neutral", "formal"),
    )


def c_form(w: W):
    h = w.host()
    paths = _paths(w, h, w.rng.randint(1, 3))
    st, _sn = _sched(w)
    rt, _rn = _ret(w)
    tt, tn = _type(w)
    sep = w.c(" : ", ": ", " - ", "\t")
    text = (
        f"{w.c('Demande de création de stratégie de sauvegarde', 'NOUVELLE SAUVEGARDE', 'Formulaire BCS - création')}\n\n"
        f"{w.c('Serveur', 'Hôte', 'Machine')}{sep}{h.name}\n{w.c('Périmètre', 'Données', 'Chemins')}{sep}{', '.join(paths)}\n"
        f"{w.c('Fréquence', 'Planification')}{sep}{st}\n{w.c('Rétention', 'Conservation')}{sep}{rt}\n{w.c('Type', 'Mode')}{sep}{tt}"
    )
    _set(w, [h.name], paths=paths, schedule=st, retention=rt, backup_type=tn)
    return w.draft(
        "form",
        w.c("Création stratégie de sauvegarde", "[Formulaire] Nouvelle sauvegarde"),
        text,
        w.reg("bare", "neutral"),
    )


def c_new_db(w: W):
    h = w.host(w.c("SQL", "BDD"))
    db = w.db()
    st, _sn = _sched(w)
    text = w.c(
        f"Une nouvelle base {db} a été créée sur {h.name}. Merci de l'ajouter à la sauvegarde applicative SQL, {st}.",
        f"Pouvez-vous mettre en sauvegarde la base {db} hébergée sur {h.name} ? Fréquence : {st}.",
    )
    _set(w, [h.name], paths=[db], schedule=st)
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "new_database", w.c(f"Sauvegarde base {db}", "Nouvelle base à sauvegarder"), text, w.reg("neutral", "formal")
    )


def c_new_folder(w: W):
    h = w.host(w.c("FIC", "FS", "FILE"))
    folder, _ = w.folder(server=h, flavor=w.c("unc", "win"))
    rt, _rn = _ret(w)
    text = w.c(
        f"Nous avons créé un nouveau partage {folder} sur {h.name}. Il n'est pas dans le périmètre actuel, pouvez-vous l'ajouter avec une rétention {de_ret(rt)} ?",
        f"Merci de mettre en sauvegarde le nouveau répertoire {folder} ({h.name}), rétention {rt}.",
    )
    _set(w, [h.name], paths=[folder], retention=rt)
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "new_folder",
        w.c("Nouveau partage à sauvegarder", "Ajout répertoire sauvegarde"),
        text,
        w.reg("neutral", "formal"),
    )


def c_project(w: W):
    hs = w.hosts(w.rng.randint(1, 3))
    names = join_names([h.name for h in hs], w.rng)
    d = w.future(3, 40)
    st, _sn = _sched(w)
    rt, _rn = _ret(w)
    tt, tn = _type(w)
    text = (
        f"Dans le cadre du projet {w.c('de nouvel ERP', 'de GED', 'de dématérialisation', 'd’intranet', 'de téléphonie')}, "
        f"les serveurs {names} seront mis en production {d.when}.\n\nNous souhaitons qu'ils soient sauvegardés {st}, "
        f"en mode {tt}, avec une rétention {de_ret(rt)}. Merci de nous confirmer la faisabilité et la date de mise en place."
    )
    _set(w, [h.name for h in hs], schedule=st, retention=rt, backup_type=tn)
    text = _with_scope(w, hs[0], text, 0.4)
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "project_context",
        w.c("Mise en sauvegarde - nouveau projet", "Sauvegarde des serveurs du projet"),
        text,
        w.reg("formal", "neutral"),
    )


def c_informal(w: W):
    h = w.host()
    text = w.c(
        f"salut, on a monté {h.name}, tu peux le mettre en backup stp ? comme les autres",
        f"hello, nouveau serveur {h.name} à ajouter dans les sauvegardes, même config que d'hab. merci !",
        f"tu peux rajouter {h.name} dans le job de la nuit ? thx",
    )
    _set(w, [h.name])
    text = _with_scope(w, h, text, 0.3)
    return w.draft(
        "informal", w.c("backup nouveau serveur", h.name, "ajout sauvegarde"), text, "informal", greet=w.p(0.4)
    )


def c_english(w: W):
    hs = w.hosts(w.rng.randint(1, 2))
    st, _sn = _sched(w, en=True)
    rt, _rn = _ret(w, en=True)
    names = join_names([h.name for h in hs], w.rng, "en")
    text = f"Please add {names} to the backup, {st}, with a retention of {rt}. Full backup on weekends would be great."
    _set(w, [h.name for h in hs], schedule=st, retention=rt)
    text = _with_scope(w, hs[0], text, 0.4, en=True)
    return w.draft("english", w.c("New servers to back up", "Backup request"), text, "english")


def c_formal(w: W):
    hs = w.hosts(w.rng.randint(1, 2))
    names = join_names([h.name for h in hs], w.rng)
    rt, _rn = _ret(w)
    text = (
        f"Conformément aux exigences {w.c('HDS', 'de notre politique de sécurité', 'de notre PSSI', 'réglementaires')}, "
        f"je vous demande de bien vouloir mettre en place la sauvegarde des serveurs {names}, avec une conservation {de_ret(rt)} "
        f"et une copie externalisée."
    )
    _set(w, [h.name for h in hs], retention=rt)
    text = _with_scope(w, hs[0], text, 0.4)
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "formal_letter", w.c("Mise en place de sauvegarde", "Demande de création de sauvegarde"), text, "formal"
    )


def c_linux(w: W):
    h = w.host(w.c("WEB", "APP", "DEV", "GLPI"))
    paths = [
        p
        for p in w.rng.sample(
            ["/etc", "/var/www", "/var/lib/mysql", "/home", "/opt/app", "/var/lib/pgsql", "/srv"], k=3
        )
    ]
    w.keep(*paths)
    text = (
        f"Merci de créer une sauvegarde pour {h.name} (Linux). Répertoires à inclure : {', '.join(paths)}. "
        f"Exclure /tmp et /var/cache. {w.c('Un dump MySQL tourne à 21h, la sauvegarde doit passer après.', '')}"
    )
    _set(w, [h.name], paths=paths)
    return w.draft(
        "linux_paths",
        w.c(f"Sauvegarde serveur Linux {h.name}", "Création sauvegarde Linux"),
        text,
        w.reg("neutral", "informal"),
    )


def c_snapshot(w: W):
    hs = w.hosts(w.rng.randint(1, 3))
    names = join_names([h.name for h in hs], w.rng)
    rt, _rn = _ret(w)
    text = (
        f"Pour nos VM critiques ({names}), nous souhaiterions une protection par snapshot toutes les 4 heures en journée, "
        f"rétention {rt}."
    )
    _set(w, [h.name for h in hs], schedule="toutes les 4 heures en journée", retention=rt, backup_type="snapshot")
    w.keep("toutes les 4 heures en journée")
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "snapshot_vm", w.c("Snapshots VM critiques", "Protection par snapshot"), text, w.reg("neutral", "formal")
    )


def c_followup_meeting(w: W):
    hs = w.hosts(w.rng.randint(2, 4))
    d = w.past(1, 10)
    b = bullet(w.rng)
    lst = "\n".join(f"{b}{h.name}" for h in hs)
    text = (
        f"Suite à notre réunion {d.of}, voici la liste des serveurs à intégrer à la sauvegarde BCS :\n\n{lst}\n\n"
        f"Les paramètres restent ceux convenus (quotidienne, rétention 30 jours)."
    )
    w.keep("quotidienne", "rétention 30 jours")
    _set(w, [h.name for h in hs], schedule="quotidienne", retention="30 jours")
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "followup_meeting",
        w.c("Suite réunion - serveurs à sauvegarder", "Liste des serveurs à intégrer"),
        text,
        w.reg("neutral", "formal"),
    )


def c_mixed_types(w: W):
    h = w.host()
    rt, _rn = _ret(w)
    text = (
        f"Pouvez-vous créer une stratégie pour {h.name} : une complète le samedi et des incrémentales du lundi au vendredi, "
        f"avec une rétention {de_ret(rt)} ?"
    )
    w.keep("une complète le samedi et des incrémentales du lundi au vendredi")
    _set(w, [h.name], retention=rt, schedule="une complète le samedi et des incrémentales du lundi au vendredi")
    text = _with_scope(w, h, text, 0.4)
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "full_plus_incremental", w.c("Création stratégie", f"Sauvegarde {h.name}"), text, w.reg("neutral", "formal")
    )


# ================================================================== SUPPRESSION
def s_decom(w: W):
    h = w.host()
    d = w.future(1, 45)
    text = w.c(
        f"Le serveur {h.name} est décommissionné, merci de le retirer de la sauvegarde {d.from_}.",
        f"{h.name} sera arrêté définitivement {d.when}. Merci de le sortir du périmètre de sauvegarde à cette date.",
        f"Merci de supprimer {h.name} de la sauvegarde {d.from_}, le serveur est décommissionné.",
        f"Nous arrêtons {h.name} ({h.label}) {d.when}, il a été remplacé. Pouvez-vous le retirer du périmètre BCS ?",
        f"Fin de vie pour {h.name} : plus besoin de le sauvegarder {d.from_}.",
        f"Pour information, {h.name} sera éteint {d.when}. Merci de désactiver sa sauvegarde à partir de cette date.",
        f"Le {h.label} {h.name} n'est plus utilisé. Vous pouvez arrêter sa sauvegarde {d.from_}.",
    )
    _set(w, [h.name], effective_date=d.iso)
    text = _with_existing_backups(w, text, 0.4)
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "decommission",
        w.c(f"Décommissionnement {h.name}", "Retrait de la sauvegarde", "Suppression sauvegarde"),
        text,
        w.reg("neutral", "formal"),
    )


def s_decom_delete(w: W):
    h = w.host()
    d = w.future(0, 30)
    text = (
        f"{h.name} a été {w.c('remplacé', 'migré', 'arrêté')}. Merci de le retirer de la sauvegarde {d.from_} et de "
        f"{w.c('supprimer également les sauvegardes existantes', 'purger toutes ses sauvegardes', 'supprimer l’historique de sauvegarde')}, "
        f"nous n'en avons plus besoin."
    )
    _set(w, [h.name], effective_date=d.iso)
    w.fields["delete_existing_backups"] = True
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "decommission_delete",
        w.c("Suppression sauvegarde + historique", f"Retrait {h.name}"),
        text,
        w.reg("neutral", "formal"),
    )


def s_decom_keep(w: W):
    h = w.host()
    d = w.future(0, 30)
    text = (
        f"Merci d'arrêter la sauvegarde de {h.name} {d.from_}. "
        f"{w.c('Conservez', 'Merci de conserver', 'Gardez')} par contre les sauvegardes existantes jusqu'à expiration de la rétention."
    )
    _set(w, [h.name], effective_date=d.iso)
    w.fields["delete_existing_backups"] = False
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "decommission_keep", w.c("Arrêt sauvegarde", f"Arrêt sauvegarde {h.name}"), text, w.reg("neutral", "formal")
    )


def s_migration(w: W):
    hs = w.hosts(w.rng.randint(1, 3))
    names = join_names([h.name for h in hs], w.rng)
    d = w.future(1, 30)
    text = (
        f"Suite à la migration de {names} vers {w.c('Azure', 'AWS', 'le cloud de notre éditeur', 'un hébergement SaaS')}, "
        f"merci de ne plus sauvegarder ces serveurs {d.from_}."
    )
    _set(w, [h.name for h in hs], effective_date=d.iso)
    text = _with_existing_backups(w, text, 0.4)
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "migration_cloud", w.c("Arrêt sauvegarde - migration", "Serveurs migrés"), text, w.reg("neutral", "formal")
    )


def s_list(w: W):
    hs = w.hosts(w.rng.randint(2, 5))
    b = bullet(w.rng)
    lst = "\n".join(f"{b}{h.name}" for h in hs)
    d = w.future(1, 40)
    text = f"Merci de retirer de la sauvegarde les serveurs suivants {d.from_} :\n{lst}\n\nIls sont éteints."
    _set(w, [h.name for h in hs], effective_date=d.iso)
    text = _with_existing_backups(w, text, 0.35)
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "list_servers",
        w.c("Retrait de serveurs de la sauvegarde", "Serveurs à supprimer du BCS"),
        text,
        w.reg("neutral", "formal"),
    )


def s_form(w: W):
    h = w.host()
    d = w.future(1, 30)
    date_txt = d.value.strftime(w.c("%d/%m/%Y", "%Y-%m-%d")) if d.value else d.when
    w.keep(date_txt)
    dele = w.p(0.5)
    sep = w.c(" : ", ": ", " - ")
    text = (
        f"{w.c('Demande de suppression de sauvegarde', 'SUPPRESSION STRATÉGIE', 'Formulaire BCS - suppression')}\n\n"
        f"{w.c('Serveur', 'Hôte')}{sep}{h.name}\n{w.c('Date d’effet', 'À partir du')}{sep}{date_txt}\n"
        f"{w.c('Suppression des sauvegardes existantes', 'Purge historique')}{sep}{'Oui' if dele else 'Non'}"
    )
    _set(w, [h.name], effective_date=d.value.isoformat() if d.value else None)
    w.fields["delete_existing_backups"] = dele
    return w.draft(
        "form", w.c("Suppression stratégie de sauvegarde", "[Formulaire] Suppression"), text, w.reg("bare", "neutral")
    )


def s_informal(w: W):
    h = w.host()
    text = w.c(
        f"slt, {h.name} est mort, tu peux le virer des sauvegardes ?",
        f"hello, tu peux sortir {h.name} du backup stp, on l'a éteint",
        f"{h.name} à dégager des sauvegardes, merci !",
    )
    _set(w, [h.name])
    text = _with_existing_backups(w, text, 0.25)
    return w.draft("informal", w.c("backup", f"{h.name} à retirer", "suppression"), text, "informal", greet=w.p(0.4))


def s_english(w: W):
    h = w.host()
    d = w.future(1, 30, lang="en")
    text = f"Please remove {h.name} from the backup scope {d.from_}. The server has been decommissioned."
    _set(w, [h.name], effective_date=d.iso)
    if w.p(0.5):
        w.fields["delete_existing_backups"] = False
        text += " Please keep the existing restore points until they expire."
    return w.draft("english", w.c("Remove server from backup", "Decommissioned server"), text, "english")


def s_formal(w: W):
    h = w.host()
    d = w.future(1, 60)
    text = (
        f"Je vous informe que le serveur {h.name} sera définitivement retiré de notre infrastructure {d.when}. "
        f"Je vous remercie de bien vouloir procéder à la suppression de sa stratégie de sauvegarde à compter de cette date."
    )
    _set(w, [h.name], effective_date=d.iso)
    text = _with_existing_backups(w, text, 0.4)
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "formal_letter",
        w.c("Retrait d'un serveur du périmètre de sauvegarde", "Décommissionnement serveur"),
        text,
        "formal",
    )


def s_cost(w: W):
    hs = w.hosts(w.rng.randint(1, 3))
    names = join_names([h.name for h in hs], w.rng)
    text = (
        f"Pour réduire notre facture, nous souhaitons ne plus sauvegarder {names} (serveurs de test). "
        f"Vous pouvez supprimer les sauvegardes existantes."
    )
    _set(w, [h.name for h in hs])
    w.fields["delete_existing_backups"] = True
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "cost_reduction",
        w.c("Réduction du périmètre de sauvegarde", "Serveurs de test à retirer"),
        text,
        w.reg("neutral", "formal"),
    )


def s_question_style(w: W):
    h = w.host()
    text = (
        f"Peut-on arrêter la sauvegarde de {h.name} dès aujourd'hui ? Le serveur n'est plus utilisé. "
        f"Que deviennent les sauvegardes déjà réalisées ?"
    )
    w.keep("dès aujourd'hui")
    _set(w, [h.name], effective_date=w.sent.date().isoformat())
    return w.draft(
        "question_style", w.c("Arrêt sauvegarde ?", f"Sauvegarde {h.name}"), text, w.reg("neutral", "informal")
    )


def s_vm_deleted(w: W):
    h = w.host()
    d = w.past(1, 5)
    text = (
        f"La VM {h.name} a été supprimée {d.when}, c'est pour ça que le job est en échec depuis. "
        f"Merci de la retirer de la sauvegarde."
    )
    _set(w, [h.name])
    text = _with_existing_backups(w, text, 0.3)
    return w.draft(
        "vm_already_deleted", w.c(f"{h.name} supprimée", "Retrait VM supprimée"), text, w.reg("neutral", "informal")
    )


# ================================================================== MODIFICATION
def m_retention(w: W):
    h = w.host()
    old_t, old_n = _ret(w)
    rt, rn = _ret(w)
    while rn == old_n:
        rt, rn = _ret(w)
    text = w.c(
        f"Pouvez-vous passer la rétention de {h.name} {de_ret(old_t)} à {rt} ?",
        f"Merci de modifier la durée de conservation des sauvegardes de {h.name} : {rt} au lieu de {old_t}.",
        f"Nous avons besoin d'allonger la rétention de {h.name} à {rt}.",
        f"Suite à une demande de notre DAF, la rétention de {h.name} doit passer à {rt} (actuellement {old_t}).",
        f"Serait-il possible de réduire la rétention de {h.name} à {rt} ? {old_t}, c'est trop pour ce serveur.",
        f"{h.name} : merci d'appliquer une rétention de {rt} au lieu de {old_t}.",
        f"Je souhaite modifier la stratégie de {h.name} : rétention {rt}.",
    )
    _set(w, [h.name], retention=rt, requested_change=f"Passer la rétention de {h.name} à {rn}.")
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "retention_change", w.c("Modification rétention", f"Rétention {h.name}"), text, w.reg("neutral", "formal")
    )


def m_schedule(w: W):
    h = w.host()
    st, sn = _sched(w)
    text = w.c(
        f"La sauvegarde de {h.name} ralentit les traitements de nuit. Pouvez-vous la décaler : {st} ?",
        f"Merci de modifier la planification de {h.name} : désormais {st}.",
        f"Est-il possible de changer l'horaire de sauvegarde de {h.name} pour {st} ? Nous avons un batch qui tourne en même temps.",
        f"Nous changeons nos horaires de production. La sauvegarde de {h.name} devra désormais tourner {st}.",
        f"{h.name} : merci de reprogrammer la sauvegarde {st}, elle perturbe l'export comptable de nuit.",
        f"Pouvez-vous modifier la fréquence de sauvegarde de {h.name} ? Nous souhaitons {st}.",
    )
    _set(w, [h.name], schedule=st, requested_change=f"Modifier la planification de {h.name} : {sn}.")
    return w.draft(
        "schedule_change",
        w.c("Changement horaire sauvegarde", f"Planification {h.name}"),
        text,
        w.reg("neutral", "formal", "informal"),
    )


def m_add_folder(w: W):
    h = w.host(w.c("FIC", "FS", "FILE", "APP"))
    folder, _ = w.folder(server=h)
    text = (
        f"Merci d'ajouter le répertoire {folder} à la sauvegarde existante de {h.name}. "
        f"{w.c('Il contient les nouvelles données du service RH.', 'Il n’était pas inclus jusqu’à présent.', '')}"
    )
    _set(w, [h.name], requested_change=f"Ajouter {folder} au périmètre de sauvegarde de {h.name}.")
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "add_folder", w.c("Ajout répertoire à la sauvegarde", f"Périmètre {h.name}"), text, w.reg("neutral", "formal")
    )


def m_exclude(w: W):
    h = w.host()
    ex = w.c(
        "*.iso",
        "D:\\Temp",
        "les fichiers .mp4",
        "C:\\Windows\\Temp",
        "/var/cache",
        "le dossier Téléchargements",
        "E:\\Archives_old",
    )
    w.keep(ex)
    text = f"La sauvegarde de {h.name} est trop volumineuse. Pouvez-vous exclure {ex} du périmètre ?"
    _set(w, [h.name], requested_change=f"Exclure {ex} de la sauvegarde de {h.name}.")
    return w.draft(
        "exclude_folder", w.c("Exclusion sauvegarde", f"Exclusion sur {h.name}"), text, w.reg("neutral", "informal")
    )


def m_type(w: W):
    h = w.host()
    text = w.c(
        f"Nous souhaiterions ajouter une sauvegarde complète hebdomadaire le samedi sur {h.name}, en plus des incrémentales.",
        f"Pouvez-vous passer {h.name} en sauvegarde complète tous les soirs plutôt qu'en incrémental ?",
    )
    sched = "hebdomadaire le samedi" if "samedi" in text else "tous les soirs"
    w.keep(sched)
    _set(
        w, [h.name], schedule=sched, requested_change=f"Changer le type de sauvegarde de {h.name} (ajout de complètes)."
    )
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "type_change", w.c("Changement type de sauvegarde", f"Full sur {h.name}"), text, w.reg("neutral", "formal")
    )


def m_frequency(w: W):
    h = w.host()
    text = (
        f"Suite à la mise en production de {w.c('la nouvelle version de l’ERP', 'notre GED', 'la caisse')}, la sauvegarde "
        f"quotidienne de {h.name} ne suffit plus. Pouvez-vous la passer toutes les 4 heures ?"
    )
    w.keep("toutes les 4 heures")
    _set(
        w,
        [h.name],
        schedule="toutes les 4 heures",
        requested_change=f"Augmenter la fréquence de sauvegarde de {h.name} à toutes les 4 heures.",
    )
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "frequency_increase", w.c("Augmenter la fréquence", "Fréquence sauvegarde"), text, w.reg("neutral", "formal")
    )


def m_form(w: W):
    h = w.host()
    st, sn = _sched(w)
    rt, rn = _ret(w)
    sep = w.c(" : ", ": ", " - ")
    text = (
        f"{w.c('Demande de modification de stratégie', 'MODIFICATION SAUVEGARDE', 'Formulaire BCS - modification')}\n\n"
        f"{w.c('Serveur', 'Hôte')}{sep}{h.name}\n{w.c('Nouvelle fréquence', 'Planification')}{sep}{st}\n"
        f"{w.c('Nouvelle rétention', 'Rétention')}{sep}{rt}\n{w.c('Motif', 'Justification')}{sep}"
        f"{w.c('exigence métier', 'audit', 'réduction des coûts', 'nouvelle application')}"
    )
    _set(
        w,
        [h.name],
        schedule=st,
        retention=rt,
        requested_change=f"Modifier la fréquence ({sn}) et la rétention ({rn}) de {h.name}.",
    )
    return w.draft(
        "form", w.c("Modification stratégie de sauvegarde", "[Formulaire] Modification"), text, w.reg("bare", "neutral")
    )


def m_informal(w: W):
    h = w.host()
    rt, rn = _ret(w)
    text = w.c(
        f"slt, tu peux passer {h.name} à {rt} de rétention stp ?",
        f"hello, on peut monter la rétention de {h.name} à {rt} ? merci",
    )
    _set(w, [h.name], retention=rt, requested_change=f"Passer la rétention de {h.name} à {rn}.")
    return w.draft("informal", w.c("rétention", h.name, "modif backup"), text, "informal", greet=w.p(0.4))


def m_english(w: W):
    h = w.host()
    rt, rn = _ret(w, en=True)
    text = f"Could you please change the retention for {h.name} to {rt}? Audit requirement."
    _set(w, [h.name], retention=rt, requested_change=f"Passer la rétention de {h.name} à {rn}.")
    return w.draft("english", w.c("Retention change", f"Backup policy change {h.name}"), text, "english")


def m_formal(w: W):
    hs = w.hosts(w.rng.randint(1, 3))
    names = join_names([h.name for h in hs], w.rng)
    rt, rn = _ret(w)
    text = (
        f"Suite à la revue de notre politique de sécurité, je vous remercie de bien vouloir porter la durée de "
        f"conservation des sauvegardes des serveurs {names} à {rt}."
    )
    _set(w, [h.name for h in hs], retention=rt, requested_change=f"Porter la rétention des serveurs cités à {rn}.")
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "formal_letter", w.c("Modification de la politique de rétention", "Évolution de la rétention"), text, "formal"
    )


def m_multi(w: W):
    hs = w.hosts(w.rng.randint(2, 4))
    b = bullet(w.rng)
    st, sn = _sched(w)
    lst = "\n".join(f"{b}{h.name}" for h in hs)
    text = f"Merci de modifier la planification des serveurs suivants, désormais {st} :\n{lst}"
    _set(w, [h.name for h in hs], schedule=st, requested_change=f"Passer la planification des serveurs listés en {sn}.")
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "multiple_servers",
        w.c("Modification planification", "Changement horaire plusieurs serveurs"),
        text,
        w.reg("neutral", "formal"),
    )


def m_window(w: W):
    h = w.host()
    text = (
        f"La sauvegarde de {h.name} tourne encore à 8h et gêne les utilisateurs. Pouvez-vous la démarrer plus tôt, "
        f"vers 19h ?"
    )
    w.keep("vers 19h")
    _set(
        w,
        [h.name],
        schedule="vers 19h",
        requested_change=f"Avancer l'heure de début de la sauvegarde de {h.name} à 19h.",
    )
    return w.draft(
        "move_window", w.c("Horaire de sauvegarde", "Sauvegarde trop tardive"), text, w.reg("neutral", "informal")
    )


def m_legal(w: W):
    h = w.host()
    text = (
        f"Nos obligations d'archivage nous imposent de conserver les données comptables 10 ans. Pouvez-vous mettre en place "
        f"une sauvegarde mensuelle de {h.name} conservée 10 ans, en plus de la sauvegarde quotidienne actuelle ?"
    )
    w.keep("10 ans", "mensuelle")
    _set(
        w,
        [h.name],
        schedule="mensuelle",
        retention="10 ans",
        requested_change=f"Ajouter une sauvegarde mensuelle de {h.name} conservée 10 ans.",
    )
    return w.draft("legal_retention", w.c("Archivage légal", "Rétention 10 ans"), text, w.reg("formal", "neutral"))


# ================================================================== other registers and writers
# Laypeople who do not know the word "stratégie", one-liners, long stories with the request at
# the end, and English speakers, for each of the three categories.

_APPS = (
    "le logiciel de paie",
    "la comptabilité",
    "le logiciel de planning",
    "la GED",
    "le logiciel métier",
    "la caisse",
    "le nouvel ERP",
    "la téléphonie",
    "le logiciel de gestion commerciale",
    "la vidéosurveillance",
)
_INSTALLERS = (
    "Notre prestataire vient d'installer",
    "On a reçu et fait installer",
    "L'éditeur de notre logiciel nous a mis en place",
    "Le fournisseur a livré la semaine dernière",
    "Notre informaticien a monté",
    "La société qui gère nos logiciels a installé",
    "Nous avons acheté",
)
# (what was installed, feminine)
_NEW_THING: tuple[tuple[str, bool], ...] = (
    ("un nouveau serveur", False),
    ("une nouvelle machine", True),
    ("un nouveau serveur pour {app}", False),
    ("une nouvelle machine pour {app}", True),
    ("un serveur neuf qui remplace l'ancien", False),
    ("une nouvelle VM", True),
    ("un nouvel ordinateur qui sert de serveur pour {app}", False),
)
# {le}/{il}/{e}/{lui}: pronouns and agreement of the installed thing
_LAY_ASKS = (
    "Il faudrait {le} sauvegarder aussi.",
    "Est-ce que vous pouvez faire en sorte qu'{il} soit sauvegardé{e} comme les autres ?",
    "Il faudrait qu'{il} soit dans vos sauvegardes.",
    "Je suppose qu'il faut que vous {le} mettiez dans la sauvegarde de la nuit ?",
    "Merci de faire le nécessaire pour qu'{il} soit sauvegardé{e}, je ne sais pas trop ce qu'il faut vous dire.",
    "Pouvez-vous {le} rajouter à ce que vous sauvegardez chez nous ?",
    "il faudrait penser à {le} sauvegarder {lui} aussi svp",
    "Il faut que vous {le} sauvegardiez aussi je pense, dites-moi si vous avez besoin d'autre chose.",
    "Est-ce que vous pouvez {le} prendre en charge pour les sauvegardes ?",
    "Il faudrait qu'{il} soit sauvegardé{e} toutes les nuits comme le reste.",
)


def c_layperson(w: W):
    thing, fem = w.cl(_NEW_THING)
    thing = thing.format(app=w.cl(_APPS))
    pron = (
        {"le": "la", "il": "elle", "e": "e", "lui": "elle"} if fem else {"le": "le", "il": "il", "e": "", "lui": "lui"}
    )
    text = f"{w.cl(_INSTALLERS)} {thing}. {w.cl(_LAY_ASKS).format(**pron)}"
    if w.p(0.7):
        h = w.host()
        il = pron["il"].capitalize()
        text += " " + w.c(
            f"{il} s'appelle {h.name}.",
            f"Son nom : {h.name}.",
            f"Sur l'étiquette il y a marqué {h.name}.",
            f"Le prestataire me dit que son nom est {h.name}.",
            f"(nom : {h.name})",
            f"C'est {h.name} je crois.",
        )
        _set(w, [h.name])
        text = _with_scope(w, h, text, 0.3)
    if w.p(0.3):
        st, _sn = _sched(w)
        text += " " + w.c(
            f"Idéalement {st}.", f"Si possible {st}, comme les autres.", f"On aimerait que ce soit fait {st}."
        )
        _set(w, schedule=st)
    if w.p(0.3):
        rt, _rn = _ret(w)
        text += " " + w.c(
            f"Et on aimerait pouvoir retrouver les fichiers jusqu'à {rt} en arrière.",
            f"On voudrait garder {rt} d'historique.",
            f"Le prestataire parle de garder {rt}, c'est bien ça ?",
        )
        _set(w, retention=rt)
    return w.draft(
        "layperson_new_server",
        w.c(
            "Nouveau serveur",
            "sauvegarde nouveau serveur",
            "Nouvelle machine",
            "Sauvegarde",
            "Serveur à sauvegarder",
            "nouveau serveur à sauvegarder",
        ),
        text,
        w.reg("neutral", "informal", "phone"),
    )


def c_short(w: W):
    h = w.host()
    st, _sn = _sched(w)
    rt, _rn = _ret(w)
    text = w.c(
        f"{h.name} à sauvegarder svp",
        f"merci d'ajouter {h.name} au backup",
        f"+1 serveur à sauvegarder : {h.name}",
        f"nouvelle VM {h.name} -> backup {st} stp",
        f"backup de {h.name} à mettre en place, rétention {rt}",
        f"tu peux mettre {h.name} en sauvegarde ? même politique que les autres",
        f"{h.name} en prod depuis ce matin, à ajouter dans les sauvegardes",
        f"pense à sauvegarder {h.name} stp, il part en prod",
        f"peux tu rajouter {h.name} dans les sauvgardes stp",
        f"merci dajouter {h.name} a la sauvegarde {st}",
        f"{h.name} : backup {st}, rétention {rt}. merci",
        f"mise en sauvegarde {h.name} svp ({st}, garder {rt})",
        f"{h.name} pas encore sauvegardé, tu peux l'ajouter ?",
    )
    _set(w, [h.name], schedule=st if st in text else None, retention=rt if rt in text else None)
    text = _with_scope(w, h, text, 0.3)
    text = w.quick(text)
    return w.draft(
        "short_request",
        w.c(h.name, "backup", "sauvegarde", f"ajout {h.name}", "", "nouveau serveur"),
        text,
        w.c("phone", "informal", "informal", "bare"),
        greet=w.p(0.45),
        extras=False,
    )


_MIGRATIONS = (
    "la migration de notre logiciel de gestion",
    "le remplacement de notre vieux serveur de fichiers",
    "la refonte de notre infrastructure",
    "le passage à la nouvelle version {de_app}",
    "le déménagement {de_app} sur une machine plus récente",
)


def c_long_story(w: W):
    h = w.host()
    old = w.host()
    d = w.future(1, 20)
    st, _sn = _sched(w)
    rt, _rn = _ret(w)
    mig = w.cl(_MIGRATIONS).format(de_app=de_(w.cl(_APPS)))
    p1 = w.c(
        f"Je vous écris car nous arrivons au bout {de_(mig)}. Depuis plusieurs semaines, notre prestataire prépare un nouveau serveur, {h.name}, qui va remplacer {old.name}.",
        f"Un peu de contexte : dans le cadre {de_(mig)}, nous avons installé le mois dernier un nouveau serveur, {h.name}. L'ancien ({old.name}) reste allumé pour l'instant, nous vous dirons plus tard quand l'arrêter.",
        f"Comme vous le savez peut-être, nous avons lancé cette année {mig}. Le nouveau serveur s'appelle {h.name} et succède à {old.name}.",
    )
    p2 = w.c(
        f"Les utilisateurs basculent dessus {d.when}. Je me suis rendu compte ce matin que personne ne vous avait prévenus, donc a priori {h.name} n'est pas sauvegardé aujourd'hui, ce qui m'inquiète un peu.",
        f"La mise en production est prévue {d.when}, et je voudrais éviter qu'il tourne ne serait-ce qu'une nuit sans sauvegarde.",
        f"Tout devrait être opérationnel {d.when}. Notre prestataire m'a rappelé hier que la sauvegarde n'était pas de son ressort mais du vôtre.",
    )
    p3 = w.c(
        f"Pourriez-vous donc le mettre en sauvegarde {st} ? Pour la durée de conservation, nous aimerions la même chose que pour l'ancien, c'est-à-dire {rt} si je ne me trompe pas.",
        f"Pouvez-vous le mettre en sauvegarde {st}, avec une conservation {de_ret(rt)} ?",
        f"Merci donc de prévoir sa sauvegarde : {st}, rétention {rt}. Si vous avez besoin d'autres informations, je suis disponible.",
    )
    end = w.c(
        "Merci, et désolé de m'y prendre si tard.",
        "Merci d'avance, et n'hésitez pas si quelque chose n'est pas clair.",
        "",
        "",
    )
    text = "\n\n".join(x for x in (p1, p2, p3, end) if x)
    _set(w, [h.name], schedule=st, retention=rt)
    text = _with_scope(w, h, text, 0.5)
    return w.draft(
        "long_story",
        w.c(
            f"Nouveau serveur {h.name}",
            "Migration - sauvegarde du nouveau serveur",
            f"Remplacement de {old.name}",
            "Mise en sauvegarde",
        ),
        text,
        w.reg("neutral", "formal"),
    )


def c_english_client(w: W):
    h = w.host()
    st, _sn = _sched(w, en=True)
    rt, _rn = _ret(w, en=True)
    role = w.c("file server", "application server", "VM", "SQL server", "web server", "domain controller")
    hs = [h]
    text = w.c(
        f"We've just deployed a new {role} ({h.name}). Could you please add it to the backup, {st}, with a retention of {rt}?",
        f"Can you make sure our new {role} {h.name} is included in the backups? Same settings as the other servers.",
        f"Please start backing up {h.name} as of today. Retention: {rt}.",
        f"Heads up: {h.name} went live this week and isn't backed up yet. Please set up a backup {st}, keeping {rt}.",
        f"Hi, we need {h.name} added to the backup scope ASAP - it's the new {role} for our finance team.",
        f"could u add {h.name} to the backups pls, {st}. thx",
    )
    if w.p(0.25):
        h2 = w.host()
        if h2.name != h.name:
            hs.append(h2)
            text += " " + w.c(f"Same for {h2.name}, please.", f"{h2.name} too if possible.", f"And also {h2.name}.")
    _set(w, [x.name for x in hs], schedule=st if st in text else None, retention=rt if rt in text else None)
    text = _with_scope(w, h, text, 0.4, en=True)
    return w.draft(
        "english_client",
        w.c("New server backup", "Backup for new VM", "Please back up " + h.name, "New server"),
        text,
        "english",
    )


# ---------------------------------------------------------------- suppression
_OLD_THING = (
    "le serveur de la compta",
    "notre vieux serveur",
    "le serveur de fichiers",
    "le serveur du logiciel de paie",
    "l'ordinateur qui servait de serveur à l'accueil",
    "le serveur {de_app}",
    "le PC qui faisait tourner {app}",
)
_OLD_APPS = tuple(a for a in _APPS if "nouv" not in a)
_REPLACED_WHEN = (
    "le mois dernier",
    "cet été",
    "il y a quelques semaines",
    "récemment",
    "en début d'année",
    "la semaine dernière",
)
_STOP_ASKS = (
    "On n'a plus besoin de sauvegarder l'ancien.",
    "L'ancien ne sert plus à rien, vous pouvez arrêter de le sauvegarder.",
    "Est-ce que vous pouvez arrêter de sauvegarder l'ancien ? Il est débranché.",
    "Plus la peine de sauvegarder l'ancien, il a été repris par le fournisseur.",
    "L'ancien part à la benne, donc ce n'est plus la peine de le sauvegarder.",
    "Il faudrait arrêter les sauvegardes de l'ancien, on ne s'en sert plus du tout.",
    "vous pouvez arreter de sauvegarder l'ancien, il est eteint.",
    "On m'a dit qu'il fallait vous prévenir pour que vous arrêtiez de sauvegarder l'ancien, c'est donc chose faite !",
)


def s_layperson(w: W):
    app = w.cl(_OLD_APPS)
    thing = w.cl(_OLD_THING).format(app=app, de_app=de_(app))
    text = f"On a changé {thing} {w.cl(_REPLACED_WHEN)}. {w.cl(_STOP_ASKS)}"
    if w.p(0.7):
        h = w.host()
        text += " " + w.c(
            f"(c'est {h.name} je crois)",
            f"Son nom : {h.name}.",
            f"Sur vos rapports il apparaît sous le nom {h.name}.",
            f"Il s'appelait {h.name}.",
        )
        _set(w, [h.name])
    if w.p(0.35):
        d = w.future(1, 30)
        text += " " + w.c(
            f"Vous pouvez arrêter {d.from_}.", f"C'est bon pour nous {d.from_}.", f"Il sera débranché {d.when}."
        )
        _set(w, effective_date=d.iso)
    r = w.rng.random()
    if r < 0.3:
        text += " " + w.c(
            "Pour ce qui a déjà été sauvegardé, gardez-le quand même au cas où.",
            "Par contre gardez les anciennes sauvegardes, on ne sait jamais.",
        )
        w.fields["delete_existing_backups"] = False
    elif r < 0.5:
        text += " " + w.c(
            "Vous pouvez tout effacer, on a récupéré ce qu'il fallait.",
            "Les vieilles sauvegardes peuvent être supprimées aussi.",
        )
        w.fields["delete_existing_backups"] = True
    return w.draft(
        "layperson_old_server",
        w.c(
            "Ancien serveur",
            "Sauvegarde ancien serveur",
            "Plus besoin de sauvegarder",
            "Sauvegarde",
            "ancien serveur débranché",
        ),
        text,
        w.reg("neutral", "informal", "phone"),
    )


def s_short(w: W):
    h = w.host()
    d = w.future(0, 20)
    text = w.c(
        f"{h.name} : stop backup svp",
        f"plus besoin de sauvegarder {h.name}",
        f"{h.name} décom, à retirer du BCS",
        f"retirez {h.name} des sauvegardes merci",
        f"{h.name} éteint définitivement -> plus de backup",
        f"backup {h.name} à arrêter {d.from_}",
        f"stop sauvegarde {h.name} {d.from_}, on garde l'historique",
        f"{h.name} supprimé, vous pouvez purger ses sauvegardes",
        f"tu peux enlever {h.name} du backup stp",
        f"{h.name} n'existe plus, a sortir des sauvegardes",
        f"arret sauvegarde {h.name} svp, serveur rendu au loueur",
    )
    _set(w, [h.name], effective_date=d.iso if d.from_ in text else None)
    if "garde l'historique" in text:
        w.fields["delete_existing_backups"] = False
    elif "purger" in text:
        w.fields["delete_existing_backups"] = True
    text = w.quick(text)
    return w.draft(
        "short_request",
        w.c(h.name, "backup", "stop sauvegarde", f"{h.name} à retirer", "", "décom"),
        text,
        w.c("phone", "informal", "informal", "bare"),
        greet=w.p(0.45),
        extras=False,
    )


def s_long_story(w: W):
    h = w.host()
    app = w.cl(_APPS)
    past = w.past(10, 60)
    d = w.future(1, 30)
    p1 = w.c(
        f"Comme vous le savez peut-être, nous avons fait le choix l'an dernier de passer {app} en mode SaaS chez l'éditeur. La bascule s'est faite {past.when} et, après une période de double fonctionnement, tout tourne maintenant chez eux.",
        f"Un peu d'historique : {h.name} hébergeait {app} depuis une dizaine d'années. Nous l'avons remplacé {past.when} par une solution hébergée, et il n'a plus d'utilisateurs depuis.",
        f"Nous avons fini le regroupement de nos applications sur nos nouveaux serveurs. La dernière application qui restait sur {h.name} ({app}) a été déplacée {past.when}.",
    )
    p2 = w.c(
        f"L'ancien serveur {h.name} est donc éteint, et notre DAF m'a demandé de faire le ménage dans ce qui nous est facturé.",
        f"Nous avons gardé {h.name} allumé quelques semaines par sécurité, mais plus personne ne s'en sert et il va être arrêté.",
        f"{h.name} ne sert donc plus à rien et nous allons le rendre au loueur.",
    )
    p3 = w.c(
        f"Pouvez-vous arrêter la sauvegarde de {h.name} {d.from_} ?",
        f"Merci donc de retirer {h.name} du périmètre de sauvegarde {d.from_}.",
        f"Je vous demande donc de ne plus le sauvegarder {d.from_}.",
    )
    r = w.rng.random()
    if r < 0.35:
        p4 = w.c(
            "Pour les sauvegardes existantes, merci de les conserver jusqu'à la fin de leur rétention, par précaution.",
            "Les sauvegardes déjà faites doivent être gardées : notre expert-comptable veut pouvoir y revenir.",
        )
        w.fields["delete_existing_backups"] = False
    elif r < 0.65:
        p4 = w.c(
            "Les sauvegardes déjà faites peuvent être supprimées, tout a été repris chez l'éditeur.",
            "Vous pouvez également supprimer l'historique, nous avons une copie complète des données ailleurs.",
        )
        w.fields["delete_existing_backups"] = True
    else:
        p4 = w.c(
            "Pour les sauvegardes existantes, je vous avoue que je ne sais pas ce qui est le mieux : que nous recommandez-vous ?",
            "",
        )
    text = "\n\n".join(x for x in (p1, p2, p3, p4) if x)
    _set(w, [h.name], effective_date=d.iso)
    return w.draft(
        "long_story",
        w.c(
            f"Arrêt de {h.name}",
            "Fin de sauvegarde ancien serveur",
            "Passage en SaaS - sauvegarde",
            "Ménage dans les sauvegardes",
        ),
        text,
        w.reg("neutral", "formal"),
    )


def s_english_client(w: W):
    hs = w.hosts(w.rng.randint(1, 2))
    names = join_names([h.name for h in hs], w.rng, "en")
    past = w.past(1, 15, lang="en")
    d = w.future(1, 30, lang="en")
    text = w.c(
        f"We no longer need backups for {names}, shut down {past.when}. Please remove them from the backup scope.",
        f"{names} decommissioned - could you stop backing up {d.from_}? Please keep existing backups until they expire.",
        f"Please take {names} off the backup schedule, those VMs have been deleted. Old restore points can be purged.",
        f"Could you cancel the backup job for {names}? Migrated to Azure, no longer in use.",
        f"FYI {names} will be switched off {d.when}, so no need to back them up after that date.",
        f"pls remove {names} from backups, not needed anymore",
        f"We've retired {names}. Kindly remove from the backup policy {d.from_} and purge the old backups.",
        f"Following our cloud migration, {names} can be dropped from the backup scope {d.from_}.",
        f"{names} were test machines and have been deleted. Please stop the backups and keep existing restore points until they expire.",
        f"No need to back up {names} anymore - the project is over.",
    )
    eff = d.iso if (d.from_ in text or d.when in text) else None
    _set(w, [h.name for h in hs], effective_date=eff)
    if "keep existing" in text:
        w.fields["delete_existing_backups"] = False
    elif "purged" in text or "purge the old" in text:
        w.fields["delete_existing_backups"] = True
    text = _with_existing_backups(w, text, 0.3, en=True)
    return w.draft(
        "english_client",
        w.c("Backup removal", "Decommissioned servers", "Stop backups", "Remove from backup"),
        text,
        "english",
    )


# ---------------------------------------------------------------- modification
# (text after "sauvegarde ...", normalised schedule) for people who only care about the time
_LATER: tuple[tuple[str, str], ...] = (
    ("après 22h", "quotidienne après 22h"),
    ("vers minuit", "quotidienne 0h"),
    ("à partir de 23h", "quotidienne 23h"),
    ("plutôt vers 2h du matin", "quotidienne 2h"),
    ("à 21h au lieu de 19h", "quotidienne 21h"),
)
_EARLIER: tuple[tuple[str, str], ...] = (
    ("vers 19h", "quotidienne 19h"),
    ("dès 18h30", "quotidienne 18h30"),
    ("à 20h au lieu de 23h", "quotidienne 20h"),
    ("juste après la fermeture, vers 19h", "quotidienne 19h"),
)
_WHY_LONGER = (
    "La semaine dernière on a cherché un fichier d'il y a deux mois et il n'y était plus.",
    "Notre expert-comptable nous dit qu'on doit pouvoir retrouver des documents plus anciens.",
    "On s'est rendu compte trop tard qu'un fichier avait été écrasé il y a plusieurs semaines.",
    "La direction voudrait pouvoir revenir plus loin en arrière en cas de pépin.",
    "Apparemment on ne peut remonter que quelques jours, c'est trop court pour nous.",
)


def m_layperson(w: W):
    r = w.rng.random()
    h = w.host() if w.p(0.45) else None
    on = f" de {h.name}" if h else ""
    if r < 0.4:
        text = w.c(
            f"On voudrait garder les sauvegardes{on} plus longtemps.",
            f"Est-ce qu'il serait possible de conserver les sauvegardes{on} plus longtemps ?",
            f"Il faudrait qu'on puisse remonter plus loin dans les sauvegardes{on}.",
        )
        text += " " + w.cl(_WHY_LONGER)
        change = "Allonger la durée de conservation des sauvegardes" + on + "."
        if w.p(0.6):
            rt, rn = _ret(w)
            text += " " + w.c(f"Genre {rt}, c'est faisable ?", f"Idéalement {rt}.", f"On pensait à {rt}.")
            _set(w, retention=rt)
            change = f"Passer la rétention des sauvegardes{on} à {rn}."
    elif r < 0.7:
        t, n = w.cl(_LATER)
        w.keep(t)
        text = w.c(
            f"La sauvegarde{on} se lance alors qu'on travaille encore et tout rame en fin de journée. Vous pourriez la faire plus tard le soir, {t} par exemple ?",
            f"Est-ce qu'on peut changer l'heure de la sauvegarde{on} ? Elle démarre trop tôt, on aimerait {t}.",
            f"Le soir les collègues de la compta restent tard et ça ralentit tout quand la sauvegarde{on} démarre. Merci de la décaler {t}.",
        )
        _set(w, schedule=t)
        change = f"Décaler l'heure de la sauvegarde{on} ({n})."
    elif r < 0.85:
        t, n = w.cl(_EARLIER)
        w.keep(t)
        text = w.c(
            f"Le matin quand on arrive, le serveur est très lent : notre informaticien dit que c'est la sauvegarde{on} qui n'est pas finie. Est-ce qu'on pourrait la lancer plus tôt, {t} ?",
            f"La sauvegarde{on} déborde sur la matinée. Pouvez-vous la faire démarrer plus tôt le soir, {t} ?",
        )
        _set(w, schedule=t)
        change = f"Avancer l'heure de la sauvegarde{on} ({n})."
    else:
        w.keep("tous les jours")
        text = w.c(
            f"On nous a dit que les sauvegardes{on} n'étaient faites qu'une fois par semaine. On aimerait que ce soit tous les jours.",
            f"Une seule sauvegarde par semaine{' pour ' + h.name if h else ''}, c'est trop peu pour nous. Il faudrait passer à tous les jours.",
        )
        _set(w, schedule="tous les jours")
        change = f"Passer la sauvegarde{on} d'hebdomadaire à quotidienne."
    if h:
        _set(w, [h.name])
    w.fields["requested_change"] = change
    return w.draft(
        "layperson_change",
        w.c(
            "Sauvegardes",
            "Heure de la sauvegarde",
            "Garder les sauvegardes plus longtemps",
            "Question sauvegarde",
            "sauvegarde trop tôt",
            "Demande",
        ),
        text,
        w.reg("neutral", "informal", "phone"),
    )


_EXCLUDES = ("les fichiers .iso", "D:\\Temp", "le dossier Téléchargements", "/var/cache", "les vidéos", "E:\\Old")


def m_short(w: W):
    h = w.host()
    st, sn = _sched(w)
    old_t, old_n = _ret(w)
    rt, rn = _ret(w)
    while rn == old_n:
        rt, rn = _ret(w)
    ex = w.cl(_EXCLUDES)
    w.keep(ex)
    r = w.rng.random()
    if r < 0.4:
        text = w.c(
            f"{h.name} : rétention {rt} svp",
            f"rétention {h.name} -> {rt}",
            f"{h.name} passer de {old_t} à {rt} de rétention merci",
            f"tu peux monter la retention de {h.name} a {rt} ?",
            f"garder {rt} sur {h.name} au lieu de {old_t} stp",
        )
        _set(w, [h.name], retention=rt, requested_change=f"Passer la rétention de {h.name} à {rn}.")
    elif r < 0.8:
        text = w.c(
            f"passer {h.name} en backup {st} stp",
            f"backup {h.name} à décaler : {st}",
            f"{h.name} -> sauvegarde {st} désormais",
            f"modif planif {h.name} : {st}",
            f"tu peux changer l'horaire de {h.name} ? {st} ce serait top",
        )
        _set(w, [h.name], schedule=st, requested_change=f"Modifier la planification de {h.name} : {sn}.")
    else:
        text = w.c(
            f"exclure {ex} du backup de {h.name} stp",
            f"{h.name} : virer {ex} de la sauvegarde, ça prend trop de place",
        )
        _set(w, [h.name], requested_change=f"Exclure {ex} de la sauvegarde de {h.name}.")
    text = w.quick(text)
    return w.draft(
        "short_request",
        w.c(h.name, "modif backup", "rétention", "planif", "", "sauvegarde"),
        text,
        w.c("phone", "informal", "informal", "bare"),
        greet=w.p(0.45),
        extras=False,
    )


def m_long_story(w: W):
    h = w.host()
    past = w.past(15, 60)
    if w.p(0.55):
        rt, rn = _ret(w)
        p1 = w.c(
            f"Lors de notre dernier comité de direction, nous avons fait un retour d'expérience sur l'incident {past.of} : un classeur Excel du service {w.c('comptabilité', 'RH', 'achats', 'paie')} avait été corrompu, et nous ne nous en sommes aperçus qu'au bout de plusieurs semaines.",
            f"Vous vous souvenez peut-être de notre demande de restauration {past.of} : le fichier voulu était trop ancien et n'était plus dans les sauvegardes. Cela a fait du bruit en interne.",
            "Nous avons passé un audit de conformité le mois dernier, et l'auditeur a relevé que la durée de conservation de nos sauvegardes était trop courte au regard de nos obligations.",
        )
        p2 = w.c(
            "La direction a donc décidé de revoir notre politique de conservation.",
            "Après en avoir discuté avec notre DAF, nous avons tranché.",
            "Nous avons donc revu nos besoins avec les métiers.",
        )
        p3 = w.c(
            f"Concrètement, pour {h.name} (et uniquement celui-ci pour l'instant), nous souhaitons passer la rétention à {rt}.",
            f"Pourriez-vous porter la rétention de {h.name} à {rt} ?",
            f"Merci de modifier la stratégie de {h.name} pour conserver les sauvegardes {rt}.",
        )
        _set(w, [h.name], retention=rt, requested_change=f"Passer la rétention de {h.name} à {rn}.")
    else:
        st, sn = _sched(w)
        p1 = w.c(
            f"Depuis {past.when}, nous avons une équipe de nuit qui travaille sur {h.name} jusqu'à 23h.",
            f"Depuis la mise en place du télétravail, beaucoup de collègues se connectent tard le soir sur {h.name}.",
            f"Nous avons élargi nos horaires d'ouverture {past.from_}, et l'activité sur {h.name} se prolonge désormais en soirée.",
        )
        p2 = w.c(
            "La sauvegarde actuelle tombe en plein pendant cette activité et les utilisateurs se plaignent de lenteurs.",
            "Résultat, la sauvegarde ralentit tout le monde et a même échoué une fois.",
            "Cela crée des conflits avec la sauvegarde qui démarre au même moment.",
        )
        p3 = w.c(
            f"Nous aimerions donc décaler la sauvegarde de {h.name} : {st}.",
            f"Pouvez-vous modifier la planification de {h.name} ? Nous souhaiterions {st}.",
            f"Merci de reprogrammer {h.name} {st}.",
        )
        _set(w, [h.name], schedule=st, requested_change=f"Modifier la planification de {h.name} : {sn}.")
    end = w.c(
        "Si cela a un impact sur la facturation, merci de nous le signaler avant de faire la modification.",
        "Merci de me confirmer quand ce sera fait.",
        "",
    )
    text = "\n\n".join(x for x in (p1, p2, p3, end) if x)
    return w.draft(
        "long_story",
        w.c(
            "Évolution de notre politique de sauvegarde",
            f"Modification sauvegarde {h.name}",
            "Suite comité de direction",
            "Changement de stratégie",
        ),
        text,
        w.reg("neutral", "formal"),
    )


def m_english_client(w: W):
    h = w.host()
    st, sn = _sched(w, en=True)
    rt, rn = _ret(w, en=True)
    r = w.rng.random()
    if r < 0.35:
        text = w.c(
            f"Could we move the backup for {h.name} to {st}? It's clashing with our batch jobs.",
            f"Can you change the backup of {h.name} to {st}?",
            f"please reschedule {h.name} backups: {st}. thanks",
            f"The {h.name} backup currently runs during business hours. Could you switch it to {st}?",
            f"Following our ops review, we'd like {h.name} to be backed up {st} from now on.",
            f"Is it possible to run the {h.name} job {st} instead? Our nightly ETL overlaps with it.",
        )
        _set(w, [h.name], schedule=st, requested_change=f"Modifier la planification de {h.name} : {sn}.")
    elif r < 0.7:
        text = w.c(
            f"Please extend retention on {h.name} to {rt} - compliance asked for it.",
            f"We need to keep {h.name} backups for {rt} instead of the current setting.",
            f"Could you reduce retention for {h.name} to {rt}? We're paying for storage we don't need.",
            f"Legal wants us to be able to go back {rt} on {h.name}. Can you update the policy accordingly?",
            f"retention for {h.name} -> {rt} please",
            f"Following the audit, please change the retention of {h.name} to {rt}.",
        )
        _set(w, [h.name], retention=rt, requested_change=f"Passer la rétention de {h.name} à {rn}.")
    elif r < 0.85:
        ex = w.c("D:\\Temp", "/var/cache", "the ISO files", "E:\\Scratch", "the video folder", "*.tmp files")
        w.keep(ex)
        text = w.c(
            f"We'd like to exclude {ex} from the {h.name} backup, it's only temp data.",
            f"Please stop backing up {ex} on {h.name}, it's eating up our storage quota.",
            f"Could you add an exclusion for {ex} on {h.name}? No need to keep that.",
        )
        _set(w, [h.name], requested_change=f"Exclure {ex} de la sauvegarde de {h.name}.")
    else:
        folder, _ = w.folder(server=h)
        text = w.c(
            f"Please add {folder} to the existing backup of {h.name}. It holds the new project data.",
            f"{folder} on {h.name} isn't in the backup scope yet - could you include it?",
            f"We created {folder} on {h.name} last week; please make sure it's backed up with the rest of the server.",
        )
        _set(w, [h.name], requested_change=f"Ajouter {folder} au périmètre de sauvegarde de {h.name}.")
    return w.draft(
        "english_client",
        w.c("Backup policy change", "Backup schedule", "Retention change " + h.name, "Change request"),
        text,
        "english",
    )


CREATION = [
    ("new_server", 6.0, c_new_server),
    ("vm_list", 3.0, c_vm_list),
    ("form", 2.0, c_form),
    ("new_database", 2.0, c_new_db),
    ("new_folder", 2.0, c_new_folder),
    ("project_context", 1.5, c_project),
    ("informal", 2.0, c_informal),
    ("english", 1.0, c_english),
    ("formal_letter", 1.0, c_formal),
    ("linux_paths", 1.0, c_linux),
    ("snapshot_vm", 1.0, c_snapshot),
    ("followup_meeting", 1.0, c_followup_meeting),
    ("full_plus_incremental", 1.0, c_mixed_types),
    ("layperson_new_server", 3.0, c_layperson),
    ("short_request", 2.5, c_short),
    ("long_story", 2.0, c_long_story),
    ("english_client", 1.5, c_english_client),
]
SUPPRESSION = [
    ("decommission", 6.0, s_decom),
    ("decommission_delete", 2.0, s_decom_delete),
    ("decommission_keep", 2.0, s_decom_keep),
    ("migration_cloud", 1.5, s_migration),
    ("list_servers", 2.0, s_list),
    ("form", 1.5, s_form),
    ("informal", 1.5, s_informal),
    ("english", 1.0, s_english),
    ("formal_letter", 1.0, s_formal),
    ("cost_reduction", 1.0, s_cost),
    ("question_style", 1.0, s_question_style),
    ("vm_already_deleted", 1.0, s_vm_deleted),
    ("layperson_old_server", 3.0, s_layperson),
    ("short_request", 2.5, s_short),
    ("long_story", 2.0, s_long_story),
    ("english_client", 1.5, s_english_client),
]
MODIFICATION = [
    ("retention_change", 5.0, m_retention),
    ("schedule_change", 4.0, m_schedule),
    ("add_folder", 2.5, m_add_folder),
    ("exclude_folder", 2.0, m_exclude),
    ("type_change", 1.5, m_type),
    ("frequency_increase", 1.5, m_frequency),
    ("form", 1.5, m_form),
    ("informal", 1.5, m_informal),
    ("english", 1.0, m_english),
    ("formal_letter", 1.0, m_formal),
    ("multiple_servers", 1.0, m_multi),
    ("move_window", 1.0, m_window),
    ("legal_retention", 1.0, m_legal),
    ("layperson_change", 3.0, m_layperson),
    ("short_request", 2.5, m_short),
    ("long_story", 2.0, m_long_story),
    ("english_client", 1.5, m_english_client),
]
