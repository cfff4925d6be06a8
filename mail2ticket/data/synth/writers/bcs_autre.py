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


# ================================================================== other registers and writers
# Staff who change the tapes or read the reports without knowing the jargon, one-liners, long
# explanations with the request at the end, and English speakers.


def layperson_request(w: W):
    who, email, _ = _person(w)
    colleague = w.colleague()
    w.keep(colleague)
    k = w.rng.randint(5, 20)
    # (text, summary)
    options = (
        (
            f"C'est moi qui change la cassette de sauvegarde le vendredi depuis le départ de {colleague}. "
            f"Je ne sais plus dans quel ordre les mettre, est-ce que quelqu'un peut me renvoyer le planning ?",
            "Renvoyer le planning de rotation des bandes à la personne qui les change.",
        ),
        (
            f"Il ne reste presque plus de cassettes neuves dans le placard (il en reste {w.rng.randint(1, 3)}). "
            f"Est-ce que c'est vous qui les commandez ? Il nous en faudrait {k}.",
            "Commander des cartouches de sauvegarde.",
        ),
        (
            f"{colleague} est en congé {w.c('trois semaines', 'tout le mois', 'jusqu’à la rentrée')} et c'est moi qui dois changer les bandes. "
            "Pouvez-vous m'expliquer comment on fait ? Je n'ai jamais fait ça.",
            "Expliquer la procédure de changement de bande à un remplaçant.",
        ),
        (
            "On m'a dit que je pouvais récupérer moi-même mes fichiers sur un site internet à vous, mais je n'ai pas d'identifiant. "
            "Est-ce que vous pouvez m'en créer un ?",
            "Créer un accès au portail de sauvegarde pour le demandeur.",
        ),
        (
            f"Je reçois tous les matins un mail en anglais « Backup report » et je ne sais pas à quoi il sert. "
            f"Pouvez-vous me retirer de la liste et l'envoyer plutôt à notre informaticien, {who} ({email}) ?",
            f"Remplacer le demandeur par {who} dans la liste de diffusion des rapports de sauvegarde.",
        ),
        (
            "Notre directrice voudrait savoir combien ça coûterait de sauvegarder aussi les ordinateurs portables des commerciaux. "
            "Pouvez-vous nous faire un devis ?",
            "Établir un devis pour la sauvegarde des ordinateurs portables.",
        ),
        (
            "On aimerait que quelqu'un de chez vous vienne nous expliquer comment marchent les sauvegardes, à notre prochaine réunion d'équipe. "
            "C'est possible ?",
            "Organiser une présentation du service de sauvegarde à l'équipe du client.",
        ),
        (
            "Le site où on va chercher les anciennes versions des fichiers ne veut plus me laisser entrer, il dit que mon mot de passe est faux. "
            "Pouvez-vous le remettre à zéro ?",
            "Réinitialiser le mot de passe du demandeur sur le portail de sauvegarde.",
        ),
        (
            "Le comptable me demande un papier qui prouve que nos données sont bien sauvegardées, pour le dossier de l'assurance. "
            "Vous pouvez nous faire ça ?",
            "Fournir une attestation de sauvegarde pour l'assurance.",
        ),
        (
            f"Le monsieur du transport n'est pas passé chercher la boîte de cassettes {w.c('mardi', 'cette semaine', 'hier', 'ce matin')}. "
            "Vous pouvez le relancer ou lui donner un autre rendez-vous ?",
            "Replanifier l'enlèvement des bandes d'externalisation.",
        ),
    )
    text, summary = w.cl(options)
    pre = w.c(
        "",
        "",
        "Je ne suis pas informaticien(ne), désolé si je n'emploie pas les bons mots.",
        "Je m'occupe de l'administratif ici, pas de l'informatique, mais on m'a dit de vous écrire.",
        "Ici l'accueil.",
        "Je me permets de vous écrire directement car notre informaticien n'est pas joignable.",
    )
    if pre:
        text = pre + w.c(" ", "\n") + text
    w.fields["summary"] = summary
    return w.draft(
        "layperson_request",
        w.c("Sauvegarde", "Cassettes", "Question", "Demande", "Les sauvegardes", "Aide svp", "Mail backup report"),
        text,
        w.reg("neutral", "informal", "phone"),
    )


def short_request(w: W):
    _who, email, _ = _person(w)
    n = w.c("2 To", "5 To", "500 Go", "1 To", "10 To")
    month = w.c("janvier", "février", "mars", "avril", "mai", "juin", "septembre", "octobre", "novembre")
    k = w.rng.randint(4, 20)
    hs = w.hosts(w.rng.randint(1, 2))
    names = join_names([h.name for h in hs], w.rng)
    options = (
        (
            f"devis pour {n} de plus en sauvegarde svp",
            f"Établir un devis pour {n} de stockage de sauvegarde supplémentaires.",
            False,
        ),
        (f"rapport sauvegarde de {month} svp, pas reçu", f"Renvoyer le rapport de sauvegarde de {month}.", False),
        (f"accès portail bcs pour {email} stp", f"Créer un accès au portail BCS pour {email}.", False),
        ("lien du portail de sauvegarde ?", "Renvoyer le lien du portail de sauvegarde.", False),
        (f"il nous faut {k} cartouches LTO, vous pouvez commander ?", f"Commander {k} cartouches LTO.", False),
        (
            f"ajouter {email} aux rapports backup merci",
            f"Ajouter {email} aux destinataires des rapports de sauvegarde.",
            False,
        ),
        (
            f"retirer {email} des rapports svp, parti",
            f"Retirer {email} des destinataires des rapports de sauvegarde.",
            False,
        ),
        ("reset mdp portail bcs stp", "Réinitialiser le mot de passe du demandeur sur le portail BCS.", False),
        (
            f"volumétrie de {names} dispo ? besoin pour le budget",
            "Envoyer la volumétrie sauvegardée des serveurs cités.",
            True,
        ),
        (
            f"agent backup à mettre à jour sur {names} stp",
            "Mettre à jour l'agent de sauvegarde sur les serveurs cités.",
            True,
        ),
        (
            f"suspendre backup {names} ce soir, maintenance",
            "Suspendre ponctuellement les sauvegardes pendant une maintenance.",
            True,
        ),
        ("attestation de sauvegarde pour l'assureur svp", "Fournir une attestation de sauvegarde.", False),
        ("un créneau pour le test de restau annuel ?", "Planifier le test de restauration annuel.", False),
        ("bande du lundi à changer, je mets laquelle ?", "Indiquer quelle bande insérer lors du changement.", False),
    )
    text, summary, with_hosts = w.cl(options)
    if with_hosts:
        w.fields["hostnames"] = [h.name for h in hs]
    w.fields["summary"] = summary
    text = w.quick(text)
    return w.draft(
        "short_request",
        w.c("bcs", "backup", "sauvegarde", "", "portail", "demande"),
        text,
        w.c("phone", "informal", "informal", "bare"),
        greet=w.p(0.45),
        extras=False,
    )


_LONG_OPENINGS = (
    "Depuis le début du mois, je reprends la responsabilité de l'informatique suite au départ de {old}, qui gérait seul la relation avec vous.",
    "Nous avons réorganisé notre service informatique cet hiver et les rôles ont beaucoup changé.",
    "Notre prestataire d'infogérance a changé au 1er janvier, et nous faisons le point sur tous les services qu'il pilotait pour nous.",
    "Après la fusion avec {other}, nous sommes en train d'harmoniser nos contrats et nos procédures.",
)
_LONG_FINDINGS = (
    "En faisant le tour des contrats, je me rends compte que je ne reçois aucun des rapports de sauvegarde et que la liste des contacts doit dater de plusieurs années.",
    "Il apparaît que plus personne chez nous n'a d'accès au portail de sauvegarde, ce qui est gênant si nous avons besoin de récupérer un fichier un week-end.",
    "Je m'aperçois aussi que nous n'avons pas fait de point avec vous depuis plus d'un an, alors que la volumétrie a beaucoup augmenté.",
)
# (request, summary part)
_LONG_ASKS: tuple[tuple[str, str], ...] = (
    (
        "m'ajouter ({email}) aux destinataires des rapports de sauvegarde",
        "ajouter le demandeur aux destinataires des rapports de sauvegarde",
    ),
    (
        "retirer {old} de toutes les listes de diffusion et désactiver son accès au portail",
        "retirer {old} des listes de diffusion et du portail",
    ),
    ("me créer un accès au portail BCS", "créer un accès au portail BCS"),
    ("nous envoyer un état de la volumétrie sauvegardée par serveur", "envoyer l'état de la volumétrie"),
    ("organiser une réunion de suivi pour faire le point sur le service", "organiser une réunion de suivi"),
    ("nous faire un devis pour l'augmentation de notre espace de sauvegarde", "établir un devis d'extension"),
    ("nous renvoyer la convention de service et la procédure de restauration", "renvoyer la documentation du service"),
)


def long_story(w: W):
    email = w.sender.email
    w.keep(email)
    old = w.colleague()
    w.keep(old)
    other = w.c(
        "le groupe voisin",
        "la communauté de communes",
        "notre filiale de Lyon",
        "la clinique Saint-Joseph",
        "un concurrent",
    )
    opening = w.cl(_LONG_OPENINGS).format(old=old, other=other)
    findings = " ".join(w.rng.sample(_LONG_FINDINGS, k=w.rng.randint(1, 2)))
    asks = w.rng.sample(_LONG_ASKS, k=w.rng.randint(1, 3))
    reqs = [a.format(email=email, old=old) for a, _ in asks]
    if len(reqs) == 1:
        ask = w.c(f"Pourriez-vous donc {reqs[0]} ?", f"Je vous remercie donc de {reqs[0]}.", f"Pouvez-vous {reqs[0]} ?")
    else:
        b = w.c("1) ", "- ", "• ")
        lines = "\n".join(f"{b if not b[0].isdigit() else f'{i + 1}) '}{r}" for i, r in enumerate(reqs))
        ask = (
            w.c("Pourriez-vous donc :", "Je vous serais reconnaissant de :", "Concrètement, pouvez-vous :")
            + "\n"
            + lines
        )
    end = w.c("Merci d'avance, et désolé pour ce long message.", "Je reste disponible pour en parler de vive voix.", "")
    text = "\n\n".join(x for x in (opening + " " + findings, ask, end) if x)
    parts = [sm.format(old=old) for _a, sm in asks]
    w.fields["summary"] = (
        parts[0][0].upper() + parts[0][1:] + (", " + ", ".join(parts[1:]) if parts[1:] else "")
    ) + "."
    return w.draft(
        "long_story",
        w.c(
            "Reprise du suivi du service de sauvegarde",
            "Mise à jour de nos contacts et accès",
            "Nouveau responsable informatique",
            "Point sur notre contrat BCS",
        ),
        text,
        w.reg("neutral", "formal"),
    )


def english_client(w: W):
    who, email, _ = _person(w)
    n = w.c("2 TB", "5 TB", "500 GB", "10 TB")
    city = w.c("Lyon", "Lille", "Nantes", "Toulouse", "Strasbourg", "Bordeaux")
    options = (
        (
            f"Could you send us a quote for an extra {n} of backup storage?",
            f"Établir un devis pour {n} de stockage de sauvegarde supplémentaires.",
        ),
        (
            "We'd like to set up a quarterly service review for the backup service. What dates would work for you?",
            "Planifier une revue trimestrielle du service de sauvegarde.",
        ),
        (
            f"Could you please give {who} ({email}) access to the backup portal? Read-only is fine.",
            f"Créer un accès en lecture seule au portail de sauvegarde pour {who}.",
        ),
        (
            f"The tape drive at our {city} site is asking for a new cartridge. Could someone walk our staff through the tape rotation?",
            "Expliquer la rotation des bandes au personnel du site.",
        ),
        (
            "We haven't received last month's backup report. Could you resend it?",
            "Renvoyer le rapport de sauvegarde du mois dernier.",
        ),
        (
            f"Please remove {email} from the backup report distribution list, this person has left the company.",
            f"Retirer {email} de la liste de diffusion des rapports de sauvegarde.",
        ),
        (
            "Our insurer needs a letter confirming that our data is backed up daily and stored off-site. Can you provide one?",
            "Fournir une attestation de sauvegarde pour l'assureur.",
        ),
        (
            "I've been locked out of the backup portal after too many attempts. Could you unlock my account?",
            "Débloquer le compte du demandeur sur le portail de sauvegarde.",
        ),
        (
            "Can we schedule this year's restore test? Any week in the next two months works for us.",
            "Planifier le test de restauration annuel.",
        ),
    )
    text, summary = w.cl(options)
    pre = w.c(
        "", "", "Apologies for writing in English. ", "I'm the new IT lead for our French entities. ", "Quick request: "
    )
    w.fields["summary"] = summary
    return w.draft(
        "english_client",
        w.c("Backup service request", "Quote request", "Backup portal", "Backup report", "Tapes", "Request"),
        pre + text,
        "english",
    )


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
    ("layperson_request", 3.0, layperson_request),
    ("short_request", 3.0, short_request),
    ("long_story", 2.0, long_story),
    ("english_client", 1.5, english_client),
]
