# ruff: noqa: E501  (text templates: long French sentences read better unbroken)
"""Writers for the `bcs_autre` category (other backup-service requests): everything around the backup service
that is neither a restore nor a policy change: portal access, reports, contacts, tapes,
quotes, meetings, audits, agent upgrades, contract matters.

`summary` is a one-sentence paraphrase of the request (not copied from the text), and
`hostnames` is set only when servers are named.
"""

from __future__ import annotations

from ..infra import ip_address
from ..people import slug
from ..vocab import FEMALE_NAMES
from .common import W, join_names

LEADS = (
    "Concernant notre contrat de sauvegarde BCS,",
    "Petite demande administrative :",
    "Une demande sur le service de sauvegarde :",
    "Je reviens vers vous au sujet du service BCS.",
    "Suite à notre dernier comité de suivi,",
    "Demande non urgente :",
    "Dans le cadre de la réorganisation de notre service informatique,",
    "Pour faire suite à notre échange téléphonique,",
    "Je me permets de vous solliciter concernant la sauvegarde.",
    "Autre sujet :",
)


def _person(w: W) -> tuple[str, str, str]:
    a, b = w.person()
    civ = w.c("Mme" if a in FEMALE_NAMES else "M.", "", "")
    display = f"{civ} {a} {b}".strip() if w.p(0.6) else f"{civ} {b}".strip() if civ else f"{a} {b}"
    email = f"{slug(a, '-')}.{slug(b, '')}@{w.company.domain}"
    w.keep(display, email)
    return display, email, a


def add_contact(w: W):
    who, email, _ = _person(w)
    role = w.c(
        "notre nouveau responsable informatique",
        "notre nouvelle technicienne",
        "le DAF",
        "notre prestataire infogérance",
        "mon adjoint",
        "notre RSSI",
    )
    text = w.c(
        f"Pouvez-vous ajouter {who} ({email}), {role}, à la liste de diffusion des rapports de sauvegarde ?",
        f"Merci d'ajouter {email} en destinataire des rapports quotidiens BCS.",
        f"{who} rejoint notre équipe en tant que {role.split(' ', 1)[-1]}. Pouvez-vous l'ajouter aux destinataires des rapports et des alertes de sauvegarde ? Son adresse : {email}",
    )
    w.fields["summary"] = f"Ajouter {who or email} à la liste de diffusion des rapports de sauvegarde."
    text = w.lead(LEADS, text)
    return w.draft(
        "add_report_contact",
        w.c("Ajout destinataire rapports", "Liste de diffusion rapports BCS", "Ajout contact sauvegarde"),
        text,
        w.reg("neutral", "formal", "informal"),
    )


def remove_contact(w: W):
    who, email, _ = _person(w)
    text = w.c(
        f"{who} a quitté la société le {w.c('28/02', '31 janvier', 'mois dernier')}. Merci de le retirer de toutes les listes de diffusion (rapports, alertes) et de désactiver son accès au portail.",
        f"Merci de supprimer {email} des destinataires des rapports de sauvegarde, cette personne n'est plus chez nous.",
    )
    w.fields["summary"] = f"Retirer {who or email} des listes de diffusion et des accès du service de sauvegarde."
    text = w.lead(LEADS, text)
    return w.draft(
        "remove_contact",
        w.c("Départ collaborateur", "Suppression contact", "Retrait liste de diffusion"),
        text,
        w.reg("neutral", "formal"),
    )


def portal_access(w: W):
    who, email, _ = _person(w)
    text = w.c(
        f"Pouvez-vous créer un accès au portail BCS pour {who} ({email}) ? Il aura besoin de consulter les rapports et de lancer des restaurations de fichiers.",
        f"Merci d'ouvrir un compte sur le portail de sauvegarde pour {email}, en lecture seule.",
        f"Serait-il possible de donner accès à la console de sauvegarde à {who} ? Droits : consultation uniquement.",
    )
    w.fields["summary"] = f"Créer un accès au portail de sauvegarde BCS pour {who or email}."
    text = w.lead(LEADS, text)
    return w.draft(
        "portal_access",
        w.c("Accès portail BCS", "Création compte portail sauvegarde", "Demande d'accès portail"),
        text,
        w.reg("neutral", "formal", "informal"),
    )


def portal_password(w: W):
    text = w.c(
        "Je n'arrive plus à me connecter au portail BCS, mon mot de passe a expiré. Pouvez-vous le réinitialiser ?",
        "Mon compte sur le portail de sauvegarde est verrouillé après plusieurs tentatives. Merci de le débloquer.",
        "J'ai changé de téléphone et je n'ai plus accès à l'authentification à deux facteurs du portail BCS. Pouvez-vous réinitialiser le MFA ?",
        "impossible de me loguer sur le portail bcs, mdp refusé. tu peux reset stp ?",
    )
    w.fields["summary"] = w.c(
        "Réinitialiser l'accès du demandeur au portail BCS.",
        "Débloquer le compte du demandeur sur le portail de sauvegarde.",
    )
    text = w.lead(LEADS, text)
    return w.draft(
        "portal_password",
        w.c("Accès portail BCS bloqué", "Mot de passe portail", "Reset MFA portail"),
        text,
        w.reg("neutral", "informal", "phone"),
    )


def monthly_report(w: W):
    month = w.c("janvier", "février", "mars", "du mois dernier", "de décembre", "du trimestre")
    text = w.c(
        f"Pourriez-vous nous transmettre le rapport mensuel de sauvegarde {month if month.startswith('d') else 'de ' + month} ? Nous ne l'avons pas reçu.",
        f"Nous préparons notre comité de direction : pouvez-vous nous envoyer le bilan des sauvegardes {month if month.startswith('d') else 'de ' + month} (taux de réussite, volumétrie) ?",
        "Le rapport mensuel BCS n'est pas arrivé ce mois-ci. Pouvez-vous le renvoyer ?",
    )
    w.fields["summary"] = "Envoyer le rapport mensuel de sauvegarde."
    text = w.lead(LEADS, text)
    return w.draft(
        "monthly_report",
        w.c("Rapport mensuel sauvegarde", "Bilan mensuel BCS", "Rapport mensuel non reçu"),
        text,
        w.reg("neutral", "formal"),
    )


def report_format(w: W):
    text = w.c(
        "Nous recevons un mail par job chaque nuit, c'est illisible. Est-il possible de ne recevoir qu'un récapitulatif quotidien ?",
        "Pouvez-vous nous envoyer les rapports au format PDF plutôt qu'en HTML ? Notre messagerie les affiche mal.",
        "Merci de ne plus nous envoyer les rapports en succès, uniquement les échecs et avertissements.",
        "Serait-il possible d'ajouter la volumétrie par serveur dans le rapport hebdomadaire ?",
    )
    w.fields["summary"] = "Modifier le format ou le contenu des rapports de sauvegarde envoyés."
    text = w.lead(LEADS, text)
    return w.draft(
        "report_format",
        w.c("Format des rapports", "Rapports de sauvegarde", "Trop de mails de sauvegarde"),
        text,
        w.reg("neutral", "informal"),
    )


def tape_change(w: W):
    d = w.future(1, 10)
    text = w.c(
        f"Pour information, nous procéderons au changement des bandes {d.when}. Pouvez-vous nous confirmer le créneau et le numéro des cartouches à retirer ?",
        "La bande du lundi est marquée « cleaning required ». Pouvez-vous nous indiquer la procédure de changement ?",
        "Nous n'avons plus de cartouches LTO vierges. Pouvez-vous nous en commander 10 ?",
    )
    w.fields["summary"] = "Organiser le changement ou l'approvisionnement des bandes de sauvegarde."
    text = w.lead(LEADS, text)
    return w.draft(
        "tape_change",
        w.c("Changement de bandes", "Cartouches LTO", "Bandes de sauvegarde"),
        text,
        w.reg("neutral", "informal"),
    )


def tape_pickup(w: W):
    d = w.future(1, 14)
    text = (
        f"Pouvez-vous organiser l'enlèvement des bandes d'externalisation par {w.c('Iron Mountain', 'le transporteur', 'votre coursier')} "
        f"{d.when} ? Nous avons {w.rng.randint(4, 20)} cartouches prêtes."
    )
    w.fields["summary"] = "Organiser l'enlèvement des bandes d'externalisation."
    text = w.lead(LEADS, text)
    return w.draft("tape_pickup", w.c("Enlèvement bandes", "Externalisation bandes"), text, w.reg("neutral", "formal"))


def quote(w: W):
    n = w.c("2 To", "5 To", "500 Go", "10 To", "1 To")
    text = w.c(
        f"Nous arrivons en limite de volumétrie. Pouvez-vous nous faire un devis pour {n} de stockage supplémentaires sur BCS ?",
        f"Merci de nous transmettre un devis pour l'extension de notre contrat de sauvegarde ({n} supplémentaires et une copie externalisée).",
        "Pouvez-vous nous faire une proposition commerciale pour la sauvegarde de nos postes nomades ?",
        "Nous souhaiterions un devis pour la sauvegarde de notre tenant Microsoft 365 (Exchange Online, OneDrive, SharePoint).",
    )
    w.fields["summary"] = "Établir un devis pour une extension du service de sauvegarde BCS."
    text = w.lead(LEADS, text)
    return w.draft(
        "quote_request",
        w.c("Demande de devis", "Devis stockage sauvegarde", "Extension contrat BCS"),
        text,
        w.reg("neutral", "formal"),
    )


def meeting(w: W):
    d = w.future(3, 30)
    text = w.c(
        f"Nous souhaiterions organiser une réunion de suivi du service de sauvegarde {d.when}. Quelles sont vos disponibilités ?",
        "Pouvez-vous planifier le comité de pilotage trimestriel BCS ? Nous souhaitons aborder les échecs récurrents et la volumétrie.",
        f"Serait-il possible de faire un point en visio {d.when} avec votre ingénieur sauvegarde au sujet de notre PRA ?",
    )
    w.fields["summary"] = "Planifier une réunion de suivi du service de sauvegarde."
    text = w.lead(LEADS, text)
    return w.draft(
        "meeting_request",
        w.c("Réunion de suivi BCS", "Demande de réunion", "COPIL sauvegarde"),
        text,
        w.reg("neutral", "formal"),
    )


def volumetry(w: W):
    hs = w.hosts(w.rng.randint(0, 3)) if w.p(0.5) else []
    tail = f" en particulier pour {join_names([h.name for h in hs], w.rng)}" if hs else ""
    text = (
        f"Pouvez-vous nous envoyer un état de la volumétrie sauvegardée par serveur{tail} ? "
        f"Nous devons préparer le budget de l'an prochain."
    )
    if hs:
        w.fields["hostnames"] = [h.name for h in hs]
    w.fields["summary"] = "Envoyer un état de la volumétrie sauvegardée par serveur."
    text = w.lead(LEADS, text)
    return w.draft(
        "volumetry_export",
        w.c("Volumétrie sauvegarde", "État de la volumétrie", "Export volumétrie"),
        text,
        w.reg("neutral", "formal"),
    )


def contact_update(w: W):
    who, email, _ = _person(w)
    phone = f"0{w.rng.randint(1, 7)} {w.rng.randint(10, 99)} {w.rng.randint(10, 99)} {w.rng.randint(10, 99)} {w.rng.randint(10, 99)}"
    w.keep(phone)
    text = (
        f"Merci de mettre à jour notre fiche client : le contact technique pour les astreintes est désormais {who}, "
        f"joignable au {phone} ({email})."
    )
    w.fields["summary"] = f"Mettre à jour le contact technique d'astreinte ({who or email})."
    text = w.lead(LEADS, text)
    return w.draft(
        "escalation_contact",
        w.c("Mise à jour contact astreinte", "Changement de contact technique"),
        text,
        w.reg("neutral", "formal"),
    )


def invoice(w: W):
    text = w.c(
        "Sur la facture BCS du mois dernier, la volumétrie facturée a fortement augmenté. Pouvez-vous nous envoyer le détail par serveur ?",
        "Nous ne comprenons pas la ligne « stockage additionnel » de la dernière facture sauvegarde. Pouvez-vous nous l'expliquer et nous envoyer le justificatif ?",
    )
    w.fields["summary"] = "Fournir le détail de la facturation du service de sauvegarde."
    text = w.lead(LEADS, text)
    return w.draft(
        "invoice_detail", w.c("Facture BCS", "Question facturation sauvegarde"), text, w.reg("neutral", "formal")
    )


def audit(w: W):
    norm = w.c("ISO 27001", "HDS", "la certification HAS", "notre audit CAC", "l'audit ANSSI", "notre assureur cyber")
    text = (
        f"Dans le cadre de {norm}, pouvez-vous nous fournir une attestation de sauvegarde ainsi que le compte rendu "
        f"du dernier test de restauration ?"
    )
    w.fields["summary"] = (
        "Fournir une attestation de sauvegarde et le compte rendu du dernier test de restauration pour un audit."
    )
    text = w.lead(LEADS, text)
    return w.draft(
        "audit_evidence",
        w.c("Attestation de sauvegarde", "Audit - preuves de sauvegarde", "Demande de justificatifs"),
        text,
        w.reg("formal", "neutral"),
    )


def restore_test_planning(w: W):
    h = w.host()
    d = w.future(5, 45)
    text = (
        f"Nous souhaitons planifier notre test de restauration annuel {d.when}. Le périmètre serait le serveur {h.name}. "
        f"Pouvez-vous nous proposer un créneau avec un ingénieur ?"
    )
    w.fields.update({"hostnames": [h.name], "summary": f"Planifier le test de restauration annuel sur {h.name}."})
    text = w.lead(LEADS, text)
    return w.draft(
        "restore_test_planning",
        w.c("Planification test de restauration", "Test PRA annuel"),
        text,
        w.reg("neutral", "formal"),
    )


def agent_upgrade(w: W):
    hs = w.hosts(w.rng.randint(1, 3))
    names = join_names([h.name for h in hs], w.rng)
    text = w.c(
        f"Le portail indique que l'agent de sauvegarde est obsolète sur {names}. Pouvez-vous planifier sa mise à jour ?",
        f"Merci de mettre à jour l'agent Veeam sur {names}, nous passons ces serveurs en Windows Server 2022 le mois prochain.",
    )
    w.fields.update(
        {"hostnames": [h.name for h in hs], "summary": "Mettre à jour l'agent de sauvegarde sur les serveurs cités."}
    )
    text = w.lead(LEADS, text)
    return w.draft(
        "agent_upgrade",
        w.c("Mise à jour agent de sauvegarde", "Agent Veeam obsolète"),
        text,
        w.reg("neutral", "informal"),
    )


def suspend_maintenance(w: W):
    hs = w.hosts(w.rng.randint(1, 3))
    names = join_names([h.name for h in hs], w.rng)
    d = w.future(1, 10)
    text = (
        f"Nous arrêtons {names} {d.when} pour une maintenance électrique. Merci de suspendre les sauvegardes de ces "
        f"serveurs pour la nuit afin d'éviter des échecs inutiles."
    )
    w.fields.update(
        {
            "hostnames": [h.name for h in hs],
            "summary": "Suspendre ponctuellement les sauvegardes pendant une maintenance.",
        }
    )
    text = w.lead(LEADS, text)
    return w.draft(
        "suspend_for_maintenance",
        w.c("Maintenance - suspension sauvegardes", "Arrêt serveurs ce week-end"),
        text,
        w.reg("neutral", "formal"),
    )


def server_rename(w: W):
    pair = w.hosts(2)
    old = pair[0]
    new = pair[1] if len(pair) > 1 else w.host()
    if new.name == old.name:
        new = type(old)(old.name + "-NEW", old.role, old.label)
        w.keep(new.name)
    text = (
        f"Pour information, le serveur {old.name} a été renommé en {new.name}. Pouvez-vous mettre à jour vos "
        f"références (rapports, supervision de la sauvegarde) ?"
    )
    w.fields.update(
        {"hostnames": [old.name, new.name], "summary": f"Prendre en compte le renommage de {old.name} en {new.name}."}
    )
    text = w.lead(LEADS, text)
    return w.draft("server_rename", w.c("Renommage serveur", f"{old.name} renommé"), text, w.reg("neutral", "informal"))


def ip_change(w: W):
    h = w.host()
    ip = ip_address(w.rng)
    w.keep(ip)
    text = (
        f"Nous changeons l'adresse IP de {h.name} {w.c('ce week-end', 'demain soir', 'la semaine prochaine')} "
        f"(nouvelle IP : {ip}). Faut-il faire une modification côté sauvegarde ?"
    )
    w.fields.update({"hostnames": [h.name], "summary": f"Prendre en compte le changement d'adresse IP de {h.name}."})
    text = w.lead(LEADS, text)
    return w.draft("ip_change", w.c("Changement d'IP", f"Nouvelle IP {h.name}"), text, w.reg("neutral", "formal"))


def documentation(w: W):
    text = w.c(
        "Pouvez-vous nous renvoyer la procédure de restauration en libre-service depuis le portail BCS ? Nous avons de nouveaux techniciens.",
        "Auriez-vous une documentation sur le fonctionnement du portail de sauvegarde à destination de nos utilisateurs ?",
        "Merci de nous transmettre la convention de service (SLA) du contrat BCS, je ne la retrouve plus.",
    )
    w.fields["summary"] = "Transmettre la documentation du service de sauvegarde."
    text = w.lead(LEADS, text)
    return w.draft(
        "documentation_request",
        w.c("Documentation portail BCS", "Procédure de restauration", "Convention de service"),
        text,
        w.reg("neutral", "informal"),
    )


def training(w: W):
    n = w.rng.randint(2, 6)
    text = (
        f"Serait-il possible d'organiser une courte formation au portail de sauvegarde pour {n} personnes de notre équipe ? "
        f"Une session en visio d'une heure suffirait."
    )
    w.fields["summary"] = "Organiser une formation au portail de sauvegarde."
    text = w.lead(LEADS, text)
    return w.draft("training", w.c("Formation portail BCS", "Demande de formation"), text, w.reg("neutral", "formal"))


def contract(w: W):
    text = w.c(
        "Notre contrat BCS arrive à échéance en juin. Pouvez-vous nous envoyer la proposition de renouvellement ?",
        "Nous souhaitons ajouter un avenant au contrat de sauvegarde pour inclure notre nouveau site. Qui est notre interlocuteur commercial ?",
        "Merci de nous faire parvenir le contrat signé et les conditions particulières du service BCS.",
    )
    w.fields["summary"] = "Traiter une demande contractuelle sur le service BCS."
    text = w.lead(LEADS, text)
    return w.draft(
        "contract",
        w.c("Contrat BCS", "Renouvellement contrat sauvegarde", "Avenant BCS"),
        text,
        w.reg("formal", "neutral"),
    )


def english(w: W):
    who, email, _ = _person(w)
    text = w.c(
        f"Could you please add {email} to the backup report mailing list? {who} is our new IT manager.",
        "Could you send us the monthly backup report for last month? We haven't received it.",
        f"Please grant {who} read-only access to the backup portal.",
    )
    w.fields["summary"] = w.c(
        "Ajouter un contact aux rapports de sauvegarde ou lui donner accès au portail.",
        "Traiter une demande d'accès ou de rapport du service BCS.",
    )
    return w.draft("english", w.c("Backup reports", "Backup portal access", "Monthly report"), text, "english")


def alerts_settings(w: W):
    text = w.c(
        "Nous recevons les alertes de sauvegarde en warning toute la journée. Est-il possible de ne plus les recevoir et de garder uniquement les échecs ?",
        "Pouvez-vous envoyer les alertes de sauvegarde à notre adresse générique informatique@ plutôt qu'à mon adresse personnelle ?",
    )
    w.fields["summary"] = "Modifier les destinataires ou le niveau des alertes de sauvegarde."
    text = w.lead(LEADS, text)
    return w.draft("alert_settings", w.c("Alertes de sauvegarde", "Trop d'alertes"), text, w.reg("neutral", "informal"))


def reversibility(w: W):
    text = w.c(
        "Dans le cadre de la fin de notre contrat, nous souhaitons récupérer une copie complète de nos sauvegardes sur disque externe. Quelle est la procédure ?",
        "Pouvez-vous nous fournir un export de la dernière sauvegarde complète de nos serveurs sur un disque que nous vous enverrons ?",
    )
    w.fields["summary"] = "Fournir une copie des sauvegardes sur support externe (réversibilité)."
    text = w.lead(LEADS, text)
    return w.draft(
        "reversibility_copy",
        w.c("Réversibilité", "Copie des sauvegardes", "Fin de contrat"),
        text,
        w.reg("formal", "neutral"),
    )


def subcontractor_access(w: W):
    who, email, _ = _person(w)
    d = w.future(3, 60)
    presta = w.c("Axians", "notre intégrateur", "SCC", "notre infogérant", "Inetum")
    text = (
        f"Notre prestataire {presta} a besoin d'un accès temporaire au portail BCS pour {who} ({email}) "
        f"{d.until}, afin de vérifier les rapports pendant notre migration."
    )
    w.fields["summary"] = f"Créer un accès temporaire au portail BCS pour le prestataire {who or email}."
    text = w.lead(LEADS, text)
    return w.draft(
        "subcontractor_portal_access",
        w.c("Accès portail prestataire", "Accès temporaire BCS"),
        text,
        w.reg("neutral", "formal"),
    )


def informal_misc(w: W):
    text = w.c(
        "tu peux me renvoyer le lien du portail bcs stp ? je l'ai perdu",
        "hello, c'est qui mon interlocuteur pour la sauvegarde maintenant que Julien est parti ?",
        "salut, tu peux m'envoyer le dernier rapport de sauvegarde en pdf ? j'en ai besoin pour une réunion à 14h",
    )
    w.fields["summary"] = (
        "Demande d'information pratique sur le service de sauvegarde (lien, interlocuteur ou rapport)."
    )
    return w.draft("informal_misc", w.c("portail bcs", "petite question", "rapport"), text, "informal", greet=w.p(0.5))


FAMILIES = [
    ("add_report_contact", 5.0, add_contact),
    ("remove_contact", 3.0, remove_contact),
    ("portal_access", 5.0, portal_access),
    ("portal_password", 3.0, portal_password),
    ("monthly_report", 4.0, monthly_report),
    ("report_format", 2.0, report_format),
    ("tape_change", 3.0, tape_change),
    ("tape_pickup", 1.5, tape_pickup),
    ("quote_request", 3.0, quote),
    ("meeting_request", 2.5, meeting),
    ("volumetry_export", 2.0, volumetry),
    ("escalation_contact", 2.0, contact_update),
    ("invoice_detail", 1.5, invoice),
    ("audit_evidence", 2.0, audit),
    ("restore_test_planning", 2.0, restore_test_planning),
    ("agent_upgrade", 2.0, agent_upgrade),
    ("suspend_for_maintenance", 2.0, suspend_maintenance),
    ("server_rename", 1.5, server_rename),
    ("ip_change", 1.5, ip_change),
    ("documentation_request", 2.0, documentation),
    ("training", 1.0, training),
    ("contract", 1.5, contract),
    ("english", 1.0, english),
    ("alert_settings", 1.5, alerts_settings),
    ("reversibility_copy", 1.0, reversibility),
    ("subcontractor_portal_access", 1.5, subcontractor_access),
    ("informal_misc", 2.0, informal_misc),
]
