"""Helper handed to every writer family: draws, protected strings and ground truth in one place.

A family function receives a `W`, draws hosts/paths/dates through it (each drawn value is
recorded as protected so noise never alters it), sets `w.fields[...]`, and returns
`w.draft(...)`. This keeps the ~240 families short and uniform.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence

from ..alerts import Alert, forward_block
from ..dates import DatePhrase, TimePhrase, future_date, past_date, past_time
from ..infra import (
    Host,
    database,
    file_name,
    file_path,
    folder_path,
    host,
    hosts,
    job_name,
    login_of,
    mailbox,
    random_person_name,
    short_name,
)
from ..model import Ctx, Draft
from ..noise import may_lower_first
from ..people import sector_of
from ..vocab import TICKET_PREFIXES

_FORMAL_SECTORS = frozenset({"hopital", "clinique", "mairie", "interco", "departement", "cabinet"})
_QUICK_PRE = (
    "",
    "",
    "",
    "",
    "",
    "hello, ",
    "re, ",
    "urgent : ",
    "pour info : ",
    "petite demande : ",
    "vite fait : ",
    "Salut, ",
    "Bjr ",
)
_QUICK_POST = (
    "",
    "",
    "",
    " merci",
    " merci !",
    " thx",
    " stp",
    " svp",
    " (urgent)",
    " dès que possible",
    " quand tu peux",
    " pas urgent",
    " bonne journée",
    " a+",
    " merci d'avance",
)


class W:
    """Per-e-mail drawing context for writer families."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.rng: random.Random = ctx.rng
        self.company = ctx.company
        self.sender = ctx.sender
        self.sent = ctx.sent_at
        self.sector = sector_of(ctx.company)
        self.fields: dict[str, object] = {}
        self.protected: list[str] = [ctx.company.name, ctx.company.domain]

    # ---------------------------------------------------------------- draws
    def c(self, *options: str) -> str:
        return self.rng.choice(options)

    def cl(self, options: Sequence[str]) -> str:
        return self.rng.choice(options)

    def p(self, prob: float) -> bool:
        return self.rng.random() < prob

    def reg(self, *options: str) -> str:
        """Pick a register; formal sectors lean to 'formal'."""
        r = self.rng.choice(options)
        if r == "neutral" and self.sector in _FORMAL_SECTORS and self.rng.random() < 0.3:
            return "formal"
        return r

    def keep(self, *values: str) -> None:
        self.protected.extend(v for v in values if v)

    def host(self, role: str | None = None) -> Host:
        h = host(self.company, self.rng, role)
        self.keep(h.name)
        return h

    def hosts(self, n: int, role: str | None = None) -> list[Host]:
        hs = hosts(self.company, self.rng, n, role)
        self.keep(*(h.name for h in hs))
        return hs

    def folder(
        self, server: Host | None = None, depth: int | None = None, flavor: str | None = None
    ) -> tuple[str, Host | None]:
        path, srv = folder_path(self.company, self.rng, server, depth, flavor)
        self.keep(path)
        if srv:
            self.keep(srv.name, short_name(srv.name))
        return path, srv

    def file(self, server: Host | None = None) -> tuple[str, str, Host | None]:
        full, folder, srv = file_path(self.company, self.rng, server)
        self.keep(full, folder)
        if srv:
            self.keep(srv.name, short_name(srv.name))
        return full, folder, srv

    def file_name(self) -> str:
        n = file_name(self.rng)
        self.keep(n)
        return n

    def db(self) -> str:
        d = database(self.company, self.rng)
        self.keep(d)
        return d

    def mailbox(self) -> str:
        m = mailbox(self.company, self.rng)
        self.keep(m)
        return m

    def job(self, hostname: str | None = None, tool: str = "veeam") -> str:
        j = job_name(self.company, self.rng, hostname, tool)
        self.keep(j)
        return j

    def past(self, lo: int = 0, hi: int = 20, lang: str = "fr", vague: float = 0.0) -> DatePhrase:
        d = past_date(self.sent, self.rng, lo, hi, lang, vague)
        self.keep(d.when, d.of, d.until, d.from_)
        return d

    def future(self, lo: int = 1, hi: int = 90, lang: str = "fr") -> DatePhrase:
        d = future_date(self.sent, self.rng, lo, hi, lang)
        self.keep(d.when, d.of, d.until, d.from_)
        return d

    def time(self, lang: str = "fr", max_hours: int = 40) -> TimePhrase:
        t = past_time(self.sent, self.rng, lang, max_hours)
        self.keep(t.when, t.since, t.when.removeprefix("à "))
        return t

    def person(self) -> tuple[str, str]:
        return random_person_name(self.rng)

    def colleague(self) -> str:
        a, b = self.person()
        return self.c(f"{a} {b}", a, f"{a[0]}. {b}", f"M. {b}", f"Mme {b}")

    def login(self) -> tuple[str, str, str]:
        a, b = self.person()
        lg = login_of(a, b, self.rng)
        return a, b, lg

    def ticket(self) -> str:
        pre = self.rng.choice(TICKET_PREFIXES)
        n = self.rng.randint(10000, 999999)
        if pre == "NUV-":
            ref = f"NUV-{self.sent.year}-{n:06d}"
        elif pre in {"INC", "REQ", "SR"}:
            ref = f"{pre}{n:07d}"
        else:
            ref = f"{pre}{n}"
        self.keep(ref)
        return ref

    def lead(self, pool: Sequence[str], text: str, p: float = 0.45) -> str:
        """Optionally put a context sentence from `pool` before `text` (lower-casing after a comma)."""
        if not pool or self.rng.random() >= p:
            return text
        head = self.rng.choice(pool)
        if head.endswith(",") and may_lower_first(text, self.protected):
            return f"{head} {text[0].lower()}{text[1:]}"
        return f"{head}{self.rng.choice((' ', chr(10)))}{text}"

    def quick(self, text: str) -> str:
        """Dress a one-line request the way people type it on a phone: optional prefix and suffix."""
        pre = self.rng.choice(_QUICK_PRE)
        post = self.rng.choice(_QUICK_POST)
        if post and text.lower().rstrip(" .!?").endswith(("merci", "svp", "stp", "thx")):
            post = ""
        if "urgent" in pre and "urgent" in post:
            post = ""
        return f"{pre}{text}{post}"

    # ---------------------------------------------------------------- output
    def draft(self, family: str, subject: str, text: str, register: str = "neutral", **kw: object) -> Draft:
        fields = check_verbatim(family, self.fields, text)
        return Draft(
            family=family, subject=subject, text=text, fields=fields, protected=self.protected, register=register, **kw
        )  # type: ignore[arg-type]

    def forwarded(
        self, family: str, alert: Alert, comment: str, register: str = "neutral", subject: str | None = None
    ) -> Draft:
        """A client forwarding a tool e-mail with a comment above it."""
        self.keep(*alert.protected)
        machine = forward_block(alert, self.ctx)
        fields = check_verbatim(family, self.fields, comment + "\n" + machine)
        return Draft(
            family=family,
            subject=subject or alert.subject,
            text=comment,
            fields=fields,
            protected=self.protected,
            register=register,
            machine=machine,
            forward=True,
        )

    def automatic(self, family: str, alert: Alert) -> Draft:
        fields = check_verbatim(family, dict(alert.fields), alert.body)
        return Draft(
            family=family,
            subject=alert.subject,
            machine=alert.body,
            fields=fields,
            automatic=True,
            sender_name=alert.from_name,
            sender_email=alert.from_email,
        )


Family = Callable[[W], Draft]

VERBATIM_KEYS = ("hostname", "source_path", "destination_path", "job_name", "service")
VERBATIM_LIST_KEYS = ("hostnames", "paths", "target_hosts", "user_accounts")
DROPPED: Counter[str] = Counter()


def check_verbatim(family: str, fields: dict[str, object], text: str) -> dict[str, object]:
    """Drop ground-truth strings the text does not actually contain (safety net; counted for debugging)."""
    low = text.lower()
    for key in VERBATIM_KEYS:
        v = fields.get(key)
        if isinstance(v, str) and v.lower() not in low:
            DROPPED[f"{family}:{key}"] += 1
            del fields[key]
    for key in VERBATIM_LIST_KEYS:
        v = fields.get(key)
        if isinstance(v, list):
            kept = [x for x in v if x.lower() in low]
            if len(kept) != len(v):
                DROPPED[f"{family}:{key}"] += 1
            if kept:
                fields[key] = kept
            else:
                del fields[key]
    return fields


def de_(phrase: str) -> str:
    """'de' + noun phrase with French contraction: 'du dossier', 'des mails', 'de la VM'."""
    if phrase.startswith("le "):
        return "du " + phrase[3:]
    if phrase.startswith("les "):
        return "des " + phrase[4:]
    return "de " + phrase


def a_(phrase: str) -> str:
    """'à' + noun phrase with contraction: 'au dossier', 'aux fichiers'."""
    if phrase.startswith("le "):
        return "au " + phrase[3:]
    if phrase.startswith("les "):
        return "aux " + phrase[4:]
    return "à " + phrase


def bullet(rng: random.Random) -> str:
    return rng.choice(("- ", "- ", "* ", "• ", "  - ", "> ", ""))


def join_names(names: Sequence[str], rng: random.Random, lang: str = "fr") -> str:
    """'A, B et C' / 'A, B, C' / 'A / B / C'."""
    names = list(names)
    if len(names) == 1:
        return names[0]
    r = rng.random()
    if r < 0.5:
        return ", ".join(names[:-1]) + (" et " if lang == "fr" else " and ") + names[-1]
    if r < 0.8:
        return ", ".join(names)
    return " / ".join(names)
