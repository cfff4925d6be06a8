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
]
