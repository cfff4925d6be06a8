"""The host name tagger: trained on the generator's tickets, it finds servers in mail it never saw."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mail2ticket.extraction import agents_for
from mail2ticket.extraction.hostnames import (
    HostnameTagger,
    HostnameTaggerConfig,
    HostnameTaggerError,
    host_fields,
)
from mail2ticket.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy()
AGENTS = agents_for(TAXONOMY)
SUPERVISION = AGENTS[TAXONOMY.by_key("supervision").name]
CREATION = AGENTS[TAXONOMY.by_key("strategie_creation").name]


def _examples(small_corpus) -> list[tuple]:
    rows = [json.loads(line) for line in small_corpus.truth.read_text(encoding="utf-8").splitlines()]
    examples = []
    for row in rows:
        agent = AGENTS.get(row["category"])
        if agent is not None and host_fields(agent) and row.get("fields"):
            email = row["first_email"]
            examples.append((agent, email, agent.finalize(row["fields"], row.get("received_at"), email)))
    return examples


@pytest.fixture(scope="module")
def split(small_corpus) -> tuple[list[tuple], list[tuple]]:
    examples = _examples(small_corpus)
    cut = 2 * len(examples) // 3
    return examples[:cut], examples[cut:]


@pytest.fixture(scope="module")
def tagger(split) -> HostnameTagger:
    return HostnameTagger.fit(split[0])


def test_the_host_fields_are_the_copied_ones_compared_without_case() -> None:
    assert host_fields(SUPERVISION) == ["hostname"]
    assert host_fields(CREATION) == ["hostnames"]
    assert host_fields(AGENTS[TAXONOMY.by_key("bastion").name]) == ["target_hosts"]  # not user_accounts


def test_it_finds_the_host_names_of_tickets_it_was_not_trained_on(tagger: HostnameTagger, split) -> None:
    found = expected = right = 0
    for agent, email, fields in split[1]:
        truth = set()
        for name in host_fields(agent):
            value = fields.get(name)
            truth |= {v.casefold() for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)}
        got = {word.casefold() for word, _ in tagger.hosts(email)}
        found, expected, right = found + len(got), expected + len(truth), right + len(got & truth)
    precision, recall = right / found, right / expected
    assert precision > 0.9 and recall > 0.9, (precision, recall)
    assert tagger.metadata["host_names"] > 0 and tagger.metadata["emails"] == len(split[0])


def test_fill_replaces_the_host_fields_with_words_of_the_email(tagger: HostnameTagger) -> None:
    email = "Bonjour,\nle serveur SRV-COMPTA02 ne répond plus au ping depuis ce matin. Merci, Paul"
    fields = SUPERVISION.finalize({"hostname": "Bonjour", "severity": "DOWN"}, email=email)
    assert fields == {"hostname": "Bonjour", "severity": "DOWN"}  # a word of the e-mail, but no host
    assert tagger.fill(SUPERVISION, email, fields) == {"hostname": "SRV-COMPTA02", "severity": "DOWN"}
    two = "Merci d'ajouter srvweb01 et SRVWEB02 à la sauvegarde quotidienne de 22h, puis srvweb01 à nouveau."
    assert tagger.fill(CREATION, two, {"schedule": "22h"}) == {"hostnames": ["srvweb01", "SRVWEB02"], "schedule": "22h"}
    # No host name in the e-mail: the field is absent, whatever the model answered.
    assert tagger.fill(SUPERVISION, "Merci de regarder, c'est urgent.", {"hostname": "urgent"}) == {}


def test_save_and_load_round_trip(tagger: HostnameTagger, tmp_path: Path) -> None:
    email = "La VM ghhafile06 est saturée, et nas-dev-03.corp.local aussi."
    tagger.save(tmp_path / "hostnames")
    loaded = HostnameTagger.load(tmp_path / "hostnames")
    assert loaded.hosts(email) == tagger.hosts(email) and loaded.hosts(email)
    assert loaded.config == HostnameTaggerConfig()
    with pytest.raises(HostnameTaggerError, match="no HostnameTagger"):
        HostnameTagger.load(tmp_path)


def test_it_cannot_be_trained_without_a_host_name() -> None:
    email = "Merci de regarder, c'est urgent."
    with pytest.raises(HostnameTaggerError, match="needs both"):
        HostnameTagger.fit([(SUPERVISION, email, {"severity": "DOWN"})])
