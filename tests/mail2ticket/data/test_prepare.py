"""Data preparation: the paper's steps, counts, split, masking and every bad-input case."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import boto3
import pandas as pd
import pytest

from mail2ticket.data.prepare import (
    REQUIRED_COLUMNS,
    PrepareConfig,
    PrepareError,
    category_analysis,
    mask_pii,
    prepare_dataset,
    read_export,
    select_categories,
)
from mail2ticket.storage import sha256_file

SUP = "Incidents/Supervision"
REST = "Demande de service/Backup #BCS/Restauration qualifiée"
SAUV = "Incidents/Backup #BCS/Sauvegarde"
OTHER = "Demande de service/Messagerie/Boîte partagée"

THREAD = (
    "Merci de traiter rapidement.\n\n"
    "De : Support <support@nuvalis.fr>\nEnvoyé : lundi 3 mars 2025 10:00\nÀ : jean@acme.fr\n"
    "Objet : RE: restauration\n\nBonjour, pouvez-vous préciser ?\n\n"
    "De : Jean Martin <jean@acme.fr>\nEnvoyé : lundi 3 mars 2025 09:00\nÀ : support@nuvalis.fr\n"
    "Objet : restauration\n\nBonjour, merci de restaurer D:\\Data\\RH au 01/03.\nJean"
)


def write_csv(path: Path, rows: list[list[str]], header=REQUIRED_COLUMNS, encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


#: The paper's preparation: a closed set of the kept categories and no validation split.
PAPER_SPLIT = PrepareConfig(unknown_share=0.0, validation_size=0.0)


def ticket_rows(prefix: str, category: str, n: int, updates: int = 2) -> list[list[str]]:
    rows = []
    for i in range(n):
        number = f"{prefix}{i:04d}"
        body = f"Bonjour,\nalerte {category} numéro {i} sur srv-{prefix.lower()}{i:02d}.\nMerci"
        rows.append([number, body, category, "Ticket créé"])
        rows += [[number, body, category, f"Mise à jour {u}"] for u in range(updates)]
    return rows


@pytest.fixture
def export(tmp_path: Path) -> Path:
    rows = ticket_rows("S", SUP, 40) + ticket_rows("R", REST, 20) + ticket_rows("B", SAUV, 10)
    rows += ticket_rows("O", OTHER, 30, updates=0)
    rows.insert(3, ["T9999", THREAD, REST, "Créé"])
    rows.insert(5, ["T9999", "autre description", REST, "Mise à jour"])
    rows.insert(7, ["X1", "", SUP, "vide"])  # blank description
    rows.insert(9, ["X2", "texte", "", "pas de catégorie"])  # blank category
    rows.insert(11, ["X3", "texte"])  # truncated line
    rows.insert(13, ["X4", "texte", SUP, "msg", "champ en trop"])  # extra field
    rows.insert(15, ["", "texte", SUP, "msg"])  # no ticket number
    return write_csv(tmp_path / "export.csv", rows)


def test_steps_are_counted_in_the_papers_order(export: Path, tmp_path: Path) -> None:
    result = prepare_dataset(export, tmp_path / "out", PAPER_SPLIT)
    steps = {s["step"]: s for s in result.card["steps"]}
    assert [s["step"] for s in result.card["steps"]] == [
        "raw rows",
        "rows with the four columns",
        "first row per ticket",
        "first client e-mail extracted",
        "strategic categories above min share",
        "unknown class (open set)",
    ]
    n_good = 40 * 3 + 20 * 3 + 10 * 3 + 30 + 2
    assert steps["raw rows"]["rows"] == n_good + 5
    assert steps["rows with the four columns"]["rows"] == n_good
    assert steps["rows with the four columns"]["dropped"] == {
        "unparseable line": 2,
        "missing Numéro de ticket": 1,
        "missing Description": 1,
        "missing Catégorie du ticket": 1,
    }
    assert steps["first row per ticket"]["rows"] == 40 + 20 + 10 + 30 + 1
    assert steps["strategic categories above min share"]["rows"] == 40 + 21 + 10
    assert result.card["train_rows"] + result.card["test_rows"] == 71


def test_first_row_wins_and_the_first_client_email_is_extracted(export: Path, tmp_path: Path) -> None:
    result = prepare_dataset(export, tmp_path / "out")
    records = [json.loads(line) for path in (result.train_path, result.test_path) for line in path.open()]
    thread = next(r for r in records if r["ticket_id"] == "T9999")
    assert thread["email"] == "Bonjour, merci de restaurer D:\\Data\\RH au 01/03.\nJean"
    assert thread["category"] == REST
    assert set(thread) == {"email", "category", "ticket_id", "fields"}


def test_card_hashes_match_outputs_and_histogram_is_a_png(export: Path, tmp_path: Path) -> None:
    result = prepare_dataset(export, tmp_path / "out")
    outputs = result.card["outputs"]
    assert outputs["train.jsonl"]["sha256"] == sha256_file(result.train_path)
    assert outputs["test.jsonl"]["sha256"] == sha256_file(result.test_path)
    assert result.histogram_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    on_disk = json.loads((tmp_path / "out" / "dataset_card.json").read_text(encoding="utf-8"))
    assert on_disk == json.loads(json.dumps(result.card))
    assert on_disk["parameters"]["min_share"] == 0.02


def test_split_is_stratified_seeded_and_disjoint(export: Path, tmp_path: Path) -> None:
    first = prepare_dataset(export, tmp_path / "a", PAPER_SPLIT.model_copy(update={"seed": 7}))
    again = prepare_dataset(export, tmp_path / "b", PAPER_SPLIT.model_copy(update={"seed": 7}))
    other = prepare_dataset(export, tmp_path / "c", PAPER_SPLIT.model_copy(update={"seed": 8}))
    assert first.train_path.read_bytes() == again.train_path.read_bytes()
    assert first.test_path.read_bytes() != other.test_path.read_bytes()
    train = [json.loads(x)["ticket_id"] for x in first.train_path.open()]
    test = [json.loads(x)["ticket_id"] for x in first.test_path.open()]
    assert not set(train) & set(test)
    classes = {c["category"]: c for c in first.card["classes"]}
    assert classes[SUP] == {"category": SUP, "train": 32, "validation": 0, "test": 8}
    assert classes[SAUV] == {"category": SAUV, "train": 8, "validation": 0, "test": 2}


def test_strategic_list_and_min_share(export: Path, tmp_path: Path) -> None:
    config = PrepareConfig(strategic_categories=[SUP, SAUV], min_share=0.3, unknown_share=0.0)
    result = prepare_dataset(export, tmp_path / "out", config)
    assert [c["category"] for c in result.card["classes"]] == [SUP]
    left_out = {s["category"]: s for s in result.card["selection"] if not s["kept"]}
    assert left_out[SAUV]["representativity"] == pytest.approx(10 / 40)


def test_share_bases() -> None:
    frame = pd.DataFrame({"Catégorie du ticket": ["A"] * 60 + ["B"] * 25 + ["C"] * 3 + ["X"] * 12})
    analysis = category_analysis(frame)
    assert analysis.loc[analysis["category"] == "C", "share"].item() == pytest.approx(0.03)
    kept = {
        basis: sorted(
            select_categories(frame, analysis, ["A", "B", "C"], 0.04, basis)[0]["Catégorie du ticket"].unique()
        )
        for basis in ("tickets", "strategic", "largest")
    }
    assert kept == {"tickets": ["A", "B"], "strategic": ["A", "B"], "largest": ["A", "B", "C"]}


def test_pii_masking(export: Path, tmp_path: Path) -> None:
    text = (
        "Contact : jean.martin@acme-sante.fr, tél. 06 12 34 56 78 ou +33 1 23 45 67 89.\n"
        "IBAN FR76 3000 6000 0112 3456 7890 189. Serveur 10.12.0.4, srv-fic-01, le 12/03/2025 à 22:00, "
        "ticket T24030001, job BCK_SQL_0123456789."
    )
    masked = mask_pii(text)
    for secret in ("jean.martin@acme-sante.fr", "06 12 34 56 78", "+33 1 23 45 67 89", "FR76 3000"):
        assert secret not in masked
    assert masked.count("<EMAIL>") == 1 and masked.count("<TELEPHONE>") == 2 and masked.count("<IBAN>") == 1
    for kept in ("10.12.0.4", "srv-fic-01", "12/03/2025", "22:00", "T24030001", "BCK_SQL_0123456789"):
        assert kept in masked
    result = prepare_dataset(export, tmp_path / "m", PrepareConfig(mask_pii=True))
    assert result.card["parameters"]["mask_pii"] is True


def test_ground_truth_fields_are_attached(export: Path, tmp_path: Path) -> None:
    truth = tmp_path / "truth.jsonl"
    truth.write_text(
        json.dumps({"ticket_id": "T9999", "fields": {"source_path": "D:\\Data\\RH"}, "received_at": "2025-03-03T09:00"})
        + "\n",
        encoding="utf-8",
    )
    result = prepare_dataset(export, tmp_path / "out", ground_truth_uri=truth)
    records = [json.loads(line) for path in (result.train_path, result.test_path) for line in path.open()]
    thread = next(r for r in records if r["ticket_id"] == "T9999")
    assert thread["fields"] == {"source_path": "D:\\Data\\RH"}
    assert thread["received_at"] == "2025-03-03T09:00"
    assert all(r["fields"] == {} for r in records if r["ticket_id"] != "T9999")


def test_parquet_export(tmp_path: Path) -> None:
    rows = ticket_rows("S", SUP, 10) + ticket_rows("R", REST, 10)
    rows.append(["Z1", None, SUP, "x"])
    frame = pd.DataFrame(rows, columns=list(REQUIRED_COLUMNS))
    frame["Numéro de ticket"] = range(len(frame))  # integer ticket numbers are read as text
    path = tmp_path / "export.parquet"
    frame.to_parquet(path)
    raw = read_export(path)
    assert raw.raw_rows == len(frame)
    result = prepare_dataset(path, tmp_path / "out")
    assert result.card["steps"][1]["dropped"] == {"missing Description": 1}


def test_row_with_undecodable_bytes_is_dropped_and_counted(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "export.csv", ticket_rows("S", SUP, 30) + ticket_rows("R", REST, 30))
    data = path.read_bytes().replace("alerte Incidents/Supervision numéro 3 ".encode(), b"alerte \xff\xfe numero 3 ", 1)
    path.write_bytes(data)
    result = prepare_dataset(path, tmp_path / "out")
    assert result.card["steps"][1]["dropped"] == {"undecodable bytes": 1}


# ------------------------------------------------------------------------------ bad input


def test_missing_column_is_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [["1", "a", SUP]], header=REQUIRED_COLUMNS[:3])
    with pytest.raises(PrepareError, match=r"missing column\(s\) 'Message'"):
        prepare_dataset(path, tmp_path / "out")


def test_renamed_column_gets_a_hint(tmp_path: Path) -> None:
    header = ("Numero de ticket", "Description", "Catégorie du ticket", "Message")
    path = write_csv(tmp_path / "x.csv", [["1", "a", SUP, "m"]], header=header)
    with pytest.raises(PrepareError, match=r"'Numéro de ticket' \(found 'Numero de ticket': renamed\?\)"):
        prepare_dataset(path, tmp_path / "out")


def test_empty_file_and_header_only(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(PrepareError, match="the file is empty"):
        prepare_dataset(empty, tmp_path / "out")
    header_only = write_csv(tmp_path / "header.csv", [])
    with pytest.raises(PrepareError, match="header but no rows"):
        prepare_dataset(header_only, tmp_path / "out")


def test_latin1_csv_is_refused_with_the_fix(tmp_path: Path) -> None:
    rows = ticket_rows("S", SUP, 20) + ticket_rows("R", REST, 20)
    path = write_csv(tmp_path / "latin1.csv", rows, encoding="latin-1")
    with pytest.raises(PrepareError, match=r"not UTF-8 .*latin-1.*encoding='latin-1'"):
        prepare_dataset(path, tmp_path / "out")
    result = prepare_dataset(path, tmp_path / "out", PrepareConfig(encoding="latin-1", validation_size=0.0))
    assert result.card["train_rows"] + result.card["test_rows"] == 40


def test_unknown_strategic_category_is_named(export: Path, tmp_path: Path) -> None:
    config = PrepareConfig(strategic_categories=[SUP, "Incidents/Supervison"])
    with pytest.raises(PrepareError, match=r"'Incidents/Supervison' \(did you mean 'Incidents/Supervision'\?\)"):
        prepare_dataset(export, tmp_path / "out", config)


def test_no_category_left_is_a_clear_error(export: Path, tmp_path: Path) -> None:
    config = PrepareConfig(strategic_categories=["Demande de service/Backup #BCS/Autre"])
    with pytest.raises(PrepareError, match="no ticket left after selection"):
        prepare_dataset(export, tmp_path / "out", config)


def test_s3_input_and_unreadable_object(s3_bucket: str, export: Path, tmp_path: Path) -> None:
    boto3.client("s3").upload_file(str(export), s3_bucket, "raw/export.csv")
    from_s3 = prepare_dataset(f"s3://{s3_bucket}/raw/export.csv", tmp_path / "s3")
    local = prepare_dataset(export, tmp_path / "local")
    assert from_s3.train_path.read_bytes() == local.train_path.read_bytes()
    with pytest.raises(PrepareError, match=rf"cannot access s3://{s3_bucket}/raw/absent.csv: no such object"):
        prepare_dataset(f"s3://{s3_bucket}/raw/absent.csv", tmp_path / "s3b")


def test_open_set_adds_unknown_in_proportion_to_the_categories_not_kept(tmp_path: Path) -> None:
    rows = ticket_rows("S", SUP, 60) + ticket_rows("R", REST, 20)
    rows += ticket_rows("O", OTHER, 60, updates=0) + ticket_rows(
        "P", "Demande de service/Impression/Toner", 30, updates=0
    )
    path = write_csv(tmp_path / "export.csv", rows)
    result = prepare_dataset(path, tmp_path / "out", PrepareConfig(unknown_share=0.2, validation_size=0.0))
    records = [json.loads(x) for x in result.train_path.open()] + [json.loads(x) for x in result.test_path.open()]
    unknown = [r for r in records if r["category"] == "unknown"]
    assert len(unknown) == 20  # 20 % of 100: 80 kept + 20 unknown
    sources = {
        name: sum(r["source_category"] == name for r in unknown)
        for name in (OTHER, "Demande de service/Impression/Toner")
    }
    assert sources == {OTHER: 13, "Demande de service/Impression/Toner": 7}  # 60:30 of the pool
    assert all("source_category" not in r for r in records if r["category"] != "unknown")
    classes = {c["category"]: c for c in result.card["classes"]}
    assert classes["unknown"]["train"] + classes["unknown"]["test"] == 20 and classes["unknown"]["test"] >= 1
    assert result.card["unknown_sources"]["categories"] == 2
    # Each split is in a seeded random order: a budgeted run's first rows hold `unknown` too,
    # where the export's order would put the whole class after the kept categories.
    train = [json.loads(x)["category"] for x in result.train_path.open()]
    assert {"unknown", SUP, REST} <= set(train[: len(train) // 3])
    closed = prepare_dataset(path, tmp_path / "closed", PrepareConfig(unknown_share=0.0, validation_size=0.0))
    assert "unknown" not in {c["category"] for c in closed.card["classes"]}


def test_validation_split_is_held_out_of_train_and_stratified(export: Path, tmp_path: Path) -> None:
    result = prepare_dataset(export, tmp_path / "out", PrepareConfig(unknown_share=0.0, validation_size=0.2))
    assert result.validation_path is not None and result.validation_path.is_file()
    ids = {name: {json.loads(x)["ticket_id"] for x in path.open()}
           for name, path in (("train", result.train_path), ("validation", result.validation_path),
                              ("test", result.test_path))}  # fmt: skip
    assert not ids["train"] & ids["validation"] and not ids["validation"] & ids["test"]
    assert sum(len(v) for v in ids.values()) == 71
    assert {c["category"] for c in result.card["classes"] if c["validation"]} == {SUP, REST, SAUV}
    assert "validation.jsonl" in result.card["outputs"]
