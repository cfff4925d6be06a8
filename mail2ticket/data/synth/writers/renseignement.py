"""Writers for the `renseignement` category (information requests): questions about
the backup service with no action asked.

Some are deliberately close to other categories (a retention question that sounds like a
change request, a "did last night's backup work?" that sounds like an incident); a desk
agent still files them as information requests because nothing is to be done but answer.
`question` is a one-sentence paraphrase.
"""

from __future__ import annotations

from .common import W, join_names

LEADS = (
    "Petite question :",
    "Question rapide :",
    "J'aurais besoin d'une information.",
    "Dans le cadre de la préparation de notre audit annuel,",
    "Notre direction me pose la question suivante :",
    "Pour la mise à jour de notre PRA,",
    "Un utilisateur me demande :",
    "Je prépare le comité de direction de la semaine prochaine et j'ai une question.",
    "Simple demande d'information, rien d'urgent :",
    "Je me permets de vous poser une question sur notre contrat de sauvegarde.",
    "Suite à un échange avec notre commissaire aux comptes,",
    "Pour information et pour ma compréhension,",
    "Nous sommes en train de revoir notre politique de sécurité.",
)


def confirm_daily(w: W):
    h = w.host()
    text = w.c(
        f"Pouvez-vous me confirmer que le serveur {h.name} est bien sauvegardé tous les jours ?",
        f"Est-ce que {h.name} fait bien partie du périmètre de sauvegarde quotidienne ?",
        f"Petite question : {h.name} est-il sauvegardé ? Je ne le vois pas dans le rapport.",
        f"Je voudrais m'assurer que {h.name} ({h.label}) est bien couvert par la sauvegarde BCS.",
        f"Pourriez-vous vérifier si {h.name} est inclus dans les sauvegardes nocturnes ?",
        f"Notre auditeur souhaite savoir si {h.name} est sauvegardé chaque jour. Pouvez-vous me le confirmer ?",
    )
    w.fields.update(
        {"hostnames": [h.name], "question": f"Le serveur {h.name} est-il bien sauvegardé quotidiennement ?"}
    )
    text = w.lead(LEADS, text)
    return w.draft(
        "confirm_daily",
        w.c(f"Sauvegarde {h.name} ?", "Question périmètre", "Confirmation sauvegarde"),
        text,
        w.reg("neutral", "informal", "formal"),
    )


def retention_question(w: W):
    h = w.host()
    text = w.c(
        f"Quelle est la rétention appliquée actuellement sur {h.name} ?",
        f"Combien de temps sont conservées les sauvegardes de {h.name} ?",
        f"Jusqu'à quelle date pouvons-nous remonter pour une restauration sur {h.name} ?",
        f"Pouvez-vous me rappeler la durée de rétention des sauvegardes de {h.name} ?",
        f"Quelle profondeur d'historique avons-nous sur {h.name} ? 30 jours, 3 mois ?",
    )
    w.fields.update(
        {"hostnames": [h.name], "question": f"Quelle est la durée de rétention des sauvegardes de {h.name} ?"}
    )
    text = w.lead(LEADS, text)
    return w.draft(
        "retention_question", w.c("Question rétention", f"Rétention {h.name}"), text, w.reg("neutral", "formal")
    )


def retention_ambiguous(w: W):
    h = w.host()
    n = w.c("90 jours", "6 mois", "1 an", "3 mois")
    text = (
        f"La rétention de {h.name} est-elle bien de 30 jours ? Nous aurions peut-être besoin de {n} pour une exigence "
        f"d'audit. Si on voulait passer à {n}, est-ce possible et quel serait l'impact sur la volumétrie et le coût ? "
        f"Nous déciderons ensuite."
    )
    w.fields.update(
        {
            "hostnames": [h.name],
            "question": f"La rétention de {h.name} est-elle de 30 jours et quel serait l'impact d'un passage à {n} ?",
        }
    )
    text = w.lead(LEADS, text)
    return w.draft(
        "retention_sounds_like_change",
        w.c("Rétention - question", f"Rétention {h.name} : possible d'augmenter ?"),
        text,
        w.reg("neutral", "formal"),
    )


def scope(w: W):
    text = w.c(
        "Pouvez-vous nous envoyer la liste des serveurs couverts par notre contrat de sauvegarde ?",
        "Quels sont les serveurs et volumes actuellement inclus dans le périmètre BCS ?",
        "Nos postes de travail sont-ils sauvegardés, ou uniquement les serveurs ?",
    )
    w.fields["question"] = w.c(
        "Quel est le périmètre couvert par le service de sauvegarde ?",
        "Quels serveurs sont couverts par le contrat de sauvegarde ?",
    )
    text = w.lead(LEADS, text)
    return w.draft(
        "scope_question", w.c("Périmètre sauvegarde", "Serveurs sauvegardés ?"), text, w.reg("neutral", "formal")
    )


def how_it_works(w: W):
    text = w.c(
        "Où sont physiquement stockées nos sauvegardes ? Y a-t-il une copie dans un second datacenter ?",
        "Comment fonctionne l'externalisation des sauvegardes ? Sur bande ou sur disque distant ?",
        "Les sauvegardes sont-elles chiffrées et immuables en cas d'attaque par rançongiciel ?",
        "Les bases SQL sont-elles sauvegardées en mode applicatif ou uniquement au niveau de la VM ?",
    )
    w.fields["question"] = w.c(
        "Comment sont stockées et protégées les sauvegardes ?", "Comment fonctionne la sauvegarde BCS ?"
    )
    text = w.lead(LEADS, text)
    return w.draft(
        "how_it_works",
        w.c("Fonctionnement sauvegarde", "Question technique BCS", "Question sur les sauvegardes"),
        text,
        w.reg("neutral", "formal"),
    )


def pricing(w: W):
    text = w.c(
        "Quel est le tarif au To supplémentaire sur le service BCS ?",
        "Combien coûterait l'ajout de la sauvegarde de nos 3 nouveaux serveurs, approximativement ?",
        "La sauvegarde Microsoft 365 est-elle incluse dans notre forfait ou facturée à part ?",
    )
    w.fields["question"] = "Quel est le coût d'une extension du service de sauvegarde ?"
    text = w.lead(LEADS, text)
    return w.draft("pricing", w.c("Tarifs BCS", "Question tarif sauvegarde"), text, w.reg("neutral", "formal"))


def delays(w: W):
    text = w.c(
        "Quel est le délai moyen pour une restauration complète d'une VM de 500 Go ?",
        "En cas de sinistre, combien de temps faut-il pour restaurer l'ensemble de nos serveurs ?",
        "Quels sont vos délais d'intervention pour une demande de restauration un samedi ?",
    )
    w.fields["question"] = "Quels sont les délais de restauration ?"
    text = w.lead(LEADS, text)
    return w.draft("restore_delays", w.c("Délais de restauration", "RTO ?"), text, w.reg("neutral", "formal"))


def last_status(w: W):
    h = w.host()
    d = w.past(0, 2)
    text = w.c(
        f"La sauvegarde de {h.name} s'est-elle bien passée {d.when} ? Nous prévoyons une grosse mise à jour ce matin.",
        f"Avant notre migration, pouvez-vous me confirmer que la dernière sauvegarde de {h.name} est OK ?",
    )
    w.fields.update(
        {"hostnames": [h.name], "question": f"La dernière sauvegarde de {h.name} s'est-elle bien déroulée ?"}
    )
    text = w.lead(LEADS, text)
    return w.draft(
        "last_backup_status",
        w.c(f"Statut sauvegarde {h.name}", "Dernière sauvegarde OK ?"),
        text,
        w.reg("neutral", "informal"),
    )


def english(w: W):
    h = w.host()
    text = w.c(
        f"Could you confirm that {h.name} is included in the daily backup?",
        f"What is the current retention policy for {h.name}?",
        "Are our backups encrypted at rest and stored off-site?",
    )
    if h.name in text:
        w.fields["hostnames"] = [h.name]
    w.fields["question"] = w.c(
        "Le serveur est-il sauvegardé et avec quelle rétention ?",
        "Les sauvegardes sont-elles chiffrées et externalisées ?",
    )
    return w.draft("english", w.c("Backup question", "Question about backups"), text, "english")


def audit_questionnaire(w: W):
    text = (
        "Dans le cadre d'un questionnaire de sécurité de notre assureur, pouvez-vous répondre aux points suivants :\n"
        "1. Les sauvegardes sont-elles chiffrées ?\n2. Existe-t-il une copie hors ligne ou immuable ?\n"
        "3. À quelle fréquence des tests de restauration sont-ils réalisés ?"
    )
    w.fields["question"] = "Les sauvegardes sont-elles chiffrées, immuables et testées régulièrement ?"
    text = w.lead(LEADS, text)
    return w.draft(
        "audit_questionnaire",
        w.c("Questionnaire sécurité", "Questions assureur cyber"),
        text,
        w.reg("neutral", "formal"),
    )


def informal(w: W):
    h = w.host()
    text = w.c(
        f"dis, {h.name} il est sauvegardé chez vous ou pas ?",
        f"tu sais combien de jours on garde pour {h.name} ?",
        f"on peut remonter jusqu'à quand sur {h.name} ?",
    )
    w.fields.update({"hostnames": [h.name], "question": f"Quelle est la couverture de sauvegarde de {h.name} ?"})
    return w.draft("informal", w.c("question", h.name, "petite question"), text, "informal", greet=w.p(0.5))


def several_servers(w: W):
    hs = w.hosts(w.rng.randint(2, 4))
    names = join_names([h.name for h in hs], w.rng)
    text = f"Pouvez-vous m'indiquer la fréquence et la rétention des sauvegardes pour {names} ?"
    w.fields.update(
        {
            "hostnames": [h.name for h in hs],
            "question": "Quelles sont la fréquence et la rétention de sauvegarde des serveurs cités ?",
        }
    )
    text = w.lead(LEADS, text)
    return w.draft(
        "several_servers", w.c("Fréquence et rétention", "Question sauvegardes"), text, w.reg("neutral", "formal")
    )


def is_it_possible(w: W):
    text = w.c(
        "Est-il possible de restaurer un seul mail sans restaurer toute la boîte ?",
        "Peut-on restaurer un fichier nous-mêmes depuis le portail, sans passer par vous ?",
        "Est-ce que vous pouvez restaurer une VM sur un autre hyperviseur en cas de sinistre ?",
    )
    w.fields["question"] = "Quelles possibilités de restauration offre le service de sauvegarde ?"
    text = w.lead(LEADS, text)
    return w.draft(
        "capability_question",
        w.c("Question restauration", "Possibilités de restauration"),
        text,
        w.reg("neutral", "informal"),
    )


FAMILIES = [
    ("confirm_daily", 5.0, confirm_daily),
    ("retention_question", 4.0, retention_question),
    ("retention_sounds_like_change", 2.0, retention_ambiguous),
    ("scope_question", 2.5, scope),
    ("how_it_works", 2.5, how_it_works),
    ("pricing", 1.5, pricing),
    ("restore_delays", 1.5, delays),
    ("last_backup_status", 2.5, last_status),
    ("english", 1.0, english),
    ("audit_questionnaire", 1.0, audit_questionnaire),
    ("informal", 1.5, informal),
    ("several_servers", 1.5, several_servers),
    ("capability_question", 1.5, is_it_possible),
]
