# ruff: noqa: E501  (text templates: long French sentences read better unbroken)
"""What the Nuvalis desk writes: replies inside threads and the ticket's status-update notes.

Replies quote nothing and carry no thread separators (the assembler builds the chains);
they acknowledge, ask back for missing details, report progress or resolution, in the
category's vocabulary. Status notes are the short texts of the export's `Message` column.
"""

from __future__ import annotations

import random

from faker import Faker

from mail2ticket.taxonomy import load_taxonomy

from .model import Person
from .vocab import TICKET_PREFIXES

STATUSES = ("création", "prise en charge", "en attente client", "résolu", "clôturé", "réouvert")

#: The vocabulary the desk's replies use, by taxonomy key (the three policy categories share one).
_VOCABULARY_BY_KEY = {
    "supervision": "supervision",
    "restauration": "restauration",
    "incident_sauvegarde": "incident_sauvegarde",
    "bcs_autre": "bcs_autre",
    "strategie_creation": "strategie",
    "strategie_suppression": "strategie",
    "renseignement": "renseignement",
    "strategie_modification": "strategie",
    "bastion": "bastion",
}

_QUESTIONS: dict[str, tuple[str, ...]] = {
    "supervision": (
        "Pouvez-vous nous confirmer si une intervention était prévue sur ce serveur au moment de l'alerte ?",
        "Avez-vous constaté un impact côté utilisateurs ?",
        "Souhaitez-vous que nous mettions l'équipement en maintenance dans la supervision le temps de l'intervention ?",
        "Pouvez-vous nous autoriser à redémarrer le service concerné en journée ?",
    ),
    "restauration": (
        "Pouvez-vous nous préciser la date de la version souhaitée ?",
        "Souhaitez-vous une restauration à l'emplacement d'origine (avec écrasement) ou dans un dossier séparé ?",
        "Pouvez-vous nous confirmer le chemin exact du dossier à restaurer ?",
        "La VM peut-elle être arrêtée pendant l'opération ? Celle-ci prendra environ deux heures.",
    ),
    "incident_sauvegarde": (
        "Le serveur a-t-il été redémarré ou modifié récemment ?",
        "Pouvez-vous vérifier que le service de l'agent de sauvegarde est bien démarré sur le serveur ?",
        "Un changement de mot de passe du compte de service a-t-il eu lieu récemment ?",
        "Pouvez-vous libérer de l'espace sur le volume concerné afin que le snapshot puisse être créé ?",
    ),
    "bcs_autre": (
        "Pouvez-vous nous communiquer l'adresse e-mail exacte de la personne à ajouter ?",
        "Quels créneaux vous conviendraient pour cette réunion ?",
        "Pouvez-vous nous confirmer le niveau de droits souhaité sur le portail (consultation ou restauration) ?",
    ),
    "strategie": (
        "Pouvez-vous nous préciser la rétention souhaitée ?",
        "Quels volumes ou répertoires doivent être inclus ?",
        "Souhaitez-vous conserver les sauvegardes existantes jusqu'à leur expiration ?",
        "Pouvez-vous nous confirmer la date d'effet souhaitée ?",
    ),
    "renseignement": (
        "Pouvez-vous nous préciser les serveurs concernés par votre question ?",
        "S'agit-il d'une question pour un audit ? Nous pouvons vous transmettre une attestation formelle.",
    ),
    "bastion": (
        "Pouvez-vous nous confirmer la date de fin de validité de l'accès ?",
        "Quel protocole est nécessaire (RDP, SSH) ?",
        "Pouvez-vous nous transmettre l'adresse e-mail du prestataire pour l'envoi de ses identifiants ?",
        "Cette demande doit être validée par votre RSSI : pouvez-vous le mettre en copie ?",
    ),
    "generic": (
        "Pouvez-vous nous donner plus de détails sur votre demande ?",
        "Pouvez-vous nous indiquer le nom du poste ou du serveur concerné ?",
        "Avez-vous un message d'erreur ou une capture d'écran à nous transmettre ?",
        "Pouvez-vous nous indiquer un numéro auquel vous joindre ?",
    ),
}

_PROGRESS: dict[str, tuple[str, ...]] = {
    "supervision": (
        "Nous avons pris en compte l'alerte et analysons la situation sur le serveur.",
        "L'alerte a été acquittée, un technicien est en cours d'analyse.",
        "Nous avons libéré de l'espace disque en purgeant les journaux applicatifs ; la sonde est repassée au vert.",
        "Le service a été redémarré, l'alerte est revenue à l'état OK. Nous surveillons l'évolution.",
        "Le serveur répond de nouveau au ping depuis 9h12. La cause semble être une coupure du lien réseau du site.",
    ),
    "restauration": (
        "La restauration est en cours, nous reviendrons vers vous dès qu'elle sera terminée.",
        "La restauration est terminée : les données ont été restaurées dans un dossier « Restauration » au même emplacement.",
        "Les fichiers ont été restaurés à leur emplacement d'origine. Merci de vérifier de votre côté.",
        "La VM a été restaurée et redémarrée, l'application est de nouveau accessible.",
    ),
    "incident_sauvegarde": (
        "Le job a été relancé manuellement et s'est terminé avec succès.",
        "Nous avons identifié un problème de snapshot sur la VM, corrigé ; la prochaine sauvegarde sera surveillée.",
        "L'échec est dû à un manque d'espace sur le dépôt, nous avons étendu la capacité et relancé le job.",
        "La relance est planifiée ce soir à 20h, en dehors des heures de production.",
    ),
    "bcs_autre": (
        "C'est fait : la personne a été ajoutée à la liste de diffusion des rapports.",
        "Le compte sur le portail BCS a été créé, les identifiants ont été envoyés par mail séparé.",
        "Vous trouverez le rapport demandé en pièce jointe.",
        "Nous transmettons votre demande à votre responsable de compte, qui reviendra vers vous.",
    ),
    "strategie": (
        "La stratégie de sauvegarde a été mise à jour comme demandé. La prochaine sauvegarde aura lieu cette nuit.",
        "Le serveur a été ajouté au périmètre de sauvegarde ; une première sauvegarde complète sera lancée ce soir.",
        "Le serveur a été retiré de la sauvegarde à la date demandée.",
        "La modification de la rétention a été appliquée.",
    ),
    "renseignement": (
        "Le serveur est bien sauvegardé quotidiennement, avec une rétention de 30 jours et une copie externalisée.",
        "Les sauvegardes sont chiffrées (AES-256) et une copie immuable est conservée 14 jours.",
        "Vous trouverez en pièce jointe la liste des serveurs couverts par votre contrat.",
    ),
    "bastion": (
        "L'accès a été créé sur le bastion. Le prestataire recevra ses identifiants par mail séparé.",
        "La validité du compte a été prolongée comme demandé.",
        "La cible a été ajoutée au profil du compte.",
    ),
    "generic": (
        "Votre demande a été transmise à l'équipe compétente.",
        "Nous avons traité votre demande, merci de nous confirmer que tout fonctionne.",
        "Cette demande ne relève pas du périmètre de notre contrat ; nous vous invitons à contacter votre prestataire habituel.",
        "Un technicien va vous contacter dans la journée.",
    ),
}


def _key(category: str) -> str:
    """The vocabulary of a category label's replies (``generic`` for unknown and the long tail)."""
    return _VOCABULARY_BY_KEY.get(load_taxonomy().key_of(category) or "", "generic")


def _ticket_ref(rng: random.Random) -> str:
    pre = rng.choice(TICKET_PREFIXES[:4])
    n = rng.randint(10000, 999999)
    return f"NUV-2025-{n:06d}" if pre == "NUV-" else f"{pre}{n:07d}"


def _signature(agent: Person, rng: random.Random) -> str:
    desk = rng.choice(("servicedesk@nuvalis.fr", "support@nuvalis.fr"))
    r = rng.random()
    if r < 0.4:
        return (
            f"{agent.first_name} {agent.last_name}\n{agent.title}\nCentre de Services Nuvalis\nTél. : {agent.phone}\n{desk}\n"
            f"www.nuvalis.fr"
        )
    if r < 0.7:
        return f"{agent.first_name} {agent.last_name} | {agent.title} | Nuvalis\n{agent.phone} - {desk}"
    if r < 0.9:
        return f"L'équipe Service Desk Nuvalis\n{desk} - 02 99 00 12 34"
    return f"{agent.first_name}\nService Desk Nuvalis"


def write_support_reply(category: str, client: Person, agent: Person, rng: random.Random, faker: Faker) -> str:
    """A reply body from the Nuvalis desk in a thread (no quoted history, no separators)."""
    key = _key(category)
    r = rng.random()
    greet = rng.choice(
        (
            f"Bonjour {client.first_name},",
            f"Bonjour {rng.choice(('Madame', 'Monsieur'))} {client.last_name},",
            "Bonjour,",
            f"Bonjour M. {client.last_name}," if rng.random() < 0.5 else f"Bonjour Mme {client.last_name},",
            f"Hello {client.first_name},",
        )
    )
    ref = _ticket_ref(rng)
    parts: list[str] = [greet, ""]
    if r < 0.3:
        parts.append(
            rng.choice(
                (
                    f"Nous accusons réception de votre demande, enregistrée sous la référence {ref}.",
                    f"Votre demande a bien été prise en compte sous le numéro {ref}.",
                    f"Merci pour votre message. Le ticket {ref} a été créé et affecté à nos équipes.",
                )
            )
        )
        if rng.random() < 0.6:
            parts.append(rng.choice(_PROGRESS[key]))
    elif r < 0.6:
        parts.append(
            rng.choice(
                (
                    "Afin de traiter votre demande, nous aurions besoin d'une précision :",
                    "Pour avancer sur ce ticket, pouvez-vous nous répondre sur le point suivant ?",
                    "Merci pour votre demande.",
                )
            )
        )
        parts.append(rng.choice(_QUESTIONS[key]))
        if rng.random() < 0.4:
            parts.append("Sans retour de votre part sous 5 jours ouvrés, la demande sera clôturée.")
    else:
        parts.append(rng.choice(_PROGRESS[key]))
        if rng.random() < 0.5:
            parts.append(
                rng.choice(
                    (
                        "Pouvez-vous nous confirmer que tout est rentré dans l'ordre ?",
                        "Nous clôturons le ticket, n'hésitez pas à nous recontacter si besoin.",
                        "Le ticket passe en statut résolu ; il sera clôturé automatiquement sous 5 jours.",
                        "Nous restons à votre disposition.",
                    )
                )
            )
    parts += [
        "",
        rng.choice(("Cordialement,", "Bien cordialement,", "Bonne journée,", "Cordialement")),
        _signature(agent, rng),
    ]
    if rng.random() < 0.3:
        parts += ["", f"Merci de conserver la référence [{ref}] dans l'objet de vos réponses."]
    return "\n".join(parts)


_STATUS_TEXTS: dict[str, tuple[str, ...]] = {
    "création": (
        "Ticket créé automatiquement à partir de l'e-mail reçu.",
        "Création du ticket par e-mail.",
        "Demande enregistrée.",
        "Ticket créé par le collecteur de mails.",
        "Nouvelle demande reçue du client.",
        "Création via le portail client.",
        "Ticket ouvert suite à appel téléphonique, confirmé par mail.",
    ),
    "prise en charge": (
        "Prise en charge par le Service Desk N1.",
        "Ticket affecté au groupe N2 Sauvegarde.",
        "Analyse en cours.",
        "Affecté à l'équipe Supervision.",
        "Prise en charge, analyse des journaux en cours.",
        "Escalade vers l'équipe CS2.",
        "Pris en compte, intervention planifiée.",
        "Qualification effectuée, transfert au niveau 2.",
    ),
    "en attente client": (
        "En attente de retour client.",
        "Question posée au client, en attente de réponse.",
        "En attente de validation client.",
        "Client injoignable, message laissé.",
        "En attente des informations complémentaires demandées.",
        "En attente de créneau d'intervention.",
    ),
    "clôturé": (
        "Clôture automatique après 5 jours sans retour.",
        "Ticket clôturé, solution validée par le client.",
        "Clôturé.",
        "Clôture après confirmation du client.",
        "Clôturé : doublon du ticket précédent.",
        "Fermeture administrative.",
    ),
    "réouvert": (
        "Ticket réouvert suite à la réponse du client : le problème persiste.",
        "Réouverture à la demande du client.",
        "Réouvert : nouvelle occurrence de l'incident.",
        "Le client signale que la solution ne fonctionne pas, réouverture.",
    ),
}
_RESOLVED: dict[str, tuple[str, ...]] = {
    "supervision": (
        "Alerte résolue : espace disque libéré (purge des journaux IIS).",
        "Service redémarré, sonde revenue à l'état OK.",
        "Faux positif, seuil de la sonde ajusté.",
        "Serveur redémarré, ping OK.",
        "Coupure du lien opérateur, rétablie.",
    ),
    "restauration": (
        "Restauration effectuée à l'emplacement d'origine.",
        "Restauration effectuée dans un dossier séparé, client informé.",
        "VM restaurée et redémarrée.",
        "Base restaurée sous un nouveau nom.",
        "Boîte aux lettres restaurée.",
    ),
    "incident_sauvegarde": (
        "Job relancé manuellement, terminé en succès.",
        "Snapshot orphelin supprimé, sauvegarde OK.",
        "Dépôt étendu, sauvegarde relancée avec succès.",
        "Identifiants du compte de service mis à jour.",
    ),
    "bcs_autre": (
        "Contact ajouté à la liste de diffusion.",
        "Accès portail créé.",
        "Rapport envoyé au client.",
        "Devis transmis.",
    ),
    "strategie": (
        "Stratégie mise à jour.",
        "Serveur ajouté au périmètre de sauvegarde.",
        "Serveur retiré de la sauvegarde.",
        "Rétention modifiée.",
    ),
    "renseignement": ("Réponse apportée au client.", "Information transmise par mail.", "Attestation envoyée."),
    "bastion": ("Accès créé sur le bastion.", "Validité prolongée.", "Cible ajoutée au compte."),
    "generic": ("Demande traitée.", "Réponse apportée.", "Hors périmètre, client réorienté.", "Résolu à distance."),
}


def write_status_update(category: str, status: str, rng: random.Random, faker: Faker) -> str:
    """Text of the `Message` column for one status change of a ticket of `category`."""
    if status == "résolu":
        return rng.choice(_RESOLVED[_key(category)])
    if status not in _STATUS_TEXTS:
        raise ValueError(f"unknown status {status!r}; expected one of {STATUSES}")
    return rng.choice(_STATUS_TEXTS[status])
