# ruff: noqa: E501  (text templates: long French sentences read better unbroken)
"""Writers for the `incident_sauvegarde` category: failed, partial or missing backups.

Tool reports (Veeam, Commvault, NetBackup, the BCS portal) arrive as they are or forwarded
with a comment; clients also describe failures themselves, paste an error, ask for a
relaunch or complain. `error_message` is only set when an error text/code is written.
"""

from __future__ import annotations

from ..alerts import COMMVAULT_ERRORS, NETBACKUP_ERRORS, VEEAM_ERRORS, VEEAM_WARNINGS, backup_report
from .common import W, bullet, join_names

_ALL_ERRORS = VEEAM_ERRORS + COMMVAULT_ERRORS + NETBACKUP_ERRORS
_TOOLS = ("Veeam", "Veeam", "le portail BCS", "Commvault", "NetBackup", "le rapport de sauvegarde", "la console")
_FAIL = ("en échec", "en erreur", "KO", "en failed", "tombé en erreur", "en rouge", "failed")


def _subj(w: W, h: str | None = None, job: str | None = None) -> str:
    x = job or h or ""
    return w.c(
        f"Échec sauvegarde {x}".strip(),
        f"Sauvegarde KO {x}".strip(),
        f"Backup failed {x}".strip(),
        "Sauvegarde en échec",
        f"Problème de sauvegarde {x}".strip(),
        f"Job {job} en erreur" if job else "Job en erreur",
        "Échec de la sauvegarde de cette nuit",
        f"[BCS] échec {x}".strip(),
        "Sauvegarde non passée",
        f"Erreur backup {x}".strip(),
    )


def _err(w: W, pool: tuple[str, ...] = _ALL_ERRORS) -> str:
    e = w.cl(pool)
    w.keep(e)
    return e


# ------------------------------------------------------------------ automatic / forwarded
def _auto(tool: str):
    def fam(w: W):
        return w.automatic(f"auto_{tool}", backup_report(w.ctx, tool))

    return fam


def fwd_short(w: W):
    a = backup_report(w.ctx)
    w.fields.update(a.fields)
    comment = w.c(
        "Pour info.",
        "Pouvez-vous regarder ?",
        "Merci de vérifier et relancer.",
        "Encore en échec...",
        "Cf ci-dessous",
        "A traiter svp",
        "??",
        "Merci de nous dire ce qu'il en est.",
        "FYI, backup failed",
        "Je vous transfère le rapport de cette nuit.",
    )
    return w.forwarded("fwd_short_comment", a, comment, w.reg("neutral", "informal", "phone", "bare"))


def fwd_relaunch(w: W):
    a = backup_report(w.ctx)
    w.fields.update(a.fields)
    job = a.fields.get("job_name", "")
    comment = w.c(
        f"Le job {job} est en échec cette nuit (voir rapport ci-dessous). Merci de le relancer dans la journée si possible, en dehors des heures de production.",
        "Pouvez-vous relancer la sauvegarde ? Nous avons une mise à jour prévue ce soir et nous voulons une sauvegarde à jour avant.",
        f"Merci d'analyser l'échec ci-dessous et de relancer {job} ce soir.",
    )
    return w.forwarded("fwd_relaunch", a, comment, w.reg("neutral", "formal"))


def fwd_recurring(w: W):
    a = backup_report(w.ctx)
    w.fields.update(a.fields)
    comment = w.c(
        "Troisième nuit consécutive avec cette erreur. Pouvez-vous traiter le problème de fond ?",
        "Même erreur que la semaine dernière, le ticket avait été clôturé un peu vite visiblement.",
        "Ça recommence... Merci de regarder sérieusement cette fois.",
        "Rapport en échec tous les soirs depuis lundi, je commence à m'inquiéter pour nos données.",
    )
    return w.forwarded("fwd_recurring", a, comment, w.reg("neutral", "informal", "formal"))


def fwd_english(w: W):
    a = backup_report(w.ctx)
    w.fields.update(a.fields)
    comment = w.c(
        "Backup failed last night, please check and rerun.",
        "FYI - see failed job below. Can you advise?",
        "Hi, another failure on this job. Please investigate asap.",
    )
    return w.forwarded("fwd_english", a, comment, "english")


# ------------------------------------------------------------------ human
def failed_nights(w: W):
    h = w.host()
    job = w.job(h.name)
    d = w.past(0, 4)
    mode = w.rng.randrange(4)
    if mode == 0:
        text = f"Le job {job} est en échec depuis {w.c('deux nuits', 'trois nuits', 'plusieurs jours')}, merci de relancer."
        w.fields.update({"job_name": job})
    elif mode == 1:
        text = f"Le job {job} ({h.name}) est {w.cl(_FAIL)} depuis {d.when}. Merci de regarder et de relancer une sauvegarde."
        w.fields.update({"job_name": job, "hostname": h.name, "failure_date": d.iso})
    elif mode == 2:
        text = f"La sauvegarde de {h.name} est {w.cl(_FAIL)} {d.when}.\nPouvez-vous analyser et relancer le job {job} ?"
        w.fields.update({"job_name": job, "hostname": h.name, "failure_date": d.iso})
    else:
        text = f"{job} : {w.cl(_FAIL)} {d.when}. Une relance est-elle possible avant ce soir ?"
        w.fields.update({"job_name": job, "failure_date": d.iso})
    return w.draft("job_failed_nights", _subj(w, h.name, job), text, w.reg("neutral", "neutral", "informal", "formal"))


def no_report(w: W):
    h = w.host()
    d = w.past(0, 2)
    text = w.c(
        f"Nous n'avons pas reçu le rapport de sauvegarde {d.of} pour {h.name}. Pouvez-vous vérifier que la sauvegarde s'est bien déroulée ?",
        f"Pas de mail de sauvegarde {d.of} pour le serveur {h.name}. Est-ce que le job a tourné ?",
        f"Le rapport BCS {d.of} ne mentionne pas {h.name}. La sauvegarde n'a visiblement pas eu lieu.",
    )
    w.fields.update({"hostname": h.name, "failure_date": d.iso})
    return w.draft(
        "no_report",
        w.c("Pas de rapport de sauvegarde", f"Sauvegarde {h.name} ?", "Rapport manquant"),
        text,
        w.reg("neutral", "formal"),
    )


def not_run(w: W):
    h = w.host()
    d = w.past(0, 3)
    text = w.c(
        f"La sauvegarde de {h.name} n'est pas passée {d.when}. Merci de faire le nécessaire.",
        f"Sauvegarde non passée {d.when} sur {h.name}, pouvez-vous regarder pourquoi ?",
        f"D'après {w.cl(_TOOLS)}, aucune sauvegarde de {h.name} {d.of}. Merci de relancer.",
    )
    w.fields.update({"hostname": h.name, "failure_date": d.iso})
    return w.draft("not_run", _subj(w, h.name), text, w.reg("neutral", "informal", "phone"))


def relaunch_full(w: W):
    hs = w.hosts(w.rng.randint(1, 3))
    names = join_names([h.name for h in hs], w.rng)
    d = w.past(0, 3)
    text = w.c(
        f"Merci de relancer les sauvegardes FULL de {names}, celles {d.of} ont échoué.",
        f"Les sauvegardes {d.of} de {names} sont en échec. Pouvez-vous relancer une complète ce soir ?",
        f"Suite à l'échec {d.of}, est-il possible de relancer un full sur {names} ?",
    )
    w.fields["failure_date"] = d.iso
    if len(hs) == 1:
        w.fields["hostname"] = hs[0].name
    return w.draft(
        "relaunch_full",
        w.c("Relance sauvegarde FULL", "Relancer les sauvegardes", _subj(w, hs[0].name)),
        text,
        w.reg("neutral", "informal"),
    )


def error_pasted(w: W):
    h = w.host()
    job = w.job(h.name)
    err = _err(w)
    d = w.past(0, 3)
    text = w.c(
        f"Le job {job} a échoué {d.when} avec l'erreur suivante :\n\n{err}\n\nPouvez-vous regarder ?",
        f"Sauvegarde de {h.name} en échec {d.when}, message : « {err} ». Merci de corriger.",
        f"Erreur sur {job} ({h.name}) {d.when} :\n{err}\nAvez-vous une idée ?",
    )
    w.fields.update({"error_message": err, "failure_date": d.iso})
    if h.name in text:
        w.fields["hostname"] = h.name
    if job in text:
        w.fields["job_name"] = job
    return w.draft("error_pasted", _subj(w, h.name, job), text, w.reg("neutral", "formal", "informal"))


def urgent_phone(w: W):
    h = w.host()
    d = w.past(0, 1)
    text = w.c(
        f"backup KO sur {h.name} {d.when}, urgent",
        f"sauvegarde {h.name} failed {d.when}!! on a une mise en prod demain",
        f"Urgent : pas de sauvegarde de {h.name} {d.when}. Rappelez moi",
        f"{h.name} pas sauvegardé {d.when}, help",
    )
    w.fields.update({"hostname": h.name, "failure_date": d.iso})
    return w.draft("urgent_phone", w.c("URGENT backup", f"{h.name} backup KO", "urgent"), text, "phone", greet=w.p(0.4))


def form(w: W):
    h = w.host()
    job = w.job(h.name)
    d = w.past(0, 3)
    date_txt = d.value.strftime(w.c("%d/%m/%Y", "%Y-%m-%d", "%d/%m")) if d.value else d.when
    w.keep(date_txt)
    err = _err(w)
    sep = w.c(" : ", ": ", " - ", "\t")
    text = (
        f"{w.c('Serveur', 'Hôte', 'Client')}{sep}{h.name}\n{w.c('Job', 'Tâche', 'Politique', 'Job de sauvegarde')}{sep}{job}\n"
        f"{w.c('Date', 'Date de l’échec', 'Session du')}{sep}{date_txt}\n{w.c('Erreur', 'Message', 'Code erreur')}{sep}{err}\n"
        f"{w.c('Action demandée', 'Demande')}{sep}{w.c('analyse et relance', 'relance', 'correction', 'analyse')}"
    )
    if w.p(0.5):
        text = w.c("Incident sauvegarde", "Déclaration d'incident BCS", "Échec de sauvegarde :") + "\n\n" + text
    w.fields.update(
        {
            "hostname": h.name,
            "job_name": job,
            "failure_date": d.value.isoformat() if d.value else None,
            "error_message": err,
        }
    )
    if w.fields["failure_date"] is None:
        del w.fields["failure_date"]
    return w.draft("form", _subj(w, h.name, job), text, w.reg("bare", "neutral"))


def english(w: W):
    h = w.host()
    job = w.job(h.name)
    d = w.past(0, 3, lang="en")
    err = _err(w, VEEAM_ERRORS + NETBACKUP_ERRORS)
    text = w.c(
        f"Backup of {h.name} failed {d.when} with error: {err}\nCould you please check and rerun the job {job}?",
        f"The job {job} has been failing since {d.when.removeprefix('on ')}. Please investigate.",
        f"Hi, {job} failed {d.when}. Can you rerun it tonight? Thanks",
    )
    w.fields.update({"job_name": job, "failure_date": d.iso})
    if h.name in text:
        w.fields["hostname"] = h.name
    if err in text:
        w.fields["error_message"] = err
    return w.draft("english", w.c(f"Backup failed - {h.name}", f"Job {job} failed", "Backup failure"), text, "english")


def complaint(w: W):
    h = w.host()
    d = w.past(0, 2)
    text = w.c(
        f"C'est le troisième échec de sauvegarde de {h.name} cette semaine, le dernier {d.when}. C'est inacceptable pour un "
        f"service que nous payons. Je souhaite un point avec votre responsable et un plan d'action.",
        f"Encore un échec de la sauvegarde de {h.name} {d.when} ! Nous n'avons plus de sauvegarde valide depuis des jours. "
        f"Merci de traiter en priorité absolue.",
    )
    w.fields.update({"hostname": h.name, "failure_date": d.iso})
    return w.draft(
        "complaint",
        w.c("Réclamation sauvegardes", "Échecs répétés", f"Encore un échec {h.name}"),
        text,
        w.reg("formal", "neutral"),
    )


def followup_ticket(w: W):
    h = w.host()
    job = w.job(h.name)
    ref = w.ticket()
    d = w.past(0, 2)
    text = w.c(
        f"Suite au ticket {ref}, le job {job} est toujours en échec ({d.when}). Pouvez-vous reprendre l'analyse ?",
        f"Réf {ref} : malgré la relance, la sauvegarde de {h.name} a encore échoué {d.when}.",
        f"Je reviens vers vous concernant {ref}. {job} toujours KO {d.when}.",
    )
    w.fields["failure_date"] = d.iso
    if h.name in text:
        w.fields["hostname"] = h.name
    if job in text:
        w.fields["job_name"] = job
    return w.draft(
        "followup_ticket",
        w.c(f"RE: {ref}", f"Relance {ref}", f"{ref} - toujours en échec"),
        text,
        w.reg("neutral", "informal"),
    )


def _data_kind(w: W) -> str:
    if w.sector in {"hopital", "clinique", "ehpad"}:
        return w.c("de santé", "patients", "sensibles")
    if w.sector in {"mairie", "interco", "departement"}:
        return w.c("d'état civil", "des usagers", "sensibles", "financières")
    return w.c("sensibles", "financières", "de production", "clients")


def formal(w: W):
    h = w.host()
    job = w.job(h.name)
    d = w.past(0, 3)
    text = (
        f"Je vous informe que la sauvegarde du serveur {h.name} (job {job}) s'est terminée en échec {d.when}.\n\n"
        f"Ce serveur héberge des données {_data_kind(w)} et ne peut rester "
        f"sans sauvegarde valide. Je vous remercie de bien vouloir procéder à l'analyse de cet incident et de me "
        f"communiquer les mesures correctives envisagées."
    )
    w.fields.update({"hostname": h.name, "job_name": job, "failure_date": d.iso})
    return w.draft("formal_letter", w.c("Incident de sauvegarde", "Signalement échec de sauvegarde"), text, "formal")


def warning_partial(w: W):
    h = w.host()
    job = w.job(h.name)
    warn = _err(w, VEEAM_WARNINGS)
    d = w.past(0, 3)
    text = w.c(
        f"La sauvegarde de {h.name} est en warning {d.when} : « {warn} ». Est-ce que la sauvegarde est exploitable ? Merci de corriger.",
        f"Le job {job} termine en avertissement depuis {d.when} ({warn}). Pouvez-vous regarder ?",
    )
    w.fields.update({"failure_date": d.iso, "error_message": warn})
    if h.name in text:
        w.fields["hostname"] = h.name
    if job in text:
        w.fields["job_name"] = job
    return w.draft(
        "warning_partial",
        w.c("Sauvegarde en warning", f"Warning backup {h.name}", "Avertissement sauvegarde"),
        text,
        w.reg("neutral", "informal"),
    )


def vss_after_update(w: W):
    h = w.host()
    d = w.past(1, 6)
    err = w.c(
        "VSSControl: Failed to freeze guest over network, wait timeout",
        "Error: VSS writer timeout",
        "Failed to prepare guest for hot backup",
        "Error Code: [40:91] Failed to get VSS writer metadata.",
    )
    w.keep(err)
    text = (
        f"Depuis les mises à jour Windows {d.of}, la sauvegarde de {h.name} échoue avec une erreur VSS "
        f"(« {err} »). Un redémarrage n'a rien changé."
    )
    w.fields.update({"hostname": h.name, "failure_date": d.iso, "error_message": err})
    return w.draft(
        "vss_after_update",
        w.c("Erreur VSS sauvegarde", f"Sauvegarde {h.name} KO depuis patch"),
        text,
        w.reg("neutral", "formal"),
    )


def tape_media(w: W):
    d = w.past(0, 3)
    err = w.c(
        "EXIT STATUS 84: media write error",
        "EXIT STATUS 96: unable to allocate new media for backup, storage unit has none available",
        "Error Code: [32:392] Writing to the media failed.",
    )
    w.keep(err)
    lib = w.c("la librairie", "le robot de bandes", "le lecteur LTO")
    text = (
        f"L'externalisation sur bande {d.of} est en échec ({err}). {lib.capitalize()} affiche une erreur. "
        f"Faut-il remplacer la cartouche ?"
    )
    w.fields.update({"failure_date": d.iso, "error_message": err})
    return w.draft(
        "tape_media",
        w.c("Erreur bande", "Échec externalisation bande", "Sauvegarde bande en erreur"),
        text,
        w.reg("neutral", "informal"),
    )


def db_backup(w: W):
    h = w.host(w.c("SQL", "BDD"))
    db = w.db()
    job = w.job(h.name)
    d = w.past(0, 3)
    text = w.c(
        f"La sauvegarde SQL de la base {db} sur {h.name} a échoué {d.when} (job {job}).",
        f"Le backup applicatif de {db} ({h.name}) ne passe plus depuis {d.when}, les logs de transaction grossissent.",
    )
    w.fields.update({"hostname": h.name, "failure_date": d.iso})
    if job in text:
        w.fields["job_name"] = job
    return w.draft(
        "db_backup_failed", w.c(f"Sauvegarde base {db} KO", "Échec sauvegarde SQL"), text, w.reg("neutral", "formal")
    )


def overrun(w: W):
    h = w.host()
    job = w.job(h.name)
    d = w.past(0, 1)
    text = (
        f"Le job {job} lancé {d.when} tourne encore ce matin et ralentit fortement {h.name}. "
        f"Pouvez-vous l'arrêter et regarder pourquoi il dure aussi longtemps ?"
    )
    w.fields.update({"job_name": job, "hostname": h.name, "failure_date": d.iso})
    return w.draft(
        "job_overrun",
        w.c("Job de sauvegarde bloqué", "Sauvegarde toujours en cours", f"{job} trop long"),
        text,
        w.reg("neutral", "phone"),
    )


def after_migration(w: W):
    h = w.host()
    d = w.past(2, 12)
    text = (
        f"Depuis la migration de {h.name} {w.c('vers le nouvel ESX', 'sur le nouveau cluster Hyper-V', 'vers Windows Server 2022')} "
        f"{d.when}, la sauvegarde ne passe plus. Faut-il modifier quelque chose dans le job ?"
    )
    w.fields.update({"hostname": h.name, "failure_date": d.iso})
    return w.draft(
        "after_migration",
        w.c("Sauvegarde KO après migration", f"{h.name} non sauvegardé"),
        text,
        w.reg("neutral", "formal"),
    )


def sms_informal(w: W):
    h = w.host()
    d = w.past(0, 1)
    text = w.c(
        f"slt la sauvegarde de {h.name} a planté {d.when}, tu peux voir stp",
        f"hello, backup de {h.name} en rouge {d.when}, tu relances ? thx",
        f"re, encore le backup de {h.name} qui fail {d.when}... tu regardes ?",
    )
    w.fields.update({"hostname": h.name, "failure_date": d.iso})
    return w.draft("sms_informal", w.c("backup", h.name, "sauvegarde", "backup ko"), text, "informal", greet=False)


def list_failures(w: W):
    hs = w.hosts(w.rng.randint(2, 4))
    d = w.past(0, 2)
    b = bullet(w.rng)
    lines = "\n".join(f"{b}{h.name} : {w.cl(('échec', 'failed', 'non démarré', 'erreur', 'warning'))}" for h in hs)
    text = w.c(
        f"Plusieurs sauvegardes sont en échec {d.when} :\n{lines}\n\nMerci de regarder l'ensemble.",
        f"Bilan des sauvegardes {d.of} :\n\n{lines}\n\nPouvez-vous relancer ce qui est en échec ?",
    )
    w.fields["failure_date"] = d.iso
    return w.draft(
        "list_failures",
        w.c("Plusieurs échecs de sauvegarde", "Sauvegardes en échec", "Bilan sauvegardes KO"),
        text,
        w.reg("neutral", "formal"),
    )


def portal_red(w: W):
    h = w.host()
    d = w.past(0, 5)
    text = (
        f"Sur le portail BCS, {h.name} est {w.c('en rouge', 'en échec', 'en statut Failed')} depuis {d.when}. "
        f"Pouvez-vous nous dire ce qui se passe ?"
    )
    w.fields.update({"hostname": h.name, "failure_date": d.iso})
    return w.draft(
        "portal_red", w.c("Portail BCS - serveur en échec", f"{h.name} en rouge"), text, w.reg("neutral", "informal")
    )


def repository_full(w: W):
    job = w.job()
    err = w.c(
        "Insufficient free disk space on repository 'REPO-BCS-02'.",
        "No backup repositories available.",
        "EXIT STATUS 2074: Disk volume is down",
        "Not enough storage is available to process this command.",
    )
    w.keep(err)
    d = w.past(0, 2)
    text = (
        f"Le job {job} échoue {d.when} avec « {err} ». Est-ce un problème d'espace de votre côté ? "
        f"Merci de corriger rapidement."
    )
    w.fields.update({"job_name": job, "failure_date": d.iso, "error_message": err})
    return w.draft(
        "repository_full", w.c("Espace insuffisant sauvegarde", f"Job {job} en échec"), text, w.reg("neutral", "formal")
    )


def ambiguous_restore(w: W):
    h = w.host()
    d = w.past(0, 1)
    text = (
        f"La sauvegarde de {h.name} a échoué {d.when}. Si nous devions restaurer aujourd'hui, la sauvegarde "
        f"précédente serait-elle exploitable ? Et surtout, merci de corriger l'échec."
    )
    w.fields.update({"hostname": h.name, "failure_date": d.iso})
    return w.draft("ambiguous_restore_question", _subj(w, h.name), text, w.reg("neutral", "formal"))


def agent_unreachable(w: W):
    h = w.host()
    d = w.past(0, 2)
    err = w.c(
        "EXIT STATUS 58: can't connect to client",
        "Error Code: [91:23] Client failed to respond.",
        "Error: The RPC server is unavailable. RPC function call failed.",
    )
    w.keep(err)
    text = (
        f"La sauvegarde de {h.name} échoue {d.when} : {err}. Le serveur est pourtant bien allumé, "
        f"nous avons peut-être un souci de pare-feu depuis {w.c('le changement de firewall', 'la migration réseau', 'hier')}."
    )
    w.fields.update({"hostname": h.name, "failure_date": d.iso, "error_message": err})
    return w.draft(
        "agent_unreachable",
        w.c("Agent de sauvegarde injoignable", _subj(w, h.name)),
        text,
        w.reg("neutral", "informal"),
    )


def credentials(w: W):
    job = w.job()
    d = w.past(0, 4)
    text = (
        f"Nous avons changé le mot de passe du compte de service {w.c('svc_backup', 'svc-veeam', 'adm_sauvegarde')} "
        f"{d.when} et depuis le job {job} échoue (Access is denied). Pouvez-vous mettre à jour les identifiants de votre côté ?"
    )
    w.fields.update({"job_name": job, "failure_date": d.iso, "error_message": "Access is denied"})
    return w.draft(
        "credentials_changed",
        w.c("Échec sauvegarde - mot de passe", f"{job} access denied"),
        text,
        w.reg("neutral", "formal"),
    )


def missing_from_report(w: W):
    h = w.host()
    d = w.past(2, 10)
    text = (
        f"{h.name} n'apparaît plus dans le rapport quotidien de sauvegarde depuis {d.when}. "
        f"A-t-il été retiré par erreur ? Merci de vérifier, il doit être sauvegardé chaque nuit."
    )
    w.fields.update({"hostname": h.name, "failure_date": d.iso})
    return w.draft(
        "missing_from_report",
        w.c(f"{h.name} absent du rapport", "Serveur non sauvegardé ?"),
        text,
        w.reg("neutral", "formal"),
    )


FAMILIES = [
    ("auto_veeam_job", 9.0, _auto("veeam_job")),
    ("auto_veeam_agent", 3.0, _auto("veeam_agent")),
    ("auto_commvault_job", 3.0, _auto("commvault_job")),
    ("auto_commvault_alert", 2.0, _auto("commvault_alert")),
    ("auto_netbackup", 3.0, _auto("netbackup")),
    ("auto_netbackup_report", 1.5, _auto("netbackup_report")),
    ("auto_bcs_portal", 3.0, _auto("bcs_portal")),
    ("fwd_short_comment", 5.0, fwd_short),
    ("fwd_relaunch", 3.0, fwd_relaunch),
    ("fwd_recurring", 2.0, fwd_recurring),
    ("fwd_english", 1.0, fwd_english),
    ("job_failed_nights", 5.0, failed_nights),
    ("no_report", 2.5, no_report),
    ("not_run", 3.0, not_run),
    ("relaunch_full", 3.0, relaunch_full),
    ("error_pasted", 3.0, error_pasted),
    ("urgent_phone", 2.0, urgent_phone),
    ("form", 2.0, form),
    ("english", 1.5, english),
    ("complaint", 1.0, complaint),
    ("followup_ticket", 2.0, followup_ticket),
    ("formal_letter", 1.5, formal),
    ("warning_partial", 2.0, warning_partial),
    ("vss_after_update", 1.5, vss_after_update),
    ("tape_media", 1.0, tape_media),
    ("db_backup_failed", 1.5, db_backup),
    ("job_overrun", 1.0, overrun),
    ("after_migration", 1.0, after_migration),
    ("sms_informal", 1.5, sms_informal),
    ("list_failures", 1.5, list_failures),
    ("portal_red", 1.5, portal_red),
    ("repository_full", 1.0, repository_full),
    ("ambiguous_restore_question", 1.0, ambiguous_restore),
    ("agent_unreachable", 1.5, agent_unreachable),
    ("credentials_changed", 1.0, credentials),
    ("missing_from_report", 1.0, missing_from_report),
]
