# ruff: noqa: E501  (text templates: long French sentences read better unbroken)
"""Writers for "unknown": mails the desk receives that fit no category or are not usable.

Out-of-office replies, thank-you notes, newsletters, phishing, misdirected internal mails,
supplier invoices, vague "ça ne marche pas", sales pitches, empty mails with an attachment,
meeting invitations, survey answers, bounce notifications. No fields.
"""

from __future__ import annotations

from .common import W


def out_of_office(w: W):
    d = w.future(1, 20)
    a, b = w.person()
    text = w.c(
        f"Je suis absent(e) du bureau {d.until} inclus. Pour toute urgence, merci de contacter {a} {b} ou le standard.",
        f"Bonjour,\n\nJe suis actuellement en congés et serai de retour {d.when}. Votre message ne sera pas transféré.\n\nCordialement",
        f"Merci pour votre message. Je suis en déplacement avec un accès limité à mes e-mails {d.until}.",
        f"I am out of the office {d.until} with no access to email. For urgent matters please contact {a} {b}.",
    )
    subj = w.c("Réponse automatique : ", "Absence du bureau : ", "Automatic reply: ", "Absent : ") + w.c(
        "Demande de restauration",
        "Rapport de sauvegarde",
        "[Ticket] Votre demande",
        "Alerte supervision",
        "RE: Intervention",
    )
    return w.draft("out_of_office", subj, text, "bare", greet=False, sign=w.p(0.5), extras=False)


def thanks(w: W):
    text = w.c(
        "Merci, c'est parfait !",
        "Bien reçu, merci.",
        "Super merci pour votre réactivité.",
        "Ok merci, vous pouvez clôturer.",
        "Top, ça fonctionne. Merci !",
        "Merci pour l'info.",
        "C'est noté, merci.",
        "Parfait, merci beaucoup et bonne journée.",
    )
    return w.draft(
        "thanks_only",
        w.c("RE: Votre demande", "RE: Intervention terminée", "Merci", "RE: [Nuvalis] Ticket résolu"),
        text,
        w.reg("neutral", "informal", "phone"),
        extras=False,
    )


def newsletter(w: W):
    vendor = w.c("Veeam", "Microsoft", "Fortinet", "Dell Technologies", "HPE", "Sophos", "Wallix")
    text = (
        f"{vendor} Newsletter - {w.c('Mars', 'Avril', 'Printemps', 'Édition spéciale')}\n\n"
        f"Découvrez les nouveautés de {vendor} : webinaires, études de cas et offres exclusives.\n"
        f"- Webinaire : sécuriser vos sauvegardes contre les ransomwares\n- Livre blanc : 10 bonnes pratiques\n\n"
        f"Pour vous désinscrire, cliquez ici. © {w.sent.year} {vendor}. Tous droits réservés."
    )
    return w.draft(
        "newsletter", f"{vendor} - les nouveautés du mois", text, "bare", greet=False, sign=False, extras=False
    )


def phishing(w: W):
    text = w.c(
        "Votre boîte aux lettres a atteint sa limite de stockage. Cliquez sur le lien ci-dessous pour augmenter votre quota, "
        "faute de quoi vos messages seront supprimés sous 24h.\n\nhttp://office365-quota-update.com/login",
        "Vous avez reçu un document partagé via OneDrive. Connectez-vous pour le consulter : https://sharepoint-docs-secure.net",
        "Votre colis n'a pas pu être livré. Merci de régler les frais de 1,99 EUR : http://laposte-suivi-colis.info",
        "Dear user, your password will expire today. Keep your current password here: http://mail-portal-verify.com",
    )
    return w.draft(
        "phishing_spam",
        w.c("Action requise", "Document partagé", "Votre colis", "Password expiry notice"),
        text,
        "bare",
        greet=False,
        sign=False,
    )


def wrong_recipient(w: W):
    a, _ = w.person()
    text = w.c(
        f"Salut {a}, tu viens au déjeuner vendredi ? On réserve pour 12h30.",
        f"{a}, peux-tu me renvoyer le planning des congés de l'été ? Merci",
        "Voici le compte rendu de la réunion de service de ce matin, merci de le diffuser à vos équipes.",
        "Je t'envoie les photos de la soirée de vendredi !",
    )
    return w.draft(
        "misdirected_internal",
        w.c("Déjeuner vendredi", "Planning congés", "CR réunion de service", "Photos"),
        text,
        w.reg("informal", "neutral"),
        greet=False,
        extras=False,
    )


def invoice(w: W):
    n = w.rng.randint(10000, 99999)
    amount = f"{w.rng.randint(100, 9000)},{w.rng.randint(0, 99):02d} €"
    text = (
        f"Veuillez trouver ci-joint notre facture n°FA{n} d'un montant de {amount} TTC, payable à 30 jours.\n"
        f"Nous restons à votre disposition pour toute question."
    )
    return w.draft("supplier_invoice", f"Facture FA{n}", text, w.reg("neutral", "formal"), extras=False)


def vague(w: W):
    text = w.c(
        "Ça ne marche pas, pouvez-vous m'appeler ?",
        "J'ai un problème, rappelez-moi svp.",
        "Rien ne fonctionne depuis ce matin !!",
        "Bug",
        "Pouvez-vous me rappeler au plus vite ?",
        "c'est encore planté",
    )
    return w.draft(
        "vague_request",
        w.c("Problème", "Urgent", "Help", "Pb", "Appel"),
        text,
        w.reg("phone", "neutral"),
        greet=w.p(0.5),
    )


def sales_pitch(w: W):
    text = w.c(
        "Je me permets de vous présenter notre solution de cybersécurité managée, déjà adoptée par plus de 500 PME. "
        "Seriez-vous disponible 15 minutes la semaine prochaine pour un échange ?",
        "Suite à votre visite sur notre stand au salon, je reviens vers vous pour vous proposer une démonstration de notre outil.",
        "Nous recrutons des profils techniques en alternance, n'hésitez pas à diffuser notre offre.",
    )
    return w.draft(
        "sales_pitch",
        w.c("Proposition de rendez-vous", "Suite salon", "Partenariat"),
        text,
        w.reg("neutral", "formal"),
        extras=False,
    )


def empty_attachment(w: W):
    text = w.c("", "[cid:image001.png@01DA2B3C.4D5E6F70]", "PJ", "Voir pièce jointe.", "Ci-joint.", "cf PJ")
    return w.draft(
        "empty_with_attachment",
        w.c("Scan", "Document", "", "Numérisation de document", "IMG_2034.jpg"),
        text,
        w.reg("phone", "bare"),
        greet=w.p(0.3),
        extras=False,
    )


def meeting_invite(w: W):
    d = w.future(1, 20)
    text = (
        f"Invitation : Point hebdomadaire {d.when} 10:00 - 11:00\nLieu : Microsoft Teams\n\n"
        f"Rejoindre la réunion Microsoft Teams\nID de la réunion : {w.rng.randint(100, 999)} {w.rng.randint(100, 999)} {w.rng.randint(100, 999)}\n"
        f"Code secret : {w.rng.randrange(16**6):06x}"
    )
    return w.draft(
        "meeting_invite", "Invitation : Point hebdomadaire", text, "bare", greet=False, sign=False, extras=False
    )


def survey(w: W):
    score = w.rng.randint(1, 5)
    text = w.c(
        f"Note : {score}/5. {w.c('RAS', 'Un peu long mais efficace.', 'Très bon accueil.', 'Pas satisfait du délai.')}",
        "J'ai répondu à votre enquête de satisfaction, tout était très bien.",
    )
    return w.draft(
        "survey_answer",
        w.c("RE: Enquête de satisfaction", "Votre avis nous intéresse"),
        text,
        w.reg("neutral", "informal"),
    )


def bounce(w: W):
    a, b = w.person()
    text = (
        f"Delivery has failed to these recipients or groups:\n\n{a.lower()}.{b.lower()}@{w.company.domain}\n"
        f"The email address you entered couldn't be found. Please check the recipient's email address and try to resend the message.\n\n"
        f"Diagnostic information for administrators:\nRemote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'"
    )
    return w.draft("bounce", "Undeliverable: RE: Votre demande", text, "bare", greet=False, sign=False, extras=False)


def other_service(w: W):
    text = w.c(
        "Pouvez-vous changer le toner de l'imprimante du 2e étage ?",
        "La machine à café du 1er ne fonctionne plus, qui dois-je contacter ?",
        "Est-ce que vous gérez aussi la téléphonie ? Notre standard sonne dans le vide.",
        "Le climatiseur de la salle de réunion fait un bruit bizarre.",
    )
    return w.draft(
        "other_service", w.c("Imprimante", "Question", "Standard", "Climatisation"), text, w.reg("neutral", "informal")
    )


# ================================================================== hard near-misses
# Mails that look like the desk's categories but are not: requests for other services (VPN,
# printers, telephony, accounts, Office, invoices), a monitoring threshold change, closing a
# ticket, replies that ask nothing, newsletters full of backup vocabulary, English variants.

_FLOORS = (
    "du 1er étage",
    "du 2e",
    "de l'accueil",
    "du service RH",
    "de la compta",
    "du bureau 204",
    "de la salle de réunion",
)
_APPS = (
    "Outlook",
    "Teams",
    "Word",
    "Excel",
    "OneDrive",
    "SharePoint",
    "le logiciel de paie",
    "Sage",
    "le logiciel métier",
)


def other_it_service(w: W):
    a, b = w.person()
    who = w.c(f"{a} {b}", a, f"M. {b}", f"Mme {b}")
    floor = w.cl(_FLOORS)
    app = w.cl(_APPS)
    n = w.rng.randint(2, 9)
    topic = w.c("vpn", "printer", "phone", "account", "office", "office", "hardware", "invoice")
    if topic == "vpn":
        text = w.c(
            "Le VPN ne se connecte plus depuis ce matin, message « délai d'attente dépassé ». Je suis en télétravail, pouvez-vous regarder ?",
            f"{who} n'arrive pas à se connecter au VPN depuis chez lui, pouvez-vous l'appeler ?",
            "Pouvez-vous installer le client VPN sur le portable du nouvel arrivant ?",
            "le vpn marche plus depuis la maj de windows, je fais comment pour bosser de chez moi ?",
        )
        subject = w.c("VPN", "Problème VPN", "Télétravail - VPN", "vpn HS")
    elif topic == "printer":
        text = w.c(
            f"L'imprimante {floor} affiche « bourrage papier » alors qu'il n'y a rien dedans.",
            f"Le copieur {floor} n'imprime plus en couleur, pouvez-vous faire intervenir le technicien ?",
            f"Pouvez-vous installer l'imprimante {floor} sur le poste de {who} ?",
            "Le scanner n'envoie plus les numérisations par mail depuis le changement de mot de passe.",
        )
        subject = w.c("Imprimante", "Copieur", "Problème d'impression", "Scanner")
    elif topic == "phone":
        text = w.c(
            f"La ligne de {who} ne sonne plus, les appels tombent directement sur la messagerie.",
            f"Pouvez-vous transférer le poste {w.rng.randint(200, 499)} sur le portable de {who} pendant ses congés ?",
            "Le standard ne bascule plus sur le répondeur le soir, les gens tombent dans le vide.",
        )
        subject = w.c("Téléphonie", "Standard", "Renvoi d'appel", "Téléphone")
    elif topic == "account":
        text = w.c(
            f"{who} a oublié son mot de passe Windows et son compte est verrouillé, pouvez-vous le débloquer ?",
            f"Merci de créer un compte informatique et une adresse mail pour {who}, qui arrive lundi.",
            f"{who} nous quitte vendredi, merci de désactiver son compte à partir de lundi.",
            "Mon mot de passe a expiré et je n'arrive pas à le changer, il me dit qu'il ne respecte pas les règles.",
        )
        subject = w.c("Compte bloqué", "Mot de passe", "Arrivée collaborateur", "Départ collaborateur", "Compte")
    elif topic == "office":
        text = w.c(
            f"{app} plante à chaque ouverture depuis la mise à jour d'hier.",
            f"Je n'arrive plus à enregistrer mes fichiers dans {app}, message « accès refusé ».",
            "Word ne veut plus sauvegarder mon document, il dit que le fichier est en lecture seule. Comment je fais ?",
            "Excel me propose de « récupérer les documents non sauvegardés » à chaque ouverture, comment l'enlever ?",
            f"Pouvez-vous nous commander {n} licences Microsoft 365 supplémentaires ?",
            "Ma signature Outlook a disparu, pouvez-vous la remettre ?",
            f"Teams n'affiche plus le calendrier de {who}.",
        )
        subject = w.c(app, "Problème Office", "Bug", "Licences", "Aide")
    elif topic == "hardware":
        text = w.c(
            f"Le wifi {floor} coupe toutes les cinq minutes.",
            f"Il faudrait un deuxième écran pour {who}, c'est possible ?",
            f"Mon PC est très lent depuis {w.c('lundi', 'hier', 'ce matin', 'une semaine')}, il met 10 minutes à démarrer.",
        )
        subject = w.c("Wifi", "Écran", "PC lent", "Matériel")
    else:
        text = w.c(
            f"Pouvez-vous renvoyer la facture n°{w.rng.randint(10000, 99999)} à notre service comptable ? Elle n'a jamais été reçue.",
            "Notre adresse de facturation change au 1er du mois prochain, merci de mettre à jour vos fiches.",
            f"Merci d'indiquer notre numéro de bon de commande BC-{w.rng.randint(1000, 9999)} sur vos prochaines factures.",
            "Pourriez-vous nous envoyer votre RIB ? Notre logiciel de comptabilité l'exige pour le paiement.",
        )
        subject = w.c("Facture", "Facturation", "Comptabilité fournisseurs", "Bon de commande")
    return w.draft(
        "other_it_service",
        w.c(subject, subject, "Problème", "Demande", "Urgent"),
        text,
        w.reg("neutral", "informal", "phone"),
    )


# (metric, warning, critical, unit)
_METRICS: tuple[tuple[str, tuple[int, ...], tuple[int, ...], str], ...] = (
    ("disque C:", (80, 85, 90), (92, 95, 97), " %"),
    ("disque D:", (80, 85, 90), (92, 95, 97), " %"),
    ("espace disque sur /var", (80, 85, 90), (92, 95, 97), " %"),
    ("mémoire", (85, 90), (95, 98), " %"),
    ("CPU", (85, 90), (95, 98), " %"),
    ("latence ping", (100, 150), (250, 300, 500), " ms"),
)


def monitoring_threshold(w: W):
    h = w.host()
    metric, warns, crits, unit = w.cl(_METRICS)
    warn, crit = w.rng.choice(warns), w.rng.choice(crits)
    tool = w.c("Centreon", "Zabbix", "la supervision", "Nagios", "PRTG", "l'outil de supervision")
    why = w.c(
        "Le disque est volontairement rempli par l'application, nous recevons des alertes pour rien."
        if "disque" in metric
        else "C'est normal pour ce serveur, nous recevons des alertes pour rien.",
        "Ça sonne tous les jours pour rien.",
        "Les astreintes sont réveillées la nuit pour des faux positifs.",
        "",
    )
    text = w.c(
        f"Pouvez-vous passer le seuil d'alerte {metric} de {h.name} à {crit}{unit} ? {why}",
        f"Merci de modifier les seuils de {tool} pour {h.name} ({metric}) : warning à {warn}{unit}, critique à {crit}{unit}. {why}",
        f"Sur {h.name}, le seuil {metric} est trop bas. Vous pouvez le remonter à {crit}{unit} ? {why}",
        f"Serait-il possible d'ajuster le seuil de {tool} sur {h.name} ? {metric} : {warn}/{crit} au lieu des valeurs par défaut.",
        f"{h.name} : seuil {metric} à passer à {crit}{unit} svp, fausses alertes",
        f"La sonde {metric} de {h.name} se déclenche à chaque pic d'activité le matin. Pouvez-vous augmenter le seuil ou la durée avant alerte ?",
    ).strip()
    return w.draft(
        "monitoring_threshold",
        w.c(
            "Seuil supervision", f"Seuil {h.name}", "Modification seuil d'alerte", "Trop d'alertes", f"{tool} - seuils"
        ),
        text,
        w.reg("neutral", "informal", "formal"),
    )


def close_ticket(w: W):
    ref = w.ticket()
    h = w.host()
    what, fem = w.cl(
        (
            ("la restauration", True),
            ("la relance de la sauvegarde", True),
            ("l'ajout du serveur à la sauvegarde", False),
            ("la modification de la rétention", True),
            ("l'accès bastion", False),
            ("le fichier restauré", False),
            ("la sauvegarde de cette nuit", True),
        )
    )
    text = w.c(
        f"Merci, vous pouvez clôturer le ticket {ref}.",
        f"C'est bon pour nous, {what} est OK. Ticket {ref} à fermer.",
        f"Problème résolu de notre côté, vous pouvez fermer {ref}.",
        f"Je confirme que {what} fonctionne, merci. Vous pouvez clore la demande.",
        f"{what[0].upper() + what[1:]} sur {h.name} est ok, merci beaucoup, on peut clôturer.",
        "ok pour moi, vous pouvez fermer le ticket",
        f"Tout est rentré dans l'ordre sur {h.name} depuis ce matin. Merci pour votre aide, ticket {ref} clos pour nous.",
        f"Bien reçu, {what} est vérifié{'e' if fem else ''}. Merci de clôturer {ref}.",
        f"Vous pouvez clôturer {ref}, l'utilisateur a retrouvé son fichier.",
        "Merci pour l'intervention, c'est réglé. Vous pouvez clôturer.",
    )
    return w.draft(
        "close_ticket",
        w.c(
            f"RE: {ref}",
            f"RE: [{ref}] Votre demande",
            "RE: Demande résolue",
            "Clôture",
            f"{ref} - clôture",
            "RE: Intervention terminée",
        ),
        text,
        w.reg("neutral", "informal", "phone"),
        extras=False,
    )


def reply_no_request(w: W):
    h = w.host()
    ref = w.ticket()
    a, b = w.person()
    d = w.past(0, 3)
    text = w.c(
        f"Je vous confirme que le serveur {h.name} a bien été redémarré {d.when}.",
        f"Pour info, j'ai relancé le job moi-même {d.when} et il est passé sans erreur.",
        f"Je transmets à mon collègue {a} {b} qui reviendra vers vous.",
        f"Voici les informations demandées : le serveur s'appelle {h.name} et il est sous Windows Server 2019.",
        f"Oui, c'est bien {h.name} dont il s'agit.",
        f"Nous avons bien noté votre intervention {d.when}. Les utilisateurs n'ont rien remarqué.",
        f"Je suis disponible demain matin si vous voulez m'appeler au sujet du ticket {ref}.",
        "Le fichier restauré est bien présent, je l'ai transmis à l'utilisateur.",
        "C'est noté pour la maintenance de ce week-end, nous prévenons les utilisateurs.",
        f"Je vous ai mis {a} en copie, c'est {a} qui suit le sujet désormais.",
        "Merci pour le rapport, je le transmets à ma direction.",
        f"Pas de souci pour le créneau proposé, {a} {b} sera présent(e) sur site.",
    )
    return w.draft(
        "reply_no_request",
        w.c(
            f"RE: {ref}",
            "RE: Votre demande",
            f"RE: Sauvegarde {h.name}",
            "RE: Intervention",
            "RE: Informations complémentaires",
            f"RE: [{ref}]",
        ),
        text,
        w.reg("neutral", "informal", "formal"),
    )


def backup_newsletter(w: W):
    sender = w.c("Veeam", "Nuvalis", "Commvault", "Acronis", "Synology", "Rubrik", "Arcserve", "Dell Technologies")
    topic = w.c(
        "World Backup Day : avez-vous testé vos restaurations ?",
        "La règle 3-2-1-1-0 expliquée en 5 minutes",
        "Ransomware : pourquoi vos sauvegardes doivent être immuables",
        "Webinaire : sauvegarder Microsoft 365, mythes et réalités",
        "Fin de support de la version 11 : planifiez votre mise à jour",
        "Nouveautés : stockage objet et sauvegarde vers le cloud",
        "Étude : 58 % des restaurations échouent faute de tests",
    )
    month = w.c("Mars", "Avril", "Printemps", "Édition spéciale", "N°42", "Juin", "Automne")
    body = w.c(
        f"{sender} - Lettre d'information {month}\n\n{topic}\n\n"
        "Chaque année, de nombreuses entreprises découvrent trop tard que leurs sauvegardes ne sont pas exploitables. "
        "Dans ce numéro, nos experts partagent leurs bonnes pratiques pour sécuriser vos données.\n\n"
        f"- Article : {topic}\n- Témoignage client : reprise d'activité en 4 heures après une cyberattaque\n- Agenda : nos prochains webinaires\n\n"
        f"Vous recevez ce message car vous êtes abonné à la lettre d'information {sender}. Se désinscrire.",
        f"[{sender}] {topic}\n\nInscrivez-vous à notre prochain webinaire {w.future(5, 40).when} à 11h : 45 minutes pour faire le point "
        "sur la protection de vos sauvegardes (immuabilité, chiffrement, tests de restauration).\n\nJe m'inscris\n\n"
        f"© {w.sent.year} {sender}. Pour ne plus recevoir nos communications, cliquez ici.",
        f"Information produit - {sender}\n\n{topic}\n\nCher client, nous vous informons des évolutions de nos offres de sauvegarde. "
        "Aucune action n'est requise de votre part. Pour toute question, contactez votre interlocuteur commercial.\n\n"
        "Ceci est un message automatique, merci de ne pas y répondre.",
    )
    return w.draft("backup_newsletter", f"{sender} : {topic}", body, "bare", greet=False, sign=False, extras=False)


def english_other(w: W):
    a, b = w.person()
    text, subject = w.cl(
        (
            ("Can you reset my Office 365 password? I'm locked out.", "Password reset"),
            ("Our VPN keeps dropping every 10 minutes, can someone take a look?", "VPN issue"),
            (f"Please set up a laptop and an email account for {a} {b}, who starts on Monday.", "New starter"),
            ("The printer on the 2nd floor is jammed again.", "Printer"),
            ("Please send the invoice to our accounts payable team rather than to me.", "Invoice"),
            ("Thanks, all good now - you can close the ticket.", "Re: your request"),
            ("Just confirming the server was rebooted as discussed. No further action needed.", "Re: server reboot"),
            (
                "Could you raise the disk space alert threshold on our file server to 95%? We keep getting false alarms.",
                "Monitoring threshold",
            ),
            ("Teams calls keep dropping for the whole sales team since this morning.", "Teams issue"),
            (f"{a} can't log in to Windows, account locked. Can you unlock it?", "Account locked"),
        )
    )
    return w.draft("english_other", w.c(subject, subject, "Quick one", "Issue"), text, "english")


FAMILIES = [
    ("out_of_office", 4.0, out_of_office),
    ("thanks_only", 4.0, thanks),
    ("newsletter", 2.0, newsletter),
    ("phishing_spam", 2.0, phishing),
    ("misdirected_internal", 2.0, wrong_recipient),
    ("supplier_invoice", 1.5, invoice),
    ("vague_request", 2.5, vague),
    ("sales_pitch", 1.5, sales_pitch),
    ("empty_with_attachment", 1.5, empty_attachment),
    ("meeting_invite", 1.0, meeting_invite),
    ("survey_answer", 1.0, survey),
    ("bounce", 1.0, bounce),
    ("other_service", 2.0, other_service),
    ("other_it_service", 3.0, other_it_service),
    ("monitoring_threshold", 1.5, monitoring_threshold),
    ("close_ticket", 2.0, close_ticket),
    ("reply_no_request", 2.0, reply_no_request),
    ("backup_newsletter", 1.5, backup_newsletter),
    ("english_other", 1.0, english_other),
]
