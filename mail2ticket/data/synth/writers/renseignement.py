# ruff: noqa: E501  (text templates: long French sentences read better unbroken)
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


# ================================================================== other registers and writers
# Laypeople, one-liners, long explanations, English speakers and "what if" questions: the same
# concept (a question, nothing to do but answer) written without the desk's vocabulary.

# (what a non-technical user worries about, grammatical gender/number, neutral paraphrase)
_LAY_DATA: tuple[tuple[str, str, str], ...] = (
    ("mes fichiers", "mp", "les fichiers du demandeur"),
    ("mes documents", "mp", "les documents du demandeur"),
    ("les documents de mon service", "mp", "les documents du service du demandeur"),
    ("le dossier partagé de la compta", "ms", "le dossier partagé de la comptabilité"),
    ("les fichiers du lecteur commun", "mp", "les fichiers du lecteur partagé"),
    ("ce qu'on met sur le lecteur P:", "ms", "le lecteur réseau P:"),
    ("le serveur commun", "ms", "le serveur partagé"),
    ("mes mails", "mp", "les e-mails du demandeur"),
    ("ma boîte mail", "fs", "la boîte aux lettres du demandeur"),
    ("les photos du service communication", "fp", "les photos du service communication"),
    ("le logiciel de paie", "ms", "les données du logiciel de paie"),
    ("le logiciel de compta", "ms", "les données du logiciel de comptabilité"),
    ("les fichiers sur mon bureau", "mp", "les fichiers du bureau Windows du demandeur"),
    ("les plannings", "mp", "les plannings"),
    ("les dossiers des clients", "mp", "les dossiers clients"),
    ("nos devis et factures", "mp", "les devis et factures"),
    ("les données du logiciel métier", "fp", "les données du logiciel métier"),
    ("le classeur Excel des congés", "ms", "le classeur des congés"),
)
_LAY_SECTOR: dict[str, tuple[tuple[str, str, str], ...]] = {
    "hopital": (
        ("les dossiers patients", "mp", "les dossiers patients"),
        ("les images de radiologie", "fp", "les images de radiologie"),
    ),
    "clinique": (
        ("les dossiers patients", "mp", "les dossiers patients"),
        ("le planning du bloc", "ms", "le planning du bloc"),
    ),
    "ehpad": (("les dossiers des résidents", "mp", "les dossiers des résidents"),),
    "mairie": (
        ("les actes d'état civil", "mp", "les actes d'état civil"),
        ("les délibérations", "fp", "les délibérations"),
    ),
    "interco": (("les fichiers du service déchets", "mp", "les fichiers du service déchets"),),
    "cabinet": (("les dossiers clients scannés", "mp", "les dossiers clients numérisés"),),
}
_AGREE = {"ms": "", "mp": "s", "fs": "e", "fp": "es"}
_BE = {"ms": "est", "mp": "sont", "fs": "est", "fp": "sont"}
_WAS = {"ms": "était", "mp": "étaient", "fs": "était", "fp": "étaient"}
_PRON = {"ms": "il", "mp": "ils", "fs": "elle", "fp": "elles"}

_LAY_INTROS = (
    "Je ne suis pas du tout du métier, excusez-moi si la question est bête.",
    "Je ne m'y connais pas beaucoup en informatique,",
    "Question peut-être naïve :",
    "Notre informaticien est en congé et on me pose la question, alors je vous la transmets.",
    "Je m'occupe du secrétariat et je n'ai personne d'autre à qui demander.",
    "Ma responsable m'a dit de vous écrire directement.",
    "Je viens d'arriver dans le service et je me pose une question.",
    "Désolé de vous déranger pour ça,",
    "C'est peut-être pas à vous qu'il faut demander, mais",
    "Après ce qui est arrivé à ma collègue la semaine dernière (elle a perdu un document),",
    "On en parlait ce midi entre collègues et personne ne savait répondre :",
)
_LAY_TAILS = (
    "Merci de me rassurer !",
    "C'est juste pour savoir, il n'y a pas de problème pour l'instant.",
    "Je veux juste ne rien perdre.",
    "Merci d'avance pour votre réponse.",
    "Pas d'urgence.",
    "Je ne sais pas si c'est vous qui gérez ça, sinon dites-moi à qui m'adresser.",
    "",
    "",
)


def layperson_worry(w: W):
    np, g, para = w.cl(_LAY_DATA + _LAY_SECTOR.get(w.sector, ()))
    ag, be, was, pron = _AGREE[g], _BE[g], _WAS[g], _PRON[g]
    cap = np[0].upper() + np[1:]
    text = w.c(
        f"Est-ce que {np} {be} bien sauvegardé{ag} ?",
        f"{cap} {be}-{pron} sauvegardé{ag} quelque part ?",
        f"Je voulais savoir si {np} {was} bien sauvegardé{ag} chez vous.",
        f"Si mon ordinateur tombe en panne, est-ce que je perds {np} ?",
        f"On m'a dit que {np} n'{was} pas sauvegardé{ag}, c'est vrai ?",
        f"Qui s'occupe de sauvegarder {np} ? Je ne sais pas si c'est fait tout seul ou si je dois faire quelque chose.",
        f"En cas de problème, est-ce qu'on pourrait récupérer {np} ?",
        f"est ce que {np} {be} sauvgardé{ag} ? merci",
        f"Est-ce que je dois copier {np} sur une clé USB de temps en temps ou c'est déjà sauvegardé ailleurs ?",
        f"Est-ce que {np} {be} copié{ag} tous les soirs quelque part, comme on me l'a dit à mon arrivée ?",
        f"Si je supprime {np} par erreur, est-ce que vous pouvez les retrouver, et jusqu'à combien de temps après ?",
    )
    if w.p(0.2):
        h = w.host()
        text += " " + w.c(
            f"Le serveur s'appelle {h.name} je crois.",
            f"(sur l'écran c'est marqué {h.name})",
            f"Notre informaticien parle du serveur {h.name}, si ça peut aider.",
        )
        w.fields["hostnames"] = [h.name]
    w.fields["question"] = w.c(
        f"Est-ce que {para} {be} bien sauvegardé{ag} ?", f"{para[0].upper()}{para[1:]} {be}-{pron} sauvegardé{ag} ?"
    )
    if w.p(0.55):
        intro = w.cl(_LAY_INTROS)
        sep = " " if intro.endswith((",", ":", "mais")) else w.c(" ", "\n")
        text = intro + sep + (text[0].lower() + text[1:] if intro.endswith((",", "mais")) else text)
    tail = w.cl(_LAY_TAILS)
    if tail:
        text += w.c(" ", "\n") + tail
    return w.draft(
        "layperson_worry",
        w.c(
            "Question",
            "sauvegarde ?",
            "Mes fichiers",
            "Petite question",
            "Question bête",
            "Sauvegarde de mes documents",
            "",
        ),
        text,
        w.reg("neutral", "informal", "phone"),
    )


# (template with {h}, one-sentence paraphrase with {h})
_ONE_LINERS: tuple[tuple[str, str], ...] = (
    ("{h} est sauvegardé ?", "Le serveur {h} est-il sauvegardé ?"),
    ("{h} sauvegardé ou pas ?", "Le serveur {h} est-il sauvegardé ?"),
    ("rétention {h} ?", "Quelle est la rétention des sauvegardes de {h} ?"),
    ("on garde combien de jours sur {h} ?", "Quelle est la rétention des sauvegardes de {h} ?"),
    ("backup {h} ok cette nuit ?", "La sauvegarde de {h} de la nuit s'est-elle bien passée ?"),
    ("{h} : dernière sauvegarde OK ?", "La dernière sauvegarde de {h} s'est-elle bien déroulée ?"),
    ("jusqu'à quand on peut remonter sur {h} ?", "Jusqu'à quelle date peut-on restaurer {h} ?"),
    ("{h} est dans le périmètre BCS ?", "Le serveur {h} fait-il partie du périmètre de sauvegarde ?"),
    ("il y a une copie externalisée de {h} ?", "Les sauvegardes de {h} sont-elles externalisées ?"),
    ("{h} c'est du full ou de l'incrémental ?", "Quel type de sauvegarde est appliqué à {h} ?"),
    ("{h} est sauvegardé à quelle heure ?", "À quelle heure est sauvegardé {h} ?"),
    ("vous sauvegardez {h} tous les jours ?", "Le serveur {h} est-il sauvegardé quotidiennement ?"),
    ("{h} est bien sauvgardé ?", "Le serveur {h} est-il sauvegardé ?"),
    ("c koi la retention sur {h} ?", "Quelle est la rétention des sauvegardes de {h} ?"),
    ("est ce que {h} est sauvegarde tt les jours ?", "Le serveur {h} est-il sauvegardé quotidiennement ?"),
    (
        "la base sur {h} est sauvegardée aussi ou juste la VM ?",
        "La base de données de {h} est-elle sauvegardée en plus de la VM ?",
    ),
    ("{h} : combien de points de restauration dispo ?", "Combien de points de restauration existent pour {h} ?"),
    ("dernier backup réussi de {h} c'était quand ?", "Quand a eu lieu la dernière sauvegarde réussie de {h} ?"),
)


def one_liner(w: W):
    h = w.host()
    tpl, para = w.cl(_ONE_LINERS)
    text = tpl.format(h=h.name)
    pre = w.c("", "", "", "question rapide : ", "dites, ", "petite question, ", "svp ", "au fait, ", "Q : ")
    post = w.c("", "", "", " merci", " thx", " (c'est pour un audit)", " on se pose la question", " merci !", " ?")
    text = pre + text + post
    if w.p(0.4) and not text.startswith(h.name):
        text = text[0].upper() + text[1:]
    w.fields.update({"hostnames": [h.name], "question": para.format(h=h.name)})
    return w.draft(
        "one_liner",
        w.c("?", "question", h.name, f"sauvegarde {h.name}", "", "backup", "info"),
        text,
        w.c("phone", "informal", "phone", "bare"),
        greet=w.p(0.4),
        extras=False,
    )


_CONTEXTS = (
    "Nous avons eu la semaine dernière une réunion avec la direction au sujet des risques cyber, suite à l'attaque qu'a subie {victim}.",
    "Je viens de reprendre le poste de responsable informatique et je n'ai pas trouvé beaucoup de documentation sur ce qui a été mis en place avec vous.",
    "Notre ancien prestataire gérait tout et, depuis que nous sommes passés chez vous, je n'ai plus une vision très claire de ce qui est sauvegardé.",
    "Nous préparons le renouvellement de notre cyber-assurance et l'assureur nous pose beaucoup de questions auxquelles je ne sais pas répondre seul.",
    "Mon directeur m'a demandé de lui préparer une note sur notre capacité à redémarrer en cas de sinistre (incendie, rançongiciel, dégât des eaux).",
    "Un utilisateur a supprimé par erreur un dossier la semaine dernière ; vous l'avez restauré très vite, merci encore. Mais cela a soulevé pas mal de questions en interne.",
    "Nous avons eu une coupure électrique de plusieurs heures ce week-end et tout est reparti, mais on s'est fait peur.",
    "Je fais le tour de nos contrats avant le vote du budget et je voudrais comprendre ce que couvre exactement le service de sauvegarde.",
    "Nous déménageons une partie de nos bureaux l'an prochain et nous révisons notre plan de continuité d'activité.",
)
_VICTIMS = (
    "une commune voisine",
    "un hôpital de la région",
    "un de nos fournisseurs",
    "une entreprise de notre secteur",
    "la collectivité d'à côté",
    "un cabinet confrère",
)
_BRIDGES = (
    "Du coup je me pose plusieurs questions.",
    "J'aimerais donc mieux comprendre comment les choses fonctionnent chez vous.",
    "D'où ma question.",
    "Il en ressort quelques questions que je me permets de vous poser.",
    "Je me tourne donc vers vous pour y voir plus clair.",
    "",
)
# (question, paraphrase); {h} optional
_LONG_QUESTIONS: tuple[tuple[str, str], ...] = (
    (
        "Concrètement, est-ce que tous nos serveurs sont sauvegardés, y compris {h} ?",
        "Tous les serveurs, dont {h}, sont-ils sauvegardés ?",
    ),
    (
        "Est-ce que {h} est sauvegardé, et si oui à quelle fréquence ?",
        "Le serveur {h} est-il sauvegardé et à quelle fréquence ?",
    ),
    ("Combien de temps sont conservées les sauvegardes de {h} ?", "Quelle est la rétention des sauvegardes de {h} ?"),
    (
        "Si tout brûlait demain, existe-t-il une copie de nos données ailleurs que dans nos locaux ?",
        "Existe-t-il une copie externalisée des sauvegardes ?",
    ),
    (
        "En combien de temps pourrions-nous redémarrer si tous nos serveurs étaient perdus ?",
        "Quel serait le délai de restauration complète en cas de sinistre ?",
    ),
    (
        "Est-ce que les sauvegardes pourraient elles aussi être chiffrées par un rançongiciel ?",
        "Les sauvegardes sont-elles protégées contre un rançongiciel ?",
    ),
    (
        "Est-ce que quelqu'un vérifie chaque jour que les sauvegardes se sont bien passées ?",
        "Les sauvegardes sont-elles contrôlées quotidiennement ?",
    ),
    (
        "Les postes de travail et les ordinateurs portables sont-ils concernés, ou seulement les serveurs ?",
        "Les postes de travail sont-ils sauvegardés ou seulement les serveurs ?",
    ),
    (
        "Avez-vous déjà fait un test de restauration complet de nos données, et quand a eu lieu le dernier ?",
        "Des tests de restauration sont-ils réalisés et quand a eu lieu le dernier ?",
    ),
)
_LONG_FOLLOW = (
    "Et accessoirement, combien de temps sont gardées les sauvegardes ?",
    "Je me demande aussi si nos boîtes mail sont couvertes.",
    "Et est-ce que cela fonctionne aussi le week-end et les jours fériés ?",
    "Et la copie hors site, elle est où exactement ?",
    "",
    "",
)
_NO_ACTION = (
    "Je ne vous demande rien de particulier pour l'instant, c'est vraiment pour ma compréhension.",
    "Il n'y a rien à modifier a priori, j'ai juste besoin de réponses pour ma note.",
    "Si c'est plus simple on peut en parler au téléphone, mais une réponse écrite m'arrangerait pour la garder.",
    "Merci d'avance pour vos éclaircissements, et désolé pour la longueur du message.",
    "Une réponse dans la semaine me convient tout à fait.",
    "Ne changez rien, il s'agit simplement d'y voir clair.",
)


def long_context(w: W):
    ctx = sorted(w.rng.sample(range(len(_CONTEXTS)), k=w.rng.randint(1, 2)))
    paras = [" ".join(_CONTEXTS[i].format(victim=w.cl(_VICTIMS)) for i in ctx)]
    q, para = w.cl(_LONG_QUESTIONS)
    if "{h}" in q:
        h = w.host()
        q, para = q.format(h=h.name), para.format(h=h.name)
        w.fields["hostnames"] = [h.name]
    bridge = w.cl(_BRIDGES)
    follow = w.cl(_LONG_FOLLOW)
    paras.append(" ".join(x for x in (bridge, q, follow) if x))
    paras.append(w.cl(_NO_ACTION))
    w.fields["question"] = para
    text = w.c("\n\n", "\n", " ").join(paras)
    return w.draft(
        "long_context",
        w.c(
            "Questions sur nos sauvegardes",
            "Demande d'informations",
            "Sauvegardes : quelques questions",
            "PCA / sauvegardes",
            "Questions",
        ),
        text,
        w.reg("neutral", "formal"),
    )


# (English text with optional {h}, French paraphrase)
_EN_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("Quick question: is {h} backed up every night?", "Le serveur {h} est-il sauvegardé chaque nuit ?"),
    (
        "Our auditors asked how long we keep backups. What retention is applied to {h}?",
        "Quelle est la rétention des sauvegardes de {h} ?",
    ),
    (
        "Do you also back up our laptops, or only the servers?",
        "Les ordinateurs portables sont-ils sauvegardés ou seulement les serveurs ?",
    ),
    (
        "How long would it take to fully restore {h} if it crashed?",
        "Combien de temps prendrait une restauration complète de {h} ?",
    ),
    (
        "Is there an offsite or immutable copy of our backups?",
        "Existe-t-il une copie externalisée ou immuable des sauvegardes ?",
    ),
    (
        "Could you tell me when the last successful backup of {h} ran?",
        "Quand a eu lieu la dernière sauvegarde réussie de {h} ?",
    ),
    (
        "I'm new to the IT team and trying to understand our setup: which servers are currently covered by your backup service?",
        "Quels serveurs sont couverts par le service de sauvegarde ?",
    ),
    (
        "Just checking - does the backup include the SQL databases on {h} or only the VM itself?",
        "Les bases SQL de {h} sont-elles sauvegardées en plus de la VM ?",
    ),
    (
        "Are our Microsoft 365 mailboxes part of the backup contract?",
        "Les boîtes Microsoft 365 sont-elles incluses dans le contrat de sauvegarde ?",
    ),
    (
        "What would an extra TB of backup storage cost us, roughly?",
        "Quel est le coût d'un To de stockage de sauvegarde supplémentaire ?",
    ),
    ("Are backups of {h} encrypted?", "Les sauvegardes de {h} sont-elles chiffrées ?"),
    ("how far back can we restore files on {h}?", "Jusqu'à quelle date peut-on restaurer des fichiers sur {h} ?"),
)


def english_client(w: W):
    q, para = w.cl(_EN_QUESTIONS)
    if "{h}" in q:
        h = w.host()
        q, para = q.format(h=h.name), para.format(h=h.name)
        w.fields["hostnames"] = [h.name]
    pre = w.c(
        "",
        "",
        "Sorry for writing in English, my French isn't good enough. ",
        f"I'm writing from our {w.c('London', 'Dublin', 'Munich', 'Milan', 'Amsterdam', 'Brussels')} office. ",
        "Apologies, I don't speak French. ",
        "Hope this is the right address. ",
    )
    post = w.c(
        "",
        "",
        " No action needed, I just need the info.",
        " Thanks in advance!",
        " Cheers.",
        " This is for our ISO audit next month.",
    )
    w.fields["question"] = para
    return w.draft(
        "english_client",
        w.c("Backup question", "Quick question", "Question re. backups", "Backup retention?", "Info request"),
        pre + q + post,
        "english",
    )


# (question, paraphrase); {h} optional
_WHAT_IF: tuple[tuple[str, str], ...] = (
    (
        "Si on voulait ajouter un nouveau serveur à la sauvegarde, comment ça se passe ? Quelles informations faudrait-il vous fournir ?",
        "Quelle est la procédure pour ajouter un serveur à la sauvegarde ?",
    ),
    (
        "Si nous retirions {h} de la sauvegarde, qu'adviendrait-il des sauvegardes déjà réalisées ?",
        "Que deviennent les sauvegardes existantes de {h} s'il est retiré du périmètre ?",
    ),
    (
        "Si un fichier est supprimé un vendredi soir, est-ce qu'on peut encore le récupérer le lundi ?",
        "Un fichier supprimé le vendredi peut-il être récupéré le lundi ?",
    ),
    (
        "Est-il possible de restaurer {h} sur un autre site en cas de sinistre ? Je ne vous demande pas de le faire, c'est pour notre PRA.",
        "Le serveur {h} peut-il être restauré sur un autre site en cas de sinistre ?",
    ),
    (
        "Une restauration est-elle facturée en plus ou est-elle incluse dans le contrat ?",
        "Les restaurations sont-elles incluses dans le contrat ?",
    ),
    (
        "Savez-vous sauvegarder un NAS Synology, ou seulement des serveurs Windows et Linux ?",
        "Le service peut-il sauvegarder un NAS Synology ?",
    ),
    (
        "Comment sommes-nous prévenus quand une sauvegarde échoue ?",
        "Comment le client est-il prévenu d'un échec de sauvegarde ?",
    ),
    (
        "Les sauvegardes continuent-elles de tourner pendant les jours fériés et les week-ends ?",
        "Les sauvegardes tournent-elles les week-ends et jours fériés ?",
    ),
    (
        "Est-ce que {h} est sauvegardé pendant qu'il tourne, ou faut-il l'arrêter ?",
        "Le serveur {h} est-il sauvegardé à chaud ?",
    ),
    (
        "Si on augmentait la rétention de {h}, est-ce que ça changerait quelque chose sur la facture ?",
        "Une hausse de rétention sur {h} aurait-elle un impact sur la facturation ?",
    ),
    (
        "Est-ce qu'on pourrait, un jour, récupérer nous-mêmes un fichier sans passer par vous ?",
        "Le client peut-il restaurer lui-même un fichier ?",
    ),
    (
        "Que se passe-t-il si la sauvegarde de {h} est encore en cours quand les utilisateurs arrivent le matin ?",
        "Quel est l'impact d'une sauvegarde de {h} encore en cours le matin ?",
    ),
)
_WHAT_IF_PRE = (
    "Une question théorique :",
    "Pour préparer notre PRA,",
    "Avant de vous faire éventuellement une demande,",
    "Juste pour savoir,",
    "Pour ma culture,",
    "Question de principe :",
    "",
    "",
)
_WHAT_IF_POST = (
    "Pas d'urgence, c'est pour information.",
    "Nous reviendrons vers vous si nous décidons d'aller plus loin.",
    "Rien à faire pour le moment, bien sûr.",
    "Merci pour votre retour.",
    "",
    "",
)


def what_if(w: W):
    q, para = w.cl(_WHAT_IF)
    if "{h}" in q:
        h = w.host()
        q, para = q.format(h=h.name), para.format(h=h.name)
        w.fields["hostnames"] = [h.name]
    pre, post = w.cl(_WHAT_IF_PRE), w.cl(_WHAT_IF_POST)
    if pre:
        q = f"{pre} {q[0].lower() + q[1:]}" if pre.endswith((",", ":")) and w.p(0.8) else f"{pre} {q}"
    text = f"{q} {post}".strip() if w.p(0.6) else f"{q}\n\n{post}".strip()
    w.fields["question"] = para
    return w.draft(
        "what_if_question",
        w.c("Question", "Question sur le fonctionnement", "Info sauvegarde", "Une question", "Renseignement"),
        text,
        w.reg("neutral", "formal", "informal"),
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
    ("layperson_worry", 3.0, layperson_worry),
    ("one_liner", 2.5, one_liner),
    ("long_context", 2.0, long_context),
    ("english_client", 1.5, english_client),
    ("what_if_question", 2.0, what_if),
]
