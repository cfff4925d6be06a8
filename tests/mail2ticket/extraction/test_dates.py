"""Dates as e-mails write them: read against the reception time, and found back in an e-mail."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from mail2ticket.extraction.dates import date_mentions, date_span, parse_moment

RECEIVED = datetime(2025, 3, 14, 9, 30)  # a Friday


@pytest.mark.parametrize("text", ["hier", "lundi dernier", "cette nuit", "hier 14h30", "12/03", "le 3 mars", "demain",
                                  "aujourd'hui", "il y a 2 jours", "jusqu'au 30/06", "vendredi dernier"])  # fmt: skip
def test_a_relative_date_without_a_reception_time_is_no_date(text: str) -> None:
    assert parse_moment(text) is None
    assert parse_moment(text, RECEIVED) is not None  # the same text with a reference is a date


def test_absolute_dates_need_no_reception_time_and_weekdays_resolve_against_it() -> None:
    assert parse_moment("12/03/2025") == datetime(2025, 3, 12)
    assert parse_moment("3 mars 2024") == datetime(2024, 3, 3)
    assert parse_moment("2025-03-12T14:30:00+01:00") == datetime(2025, 3, 12, 14, 30)
    assert parse_moment("lundi dernier", RECEIVED) == datetime(2025, 3, 10)  # the Monday of that week
    assert parse_moment("lundi dernier", datetime(2025, 3, 10, 8, 0)) == datetime(2025, 3, 3)  # said on a Monday
    assert parse_moment("vendredi dernier", RECEIVED) == datetime(2025, 3, 7)


def test_parse_moment_without_search_reads_only_a_text_that_is_a_date_as_a_whole() -> None:
    assert parse_moment("l'état du 12/03", RECEIVED) == datetime(2025, 3, 12)
    assert parse_moment("l'état du 12/03", RECEIVED, search=False) is None
    assert parse_moment("12/03", RECEIVED, search=False) == datetime(2025, 3, 12)


def test_date_span_finds_the_shortest_words_that_state_the_date() -> None:
    email = "Bonjour,\nle fichier a été écrasé avant-hier.\nMerci de le restaurer dans l'état du 12/03/2025 (D:\\A)."
    assert date_span(email, date(2025, 3, 12), RECEIVED) == "avant-hier"  # first in the e-mail's order
    assert date_span(email, date(2025, 3, 12)) == "12/03/2025"  # without a reception time only absolute dates read
    assert date_span(email, date(2025, 3, 11), RECEIVED) is None  # a date the e-mail does not state


def test_date_span_matches_a_date_time_to_the_minute_and_skips_durations() -> None:
    email = "La sonde Disk /var est CRITICAL depuis hier 14h30, soit plus de 20 minutes après la reprise."
    assert date_span(email, datetime(2025, 3, 13, 14, 30), RECEIVED) == "hier 14h30"
    assert date_span(email, datetime(2025, 3, 13, 14, 31), RECEIVED) is None
    # "20 minutes" reads as twenty minutes before the reception time, which is no date the e-mail states.
    assert date_span(email, datetime(2025, 3, 14, 9, 10), RECEIVED) is None


def test_date_mentions_reads_each_stated_moment_from_its_longest_words() -> None:
    email = "Bonjour,\nmerci de restaurer l'état du mardi 11 mars 2025 à 23h49 ;\nperte constatée hier 14h30, urgent."
    mentions = date_mentions(email, RECEIVED)
    assert [m.text for m in mentions] == ["mardi 11 mars 2025 à 23h49", "hier 14h30"]
    assert [m.moment for m in mentions] == [datetime(2025, 3, 11, 23, 49), datetime(2025, 3, 13, 14, 30)]
    text = " ".join(email.split())
    assert all(text[m.start : m.end] == m.text for m in mentions)  # offsets into the collapsed text
    assert [m.text for m in date_mentions(email)] == ["mardi 11 mars 2025 à 23h49"]  # "hier": no reference
    assert date_mentions("Le job tourne depuis 20 minutes.", RECEIVED) == []  # a duration is no date


def test_a_day_named_alone_is_read_both_ways_and_one_named_with_its_week_one_way() -> None:
    email = "Échec samedi, et encore mardi 14h. Merci de l'arrêter jeudi prochain, merci. Le mardi 11 mars: ok."
    mentions = date_mentions(email, RECEIVED)
    assert [(m.text, m.moment) for m in mentions[:5]] == [
        ("samedi", datetime(2025, 3, 8)),  # the Saturday gone...
        ("samedi", datetime(2025, 3, 15)),  # ...and the one to come: the date picker chooses by field
        ("mardi 14h", datetime(2025, 3, 11, 14, 0)),
        ("mardi 14h", datetime(2025, 3, 18, 14, 0)),
        ("jeudi prochain", datetime(2025, 3, 20)),
    ]
    assert [m.moment for m in mentions[5:]] == [datetime(2025, 3, 11)]  # a day with its date is that date only
    assert [m.moment for m in date_mentions("Vendredi ?", RECEIVED)] == [datetime(2025, 3, 7), datetime(2025, 3, 21)]
    assert date_mentions("samedi", None) == []  # no reference, no day
    assert parse_moment("jeudi prochain", RECEIVED) == datetime(2025, 3, 20)
    assert parse_moment("la nuit dernière", RECEIVED).date() == RECEIVED.date()  # as "cette nuit"


def test_ends_of_months_lengths_of_time_and_times_alone_are_read_against_the_reception() -> None:
    def read(text: str) -> list[tuple[str, datetime]]:
        return [(m.text, m.moment) for m in date_mentions(text, RECEIVED)]

    assert read("Accès jusqu'à fin mars.") == [("fin mars", datetime(2025, 3, 31))]
    assert read("jusqu'à la fin du mois") == [("fin du mois", datetime(2025, 3, 31))]
    assert read("mi-avril") == [("mi-avril", datetime(2025, 4, 15))]
    assert read("fin février") == [("fin février", datetime(2025, 2, 28)), ("fin février", datetime(2026, 2, 28))]
    assert read("avant la fin de l'année") == [("fin de l'année", datetime(2025, 12, 31))]
    assert read("fin d’avril") == [("fin d’avril", datetime(2025, 4, 30))]  # a typographic apostrophe
    assert read("début juin 2026") == [("début juin 2026", datetime(2026, 6, 1))]
    assert read("Compte valable 3 mois.") == [("valable 3 mois", datetime(2025, 6, 14, 9, 30))]
    assert read("pour une durée de quinze jours") == [("pour une durée de quinze jours", datetime(2025, 3, 29, 9, 30))]
    assert read("en échec depuis deux semaines")[0][1] < RECEIVED  # "depuis": dateparser's reading, in the past
    assert read("alerte vers 3h") == [("3h", datetime(2025, 3, 14, 3, 0))]
    # later than the reception: today's, or the day before's
    assert read("à 14:05") == [("14:05", datetime(2025, 3, 14, 14, 5)), ("14:05", datetime(2025, 3, 13, 14, 5))]
    assert read("le 12/03 à 14h05") == [("le 12/03 à 14h05", datetime(2025, 3, 12, 14, 5))]  # one mention, not two
    assert date_mentions("fin mars, pour 3 mois, à 14h", None) == []  # no reference, no day
