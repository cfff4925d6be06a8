# ruff: noqa: E501  (text templates: long French sentences read better unbroken)
"""Writers for the three backup-policy categories: Création, Suppression, Modification.

Schedules and retentions are written many ways ("tous les soirs à 22h", "rétention d'un
mois") and the ground truth holds a short normalised form ("quotidienne 22h", "1 mois"),
the way a desk agent fills a policy form. Backup types map French/English words to the
taxonomy enum.
"""

from __future__ import annotations

from ..infra import Host, database
from .common import W, bullet, join_names

# (text, normalised)
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


def _set(w: W, hosts: list[str] | None = None, **kw: object) -> None:
    if hosts:
        w.fields["hostnames"] = hosts
    for k, v in kw.items():
        if v:
            w.fields[k] = v


# ================================================================== CRÉATION
def c_new_server(w: W):
    h = w.host()
    st, sn = _sched(w)
    rt, rn = _ret(w)
    text = w.c(
        f"Merci d'ajouter le nouveau serveur {h.name} à la sauvegarde quotidienne, rétention {rt}.",
        f"Nous venons de mettre en service {h.name} ({h.label}). Pouvez-vous le mettre en sauvegarde {st}, avec une rétention {de_ret(rt)} ?",
        f"Pouvez-vous intégrer {h.name} au périmètre BCS ? Sauvegarde {st}, conservation {rt}.",
        f"Le serveur {h.name} vient d'être installé par notre prestataire. Merci de le sauvegarder {st} (rétention {rt}).",
        f"Nouveau {h.label} en production : {h.name}. Sauvegarde souhaitée {st}, à conserver {rt}.",
        f"Il faudrait mettre en place la sauvegarde de {h.name}, {st}, avec une rétention {de_ret(rt)}.",
    )
    _set(w, [h.name], schedule=sn if st in text else ("quotidienne" if "quotidienne" in text else None), retention=rn)
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
    st, sn = _sched(w)
    rt, rn = _ret(w)
    lst = "\n".join(f"{b}{h.name}" + (f" ({h.label})" if w.p(0.4) else "") for h in hs)
    text = f"Voici la liste des nouvelles VM à intégrer à la sauvegarde :\n{lst}\n\nFréquence : {st}\nRétention : {rt}"
    _set(w, [h.name for h in hs], schedule=sn, retention=rn)
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
    st, sn = _sched(w)
    rt, rn = _ret(w)
    tt, tn = _type(w)
    sep = w.c(" : ", ": ", " - ", "\t")
    text = (
        f"{w.c('Demande de création de stratégie de sauvegarde', 'NOUVELLE SAUVEGARDE', 'Formulaire BCS - création')}\n\n"
        f"{w.c('Serveur', 'Hôte', 'Machine')}{sep}{h.name}\n{w.c('Périmètre', 'Données', 'Chemins')}{sep}{', '.join(paths)}\n"
        f"{w.c('Fréquence', 'Planification')}{sep}{st}\n{w.c('Rétention', 'Conservation')}{sep}{rt}\n{w.c('Type', 'Mode')}{sep}{tt}"
    )
    _set(w, [h.name], paths=paths, schedule=sn, retention=rn, backup_type=tn)
    return w.draft(
        "form",
        w.c("Création stratégie de sauvegarde", "[Formulaire] Nouvelle sauvegarde"),
        text,
        w.reg("bare", "neutral"),
    )


def c_new_db(w: W):
    h = w.host(w.c("SQL", "BDD"))
    db = w.db()
    st, sn = _sched(w)
    text = w.c(
        f"Une nouvelle base {db} a été créée sur {h.name}. Merci de l'ajouter à la sauvegarde applicative SQL, {st}.",
        f"Pouvez-vous mettre en sauvegarde la base {db} hébergée sur {h.name} ? Fréquence : {st}.",
    )
    _set(w, [h.name], paths=[db], schedule=sn)
    text = w.lead(LEADS, text, 0.35)
    return w.draft(
        "new_database", w.c(f"Sauvegarde base {db}", "Nouvelle base à sauvegarder"), text, w.reg("neutral", "formal")
    )


def c_new_folder(w: W):
    h = w.host(w.c("FIC", "FS", "FILE"))
    folder, _ = w.folder(server=h, flavor=w.c("unc", "win"))
    rt, rn = _ret(w)
    text = w.c(
        f"Nous avons créé un nouveau partage {folder} sur {h.name}. Il n'est pas dans le périmètre actuel, pouvez-vous l'ajouter avec une rétention {de_ret(rt)} ?",
        f"Merci de mettre en sauvegarde le nouveau répertoire {folder} ({h.name}), rétention {rt}.",
    )
    _set(w, [h.name], paths=[folder], retention=rn)
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
    st, sn = _sched(w)
    rt, rn = _ret(w)
    tt, tn = _type(w)
    text = (
        f"Dans le cadre du projet {w.c('de nouvel ERP', 'de GED', 'de dématérialisation', 'd’intranet', 'de téléphonie')}, "
        f"les serveurs {names} seront mis en production {d.when}.\n\nNous souhaitons qu'ils soient sauvegardés {st}, "
        f"en mode {tt}, avec une rétention {de_ret(rt)}. Merci de nous confirmer la faisabilité et la date de mise en place."
    )
    _set(w, [h.name for h in hs], schedule=sn, retention=rn, backup_type=tn)
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
    return w.draft(
        "informal", w.c("backup nouveau serveur", h.name, "ajout sauvegarde"), text, "informal", greet=w.p(0.4)
    )


def c_english(w: W):
    hs = w.hosts(w.rng.randint(1, 2))
    st, sn = _sched(w, en=True)
    rt, rn = _ret(w, en=True)
    names = join_names([h.name for h in hs], w.rng, "en")
    text = f"Please add {names} to the backup, {st}, with a retention of {rt}. Full backup on weekends would be great."
    _set(w, [h.name for h in hs], schedule=sn, retention=rn)
    return w.draft("english", w.c("New servers to back up", "Backup request"), text, "english")


def c_formal(w: W):
    hs = w.hosts(w.rng.randint(1, 2))
    names = join_names([h.name for h in hs], w.rng)
    rt, rn = _ret(w)
    text = (
        f"Conformément aux exigences {w.c('HDS', 'de notre politique de sécurité', 'de notre PSSI', 'réglementaires')}, "
        f"je vous demande de bien vouloir mettre en place la sauvegarde des serveurs {names}, avec une conservation {de_ret(rt)} "
        f"et une copie externalisée."
    )
    _set(w, [h.name for h in hs], retention=rn)
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
    rt, rn = _ret(w)
    text = (
        f"Pour nos VM critiques ({names}), nous souhaiterions une protection par snapshot toutes les 4 heures en journée, "
        f"rétention {rt}."
    )
    _set(w, [h.name for h in hs], schedule="toutes les 4 heures en journée", retention=rn, backup_type="snapshot")
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
    rt, rn = _ret(w)
    text = (
        f"Pouvez-vous créer une stratégie pour {h.name} : une complète le samedi et des incrémentales du lundi au vendredi, "
        f"avec une rétention {de_ret(rt)} ?"
    )
    _set(w, [h.name], retention=rn, schedule="complète le samedi, incrémentale du lundi au vendredi")
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
    _set(w, [h.name], retention=rn, requested_change=f"Passer la rétention de {h.name} à {rn}.")
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
    _set(w, [h.name], schedule=sn, requested_change=f"Modifier la planification de {h.name} : {sn}.")
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
    sched = "hebdomadaire (samedi)" if "samedi" in text else "quotidienne"
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
        schedule=sn,
        retention=rn,
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
    _set(w, [h.name], retention=rn, requested_change=f"Passer la rétention de {h.name} à {rn}.")
    return w.draft("informal", w.c("rétention", h.name, "modif backup"), text, "informal", greet=w.p(0.4))


def m_english(w: W):
    h = w.host()
    rt, rn = _ret(w, en=True)
    text = f"Could you please change the retention for {h.name} to {rt}? Audit requirement."
    _set(w, [h.name], retention=rn, requested_change=f"Passer la rétention de {h.name} à {rn}.")
    return w.draft("english", w.c("Retention change", f"Backup policy change {h.name}"), text, "english")


def m_formal(w: W):
    hs = w.hosts(w.rng.randint(1, 3))
    names = join_names([h.name for h in hs], w.rng)
    rt, rn = _ret(w)
    text = (
        f"Suite à la revue de notre politique de sécurité, je vous remercie de bien vouloir porter la durée de "
        f"conservation des sauvegardes des serveurs {names} à {rt}."
    )
    _set(w, [h.name for h in hs], retention=rn, requested_change=f"Porter la rétention des serveurs cités à {rn}.")
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
    _set(w, [h.name for h in hs], schedule=sn, requested_change=f"Passer la planification des serveurs listés en {sn}.")
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
        schedule="quotidienne 19h",
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
]
