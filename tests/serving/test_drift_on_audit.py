"""``mail2ticket drift`` on the audit log the running app wrote, against a dataset card prepare wrote.

The e-mails are posted to the served app (the champion of tests/serving/conftest.py, answered by
the cascade); the command reads the app's own audit log back. Every figure the report gives is
recomputed here from the HTTP answers and the card, so a reader that skipped lines, a window
that leaked other tests' decisions, or a wrong share would show.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from mail2ticket.cli import app
from mail2ticket.ops.drift import psi
from tests.serving.conftest import Served
from tests.serving.test_api import post

#: How many e-mails are posted.
POSTED = 12


@pytest.fixture(scope="module")
def card(small_corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real dataset card: ``prepare`` on the session's generated export."""
    from mail2ticket.data.prepare import prepare_dataset

    out = tmp_path_factory.mktemp("prepared")
    prepare_dataset(small_corpus.export, out, ground_truth_uri=small_corpus.truth)
    return out / "dataset_card.json"


def drift(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, ["drift", *args], env={"MLFLOW_TRACKING_URI": "", **(env or {})})


def test_drift_command_on_the_served_audit_log(
    client: httpx.Client, served: Served, card: Path, tmp_path: Path
) -> None:
    from mail2ticket.data.corpus import CorpusConfig, CorpusGenerator

    emails = [t.first_email for t in CorpusGenerator(CorpusConfig(tickets=100, seed=8, strategic_share=0.9)).tickets()]
    since = datetime.now(UTC) - timedelta(seconds=1)
    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(lambda email: post(client, "/v1/classify", {"email": email}), emails[:POSTED]))
    assert [r.status_code for r in responses] == [200] * POSTED, [r.text for r in responses]
    answers = [r.json() for r in responses]
    until = datetime.now(UTC) + timedelta(seconds=1)
    window = ["--since", since.isoformat(), "--until", until.isoformat()]

    result = drift("--audit-log", str(served.main_audit), "--card", str(card), *window, "--json",
                   "--out", str(tmp_path / "out"))  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    assert result.exit_code == int(report["drifted"])
    # The window holds exactly the decisions answered above, read back from the app's log.
    assert report["audit"]["decisions"] == POSTED and report["audit"]["malformed"] == 0
    assert report["served"]["endpoints"] == {"classify": POSTED}
    models = [a["models"]["classifier"] for a in answers]
    assert report["served"]["modes"] == dict(Counter(m["mode"] for m in models))
    assert report["served"]["classifiers"] == dict(Counter(f"{m['registered_model']} v{m['version']}" for m in models))
    assert all(m["registered_model"] == served.registered.name for m in models)
    categories = Counter(a["category"] for a in answers)
    served_counts = {row["category"]: row["served"] for row in report["categories"] if row["served"]}
    assert served_counts == {c: n for c, n in categories.items() if c != "unknown"}
    assert report["unknown_rate"] == pytest.approx(categories["unknown"] / POSTED, abs=1e-6)
    assert report["review_rate"] == pytest.approx(sum(a["needs_review"] for a in answers) / POSTED, abs=1e-6)
    mean = sum(a["confidence"] for a in answers) / POSTED
    assert report["confidence"]["served_mean"] == pytest.approx(mean, abs=1e-6)
    # The PSI against the card's train counts, recomputed from the answers.
    classes = json.loads(card.read_text(encoding="utf-8"))["classes"]
    train = {row["category"]: row["train"] for row in classes if row["category"] != "unknown"}
    names = [*train, *sorted(c for c in categories if c != "unknown" and c not in train)]
    if any(categories[c] for c in names):
        expected = psi([train.get(c, 0) for c in names], [categories[c] for c in names])
        assert report["category_psi"] == pytest.approx(expected, rel=1e-9)
    assert (tmp_path / "out" / "drift.png").read_bytes()[:4] == b"\x89PNG"

    # The thresholds decide the exit code: everything flagged, then nothing.
    strict = drift("--audit-log", str(served.main_audit), "--card", str(card), *window, "--unknown-delta", "0",
                   "--review-delta", "0", "--psi", "0")  # fmt: skip
    assert strict.exit_code == 1 and "drift over 12 decisions" in strict.output
    loose = ["--psi", "100", "--chi2-p", "0", "--unknown-delta", "1", "--review-delta", "1", "--confidence-psi", "100"]
    assert drift("--audit-log", str(served.main_audit), "--card", str(card), *window, *loose).exit_code == 0

    # A torn line at the end of a copy of the log is counted, not fatal.
    copy = tmp_path / "audit-copy.jsonl"
    shutil.copyfile(served.main_audit, copy)
    with copy.open("a", encoding="utf-8") as handle:
        handle.write('{"time": "2026-01-01T00:00:00.000Z", "event": "decis')
    torn = drift("--audit-log", str(copy), "--card", str(card), *window, "--json", *loose)
    assert torn.exit_code == 0 and json.loads(torn.stdout)["audit"]["malformed"] == 1

    # Logged to the app's MLflow server: the figures as metrics.
    from mlflow import MlflowClient

    logged = drift("--audit-log", str(served.main_audit), "--card", str(card), *window, *loose,
                   "--experiment", "drift-served", env={"MLFLOW_TRACKING_URI": served.mlflow_uri})  # fmt: skip
    assert logged.exit_code == 0, logged.output
    run_id = logged.output.strip().splitlines()[-1].removeprefix("MLflow run: ")
    run = MlflowClient(served.mlflow_uri).get_run(run_id)
    assert run.data.metrics["decisions"] == POSTED
    assert run.data.metrics["review_rate"] == pytest.approx(report["review_rate"])


def test_the_served_champion_without_a_card_is_a_clear_error(client: httpx.Client, served: Served) -> None:
    """The conftest registers a bare adapter run (no pipeline, no dataset card): the command says so, exit 2."""
    assert post(client, "/v1/classify", {"email": "Le job BCK_SRVSQL02 est en échec."}).status_code == 200
    result = drift("--audit-log", str(served.main_audit), "--registered-model", served.registered.name,
                   "--window-days", "1", env={"MLFLOW_TRACKING_URI": served.mlflow_uri})  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "no dataset card in run" in result.output and "--card" in result.output
