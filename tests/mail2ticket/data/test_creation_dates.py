"""``Date de création``: the generator's creation times follow the desk's calendar, the preparation counts them.

The export's daily counts must keep the structure of :func:`mail2ticket.ops.synthetic.ticket_volumes`
(quiet weekends and holidays, alerts at any hour, the injected anomalies beside the export), and
the preparation must ignore the column for classification but write ``daily_counts.csv`` from it.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from mail2ticket.data.corpus import CorpusConfig, generate
from mail2ticket.data.prepare import (
    CATEGORY,
    CREATED,
    DAILY_COUNTS,
    REQUIRED_COLUMNS,
    TICKET,
    PrepareConfig,
    drop_incomplete_rows,
    first_row_per_ticket,
    prepare_dataset,
    read_export,
    render_card,
)
from mail2ticket.ops.series import daily_counts, parse_timestamps, read_series, to_series
from mail2ticket.ops.synthetic import french_holidays
from mail2ticket.storage import sha256_file
from mail2ticket.taxonomy import UNKNOWN

SUP = "Incidents/Supervision"
REST = "Demande de service/Backup #BCS/Restauration qualifiée"
OTHER = "Demande de service/Messagerie/Boîte partagée"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory):
    """6,000 tickets over the default 2023-01-02 to 2025-06-30 period, and their first rows."""
    summary = generate(CorpusConfig(tickets=6_000, seed=5), tmp_path_factory.mktemp("dated") / "export.csv")
    frame, _ = drop_incomplete_rows(read_export(summary.export))
    tickets, _ = first_row_per_ticket(frame)
    return summary, tickets.assign(created=parse_timestamps(tickets[CREATED]))


def test_every_row_has_the_tickets_creation_time(corpus) -> None:
    summary, tickets = corpus
    with open(summary.export, encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle, delimiter=";"))
    assert header == [*REQUIRED_COLUMNS, CREATED]
    assert tickets["created"].notna().all()
    truth = {r["ticket_id"]: r["received_at"] for r in map(json.loads, summary.truth.read_text("utf-8").splitlines())}
    assert all(truth[t] == f"{c:%Y-%m-%dT%H:%M}" for t, c in zip(tickets[TICKET], tickets["created"], strict=True))
    config = CorpusConfig()
    assert tickets["created"].min() >= config.start and tickets["created"].max() <= config.end


def test_daily_counts_have_quiet_weekends_and_holidays(corpus) -> None:
    _, tickets = corpus
    day = tickets["created"].dt.normalize()
    weekend = day.dt.day_of_week >= 5
    assert weekend.mean() < 0.08  # 2/7 = 29 % if days were uniform
    holidays = pd.DatetimeIndex(list(french_holidays(range(2023, 2026))))
    per_day = day.value_counts()
    working = per_day[(per_day.index.day_of_week < 5) & ~per_day.index.isin(holidays)]
    on_holidays = per_day.reindex(holidays[(holidays >= day.min()) & (holidays.day_of_week < 5)], fill_value=0)
    assert on_holidays.mean() < 0.3 * working.mean()


def test_alerts_arrive_at_any_hour_people_write_in_office_hours(corpus) -> None:
    _, tickets = corpus
    hour = tickets["created"].dt.hour
    off_hours = (hour < 8) | (hour >= 19)
    alerts = tickets[CATEGORY] == SUP
    assert alerts.sum() > 200
    assert off_hours[alerts].mean() > 0.3
    assert off_hours[~alerts].mean() < 0.1


def test_anomalies_ground_truth_is_written_beside_the_export(corpus) -> None:
    summary, tickets = corpus
    assert summary.anomalies == summary.export.with_name("export.anomalies.csv")
    truth = pd.read_csv(summary.anomalies, parse_dates=["timestamp"])
    assert list(truth.columns) == ["timestamp", "series", "kind"]
    assert set(truth["kind"]) == {"incident_burst", "gateway_outage", "spike"}
    assert set(truth["series"]) <= set(tickets[CATEGORY])
    per_day = tickets["created"].dt.normalize().value_counts()
    outage_days = truth.loc[truth["kind"] == "gateway_outage", "timestamp"].unique()
    working = per_day[per_day.index.day_of_week < 5]
    assert per_day.reindex(outage_days, fill_value=0).mean() < 0.35 * working.median()
    alerts = tickets.loc[tickets[CATEGORY] == SUP, "created"].dt.normalize().value_counts()
    bursts = truth.loc[(truth["kind"] == "incident_burst") & (truth["series"] == SUP), "timestamp"]
    assert alerts.reindex(bursts, fill_value=0).mean() > 2.0 * alerts.reindex(working.index, fill_value=0).mean()


def test_parquet_export_has_the_column_too(tmp_path: Path) -> None:
    summary = generate(CorpusConfig(tickets=200, seed=2), tmp_path / "export.parquet", "parquet")
    raw = read_export(summary.export)
    assert raw.table.column_names == [*REQUIRED_COLUMNS, CREATED]
    assert parse_timestamps(raw.table.column(CREATED).to_pandas()).notna().all()


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _dated_rows() -> list[list[str]]:
    rows = []
    for prefix, category, n in (("S", SUP, 30), ("R", REST, 12), ("O", OTHER, 10)):
        for i in range(n):
            number = f"{prefix}{i:03d}"
            body = f"Bonjour,\nalerte {category} {i} sur srv-{prefix.lower()}{i:02d}.\nMerci"
            created = f"2025-03-{3 + i % 10:02d} {8 + i % 9:02d}:15"
            rows.append([number, body, category, "Ticket créé", created])
            rows.append([number, body, category, "Mise à jour", created])
    rows[0][4] = ""  # a ticket without creation date: counted, left out of the daily counts
    rows[2][4] = "hier"  # and one with garbage
    rows.insert(5, ["X1", "", SUP, "vide", "2025-03-03 09:00"])  # still a malformed row
    rows.insert(7, ["X2", "texte"])  # still unparseable
    return rows


def test_prepare_writes_daily_counts_per_prepared_label(tmp_path: Path) -> None:
    rows = _dated_rows()
    export = _write(tmp_path / "dated.csv", [*REQUIRED_COLUMNS, CREATED], rows)
    config = PrepareConfig(strategic_categories=[SUP, REST], unknown_share=0.0, validation_size=0.0)
    result = prepare_dataset(export, tmp_path / "out", config)
    assert result.daily_counts_path == tmp_path / "out" / DAILY_COUNTS
    counts = read_series(result.daily_counts_path)
    assert set(counts["series"]) == {SUP, REST, UNKNOWN}  # closed set for training, all tickets counted
    assert counts["value"].sum() == 52 - 2
    assert to_series(counts, UNKNOWN).sum() == 10
    assert counts.groupby("series").size().nunique() == 1  # one common, zero-filled calendar
    account = result.card["daily_counts"]
    assert account["tickets"] == 50 and account["dropped"] == {"no creation date": 2}
    assert account["first_day"] == "2025-03-03" and account["last_day"] == "2025-03-12" and account["days"] == 10
    assert result.card["outputs"][DAILY_COUNTS]["sha256"] == sha256_file(result.daily_counts_path)
    assert "Daily ticket counts: 3 series over 10 days" in render_card(result.card)

    # The column changes nothing else: same steps, same train and test files as without it.
    plain = _write(tmp_path / "plain.csv", list(REQUIRED_COLUMNS), [row[:4] if len(row) == 5 else row for row in rows])
    without = prepare_dataset(plain, tmp_path / "plain", config)
    assert without.card["steps"] == result.card["steps"]
    assert without.train_path.read_bytes() == result.train_path.read_bytes()
    assert without.test_path.read_bytes() == result.test_path.read_bytes()
    assert without.daily_counts_path is None and without.card["daily_counts"] is None
    assert DAILY_COUNTS not in without.card["outputs"] and not (tmp_path / "plain" / DAILY_COUNTS).exists()


def test_prepare_of_a_generated_export_counts_every_ticket(corpus, tmp_path: Path) -> None:
    summary, tickets = corpus
    result = prepare_dataset(summary.export, tmp_path / "out")
    counts = read_series(result.daily_counts_path)
    kept = {row["category"] for row in result.card["selection"] if row["kept"]}
    assert set(counts["series"]) == kept | {UNKNOWN}
    assert counts["value"].sum() == len(tickets) == result.card["daily_counts"]["tickets"]
    labels = tickets[CATEGORY].where(tickets[CATEGORY].isin(kept), UNKNOWN)
    expected = daily_counts(tickets.assign(**{CATEGORY: labels}))
    pd.testing.assert_frame_equal(counts, expected)
