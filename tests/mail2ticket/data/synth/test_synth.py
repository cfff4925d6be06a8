"""Tests of the synthetic e-mail generator (mail2ticket.data.synth).

They check what the corpus relies on: determinism per seed, ground truth conforming to
taxonomy.yaml (names, types, enums, ISO dates), ground-truth strings actually present in
the text, enough distinct writing styles per category, no thread separators outside
forward blocks (the thread splitter depends on it), sane long-tail names, and speed.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest
import yaml
from faker import Faker

from mail2ticket.data.synth import (
    ClientEmail,
    long_tail_categories,
    make_company,
    make_person,
    make_support_agent,
    write_client_email,
    write_status_update,
    write_support_reply,
)
from mail2ticket.taxonomy import DEFAULT_TAXONOMY_PATH

TAXONOMY = yaml.safe_load(DEFAULT_TAXONOMY_PATH.read_text("utf-8"))
CATEGORIES = {c["name"]: c for c in TAXONOMY["categories"]}
BIG_FOUR = (
    "Incidents/Supervision",
    "Demande de service/Backup #BCS/Restauration qualifiée",
    "Incidents/Backup #BCS/Sauvegarde",
    "Demande de service/Backup #BCS/Autre",
)
STATUSES = ("création", "prise en charge", "en attente client", "résolu", "clôturé", "réouvert")
DRAWS_BIG = 2500
DRAWS_OTHER = 1200

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
FORWARD_MARKERS = (
    "Début du message transféré :",
    "---------- Forwarded message ---------",
    "-------- Message transféré --------",
)
SEPARATORS = (
    re.compile(r"^\s*(De|From)\s?:", re.MULTILINE),
    re.compile(r"^\s*-----\s*Message d'origine\s*-----", re.MULTILINE | re.IGNORECASE),
    re.compile(r"^\s*-----\s*Original Message\s*-----", re.MULTILINE | re.IGNORECASE),
    re.compile(r"^\s*Le .{0,120}a écrit\s?:", re.MULTILINE),
    re.compile(r"^\s*On .{0,120}wrote\s?:", re.MULTILINE),
    re.compile(r"^\s*_{5,}\s*$", re.MULTILINE),
)
PAST_DATE_FIELDS = ("restore_date", "failure_date")
FUTURE_DATE_FIELDS = ("effective_date", "validity_end_date")
VERBATIM_FIELDS = ("hostname", "job_name", "destination_path")
VERBATIM_LIST_FIELDS = ("hostnames", "paths", "target_hosts", "user_accounts")


def _fold(text: str) -> str:
    """Case- and accent-insensitive form, as the generator may drop accents around values."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def _corpus(seed: int, plan: dict[str, int]) -> list[tuple[str, datetime, ClientEmail]]:
    rng = random.Random(seed)
    faker = Faker("fr_FR")
    faker.seed_instance(seed)
    companies = [make_company(rng, faker) for _ in range(60)]
    staff = {c.name: [make_person(c, rng, faker) for _ in range(3)] for c in companies}
    base = datetime(2025, 1, 6, 7, 30)
    out = []
    for category, n in plan.items():
        for _ in range(n):
            company = rng.choice(companies)
            sender = rng.choice(staff[company.name])
            sent = base + timedelta(days=rng.randint(0, 300), minutes=rng.randint(0, 11 * 60))
            out.append((category, sent, write_client_email(category, company, sender, sent, rng, faker)))
    return out


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str, datetime, ClientEmail]]:
    plan = {name: (DRAWS_BIG if name in BIG_FOUR else DRAWS_OTHER) for name in CATEGORIES}
    lt = long_tail_categories(random.Random(3), 60)
    for name in lt:
        plan[name] = 10
    return _corpus(20250312, plan)


# ------------------------------------------------------------------ determinism
def _fingerprint(seed: int) -> list[tuple[object, ...]]:
    plan = {name: 15 for name in CATEGORIES}
    plan.update({name: 2 for name in long_tail_categories(random.Random(seed), 20)})
    rows = [
        (c, e.body, e.subject, sorted(e.fields.items()), e.sender_name, e.sender_email, e.automatic, e.style)
        for c, _s, e in _corpus(seed, plan)
    ]
    rng = random.Random(seed)
    faker = Faker("fr_FR")
    faker.seed_instance(seed)
    company = make_company(rng, faker)
    client = make_person(company, rng, faker)
    agent = make_support_agent(rng, faker)
    rows.append((company, client, agent))
    for name in list(CATEGORIES)[:4]:
        rows.append((write_support_reply(name, client, agent, rng, faker),))
        rows.append(tuple(write_status_update(name, s, rng, faker) for s in STATUSES))
    rows.append(tuple(long_tail_categories(rng, 50)))
    return rows


def test_same_seed_same_output() -> None:
    assert _fingerprint(7) == _fingerprint(7)


def test_different_seed_different_output() -> None:
    assert _fingerprint(7) != _fingerprint(8)


# ------------------------------------------------------------------ taxonomy conformance
def _check_value(name: str, spec: dict[str, object], value: object) -> None:
    kind = spec["type"]
    if kind == "string":
        assert isinstance(value, str) and value.strip(), (name, value)
        if "enum" in spec:
            assert value in spec["enum"], (name, value)
    elif kind == "date":
        assert isinstance(value, str) and ISO_DATE.match(value), (name, value)
        date.fromisoformat(value)
    elif kind == "datetime":
        assert isinstance(value, str) and ISO_DATETIME.match(value), (name, value)
        datetime.fromisoformat(value)
    elif kind == "boolean":
        assert isinstance(value, bool), (name, value)
    elif kind == "integer":
        assert isinstance(value, int) and not isinstance(value, bool), (name, value)
    elif kind == "string_list":
        assert isinstance(value, list) and value, (name, value)
        assert all(isinstance(x, str) and x.strip() for x in value), (name, value)
        assert len(set(value)) == len(value), (name, value)
    else:  # pragma: no cover - a new type in the taxonomy must be handled here
        pytest.fail(f"unknown field type {kind}")


def test_fields_conform_to_taxonomy(corpus: list[tuple[str, datetime, ClientEmail]]) -> None:
    for category, _sent, mail in corpus:
        if category not in CATEGORIES:
            assert mail.fields == {}, (category, mail.fields)
            continue
        specs = CATEGORIES[category]["fields"] or {}
        assert set(mail.fields) <= set(specs), (category, mail.style, set(mail.fields) - set(specs))
        for name, value in mail.fields.items():
            _check_value(name, specs[name], value)


def test_every_field_is_produced_somewhere(corpus: list[tuple[str, datetime, ClientEmail]]) -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for category, _sent, mail in corpus:
        seen[category].update(mail.fields)
    for name, cat in CATEGORIES.items():
        assert set(cat["fields"] or {}) == seen[name], (name, set(cat["fields"] or {}) - seen[name])


def test_dates_are_consistent_with_sent_at(corpus: list[tuple[str, datetime, ClientEmail]]) -> None:
    for _category, sent, mail in corpus:
        f = mail.fields
        for name in PAST_DATE_FIELDS:
            if name in f:
                assert date.fromisoformat(f[name]) <= sent.date(), (mail.style, name, f[name], sent)
                assert date.fromisoformat(f[name]) >= sent.date() - timedelta(days=60), (mail.style, name, f[name])
        for name in FUTURE_DATE_FIELDS:
            if name in f:
                assert date.fromisoformat(f[name]) >= sent.date(), (mail.style, name, f[name], sent)
        if "alert_time" in f:
            assert datetime.fromisoformat(f["alert_time"]) <= sent, (mail.style, f["alert_time"], sent)


def test_automatic_mails_are_tool_mails(corpus: list[tuple[str, datetime, ClientEmail]]) -> None:
    automatic = [m for _c, _s, m in corpus if m.automatic]
    assert automatic, "no automatic alert/report produced"
    for mail in automatic:
        assert "/auto_" in mail.style
        assert mail.sender_email and "@" in mail.sender_email
    human = [m for _c, _s, m in corpus if not m.automatic]
    assert all(m.sender_email and "@" in m.sender_email for m in human)


# ------------------------------------------------------------------ ground truth in the text
def test_ground_truth_strings_appear_in_body(corpus: list[tuple[str, datetime, ClientEmail]]) -> None:
    for _category, _sent, mail in corpus:
        body = _fold(mail.body)
        for name in VERBATIM_FIELDS:
            if name in mail.fields:
                assert _fold(mail.fields[name]) in body, (mail.style, name, mail.fields[name])
        for name in VERBATIM_LIST_FIELDS:
            for value in mail.fields.get(name, []):
                assert _fold(value) in body, (mail.style, name, value)
        if "source_path" in mail.fields:
            parts = [p for p in re.split(r"[\\/]", mail.fields["source_path"]) if p]
            assert all(_fold(p) in body for p in parts), (mail.style, mail.fields["source_path"])


def test_hostnames_and_paths_are_verbatim(corpus: list[tuple[str, datetime, ClientEmail]]) -> None:
    """Hostnames, paths and job names are never altered by noise (exact, case-sensitive)."""
    for _category, _sent, mail in corpus:
        for name in ("hostname", "job_name", "source_path", "destination_path"):
            if name in mail.fields:
                assert mail.fields[name] in mail.body, (mail.style, name, mail.fields[name])
        for name in ("hostnames", "paths", "target_hosts"):
            for value in mail.fields.get(name, []):
                assert value in mail.body, (mail.style, name, value)


def test_severity_and_service_are_written(corpus: list[tuple[str, datetime, ClientEmail]]) -> None:
    words = {
        "CRITICAL": ("critical", "critique"),
        "WARNING": ("warning", "warn", "avertissement", "moyenne", "average"),
        "DOWN": ("down",),
        "UNREACHABLE": ("unreachable",),
        "UNKNOWN": ("unknown",),
        "OK": ("recovery", "resolved", "résolu", "up", "ok"),
    }
    for category, _sent, mail in corpus:
        if category != "Incidents/Supervision":
            continue
        body = _fold(mail.body)
        if "service" in mail.fields:
            assert _fold(mail.fields["service"]) in body, (mail.style, mail.fields["service"])
        if "severity" in mail.fields:
            sev = mail.fields["severity"]
            zabbix_words = ("high", "disaster", "haute", "desastre")
            written = any(_fold(w) in body for w in words[sev])
            assert written or (sev == "CRITICAL" and any(w in body for w in zabbix_words)), (mail.style, sev)


def test_policy_requests_say_what_is_protected_and_what_becomes_of_the_history(
    corpus: list[tuple[str, datetime, ClientEmail]],
) -> None:
    """A new policy usually names its data; a removed one, often, the fate of the backups already taken.

    The boolean follows words the e-mail holds: a sentence that lets the history go
    (``purger``, ``pas besoin de conserver``) for ``True``, one that keeps it (``conservez``,
    ``ne supprimez pas``, ``keep``) for ``False``.
    """
    creation = [m for c, _s, m in corpus if c.endswith("Stratégie de sauvegarde/Création")]
    removal = [m for c, _s, m in corpus if c.endswith("Stratégie de sauvegarde/Suppression")]
    assert sum("paths" in m.fields for m in creation) >= 0.4 * len(creation)
    stated = [m for m in removal if "delete_existing_backups" in m.fields]
    assert len(stated) >= 0.35 * len(removal)
    assert {m.fields["delete_existing_backups"] for m in stated} == {True, False}
    said = {
        True: re.compile(
            r"supprimer (egalement|aussi|les sauvegardes|l'historique)|peuvent etre supprim|purg"
            r"|tout effacer|delet|can go"
            r"|pas besoin de conserver|inutile de garder"
        ),
        False: re.compile(r"\b(conserv\w*|gard\w*|keep)\b|ne supprimez pas|il ne faut pas effacer|rester disponibles"),
    }
    written = [m for m in stated if not m.style.endswith("/form")]  # a form's line answers Oui or Non
    agreeing = [m for m in written if said[m.fields["delete_existing_backups"]].search(_fold(m.body))]
    assert len(agreeing) >= 0.9 * len(written)  # the rest: typos the noise put in the deciding words


def test_accounts_jobs_and_scopes_come_in_the_shapes_clients_write(
    corpus: list[tuple[str, datetime, ClientEmail]],
) -> None:
    """An account is a login of any form or, when none is given, its holder's name, and a change
    to it is often one of groups or rights; a job may be named in words (``Backup-Compta-Daily``);
    data to protect is a folder, a drive, a share, a volume or a database, at times in quotes."""
    accounts = [a for c, _s, m in corpus if "/Bastion/" in c for a in m.fields.get("user_accounts", [])]
    plain_login = [a for a in accounts if re.fullmatch(r"[a-z]+", a)]
    holder_name = [a for a in accounts if re.fullmatch(r"[A-ZÀ-Ý][\w-]+( [A-ZÀ-Ý][\w'-]+)+", a)]
    assert len(plain_login) >= 0.15 * len(accounts) and len(holder_name) >= 0.09 * len(accounts)  # 10 % and 7 % before
    scopes = [
        (p, m.body)
        for c, _s, m in corpus
        if c.endswith("Stratégie de sauvegarde/Création")
        for p in m.fields.get("paths", [])
    ]
    assert any(p.startswith("vol_") for p, _ in scopes)
    changes = [m for c, _s, m in corpus if "/Bastion/" in c and m.fields.get("action") == "modification"]
    assert sum(bool(re.search(r"\bgroupe\b|\bdroits\b|réactiv", m.body)) for m in changes) >= 0.2 * len(
        changes
    )  # 16 % before
    jobs = [m.fields["job_name"] for _c, _s, m in corpus if "job_name" in m.fields]
    assert sum(bool(re.fullmatch(r"[A-Z][a-z]+([-_][A-Z][A-Za-z]+){2}", j)) for j in jobs) >= 0.03 * len(
        jobs
    )  # none before
    assert any(f"« {p} »" in body or f'"{p}"' in body for p, body in scopes)
    for path, body in scopes:
        assert path in body


# ------------------------------------------------------------------ variety
def test_enough_distinct_styles_per_category(corpus: list[tuple[str, datetime, ClientEmail]]) -> None:
    styles: dict[str, set[str]] = defaultdict(set)
    for category, _sent, mail in corpus:
        styles[category].add(mail.style)
    for name, cat in CATEGORIES.items():
        assert all(s.startswith(cat["key"] + "/") for s in styles[name]), name
        need = 25 if name in BIG_FOUR else 10
        assert len(styles[name]) >= need, (name, len(styles[name]))


def _first_content_line(body: str) -> str:
    """First substantial line (past the greeting), digits masked, so templates are compared, not values."""
    for line in body.replace("*", "\n").split("\n"):
        line = line.strip()
        if len(line) > 30:
            return re.sub(r"\S*\d\S*", "#", line)[:50]
    return ""


def test_bodies_are_diverse(corpus: list[tuple[str, datetime, ClientEmail]]) -> None:
    for name in CATEGORIES:
        bodies = [m.body for c, _s, m in corpus if c == name]
        # spam, newsletters and empty mails legitimately repeat in "unknown"
        assert len(set(bodies)) >= (0.9 if name == "unknown" else 0.97) * len(bodies), name
        openings = {_first_content_line(b) for b in bodies}
        assert len(openings) >= 0.25 * len(bodies), (name, len(openings), len(bodies))


def test_noise_and_formats_are_present(corpus: list[tuple[str, datetime, ClientEmail]]) -> None:
    bodies = [m.body for _c, _s, m in corpus]
    joined = "\n".join(bodies)
    markers = (
        "Envoyé de mon iPhone",
        "***** Nagios *****",
        "Problem started at",
        "Backup job:",
        "Sensor:",
        "Capteur :",
        "Notification Type: PROBLEM",
        "Type de notification : PROBLEM",
        "EXIT STATUS",
        "Job ID:",
        "confidentiel",
    )
    for marker in markers:
        assert marker in joined, marker
    assert sum("* " in b and "\n" not in b.strip() for b in bodies) > 20, "no asterisk-flattened mail"
    assert any(m in joined for m in FORWARD_MARKERS)
    assert re.search(r"\b(ASAP|FYI|please|backup failed)\b", joined)


# ------------------------------------------------------------------ thread separators
def _before_forward(body: str) -> str:
    cut = len(body)
    for marker in FORWARD_MARKERS:
        i = body.find(marker)
        if i != -1:
            cut = min(cut, i)
    return body[:cut]


def test_no_thread_separators_outside_forward_blocks(corpus: list[tuple[str, datetime, ClientEmail]]) -> None:
    for _category, _sent, mail in corpus:
        head = _before_forward(mail.body)
        for pattern in SEPARATORS:
            assert not pattern.search(head), (mail.style, pattern.pattern, head[:300])


def test_forward_blocks_have_headers(corpus: list[tuple[str, datetime, ClientEmail]]) -> None:
    forwarded = [m for _c, _s, m in corpus if any(k in m.body for k in FORWARD_MARKERS)]
    assert len(forwarded) > 100
    for mail in forwarded:
        tail = mail.body[len(_before_forward(mail.body)) :]
        assert re.search(r"(De|From|De :)\s?:?\s*\t?\S", tail), mail.style
        assert re.search(r"(Objet|Subject|Sujet)\s?:", tail), mail.style


def test_support_texts() -> None:
    rng = random.Random(11)
    faker = Faker("fr_FR")
    faker.seed_instance(11)
    company = make_company(rng, faker)
    client = make_person(company, rng, faker)
    names = [*CATEGORIES, *long_tail_categories(rng, 20)]
    for _ in range(30):
        agent = make_support_agent(rng, faker)
        assert agent.email.endswith("@nuvalis.fr")
        for name in names:
            reply = write_support_reply(name, client, agent, rng, faker)
            assert reply.strip()
            for pattern in SEPARATORS:
                assert not pattern.search(reply), (pattern.pattern, reply)
            for status in STATUSES:
                text = write_status_update(name, status, rng, faker)
                assert text.strip() and "\n" not in text


# ------------------------------------------------------------------ people and long tail
def test_companies_and_people() -> None:
    rng = random.Random(5)
    faker = Faker("fr_FR")
    faker.seed_instance(5)
    domains = set()
    for _ in range(300):
        company = make_company(rng, faker)
        assert company.domain != "nuvalis.fr" and "." in company.domain and " " not in company.domain
        assert company.hostname_style
        domains.add(company.domain)
        person = make_person(company, rng, faker)
        assert "@" in person.email and person.email == person.email.lower()
        assert person.first_name and person.last_name and person.title and person.phone
    assert len(domains) > 200


def test_long_tail_categories() -> None:
    names = long_tail_categories(random.Random(1), 400)
    assert len(names) == 400 == len(set(names))
    assert not set(names) & set(CATEGORIES)
    assert all("/" in n and n.split("/")[0] in {"Demande de service", "Incidents"} for n in names)
    assert long_tail_categories(random.Random(1), 400) == names
    assert long_tail_categories(random.Random(2), 50) != long_tail_categories(random.Random(3), 50)
