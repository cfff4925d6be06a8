# ruff: noqa: E501  (text templates: long French sentences read better unbroken)
"""Writers for the `supervision` category: automatic alerts, forwarded alerts, client reports.

Most real supervision tickets are the tools' own notifications; the rest are clients
forwarding one with a line of comment, or describing what they see in Centreon/Zabbix.
Human-written ground truth uses the probe's short `label` (it appears verbatim) and a
severity only when a tool state word is written.
"""

from __future__ import annotations

from ..alerts import supervision_alert
from ..infra import Host
from ..probes import Probe, make_probe, network_host
from .common import W, bullet, join_names

_STATE_WORDS = {
    "CRITICAL": ("CRITICAL", "CRITICAL", "critical", "Critical", "critique", "CRITIQUE"),
    "WARNING": ("WARNING", "WARNING", "warning", "Warning", "WARN"),
    "DOWN": ("DOWN", "DOWN", "down", "Down"),
    "UNREACHABLE": ("UNREACHABLE", "unreachable"),
    "UNKNOWN": ("UNKNOWN", "unknown"),
}
_TOOLS = (
    "Centreon",
    "Centreon",
    "Zabbix",
    "Nagios",
    "PRTG",
    "la supervision",
    "la console de supervision",
    "l'outil de supervision",
)


def _state(w: W, *allowed: str) -> tuple[str, str]:
    sev = w.c(*allowed) if allowed else w.c("CRITICAL", "CRITICAL", "WARNING")
    word = w.cl(_STATE_WORDS[sev])
    w.keep(word)
    return sev, word


def _probe(w: W, h: Host, sev: str, kind: str | None = None) -> Probe:
    st = sev if sev in {"WARNING", "CRITICAL", "UNKNOWN"} else "CRITICAL"
    p = make_probe(w.company, h, st, w.rng, kind)
    w.keep(p.label, p.service)
    return p


def _set(w: W, h: str, service: str | None = None, sev: str | None = None, at: str | None = None) -> None:
    w.fields["hostname"] = h
    if service:
        w.fields["service"] = service
    if sev:
        w.fields["severity"] = sev
    if at:
        w.fields["alert_time"] = at


# ------------------------------------------------------------------ automatic
def _auto(tool: str, backup: bool = False):
    def fam(w: W):
        a = supervision_alert(w.ctx, tool, backup=backup)
        return w.automatic(f"auto_{tool}" if not backup else "auto_backup_check", a)

    return fam


# ------------------------------------------------------------------ forwarded
def fwd_short(w: W):
    a = supervision_alert(w.ctx)
    w.fields.update(a.fields)
    comment = w.c(
        "Pour info.",
        "FYI",
        "Pouvez-vous regarder ?",
        "Voir ci-dessous.",
        "Merci de vérifier.",
        "Pour action.",
        "A voir svp",
        "Je vous transfère l'alerte.",
        "Cf. ci-dessous",
        "Une idée ?",
        "Pouvez-vous checker ?",
        "Encore cette alerte...",
        "?",
    )
    return w.forwarded("fwd_short_comment", a, comment, w.reg("neutral", "informal", "phone", "bare"))


def fwd_question(w: W):
    a = supervision_alert(w.ctx)
    w.fields.update(a.fields)
    h = a.fields["hostname"]
    comment = w.c(
        f"Nous avons reçu l'alerte ci-dessous concernant {h}. Pouvez-vous nous dire si une intervention est nécessaire de notre côté ?",
        f"Je vous transfère cette alerte reçue cette nuit. Est-ce que vous avez la main pour regarder ce qui se passe sur {h} ?",
        f"Alerte reçue sur {h}. Est-ce que c'est pris en compte chez vous ou faut-il ouvrir un ticket ?",
        "Est-ce que vous avez également reçu cette alerte ? Nous n'avons rien constaté côté utilisateurs.",
        f"On a reçu ça ce matin. C'est grave ? Le serveur {h} semble fonctionner normalement.",
        f"Pouvez-vous analyser cette alerte et nous faire un retour ? {h} héberge une application métier importante.",
    )
    return w.forwarded("fwd_question", a, comment, w.reg("neutral", "formal", "informal"))


def fwd_impact(w: W):
    a = supervision_alert(w.ctx, state=w.c("CRITICAL", "CRITICAL", "WARNING"))
    w.fields.update(a.fields)
    h = a.fields["hostname"]
    impact = w.c(
        "les utilisateurs n'arrivent plus à se connecter",
        "l'ERP est très lent",
        "la paie tourne aujourd'hui",
        "le service des urgences est impacté",
        "la production est arrêtée",
        "plus personne n'imprime",
        "les agents de l'accueil sont bloqués",
        "le logiciel de caisse ne répond plus",
    )
    comment = w.c(
        f"URGENT : alerte ci-dessous sur {h}, {impact}. Merci d'intervenir au plus vite.",
        f"Alerte confirmée, {impact} ! Merci de traiter en priorité.",
        f"Impact utilisateurs : {impact}. Merci de nous rappeler rapidement.",
        f"Bonjour, c'est bloquant : {impact}. Vous pouvez regarder ASAP ?",
    )
    return w.forwarded("fwd_impact", a, comment, w.reg("neutral", "phone", "formal"))


def fwd_normal(w: W):
    a = supervision_alert(w.ctx)
    w.fields.update(a.fields)
    comment = w.c(
        "Est-ce normal ? On reçoit ce mail tous les jours depuis une semaine.",
        "C'est normal ça ? Je ne sais pas à quoi ça correspond.",
        "Nous recevons ce type de message régulièrement, est-ce qu'il faut s'en inquiéter ?",
        "Je ne comprends pas trop cette alerte, pouvez-vous m'expliquer et corriger si besoin ?",
        "Re-belote, même alerte que la semaine dernière. Vous pouvez regarder le fond du problème ?",
    )
    return w.forwarded("fwd_is_it_normal", a, comment, w.reg("neutral", "informal"))


def fwd_english(w: W):
    a = supervision_alert(w.ctx)
    w.fields.update(a.fields)
    comment = w.c(
        "Please see alert below and advise.",
        "FYI - can you check this one asap?",
        "Hi, we received this alert overnight, could you please investigate?",
        "Forwarding this alert, let us know if any action is needed on our side.",
        "Is someone looking at this? Thanks",
    )
    return w.forwarded("fwd_english", a, comment, "english")


# ------------------------------------------------------------------ human
def ping_down(w: W):
    h = w.host()
    sev, word = _state(w, "DOWN", "DOWN", "CRITICAL", "UNREACHABLE")
    t = w.time()
    tool = w.cl(_TOOLS)
    mode = w.rng.randrange(5)
    if mode == 0:
        text = (
            f"Le serveur {h.name} ne répond plus au ping depuis {t.when.removeprefix('à ')}. {tool} le remonte en {word}.\n"
            f"Pouvez-vous regarder ce qui se passe ?"
        )
        _set(w, h.name, "ping", sev, t.iso)
        w.keep("ping")
    elif mode == 1:
        text = f"On a une alerte {tool} sur le ping de {h.name} {t.since}. Le serveur est {word}. Merci de vérifier."
        _set(w, h.name, "ping", sev, t.iso)
        w.keep("ping")
    elif mode == 2:
        text = (
            f"{h.name} ({h.label}) est {word} dans {tool} {t.since}.\nNous n'arrivons plus à y accéder en RDP.\n"
            f"Pouvez-vous intervenir rapidement svp ?"
        )
        _set(w, h.name, None, sev, t.iso)
    elif mode == 3:
        text = (
            f"Depuis {t.when.removeprefix('à ')}, le {h.label} {h.name} est injoignable (ping KO). "
            f"Aucune idée de la cause, pas de maintenance prévue de notre côté."
        )
        _set(w, h.name, "ping", None, t.iso)
        w.keep("ping")
    else:
        text = f"Le ping vers {h.name} ne passe plus, {tool} affiche {word}. Ça bloque {w.c('les utilisateurs', 'la prod', 'tout le service compta')}."
        _set(w, h.name, "ping", sev)
        w.keep("ping")
    subj = w.c(
        f"{h.name} injoignable",
        f"Serveur {h.name} down",
        f"Alerte ping {h.name}",
        "Serveur ne répond plus",
        f"Pb accès {h.name}",
        f"{h.name} ne répond plus au ping",
    )
    return w.draft("human_ping_down", subj, text, w.reg("neutral", "neutral", "informal", "phone"))


def disk_full(w: W):
    h = w.host()
    sev, word = _state(w, "CRITICAL", "CRITICAL", "WARNING")
    p = _probe(w, h, sev, "disk")
    tool = w.cl(_TOOLS)
    mode = w.rng.randrange(4)
    if mode == 0:
        t = w.time()
        text = (
            f"Alerte {tool} {t.since} : {p.human} sur {h.name}. La sonde est en {word}.\n"
            f"Pouvez-vous faire du ménage ou étendre le disque ?"
        )
        _set(w, h.name, p.label, sev, t.iso)
    elif mode == 1:
        text = (
            f"Sur {h.name}, {p.human}. {tool} est passé en {word} ce matin.\n"
            f"Est-ce que vous pouvez regarder ce qui prend de la place ? On soupçonne les logs {w.c('IIS', 'SQL', 'applicatifs', 'Veeam')}."
        )
        _set(w, h.name, p.label, sev)
    elif mode == 2:
        text = f"{p.human.capitalize()} sur le serveur {h.name} ({word}). Merci d'agrandir le volume ou de purger."
        _set(w, h.name, p.label, sev)
    else:
        text = (
            f"Nous avons une alerte disque sur {h.name} : {p.human}.\nAttention, c'est le {h.label}, "
            f"s'il sature on est bloqués. Merci de traiter rapidement."
        )
        _set(w, h.name, p.label)
    subj = w.c(
        f"Disque plein {h.name}",
        f"Alerte espace disque {h.name}",
        f"{h.name} - {p.label} {word}",
        "Espace disque critique",
        f"Saturation disque sur {h.name}",
        f"Alerte {tool} disque",
    )
    return w.draft("human_disk_full", subj, text, w.reg("neutral", "neutral", "informal", "formal"))


def cpu_mem(w: W):
    h = w.host()
    sev, word = _state(w, "CRITICAL", "WARNING")
    p = _probe(w, h, sev, w.c("cpu", "mem"))
    t = w.time(max_hours=8)
    mode = w.rng.randrange(3)
    if mode == 0:
        text = (
            f"Le serveur {h.name} rame énormément {t.since}, {p.human}. {w.cl(_TOOLS).capitalize()} remonte un {word}.\n"
            f"Les utilisateurs se plaignent de lenteurs. Pouvez-vous identifier le processus en cause ?"
        )
        _set(w, h.name, p.label, sev, t.iso)
    elif mode == 1:
        text = f"Alerte {p.label} en {word} sur {h.name} {t.when.removeprefix('à ')}. Ça ne redescend pas. Vous pouvez regarder ?"
        _set(w, h.name, p.label, sev, t.iso)
    else:
        text = (
            f"Depuis la mise à jour de {w.c('l’ERP', 'Sage', 'l’antivirus', 'Windows')}, {p.human} sur {h.name}.\n"
            f"Merci d'analyser et de nous dire s'il faut ajouter des ressources à la VM."
        )
        _set(w, h.name, p.label)
    subj = w.c(
        f"Lenteurs {h.name}",
        f"{p.label} saturé sur {h.name}",
        f"Alerte {p.label} {h.name}",
        "Serveur très lent",
        f"Pb perf {h.name}",
    )
    return w.draft("human_cpu_mem", subj, text, w.reg("neutral", "neutral", "informal"))


def service_stopped(w: W):
    h = w.host()
    sev, word = _state(w, "CRITICAL", "CRITICAL", "WARNING", "UNKNOWN")
    p = _probe(w, h, sev, "svc")
    t = w.time()
    text = w.c(
        f"{w.cl(_TOOLS).capitalize()} indique que le {p.label} est arrêté sur {h.name} (état {word}) {t.since}.\n"
        f"Pouvez-vous le redémarrer et voir pourquoi il est tombé ?",
        f"Le {p.label} sur {h.name} est tombé {t.when.removeprefix('à ')}, sonde en {word}. On a essayé de le relancer sans succès.",
        f"Alerte {word} : {p.human} ({h.name}). Merci de regarder.",
    )
    _set(
        w,
        h.name,
        p.label,
        sev,
        t.iso if t.when in text or t.since in text or t.when.removeprefix("à ") in text else None,
    )
    subj = w.c(
        f"Service arrêté sur {h.name}", f"{p.label} KO", f"Alerte service {h.name}", f"{h.name} : {p.label} stopped"
    )
    return w.draft("human_service_stopped", subj, text, w.reg("neutral", "informal"))


def urgent_oneliner(w: W):
    h = w.host()
    sev, word = _state(w, "DOWN", "CRITICAL", "DOWN")
    text = w.c(
        f"{h.name} {word} !! urgent",
        f"{h.name} est {word}, tout le monde est bloqué. Rappelez-moi svp",
        f"Urgent {h.name} plus accessible, {word} sur {w.cl(_TOOLS)}",
        f"{h.name} HS ({word}), merci de regarder vite",
        f"serveur {h.name} {word} depuis 10 min. help",
    )
    _set(w, h.name, None, sev)
    subj = w.c("URGENT", f"{h.name} down", "Urgent serveur", f"URGENT {h.name}", "!!!")
    return w.draft("human_urgent_oneliner", subj, text, "phone", greet=w.p(0.4))


def multi_probes(w: W):
    h = w.host()
    sev, word = _state(w, "CRITICAL", "WARNING")
    probes = []
    for kind in w.rng.sample(["cpu", "mem", "disk", "svc", "ping", "http"], k=w.rng.randint(2, 4)):
        pr = make_probe(w.company, h, sev, w.rng, kind)
        w.keep(pr.service)
        probes.append(pr)
    b = bullet(w.rng)
    lines = "\n".join(f"{b}{pr.service} : {word}" for pr in probes)
    text = w.c(
        f"Plusieurs sondes sont en {word} sur {h.name} depuis ce matin :\n{lines}\n\nPouvez-vous investiguer ?",
        f"On a un sapin de Noël sur {w.cl(_TOOLS)} pour {h.name} :\n{lines}\nMerci de regarder ça.",
        f"Voici les alertes en cours sur {h.name} :\n\n{lines}\n\nJe pense que c'est lié, mais à confirmer.",
    )
    _set(w, h.name, None, sev)
    subj = w.c(f"Multiples alertes {h.name}", f"Alertes {w.cl(_TOOLS)} {h.name}", "Plusieurs alertes en cours")
    return w.draft("human_multi_probes", subj, text, w.reg("neutral", "informal", "formal"))


def form(w: W):
    h = w.host()
    sev, _word = _state(w, "CRITICAL", "WARNING", "DOWN")
    p = _probe(w, h, sev)
    t = w.time()
    stamp = t.value.strftime(w.c("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m %H:%M"))
    w.keep(stamp)
    sep = w.c(" : ", ": ", " = ", " - ", "\t")
    labels = w.c("fr", "fr2", "en")
    if labels == "fr":
        keys = ("Serveur", "Sonde", "Etat", "Depuis", "Détail")
    elif labels == "fr2":
        keys = ("Hôte", "Service", "Criticité", "Date de l'alerte", "Message")
    else:
        keys = ("Host", "Service", "State", "Since", "Output")
    text = (
        f"{keys[0]}{sep}{h.name}\n{keys[1]}{sep}{p.service}\n{keys[2]}{sep}{sev}\n{keys[3]}{sep}{stamp}\n"
        f"{keys[4]}{sep}{p.output}"
    )
    w.keep(p.output)
    if w.p(0.6):
        text = (
            w.c(
                "Merci de traiter l'alerte suivante :",
                "Nouvelle alerte :",
                "Demande d'intervention",
                "Incident supervision",
            )
            + "\n\n"
            + text
        )
    _set(w, h.name, p.service, sev, t.value.strftime("%Y-%m-%dT%H:%M"))
    subj = w.c(
        f"Alerte {h.name} - {p.service}", f"[Supervision] {h.name} {sev}", "Incident supervision", f"{sev} {h.name}"
    )
    return w.draft("human_form", subj, text, w.reg("bare", "neutral"))


def english(w: W):
    h = w.host()
    sev, word = _state(w, "CRITICAL", "WARNING", "DOWN")
    p = _probe(w, h, sev)
    t = w.time(lang="en")
    text = w.c(
        f"We got a {word} alert on {h.name} ({p.service}) {t.since}. Could you please check asap?",
        f"Our monitoring shows {h.name} as {word} {t.when}. Users report they cannot connect. Please investigate.",
        f"{p.service} on {h.name} has been {word} {t.since}, can your team have a look? We are a subcontractor for "
        f"{w.company.name} and cannot access the server.",
    )
    _set(w, h.name, p.service if p.service in text else None, sev, t.iso)
    subj = w.c(f"{word} alert on {h.name}", f"{h.name} monitoring alert", f"Issue with {h.name}", "Monitoring alert")
    return w.draft("human_english", subj, text, "english")


def false_positive(w: W):
    h = w.host()
    sev, word = _state(w, "WARNING", "CRITICAL", "UNKNOWN")
    p = _probe(w, h, sev)
    text = w.c(
        f"Nous recevons une alerte {word} sur {h.name} ({p.label}) mais le serveur semble fonctionner normalement.\n"
        f"Pouvez-vous vérifier la sonde ? Il s'agit peut-être d'un faux positif.",
        f"L'alerte {p.label} sur {h.name} est en {word} alors que tout va bien côté serveur. Un souci de seuil ?",
        f"Depuis hier {w.cl(_TOOLS)} affiche {word} pour {p.label} sur {h.name}, pourtant on ne constate rien. "
        f"Merci d'ajuster la sonde si c'est un faux positif.",
    )
    _set(w, h.name, p.label, sev)
    subj = w.c("Faux positif ?", f"Alerte {h.name} à vérifier", f"Sonde {p.label} {h.name}", "Alerte incohérente")
    return w.draft("human_false_positive", subj, text, w.reg("neutral", "formal", "informal"))


def flapping(w: W):
    h = w.host()
    sev, word = _state(w, "WARNING", "CRITICAL")
    p = _probe(w, h, sev)
    hour = w.rng.randint(0, 5)
    text = w.c(
        f"L'alerte {p.label} de {h.name} revient toutes les nuits vers {hour}h ({word}) puis repasse OK. "
        f"Ça dure depuis {w.c('une semaine', '10 jours', 'le début du mois', 'lundi')}. Vous avez une idée ?",
        f"{h.name} : {p.label} qui passe en {word} puis OK en boucle, on reçoit des dizaines de mails. Merci de regarder.",
        f"Alerte intermittente sur {h.name} ({p.label}). Elle passe {word} quelques minutes chaque nuit.",
    )
    _set(w, h.name, p.label, sev)
    subj = w.c("Alerte récurrente", f"Alerte en boucle {h.name}", f"Flapping {h.name}", "Toujours la même alerte")
    return w.draft("human_flapping", subj, text, w.reg("neutral", "informal"))


def followup_ticket(w: W):
    h = w.host()
    sev, word = _state(w, "CRITICAL", "WARNING")
    p = _probe(w, h, sev)
    ref = w.ticket()
    t = w.time()
    text = w.c(
        f"Suite au ticket {ref}, l'alerte {p.label} sur {h.name} est revenue {t.when.removeprefix('à ')} ({word}).\n"
        f"Pouvez-vous rouvrir le ticket ou en créer un nouveau ?",
        f"Réf. {ref} : le problème n'est pas résolu, {h.name} est de nouveau {word} {t.since}.",
        f"Je reviens vers vous concernant {ref}. Même symptôme sur {h.name} : {p.human}, alerte {word}.",
    )
    _set(
        w,
        h.name,
        p.label if p.label in text else None,
        sev,
        t.iso if (t.since in text or t.when.removeprefix("à ") in text) else None,
    )
    subj = w.c(f"RE: {ref}", f"Suite {ref} - {h.name}", f"Relance ticket {ref}", f"[{ref}] alerte revenue")
    return w.draft("human_followup_ticket", subj, text, w.reg("neutral", "informal", "formal"))


def backup_server_alert(w: W):
    h = w.host(w.c("VEEAM", "BCK"))
    sev, word = _state(w, "CRITICAL", "WARNING")
    kind = w.c("disk", "svc", "mem", "ping")
    p = _probe(w, h, sev, kind)
    text = w.c(
        f"{w.cl(_TOOLS).capitalize()} remonte une alerte {word} sur notre serveur de sauvegarde {h.name} : {p.human}.\n"
        f"J'ai peur que les sauvegardes de cette nuit soient impactées, pouvez-vous regarder ?",
        f"Alerte {p.label} en {word} sur {h.name} (le serveur Veeam). Les jobs ont l'air de tourner, mais à vérifier.",
        f"Le serveur de backup {h.name} est en {word} sur la supervision ({p.label}). Merci de regarder.",
    )
    _set(w, h.name, p.label, sev)
    subj = w.c(f"Alerte serveur de sauvegarde {h.name}", f"{h.name} {word}", "Alerte supervision serveur Veeam")
    return w.draft("human_backup_server_alert", subj, text, w.reg("neutral", "formal"))


def network_device(w: W):
    h = network_host(w.company, w.rng)
    w.keep(h.name)
    sev, word = _state(w, "DOWN", "CRITICAL", "WARNING")
    itf = w.c("Gi1/0/24", "Gi1/0/48", "port 12", "Te1/1/1", "wan1", "ethernet1/3", "Gi0/2")
    w.keep(itf)
    label = f"interface {itf}"
    text = w.c(
        f"L'{label} du {h.name} est {word} sur {w.cl(_TOOLS)}. Tout le bâtiment {w.c('A', 'B', 'administratif')} a perdu le réseau.",
        f"Alerte {word} sur {h.name} ({label}). Le lien vers le site de {w.c('production', 'la mairie annexe', 'l’entrepôt')} est coupé.",
        f"{h.name} : {label} {word} depuis ce matin, merci de vérifier le câblage ou le switch.",
    )
    _set(w, h.name, label, sev)
    subj = w.c(f"Perte réseau {h.name}", f"Interface down {h.name}", "Coupure réseau", f"{h.name} {word}")
    return w.draft("human_network_device", subj, text, w.reg("neutral", "phone", "informal"))


def complaint(w: W):
    h = w.host()
    sev, word = _state(w, "DOWN", "CRITICAL")
    text = w.c(
        f"C'est la troisième fois ce mois-ci que {h.name} tombe ({word} sur {w.cl(_TOOLS)}) et personne ne nous a prévenus. "
        f"Nous payons un service de supervision, je m'attends à être alerté avant que les utilisateurs ne se plaignent.\n"
        f"Merci de nous expliquer ce qui se passe et de nous proposer un plan d'action.",
        f"Je suis très mécontent : {h.name} est {word} depuis ce matin et nous l'avons découvert par les utilisateurs. "
        f"À quoi sert la supervision ? J'attends un appel de votre responsable.",
        f"Encore une coupure sur {h.name} ({word}) ! C'est inadmissible, c'est la {w.c('2e', '3e', '4e')} fois en deux semaines.",
    )
    _set(w, h.name, None, sev)
    subj = w.c(
        "Réclamation - supervision",
        f"Encore {h.name} !",
        "Mécontentement",
        f"{h.name} à nouveau en panne",
        "Qualité de service supervision",
    )
    return w.draft("human_complaint", subj, text, w.reg("formal", "neutral"))


def recovery_question(w: W):
    h = w.host()
    sev, word = _state(w, "CRITICAL", "WARNING", "DOWN")
    p = _probe(w, h, sev)
    t = w.time(max_hours=14)
    text = w.c(
        f"On a reçu une alerte {word} sur {h.name} ({p.label}) {t.when.removeprefix('à ')}, puis un RECOVERY 20 minutes après. "
        f"Faut-il faire quelque chose ou c'était juste passager ?",
        f"Alerte {p.label} {word} {t.since} sur {h.name}, revenue OK depuis. Vous pouvez regarder la cause ?",
    )
    _set(w, h.name, p.label, sev, t.iso)
    subj = w.c("Alerte puis recovery", f"Question alerte {h.name}", f"Alerte {h.name} résolue ?")
    return w.draft("human_recovery_question", subj, text, w.reg("neutral", "informal"))


def maintenance(w: W):
    h = w.host()
    sev, word = _state(w, "DOWN", "CRITICAL")
    d = w.future(0, 5)
    text = w.c(
        f"On a une alerte {word} sur {h.name} mais c'est normal, on est en maintenance dessus. "
        f"Pouvez-vous mettre le serveur en downtime dans la supervision {d.until} ?",
        f"{h.name} va apparaître {word} dans {w.cl(_TOOLS)}, c'est une intervention planifiée de notre prestataire. "
        f"Merci de ne pas en tenir compte et de poser un downtime.",
        f"Les alertes {word} sur {h.name} sont liées au remplacement du matériel. Merci d'acquitter.",
    )
    _set(w, h.name, None, sev)
    subj = w.c(f"Downtime {h.name}", "Maintenance en cours - alertes", f"Alerte {h.name} à acquitter")
    return w.draft("human_maintenance", subj, text, w.reg("neutral", "informal"))


def sms_informal(w: W):
    h = w.host()
    sev, word = _state(w, "CRITICAL", "DOWN", "WARNING")
    text = w.c(
        f"slt {h.name} en rouge sur centreon ({word}), tu regardes ?",
        f"yo, {h.name} {word} depuis ce matin, tu peux jeter un oeil stp",
        f"hello, alerte {word} sur {h.name}, c'est toi qui gères ? thx",
        f"re, {h.name} repasse {word}... tu peux checker qd t'as 2 min",
    )
    _set(w, h.name, None, sev)
    return w.draft(
        "human_sms_informal", w.c(h.name, f"{h.name} ?", "alerte", "centreon"), text, "informal", greet=False
    )


def hospital_formal(w: W):
    h = w.host()
    sev, word = _state(w, "CRITICAL", "DOWN")
    p = _probe(w, h, sev)
    t = w.time()
    if w.sector in {"hopital", "clinique", "ehpad"}:
        app = w.c("le DPI", "le PACS", "le logiciel de gestion des admissions", "l'application de prescription")
    elif w.sector in {"mairie", "interco", "departement"}:
        app = w.c("le logiciel état civil", "la gestion financière", "le portail citoyen", "le logiciel RH")
    else:
        app = w.c("l'ERP", "la paie", "la gestion commerciale", "le logiciel de production")
    org = {
        "hopital": "établissement",
        "clinique": "établissement",
        "ehpad": "établissement",
        "mairie": "collectivité",
        "interco": "collectivité",
        "departement": "collectivité",
    }.get(w.sector, "activité")
    text = (
        f"Je vous informe qu'une alerte de niveau {word} a été remontée par notre supervision {t.when.removeprefix('à ')} "
        f"concernant le serveur {h.name} ({p.label}).\n\nCe serveur héberge {app}, application critique pour notre "
        f"{org}. Je vous remercie de bien vouloir procéder à un diagnostic dans les meilleurs délais et de "
        f"nous tenir informés de vos conclusions."
    )
    _set(w, h.name, p.label, sev, t.iso)
    subj = w.c(f"Incident critique - serveur {h.name}", "Signalement incident supervision", f"Alerte {word} {h.name}")
    return w.draft("human_formal_letter", subj, text, "formal")


def screenshot(w: W):
    h = w.host()
    sev, word = _state(w, "CRITICAL", "WARNING", "DOWN")
    text = w.c(
        f"Voir capture d'écran ci-jointe : {h.name} en {word} sur {w.cl(_TOOLS)}.",
        f"Ci-joint la capture de l'alerte sur {h.name} ({word}). Pouvez-vous regarder ?",
        f"[image001.png]\n\n{h.name} est {word} depuis ce matin, cf capture.",
    )
    _set(w, h.name, None, sev)
    subj = w.c("Capture alerte", f"Alerte {h.name}", "Alerte supervision (capture)")
    return w.draft("human_screenshot", subj, text, w.reg("neutral", "phone"))


def user_report(w: W):
    h = w.host()
    sev, word = _state(w, "CRITICAL", "WARNING")
    p = _probe(w, h, sev, w.c("cpu", "mem", "disk", "http"))
    text = (
        f"Plusieurs utilisateurs nous signalent des lenteurs sur {w.c('l’ERP', 'le partage réseau', 'l’intranet', 'Sage')}. "
        f"En regardant {w.cl(_TOOLS)}, je vois une alerte sur {h.name} : {p.human} (sonde {p.service} en {word}).\n"
        f"Pouvez-vous analyser ?"
    )
    _set(w, h.name, p.service, sev)
    subj = w.c("Lenteurs utilisateurs", f"Lenteurs + alerte {h.name}", "Ralentissements")
    return w.draft("human_user_report", subj, text, w.reg("neutral", "formal"))


def cert_expiry(w: W):
    h = w.host(w.c("WEB", "EXCH", "RDSGW", "PROXY"))
    sev, word = _state(w, "WARNING", "CRITICAL")
    p = _probe(w, h, sev, "cert")
    text = w.c(
        f"La supervision remonte un {word} sur {h.name} : {p.human}. Pouvez-vous vous charger du renouvellement ou nous dire qui s'en occupe ?",
        f"Alerte {p.label} en {word} sur {h.name}. {p.human.capitalize()}.",
    )
    _set(w, h.name, p.label, sev)
    subj = w.c("Certificat bientôt expiré", f"Alerte certificat {h.name}", "Expiration certificat SSL")
    return w.draft("human_cert_expiry", subj, text, w.reg("neutral", "formal"))


def after_change(w: W):
    h = w.host()
    sev, word = _state(w, "CRITICAL", "WARNING", "UNKNOWN")
    p = _probe(w, h, sev)
    d = w.past(1, 6)
    text = (
        f"Depuis les mises à jour Windows {d.of}, la sonde {p.service} de {h.name} est en {word}. "
        f"Le serveur a bien redémarré. Est-ce que l'agent de supervision {w.c('NSClient++', 'Zabbix', 'SNMP')} "
        f"doit être relancé ?"
    )
    _set(w, h.name, p.service, sev)
    subj = w.c("Alerte depuis mises à jour", f"{h.name} - sonde en erreur", "Supervision KO après patch")
    return w.draft("human_after_change", subj, text, w.reg("neutral", "informal"))


def several_hosts(w: W):
    hs = w.hosts(w.rng.randint(2, 4))
    sev, word = _state(w, "DOWN", "CRITICAL", "UNREACHABLE")
    names = join_names([h.name for h in hs], w.rng)
    text = w.c(
        f"Tous les serveurs du site distant sont {word} dans {w.cl(_TOOLS)} : {names}. Coupure du lien VPN ?",
        f"{names} sont passés {word} en même temps {w.c('vers 8h', 'cette nuit', 'il y a 10 minutes')}. Merci de regarder en urgence.",
    )
    w.fields["severity"] = sev
    subj = w.c("Plusieurs serveurs down", "Perte de plusieurs serveurs", f"Alerte {word} multiple")
    return w.draft("human_several_hosts", subj, text, w.reg("neutral", "phone"))


FAMILIES = [
    ("auto_nagios", 5.0, _auto("nagios")),
    ("auto_nagios_host", 3.0, _auto("nagios_host")),
    ("auto_nagios_short", 2.0, _auto("nagios_short")),
    ("auto_icinga", 2.0, _auto("icinga")),
    ("auto_centreon_en", 5.0, _auto("centreon_en")),
    ("auto_centreon_fr", 5.0, _auto("centreon_fr")),
    ("auto_centreon_html", 2.5, _auto("centreon_html")),
    ("auto_zabbix_en", 4.0, _auto("zabbix_en")),
    ("auto_zabbix_fr", 2.5, _auto("zabbix_fr")),
    ("auto_prtg", 4.0, _auto("prtg")),
    ("auto_backup_check", 1.5, _auto("centreon_fr", backup=True)),
    ("fwd_short_comment", 5.0, fwd_short),
    ("fwd_question", 4.0, fwd_question),
    ("fwd_impact", 2.0, fwd_impact),
    ("fwd_is_it_normal", 2.0, fwd_normal),
    ("fwd_english", 1.0, fwd_english),
    ("human_ping_down", 4.0, ping_down),
    ("human_disk_full", 4.0, disk_full),
    ("human_cpu_mem", 3.0, cpu_mem),
    ("human_service_stopped", 3.0, service_stopped),
    ("human_urgent_oneliner", 2.0, urgent_oneliner),
    ("human_multi_probes", 1.5, multi_probes),
    ("human_form", 2.0, form),
    ("human_english", 1.5, english),
    ("human_false_positive", 2.0, false_positive),
    ("human_flapping", 1.5, flapping),
    ("human_followup_ticket", 2.0, followup_ticket),
    ("human_backup_server_alert", 1.5, backup_server_alert),
    ("human_network_device", 1.5, network_device),
    ("human_complaint", 1.0, complaint),
    ("human_recovery_question", 1.5, recovery_question),
    ("human_maintenance", 1.0, maintenance),
    ("human_sms_informal", 1.5, sms_informal),
    ("human_formal_letter", 1.0, hospital_formal),
    ("human_screenshot", 1.0, screenshot),
    ("human_user_report", 1.5, user_report),
    ("human_cert_expiry", 1.0, cert_expiry),
    ("human_after_change", 1.0, after_change),
    ("human_several_hosts", 1.0, several_hosts),
]
