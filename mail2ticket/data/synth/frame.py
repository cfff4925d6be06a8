"""Everything around the request: greetings, openers, closings, signatures, footers.

These parts are drawn independently of the request core, so each writer family is seen
with many different frames. Registers: formal (hospital director, town hall), neutral
(most IT staff), informal (tutoiement, "slt"), phone (typed on a smartphone), english
(subcontractors, foreign group IT), bare (ticket forms, pasted logs).
"""

from __future__ import annotations

import random

from faker import Faker

from .model import Company, Person
from .people import sector_of
from .vocab import AGENT_FIRST_NAMES, TOWNS

GREETINGS: dict[str, tuple[str, ...]] = {
    "formal": (
        "Madame, Monsieur,",
        "Bonjour Madame, Monsieur,",
        "Mesdames, Messieurs,",
        "Bonjour,",
        "Bonjour,",
        "Madame, Monsieur, bonjour,",
        "À l'attention du support Nuvalis,",
        "Bonjour à l'équipe du Centre de Services,",
    ),
    "neutral": (
        "Bonjour,",
        "Bonjour,",
        "Bonjour,",
        "Bonjour à tous,",
        "Bonjour l'équipe,",
        "Bonjour le support,",
        "Bonjour {agent},",
        "Hello,",
        "Bonsoir,",
        "Bonjour Nuvalis,",
        "Bonjour,",
        "Bonjour à vous,",
        "Bonjour Messieurs,",
        "Bjr,",
        "Bonjour au support,",
        "Rebonjour,",
        "Bonjour à toute l'équipe,",
        "Bonjour",
        "Bonjour {agent}",
        "Hello {agent},",
    ),
    "informal": (
        "Salut,",
        "Slt",
        "Hello",
        "Coucou",
        "Salut {agent},",
        "Hello {agent} !",
        "Re,",
        "Yo",
        "Salut l'équipe",
        "Hello les gars,",
        "Bonjour bonjour,",
        "Salut à tous",
        "Hey,",
        "Bjr",
    ),
    "phone": ("Bonjour", "Bjr", "Bonjour,", "Hello", "", "", "Re", "Salut"),
    "english": (
        "Hi,",
        "Hello team,",
        "Dear support,",
        "Hi all,",
        "Hello,",
        "Dear Nuvalis team,",
        "Hi {agent},",
        "Good morning,",
        "Dear Sir or Madam,",
    ),
}

OPENERS: dict[str, tuple[str, ...]] = {
    "formal": (
        "J'espère que vous allez bien.",
        "Je me permets de vous solliciter pour la demande suivante.",
        "Je vous contacte au nom de la direction des systèmes d'information.",
        "Par la présente, je vous adresse la demande ci-dessous.",
        "Je me permets de revenir vers vous concernant le service de sauvegarde.",
        "Je vous prie de bien vouloir prendre en compte la demande suivante.",
    ),
    "neutral": (
        "J'espère que vous allez bien.",
        "Je me permets de vous contacter.",
        "Nouvelle demande pour vous :",
        "Une petite demande :",
        "Je vous écris de la part de {colleague}, absent(e) aujourd'hui.",
        "Je reviens vers vous pour une nouvelle demande.",
        "Je vous sollicite pour le point suivant.",
        "Je prends le relais de {colleague} sur ce sujet.",
        "Suite à notre appel de ce matin,",
        "Comme convenu au téléphone,",
        "Désolé de vous déranger encore,",
        "FYI,",
    ),
    "informal": (
        "Petite demande pour toi :",
        "J'ai besoin de toi sur un truc :",
        "Dis-moi,",
        "Encore moi :)",
        "Désolé de te relancer,",
        "Vite fait :",
        "Question rapide :",
    ),
    "phone": ("", "Vite fait,", "Urgent :"),
    "english": ("Hope you're well.", "Quick one:", "I hope this email finds you well.", "Following our call,"),
}

EXTRAS: dict[str, tuple[str, ...]] = {
    "formal": (
        "Je vous remercie de bien vouloir me tenir informé(e) de l'avancement.",
        "Je reste à votre disposition pour tout complément d'information.",
        "Je vous remercie par avance pour votre diligence.",
        "Merci de bien vouloir accuser réception de la présente demande.",
        "Vous pouvez me joindre au {phone} si nécessaire.",
        "Merci de me confirmer la prise en compte de cette demande.",
    ),
    "neutral": (
        "Merci de me tenir informé de l'avancement.",
        "Je reste joignable au {phone} si besoin.",
        "N'hésitez pas à me contacter pour toute info complémentaire.",
        "Pouvez-vous me confirmer la prise en compte ?",
        "Merci de me faire un retour dès que possible.",
        "Je serai absent demain, voir avec {colleague} en mon absence.",
        "Merci de mettre {colleague} en copie de vos échanges.",
        "Merci pour votre réactivité habituelle.",
        "N'hésitez pas à m'appeler sur mon portable : {phone}",
        "Merci de me tenir au courant.",
        "Vous pouvez passer par {colleague} si je ne réponds pas.",
        "Merci de faire le nécessaire.",
    ),
    "informal": (
        "Tiens-moi au courant.",
        "Dis-moi si t'as besoin de plus d'infos.",
        "Merci d'avance !!",
        "Tu me dis ?",
        "Appelle-moi si besoin : {phone}",
        "Merci t'es au top",
        "Je te laisse voir.",
    ),
    "phone": ("Merci", "Merci de me rappeler", "Je suis joignable au {phone}", "Merci d'avance", ""),
    "english": (
        "Let me know if you need anything else.",
        "Please keep me posted.",
        "Thanks in advance for your help.",
        "Feel free to call me at {phone}.",
        "Please confirm once done.",
    ),
}

CLOSINGS: dict[str, tuple[str, ...]] = {
    "formal": (
        "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées.",
        "Dans l'attente de votre retour, je vous prie de recevoir mes sincères salutations.",
        "Cordialement,",
        "Bien cordialement,",
        "Respectueusement,",
        "Avec mes remerciements,",
        "Veuillez agréer mes salutations distinguées.",
        "Je vous remercie par avance.\n\nCordialement,",
        "Salutations distinguées,",
        "Très cordialement,",
    ),
    "neutral": (
        "Cordialement",
        "Cordialement,",
        "Cordialement,",
        "Cdlt",
        "Bonne journée",
        "Merci d'avance",
        "Merci par avance pour votre retour.",
        "Bien à vous,",
        "Merci et bonne journée",
        "Bonne fin de journée,",
        "Bien cordialement,",
        "Merci,",
        "Merci d'avance,\nCordialement",
        "Bonne journée à vous,",
        "Cdt,",
        "Merci beaucoup,",
        "Sincères salutations,",
        "Merci pour votre aide,\nBonne journée",
        "Bonne soirée",
        "Slts,",
        "Merci !",
        "Cordialement.",
        "Bien à vous.",
        "A+",
        "Merci et bon week-end,",
    ),
    "informal": (
        "Merci !",
        "Thx",
        "Merci bcp",
        "A+",
        "Bonne journée",
        "++",
        "Merci",
        "Merci d'avance :)",
        "Bises",
        "@+",
        "Bon courage",
        "Merci à toi",
        "Merci !!",
        "Ciao",
        "tchao",
        "",
    ),
    "phone": ("Merci", "", "Cdt", "Merci d'avance", "Thx", ""),
    "english": (
        "Thanks,",
        "Best regards,",
        "Regards,",
        "Cheers,",
        "Many thanks,",
        "Kind regards,",
        "Thank you,",
        "BR,",
        "Thanks and regards,",
    ),
}

_MOBILE = (
    "Envoyé de mon iPhone",
    "Envoyé de mon iPhone",
    "Envoyé depuis mon smartphone Samsung Galaxy.",
    "Envoyé depuis Outlook pour Android",
    "Obtenir Outlook pour iOS",
    "Envoyé de mon iPad",
    "Envoyé depuis mon mobile Orange",
    "Envoyé de mon appareil Huawei",
    "Sent from my iPhone",
    "Get Outlook for Android",
    "Envoyé à partir de Courrier pour Windows",
    "Envoyé depuis mon téléphone",
)
_DISCLAIMERS_FR = (
    "Ce message et toutes les pièces jointes (ci-après le « message ») sont confidentiels et établis à "
    "l'intention exclusive de ses destinataires. Toute utilisation ou diffusion non autorisée est interdite. "
    "Si vous avez reçu ce message par erreur, merci de le détruire et d'en avertir immédiatement l'expéditeur.",
    "AVERTISSEMENT : Ce courriel et ses pièces jointes sont confidentiels et destinés exclusivement à leurs "
    "destinataires. Si vous n'êtes pas le destinataire prévu, toute lecture, copie ou diffusion est interdite.",
    "Les informations contenues dans ce message électronique sont strictement confidentielles. Elles sont "
    "destinées uniquement à l'usage de la personne ou de l'entité à qui elles sont adressées.",
    "Pensez à l'environnement avant d'imprimer ce courriel.",
    "P Pensez à l'environnement avant d'imprimer ce message.",
    "Conformément au RGPD, vous disposez d'un droit d'accès, de rectification et d'opposition aux données "
    "vous concernant en écrivant à dpo@{domain}.",
    "Ce message a été analysé par Mailinblack. Aucun virus détecté.",
    "--\nCe courrier électronique a été vérifié par le logiciel antivirus Avast.\nhttps://www.avast.com/antivirus",
    "Ce courriel a été vérifié par le logiciel antivirus Kaspersky.",
    "Message analysé par Vade Secure.",
)
_DISCLAIMERS_EN = (
    "This e-mail and any attachments are confidential and intended solely for the addressee. If you have "
    "received it in error, please notify the sender and delete it. Any unauthorised use is prohibited.",
    "CONFIDENTIALITY NOTICE: The information contained in this email is confidential and may be legally "
    "privileged. It is intended solely for the addressee.",
    "Virus-free. www.avg.com",
    "Please consider the environment before printing this email.",
)
_DISCLAIMERS_HEALTH = (
    "Les informations contenues dans ce message peuvent être couvertes par le secret médical. Si vous "
    "n'êtes pas le destinataire, merci de le signaler à l'expéditeur et de supprimer ce message.",
    "Ce message est destiné à un usage professionnel. Le Centre Hospitalier décline toute responsabilité "
    "en cas d'utilisation non conforme. Ne pas transmettre de données de santé par messagerie non sécurisée.",
)
_DISCLAIMERS_PUBLIC = (
    "Suivez toute l'actualité de la commune sur notre site internet et sur Facebook !",
    "Les courriers électroniques adressés à la collectivité sont susceptibles d'être communiqués au titre "
    "du Code des relations entre le public et l'administration.",
)
_BANNERS = (
    "[EXTERNE] Ce message provient d'un expéditeur externe. Soyez vigilant avant de cliquer sur les liens ou "
    "d'ouvrir les pièces jointes.",
    "ATTENTION : ce courriel provient de l'extérieur de l'organisation. Ne cliquez pas sur les liens et "
    "n'ouvrez pas les pièces jointes à moins de connaître l'expéditeur.",
    "CAUTION: This email originated from outside of the organization.",
    "Vous n'obtenez pas souvent d'e-mail à partir de {email}. Pourquoi c'est important",
)

_PHONE_LABELS = (
    "Tél : ",
    "Tél. ",
    "Tel : ",
    "T : ",
    "T. ",
    "Ligne directe : ",
    "Standard : ",
    "☎ ",
    "Tél. direct : ",
    "Fixe : ",
    "Téléphone : ",
)
_MOBILE_LABELS = ("Mob. : ", "Portable : ", "M : ", "Mobile : ", "GSM : ", "P : ")
_SERVICES = (
    "Service informatique",
    "Direction des Systèmes d'Information",
    "Pôle Numérique",
    "Service Informatique & Télécoms",
    "DSI",
    "Direction Administrative et Financière",
    "Service Moyens Généraux",
    "Pôle Infrastructure",
)


def agent_name(rng: random.Random) -> str:
    return rng.choice(AGENT_FIRST_NAMES)


def fill(template: str, rng: random.Random, sender: Person, colleague: str) -> str:
    if "{" not in template:
        return template
    return (
        template.replace("{agent}", agent_name(rng))
        .replace("{colleague}", colleague)
        .replace("{phone}", sender.phone)
        .replace("{email}", sender.email)
    )


def _fits_hour(text: str, hour: int) -> bool:
    low = text.lower()
    if "bonsoir" in low or "soirée" in low:
        return hour >= 16
    if "fin de journée" in low:
        return hour >= 11
    if "good morning" in low:
        return hour < 12
    return True


def greeting(register: str, rng: random.Random, sender: Person, colleague: str, hour: int = 10) -> str:
    pool = GREETINGS.get(register, GREETINGS["neutral"])
    g = rng.choice(pool)
    while not _fits_hour(g, hour):
        g = rng.choice(pool)
    return fill(g, rng, sender, colleague)


def opener(register: str, rng: random.Random, sender: Person, colleague: str) -> str:
    return fill(rng.choice(OPENERS.get(register, OPENERS["neutral"])), rng, sender, colleague)


def extra(register: str, rng: random.Random, sender: Person, colleague: str) -> str:
    return fill(rng.choice(EXTRAS.get(register, EXTRAS["neutral"])), rng, sender, colleague)


def closing(register: str, rng: random.Random, friday: bool = False, hour: int = 10) -> str:
    """A sign-off line; week-end wishes only on Fridays, evening wishes only late in the day."""
    pool = CLOSINGS.get(register, CLOSINGS["neutral"])
    c = rng.choice(pool)
    while ("week-end" in c and not friday) or not _fits_hour(c, hour):
        c = rng.choice(pool)
    return c


def _address(rng: random.Random, faker: Faker) -> str:
    return f"{faker.street_address()}\n{rng.randint(1, 95):02d}{rng.randint(0, 999):03d} {rng.choice(TOWNS)}"


def signature(sender: Person, company: Company, register: str, rng: random.Random, faker: Faker) -> str:
    """A signature block in one of many layouts (or just a first name, or nothing)."""
    f, last = sender.first_name, sender.last_name
    r = rng.random()
    if register in {"phone", "informal"} and r < 0.75:
        return rng.choice((f, f, f"{f[0]}{last[0]}", "", f"{f} {last}", f"{f}\n{sender.phone}", f"-- \n{f}"))
    if register == "english":
        if r < 0.5:
            return f"{f} {last}\n{sender.title}\n{company.name}\nPhone: {sender.phone}"
        return rng.choice((f, f"{f} {last}", f"{f} {last} | {company.name}"))
    phone = rng.choice(_PHONE_LABELS) + sender.phone
    web = "www." + company.domain
    if r < 0.22:
        lines = [f"{f} {last.upper() if rng.random() < 0.5 else last}", sender.title, company.name, phone]
        if rng.random() < 0.5:
            lines.append(_address(rng, faker))
        if rng.random() < 0.4:
            lines.append(web)
        return "\n".join(lines)
    if r < 0.34:
        return f"{f} {last} | {sender.title} | {company.name}\n{phone}"
    if r < 0.44:
        mob = (
            rng.choice(_MOBILE_LABELS)
            + f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
        )
        return f"-- \n{f} {last}\n{sender.title} - {company.name}\n{phone} | {mob}"
    if r < 0.54:
        return f
    if r < 0.6:
        return f"{f[0]}. {last}"
    if r < 0.68:
        return f"{f} {last}"
    if r < 0.74:
        return f"{rng.choice(_SERVICES)}\n{company.name}"
    if r < 0.84:
        sector = sector_of(company)
        service = rng.choice(_SERVICES)
        extra_line = f"Poste {rng.randint(1000, 9999)}" if sector in {"hopital", "clinique", "ehpad"} else phone
        return f"{f} {last.upper()}\n{sender.title}\n{service}\n{company.name}\n{extra_line}"
    if r < 0.9:
        return f"{f} {last}\n{sender.title}\n{sender.email}\n{phone}"
    if r < 0.95:
        return f"{f} {last}\n{company.name}"
    return ""


def footer(company: Company, register: str, rng: random.Random) -> str:
    """Mobile 'sent from', legal disclaimer or antivirus line, or nothing."""
    if register == "phone":
        return rng.choice(_MOBILE) if rng.random() < 0.8 else ""
    r = rng.random()
    if r < 0.6:
        return ""
    if register == "english":
        return rng.choice(_DISCLAIMERS_EN)
    sector = sector_of(company)
    if sector in {"hopital", "clinique", "ehpad"} and r < 0.75:
        return rng.choice(_DISCLAIMERS_HEALTH)
    if sector in {"mairie", "interco", "departement"} and r < 0.72:
        return rng.choice(_DISCLAIMERS_PUBLIC)
    if r < 0.9:
        return rng.choice(_DISCLAIMERS_FR).replace("{domain}", company.domain)
    if r < 0.95:
        return rng.choice(_DISCLAIMERS_EN)
    return rng.choice(_DISCLAIMERS_FR).replace("{domain}", company.domain) + "\n\n" + rng.choice(_DISCLAIMERS_EN)


def banner(sender: Person, rng: random.Random) -> str:
    return rng.choice(_BANNERS).replace("{email}", sender.email)


SUBJECT_PREFIXES: tuple[str, ...] = (
    "URGENT : ",
    "[URGENT] ",
    "URGENT - ",
    "Urgent ",
    "RE: ",
    "RE : ",
    "Demande : ",
    "[Nuvalis] ",
    "Important : ",
    "IMPORTANT ",
    "A traiter : ",
    "Re: ",
    "Relance : ",
    "[BCS] ",
)
