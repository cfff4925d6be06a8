"""Synthetic raw ticket-system export, shaped like the paper's (section 5.1).

The paper's data is confidential, so the platform ships a generator of the export it starts
from: the columns ``Numéro de ticket``, ``Description`` (the e-mail thread that created the
ticket), ``Catégorie du ticket`` and ``Message`` (one support update per row), several rows per
ticket, about 12 % malformed rows, 365 categories with a long tail, and the 9 strategic
categories in the proportions of the paper's Table 1. About 15 % of descriptions are reply
chains or forwards. A companion JSON-lines file holds the ground truth of every ticket
(category, first client e-mail, extraction fields) keyed by ticket number.

Every row also has ``Date de création``, the ticket's creation time (the paper's export has no
such column: the classification steps ignore it, the preparation derives the daily ticket
counts per category from it). Creation days follow
:func:`mail2ticket.ops.synthetic.ticket_volumes`: each ticket of a category gets a day drawn in
proportion to that category's generated daily volume, so the export's daily counts have its
weekly shape, holidays, month ends and injected anomalies, whose ground truth is written beside
the export (``<stem>.anomalies.csv``: ``timestamp, series, kind``).

This module assembles tickets, threads and rows; the e-mail texts themselves come from
:mod:`mail2ticket.data.synth`. Output is deterministic for a given seed.
"""

from __future__ import annotations

import csv
import json
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import numpy as np
from faker import Faker

from mail2ticket.data import synth
from mail2ticket.data.prepare import CREATED, REQUIRED_COLUMNS
from mail2ticket.data.threads import has_forward, is_flattened, trim_message
from mail2ticket.ops.synthetic import SyntheticSeries, is_alert_category, ticket_volumes
from mail2ticket.taxonomy import UNKNOWN, load_taxonomy

#: The paper's Table 1 (train + test per category), by taxonomy key: the mix of the 9 strategic categories.
TABLE1_BY_KEY: dict[str, int] = {
    "supervision": 2397 + 565,
    "restauration": 361 + 83,
    "incident_sauvegarde": 346 + 95,
    "bcs_autre": 200 + 52,
    "strategie_creation": 78 + 21,
    "strategie_suppression": 69 + 25,
    "renseignement": 58 + 17,
    "strategie_modification": 50 + 14,
    "bastion": 49 + 20,
}
#: The same counts by category label (the taxonomy's names, as the export writes them).
TABLE1: dict[str, int] = {load_taxonomy().label(key): count for key, count in TABLE1_BY_KEY.items()}


@dataclass(frozen=True)
class PaperScale:
    """The sizes the paper reports (section 5.2)."""

    rows: int = 175_813
    well_formed_rows: int = 154_414
    tickets: int = 29_376
    selected_tickets: int = 4_500
    categories: int = 365


PAPER = PaperScale()

SUPPORT_DOMAIN = "nuvalis.fr"
#: Where a desk files the mail that is no request; the text comes from the writers of ``unknown``.
NO_REQUEST_CATEGORIES: tuple[str, ...] = (
    "Divers/Réponse automatique",
    "Divers/Courrier indésirable",
    "Divers/Sans suite",
    "Divers/Information reçue",
    "Divers/Doublon",
    "Divers/Hors périmètre",
)
ExportFormat = Literal["csv", "parquet"]
#: The export's columns, in order: the paper's four, then the creation time.
EXPORT_COLUMNS: tuple[str, ...] = (*REQUIRED_COLUMNS, CREATED)
#: How the export writes ``Date de création``.
CREATED_FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class CorpusConfig:
    """What to generate; the defaults reproduce the paper's proportions."""

    tickets: int = 2_000
    """Number of tickets (the paper: 29,376)."""
    seed: int = 0
    strategic_share: float = PAPER.selected_tickets / PAPER.tickets
    """Share of tickets in the 9 taxonomy categories (the paper: 4,500 / 29,376)."""
    rows_per_ticket: float = PAPER.well_formed_rows / PAPER.tickets
    """Average well-formed rows (status updates) per ticket."""
    malformed_share: float = (PAPER.rows - PAPER.well_formed_rows) / PAPER.rows
    """Share of all rows that lack one of the four columns or cannot be parsed (~12 %)."""
    thread_share: float = 0.13
    """Share of descriptions wrapped in a reply chain or forward by the assembler (the e-mail
    writers add forwarded alerts of their own, for about 15 % in all)."""
    flattened_share: float = 0.04
    """Share of descriptions whose line breaks the ticketing tool replaced with asterisks."""
    max_other_share: float = 0.0199
    """Every category outside the taxonomy stays under 2 % of tickets (the long tail)."""
    no_request_share: float = 0.1
    """Share of the tickets outside the taxonomy that hold no request at all (auto-replies,
    thanks, newsletters, spam, invoices, misdirected mail), filed under :data:`NO_REQUEST_CATEGORIES`."""
    start: datetime = datetime(2023, 1, 2, 8, 0)
    end: datetime = datetime(2025, 6, 30, 18, 0)

    @classmethod
    def paper(cls, seed: int = 0) -> CorpusConfig:
        return cls(tickets=PAPER.tickets, seed=seed)

    def row_counts(self) -> tuple[int, int]:
        """(well-formed rows, malformed rows); exactly the paper's at its scale."""
        well_formed = max(self.tickets, round(self.tickets * self.rows_per_ticket))
        total = round(well_formed / (1 - self.malformed_share))
        return well_formed, total - well_formed


@dataclass
class Ticket:
    number: str
    category: str
    created_at: datetime
    description: str
    first_email: str
    fields: dict[str, Any]
    style: str
    shape: str
    automatic: bool
    statuses: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Category mix


def largest_remainder(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Split ``total`` into integers proportional to ``weights`` (exact sum, stable order)."""
    weight_sum = sum(weights.values())
    quotas = {k: total * w / weight_sum for k, w in weights.items()}
    counts = {k: int(q) for k, q in quotas.items()}
    remainder = total - sum(counts.values())
    for key in sorted(quotas, key=lambda k: quotas[k] - counts[k], reverse=True)[:remainder]:
        counts[key] += 1
    return counts


def long_tail_counts(total: int, n_categories: int, cap: int) -> list[int]:
    """Zipf-like sizes for the other categories, each at least 1 and at most ``cap``."""
    n_categories = max(1, min(n_categories, total))
    weights = [1.0 / (rank**3.0) for rank in range(1, n_categories + 1)]  # > 200 tiny ones at paper scale
    counts = [1] * n_categories
    left = total - n_categories
    open_ranks = list(range(n_categories))
    while left > 0 and open_ranks:
        weight_sum = sum(weights[r] for r in open_ranks)
        placed = 0
        for rank in open_ranks:
            share = min(cap - counts[rank], int(left * weights[rank] / weight_sum))
            counts[rank] += share
            placed += share
        left -= placed
        open_ranks = [r for r in open_ranks if counts[r] < cap]
        if placed == 0:
            for rank in open_ranks[:left]:
                counts[rank] += 1
            left -= min(left, len(open_ranks))
    return counts


def category_plan(config: CorpusConfig, rng: random.Random) -> list[str]:
    """One category per ticket, shuffled: Table 1's mix plus a capped long tail."""
    strategic_total = round(config.tickets * config.strategic_share)
    plan: list[str] = []
    for name, count in largest_remainder(strategic_total, {k: float(v) for k, v in TABLE1.items()}).items():
        plan += [name] * count
    other_total = config.tickets - strategic_total
    no_request = round(other_total * config.no_request_share)
    for index in range(no_request):
        plan.append(NO_REQUEST_CATEGORIES[index % len(NO_REQUEST_CATEGORIES)])
    other_total -= no_request
    if other_total > 0:
        used = min(no_request, len(NO_REQUEST_CATEGORIES))
        n_other = min(PAPER.categories - len(TABLE1) - used, max(5, config.tickets // 80))
        cap = max(1, int(config.tickets * config.max_other_share))
        n_other = max(n_other, -(-other_total // cap))
        names = synth.long_tail_categories(rng, n_other)
        for name, count in zip(names, long_tail_counts(other_total, n_other, cap), strict=True):
            plan += [name] * count
    rng.shuffle(plan)
    return plan


# --------------------------------------------------------------------------------------------
# Threads

_FR_DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
_FR_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre"]  # fmt: skip

_FOLLOW_UPS = [
    "Bonjour,\n\nDes nouvelles sur ce sujet ?\n\nMerci",
    "Bonjour,\nje me permets de relancer, c'est assez urgent pour nous.\nCdt",
    "Relance.",
    "Up svp",
    "Bonjour,\n\nCi-dessous les éléments demandés.\n\nBien cordialement",
    "Voici les précisions.",
    "Hello, any update please?",
    "Bonjour, avez-vous pu avancer ? Nous sommes bloqués.",
    "Bonjour,\n\nJe reviens vers vous concernant ma demande ci-dessous, restée sans réponse.\n\nCordialement",
    "ok pour moi, vous pouvez y aller",
    "Merci de traiter en priorité svp.",
]
_COLLEAGUE_COVERS = [
    "Bonjour,\n\nPouvez-vous traiter la demande de mon collègue ci-dessous ?\n\nMerci d'avance",
    "Voir ci-dessous, merci de faire le nécessaire.",
    "Pour traitement.",
    "Bonjour,\nje vous transmets la demande de {colleague}.\nCordialement",
    "FYI, à traiter svp",
    "Demande ci-dessous validée de mon côté.",
]
_FORWARD_COMMENTS = [
    "Pour info, à traiter.",
    "Bonjour, cf. ci-dessous. Merci",
    "Je vous transfère.",
    "",
    "Peux-tu regarder stp ?",
    "Bonjour,\n\nVoir le message de {colleague} ci-dessous.\n\nCordialement",
]
_SUPPORT_OUTBOUND = [
    "Bonjour,\n\nSuite à notre échange téléphonique, pourriez-vous nous confirmer votre demande par écrit ?\n\n"
    "Cordialement,\n{agent}\nService Desk Nuvalis",
    "Bonjour {client},\n\nNous revenons vers vous au sujet de votre appel de ce matin. Merci de nous préciser "
    "le besoin exact afin que nous puissions ouvrir la demande.\n\nBien cordialement,\n{agent}",
    "Bonjour,\n\nPouvez-vous nous donner plus de détails sur votre demande ?\n\n{agent} - Nuvalis",
]


def _fr_date(moment: datetime) -> str:
    return f"{_FR_DAYS[moment.weekday()]} {moment.day} {_FR_MONTHS[moment.month - 1]} {moment.year} {moment:%H:%M}"


def _address(person: synth.Person) -> str:
    return f"{person.first_name} {person.last_name} <{person.email}>"


def _outlook_header(sender: synth.Person, to: synth.Person, subject: str, sent: datetime, rng: random.Random) -> str:
    """An Outlook/Thunderbird header block in one of its usual shapes."""
    style = rng.choice(["fr", "fr", "fr_marker", "fr_rule", "en", "en_marker", "tb", "fr_spaced", "fr_nospace"])
    sender_text = (
        _address(sender) if rng.random() < 0.8 else f"{sender.last_name}, {sender.first_name} [mailto:{sender.email}]"
    )
    if style.startswith("en"):
        block = f"From: {sender_text}\nSent: {sent:%A, %B %d, %Y %I:%M %p}\nTo: {to.email}\nSubject: {subject}"
        return ("-----Original Message-----\n" + block) if style == "en_marker" else block
    if style == "tb":
        return (
            f"-------- Message d'origine --------\nDe : {sender_text}\nDate : {sent:%d/%m/%Y %H:%M}\n"
            f"À : {to.email}\nObjet : {subject}"
        )
    colon = ":" if style == "fr_nospace" else " :"
    cc = f"\nCc{colon} {to.email.split('@')[0]}.backup@{to.email.split('@')[1]}" if rng.random() < 0.2 else ""
    lines = [
        f"De{colon} {sender_text}",
        f"Envoyé{colon} {_fr_date(sent)}",
        f"À{colon} {_address(to)}{cc}",
        f"Objet{colon} {subject}",
    ]
    block = ("\n\n" if style == "fr_spaced" else "\n").join(lines)
    if style == "fr_marker":
        return "-----Message d'origine-----\n" + block
    if style == "fr_rule":
        return "_" * 32 + "\n" + block
    return block


def _attribution(person: synth.Person, sent: datetime, rng: random.Random) -> str:
    if rng.random() < 0.25:
        return f"On {sent:%a, %b %d, %Y at %H:%M}, {_address(person)} wrote:"
    text = (
        f"Le {_FR_DAYS[sent.weekday()][:3]}. {sent.day} {_FR_MONTHS[sent.month - 1]} {sent.year} à "
        f"{sent:%H:%M}, {_address(person)} a écrit :"
    )
    return text.replace(" a écrit :", " a\nécrit :") if rng.random() < 0.3 else text


def _quote(text: str) -> str:
    return "\n".join(("> " + line) if line.strip() else ">" for line in text.split("\n"))


@dataclass(frozen=True)
class ThreadParts:
    """What a thread shape needs to build a Description around the client's e-mail."""

    email: synth.ClientEmail
    client: synth.Person
    colleague: synth.Person
    agent: synth.Person
    support_reply: str
    sent: datetime


ThreadBuilder = Callable[[ThreadParts, random.Random], tuple[str, str]]


def _reply_chain(p: ThreadParts, rng: random.Random) -> tuple[str, str]:
    """Client follow-up on top, support reply, then the client's original e-mail (Outlook)."""
    desk = synth.Person("Service", "Desk", f"servicedesk@{SUPPORT_DOMAIN}", "", "")
    later = p.sent + timedelta(hours=rng.randint(1, 30))
    parts = [
        rng.choice(_FOLLOW_UPS),
        _outlook_header(p.agent, p.client, f"RE: {p.email.subject}", later, rng),
        p.support_reply,
        _outlook_header(p.client, desk, p.email.subject, p.sent, rng),
        p.email.body,
    ]
    return "\n\n".join(parts), p.email.body


def _quoted_chain(p: ThreadParts, rng: random.Random) -> tuple[str, str]:
    """Plain-text clients: attribution lines and ``>`` quoting, two levels deep."""
    later = p.sent + timedelta(hours=rng.randint(1, 30))
    older = f"{_attribution(p.client, p.sent, rng)}\n{_quote(p.email.body)}"
    middle = f"{p.support_reply}\n\n{older}"
    text = f"{rng.choice(_FOLLOW_UPS)}\n\n{_attribution(p.agent, later, rng)}\n{_quote(middle)}"
    return text, p.email.body


def _colleague_chain(p: ThreadParts, rng: random.Random) -> tuple[str, str]:
    """A colleague's request passed on through Outlook: the colleague wrote the oldest message."""
    cover = rng.choice(_COLLEAGUE_COVERS).format(colleague=p.colleague.first_name)
    header = _outlook_header(p.colleague, p.client, p.email.subject, p.sent, rng)
    return f"{cover}\n\n{header}\n\n{p.email.body}", p.email.body


def _support_first(p: ThreadParts, rng: random.Random) -> tuple[str, str]:
    """The desk wrote first (after a phone call); the client's answer is the request."""
    if has_forward(p.email.body):
        return _reply_chain(p, rng)  # a forward on top would swallow the desk's message below it
    outbound = rng.choice(_SUPPORT_OUTBOUND).format(agent=p.agent.first_name, client=p.client.first_name)
    earlier = p.sent - timedelta(hours=rng.randint(1, 5))
    header = _outlook_header(p.agent, p.client, "Votre demande", earlier, rng)
    return f"{p.email.body}\n\n{header}\n\n{outbound}", p.email.body


def _forwarded(p: ThreadParts, rng: random.Random) -> tuple[str, str]:
    """An explicit forward: what the client forwarded belongs to the client's message."""
    comment = rng.choice(_FORWARD_COMMENTS).format(colleague=p.colleague.first_name)
    if rng.random() < 0.5:
        marker = "Début du message transféré :"
        header = (
            f"De: {_address(p.colleague)}\nObjet: {p.email.subject}\nDate: {_fr_date(p.sent)}\nÀ: {_address(p.client)}"
        )
    else:
        marker = "---------- Forwarded message ---------"
        header = (
            f"De : {_address(p.colleague)}\nDate: {p.sent:%a %d %b %Y à %H:%M}\n"
            f"Subject: {p.email.subject}\nTo: {_address(p.client)}"
        )
    text = (f"{comment}\n\n" if comment else "") + f"{marker}\n\n{header}\n\n{p.email.body}"
    return text, text.strip()


def _bare_forward(p: ThreadParts, rng: random.Random) -> tuple[str, str]:
    """An Outlook forward with no comment: the description starts with the separator."""
    desk = synth.Person("Service", "Desk", f"servicedesk@{SUPPORT_DOMAIN}", "", "")
    header = _outlook_header(p.client, desk, p.email.subject, p.sent, rng)
    if not header.startswith(("-", "_")):
        header = "-----Message d'origine-----\n" + header
    return f"{header}\n\n{p.email.body}", p.email.body


THREAD_SHAPES: dict[str, tuple[float, ThreadBuilder]] = {
    "reply_chain": (0.32, _reply_chain),
    "quoted_chain": (0.18, _quoted_chain),
    "colleague_chain": (0.18, _colleague_chain),
    "support_first": (0.10, _support_first),
    "forwarded": (0.15, _forwarded),
    "bare_forward": (0.07, _bare_forward),
}


def flatten(text: str) -> str:
    """What some ticketing tools did to e-mails: line breaks replaced with asterisks."""
    return text.replace("\r\n", "\n").replace("\n", "*")


# --------------------------------------------------------------------------------------------
# Tickets and rows

_LIFECYCLES = [
    ["prise en charge", "résolu", "clôturé"],
    ["prise en charge", "en attente client", "prise en charge", "résolu", "clôturé"],
    ["prise en charge", "résolu", "réouvert", "prise en charge", "résolu", "clôturé"],
    ["prise en charge", "en attente client", "en attente client", "résolu", "clôturé"],
]


class CorpusGenerator:
    """Builds tickets one by one; all randomness flows from one seeded ``random.Random``."""

    def __init__(self, config: CorpusConfig) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.faker = Faker("fr_FR")
        self.faker.seed_instance(config.seed)
        n_companies = min(600, max(12, config.tickets // 25))
        self.companies = [synth.make_company(self.rng, self.faker) for _ in range(n_companies)]
        self.company_weights = [1.0 / (rank + 3) for rank in range(n_companies)]
        self.staff: dict[str, list[synth.Person]] = {}
        self.agents = [synth.make_support_agent(self.rng, self.faker) for _ in range(14)]
        shapes = list(THREAD_SHAPES.items())
        self.shape_names = [name for name, _ in shapes]
        self.shape_weights = [weight for _, (weight, _) in shapes]
        self.volumes: SyntheticSeries | None = None

    def _person(self, company: synth.Company) -> synth.Person:
        people = self.staff.setdefault(company.domain, [])
        if len(people) < 2 or (len(people) < 12 and self.rng.random() < 0.25):
            people.append(synth.make_person(company, self.rng, self.faker))
        return self.rng.choice(people)

    def _colleague(self, company: synth.Company, client: synth.Person) -> synth.Person:
        for _ in range(4):
            other = self._person(company)
            if other.email != client.email:
                return other
        colleague = synth.make_person(company, self.rng, self.faker)
        self.staff[company.domain].append(colleague)
        return colleague

    def ticket(self, index: int, category: str, created_at: datetime) -> Ticket:
        rng = self.rng
        company = rng.choices(self.companies, weights=self.company_weights)[0]
        client = self._person(company)
        writer = UNKNOWN if category in NO_REQUEST_CATEGORIES else category
        email = synth.write_client_email(writer, company, client, created_at, rng, self.faker)
        description, first_email, shape = email.body, email.body, "single"
        if rng.random() < self.config.thread_share:
            shape = rng.choices(self.shape_names, weights=self.shape_weights)[0]
            agent = rng.choice(self.agents)
            parts = ThreadParts(
                email=email,
                client=client,
                colleague=self._colleague(company, client),
                agent=agent,
                support_reply=synth.write_support_reply(category, client, agent, rng, self.faker),
                sent=created_at,
            )
            description, first_email = THREAD_SHAPES[shape][1](parts, rng)
        if rng.random() < self.config.flattened_share:
            description, first_email = flatten(description), flatten(first_email)
            shape += "+flattened"
        # Edge blank lines, and edge asterisks of a flattened e-mail (they cannot be told from
        # line breaks), are not content: the truth is trimmed the way the splitter trims.
        first_email = trim_message(first_email, flattened=is_flattened(description))
        return Ticket(
            number=f"T{created_at:%y%m}{index:06d}",
            category=category,
            created_at=created_at,
            description=description,
            first_email=first_email,
            fields=email.fields,
            style=email.style,
            shape=shape,
            automatic=email.automatic,
        )

    def creation_times(self, plan: list[str]) -> list[tuple[datetime, str]]:
        """(creation time, category) of every planned ticket, in time order.

        Each category's daily volumes come from :func:`ticket_volumes` over the configured
        period (kept in :attr:`volumes`, with their anomalies); its tickets get days drawn in
        proportion to them, then a time of day: monitoring alerts at any hour, people mostly in
        office hours. The draws use their own seeded stream, apart from the texts'.
        """
        config = self.config
        first_day, last_day = config.start.date(), config.end.date()
        days = (last_day - first_day).days + 1
        counts = Counter(plan)
        categories = sorted(counts)
        self.volumes = ticket_volumes(first_day, days, categories, config.seed)
        volumes = self.volumes.frame.pivot(index="series", columns="timestamp", values="value").loc[categories]
        volumes = volumes.to_numpy(dtype=float)
        rng = np.random.default_rng([config.seed, 1])
        midnight = datetime.combine(first_day, datetime.min.time())
        moments: list[tuple[datetime, str]] = []
        for row, category in enumerate(categories):
            weights = volumes[row] if volumes[row].sum() > 0 else np.ones(days)
            chosen = rng.choice(days, size=counts[category], p=weights / weights.sum())
            seconds = _times_of_day(rng, len(chosen), is_alert_category(category))
            for day, second in zip(chosen.tolist(), seconds.tolist(), strict=True):
                moment = midnight + timedelta(days=day, seconds=second)
                moments.append((min(max(moment, config.start), config.end), category))
        moments.sort()
        return moments

    def tickets(self) -> Iterator[Ticket]:
        plan = category_plan(self.config, self.rng)
        for index, (created_at, category) in enumerate(self.creation_times(plan)):
            yield self.ticket(index, category, created_at)


def _times_of_day(rng: np.random.Generator, n: int, alerts: bool) -> np.ndarray:
    """Seconds after midnight: alerts at any hour; people 8:00-12:30 and 13:30-18:30, sometimes 7:00-22:00."""
    if alerts:
        return rng.integers(0, 86_400, n)
    office = rng.random(n) < 0.92
    morning = rng.random(n) < 0.55
    start = np.where(office, np.where(morning, 8 * 3600, 13.5 * 3600), 7 * 3600)
    length = np.where(office, np.where(morning, 4.5 * 3600, 5 * 3600), 15 * 3600)
    return (start + rng.random(n) * length).astype(np.int64)


def _created(ticket: Ticket) -> str:
    return f"{ticket.created_at:{CREATED_FORMAT}}"


def _malformed_row(ticket: Ticket, rng: random.Random, tabular: bool) -> list[str | None]:
    """A row the export mangled: a blank column, or (CSV only) too few or too many fields.

    The damage is always to the paper's four columns; the creation time stays (a row with only
    a date is as unusable as it was without one).
    """
    row: list[str | None] = [ticket.number, ticket.description, ticket.category, "Mise à jour", _created(ticket)]
    kinds = ["no_ticket", "no_description", "no_category", "no_message", "blank_message"]
    if not tabular:
        kinds += ["truncated", "truncated", "extra_fields"]
    kind = rng.choice(kinds)
    if kind == "truncated":
        return row[: rng.randint(1, 3)]
    if kind == "extra_fields":
        return [*row, "Statut : clôturé", ""]
    position = {"no_ticket": 0, "no_description": 1, "no_category": 2}.get(kind, 3)
    row[position] = "   " if kind == "blank_message" else ("" if not tabular else None)
    return row


def build_rows(
    tickets: list[Ticket], config: CorpusConfig, rng: random.Random, faker: Faker, tabular: bool
) -> list[list[str | None]]:
    """Every row of the export, in time order: creation, status updates, mangled rows."""
    well_formed, malformed = config.row_counts()
    extra = well_formed - len(tickets)
    updates_per_ticket = [0] * len(tickets)
    for index in rng.choices(range(len(tickets)), k=extra):
        updates_per_ticket[index] += 1
    events: list[tuple[datetime, int, list[str | None]]] = []
    sequence = 0
    for ticket, n_updates in zip(tickets, updates_per_ticket, strict=True):
        lifecycle = rng.choice(_LIFECYCLES)
        statuses = ["création"] + [lifecycle[min(i, len(lifecycle) - 1)] for i in range(n_updates)]
        moment = ticket.created_at
        created = _created(ticket)
        for status in statuses:
            text = synth.write_status_update(ticket.category, status, rng, faker)
            events.append((moment, sequence, [ticket.number, ticket.description, ticket.category, text, created]))
            sequence += 1
            moment += timedelta(minutes=rng.randint(5, 60 * 48))
        ticket.statuses = statuses
    for ticket in rng.choices(tickets, k=malformed):
        moment = ticket.created_at + timedelta(minutes=rng.randint(1, 60 * 72))
        events.append((moment, sequence, _malformed_row(ticket, rng, tabular)))
        sequence += 1
    events.sort(key=lambda event: (event[0], event[1]))
    return [row for _, _, row in events]


def write_export(rows: list[list[str | None]], path: Path, fmt: ExportFormat) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns = {name: [row[i] for row in rows] for i, name in enumerate(EXPORT_COLUMNS)}
        pq.write_table(
            pa.table({k: pa.array(v, type=pa.string()) for k, v in columns.items()}), path, compression="zstd"
        )
        return
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(rows)


def truth_path_for(export_path: Path) -> Path:
    """Where the ground truth of an export lives by default: ``<stem>.truth.jsonl`` beside it."""
    return export_path.with_name(export_path.stem + ".truth.jsonl")


def anomalies_path_for(export_path: Path) -> Path:
    """Where the ground truth of the daily counts' anomalies lives: ``<stem>.anomalies.csv`` beside the export."""
    return export_path.with_name(export_path.stem + ".anomalies.csv")


def write_anomalies(volumes: SyntheticSeries, path: Path) -> None:
    """The injected anomalies (``timestamp, series, kind``; series = category), one row per category and day."""
    path.parent.mkdir(parents=True, exist_ok=True)
    volumes.anomalies.to_csv(path, index=False, date_format="%Y-%m-%d", lineterminator="\n")


def write_truth(tickets: list[Ticket], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for ticket in tickets:
            record = {
                "ticket_id": ticket.number,
                "category": ticket.category,
                "first_email": ticket.first_email,
                "fields": ticket.fields,
                "received_at": ticket.created_at.isoformat(timespec="minutes"),
                "style": ticket.style,
                "thread_shape": ticket.shape,
                "automatic": ticket.automatic,
                "rows": len(ticket.statuses),
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


@dataclass(frozen=True)
class CorpusSummary:
    export: Path
    truth: Path
    tickets: int
    rows: int
    well_formed_rows: int
    categories: int
    anomalies: Path | None = None
    """The ground truth of the anomalies injected into the daily counts (``<stem>.anomalies.csv``)."""


def generate(
    config: CorpusConfig, out: str | Path, fmt: ExportFormat = "csv", truth_out: str | Path | None = None
) -> CorpusSummary:
    """Generate the export and its ground truth; returns what was written."""
    if config.tickets < 1:
        raise ValueError("--tickets must be at least 1")
    load_taxonomy()  # fail early on a broken taxonomy
    export_path = Path(out)
    truth_path = Path(truth_out) if truth_out else truth_path_for(export_path)
    generator = CorpusGenerator(config)
    tickets = list(generator.tickets())
    rows = build_rows(tickets, config, generator.rng, generator.faker, tabular=fmt == "parquet")
    write_export(rows, export_path, fmt)
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    write_truth(tickets, truth_path)
    anomalies_path = anomalies_path_for(export_path)
    if generator.volumes is not None:
        write_anomalies(generator.volumes, anomalies_path)
    well_formed, _ = config.row_counts()
    return CorpusSummary(
        export_path, truth_path, len(tickets), len(rows), well_formed, len({t.category for t in tickets}),
        anomalies_path,
    )  # fmt: skip
