"""What the drift tests read: audit logs written by the real writer, dataset cards, predictions files,
reports computed from them, and a champion registered as the training pipeline registers it."""

from __future__ import annotations

import csv
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from mail2ticket.ops.drift import DriftConfig, Reference, ReferenceConfidences, compute_report, read_audit
from serving.audit import AuditLog

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
TRAIN = {"Incidents/Supervision": 500, "Incidents/Backup #BCS/Sauvegarde": 300, "Demande de service/Accès": 200,
         "unknown": 100}  # fmt: skip
KNOWN = [c for c in TRAIN if c != "unknown"]


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def decision(category: str, confidence: float | None, review: bool, moment: datetime, mode: str = "cascade") -> dict:
    """What the Gateway writes for an answered decision (serving/gateway.py ``_answer``), time given."""
    return {
        "time": stamp(moment), "event": "decision", "request_id": f"r-{moment.timestamp()}", "endpoint": "classify",
        "caller": "tok-abc", "category": category, "confidence": confidence, "needs_review": review,
        "review_threshold": 0.6,
        "models": {"engine": "transformers", "base_model": "embedded:smollm2-135m",
                   "classifier": {"serving": "champion", "registered_model": "m2t", "alias": "champion",
                                  "version": "3", "run_id": "abc", "mode": mode, "answered_by": "classical"}},
        "timings_ms": {"first_email": 0.1, "classify": 3.0, "total": 3.5}, "engine_batch": None,
        "engine_replica": None, "email": {"chars": 12, "sha256": "0" * 64}, "first_email": {"chars": 12},
    }  # fmt: skip


def write_log(path: Path, shares: dict[str, float], count: int, start: datetime = T0, seed: int = 0,
              confidence: tuple[float, float] = (0.4, 1.0), mode: str = "cascade") -> Path:  # fmt: skip
    """``count`` decisions one minute apart drawn from ``shares``, through the real audit writer."""
    rng = random.Random(seed)
    log = AuditLog(path)
    try:
        for i in range(count):
            category = rng.choices(list(shares), weights=list(shares.values()))[0]
            value = round(rng.uniform(*confidence), 6)
            log.write(decision(category, value, category == "unknown" or value < 0.6, start + timedelta(minutes=i),
                               mode))  # fmt: skip
    finally:
        log.close()
    return path


def write_card(path: Path, train: dict[str, int] = TRAIN) -> Path:
    classes = [{"category": c, "train": n, "validation": n // 10, "test": n // 4} for c, n in train.items()]
    path.write_text(json.dumps({"classes": classes, "unknown_label": "unknown", "train_rows": sum(train.values())}))
    return path


def write_predictions(path: Path, confidences: list[float], threshold: float = 0.6) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["ticket_id", "category", "predicted", "confidence", "raw", "answered_by",
                                         "needs_review", "latency_ms"])  # fmt: skip
        writer.writeheader()
        for i, value in enumerate(confidences):
            label = KNOWN[i % 3]
            writer.writerow({"ticket_id": i, "category": label, "predicted": label, "confidence": value, "raw": "",
                             "answered_by": "llm", "needs_review": value < threshold, "latency_ms": 1.0})  # fmt: skip
    return path


TRAIN_SHARES = {c: n / sum(TRAIN.values()) for c, n in TRAIN.items()}
SHIFTED = {KNOWN[0]: 0.15, KNOWN[1]: 0.15, KNOWN[2]: 0.6, "unknown": 0.1}


def reference(with_confidences: bool = True) -> tuple[Reference, ReferenceConfidences | None]:
    rng = np.random.default_rng(0)
    values = rng.uniform(0.4, 1.0, 2000)
    confidences = ReferenceConfidences(values, values < 0.6, "test") if with_confidences else None
    return Reference(dict(TRAIN), "unknown", "card.json"), confidences


def report_of(tmp_path: Path, shares: dict[str, float], count: int = 2000, **options: object):
    path = write_log(tmp_path / f"audit-{len(list(tmp_path.iterdir()))}.jsonl", shares, count,
                     confidence=options.pop("confidence", (0.4, 1.0)))  # type: ignore[arg-type]  # fmt: skip
    ref, confidences = reference(bool(options.pop("with_confidences", True)))
    config = DriftConfig(**options)  # type: ignore[arg-type]
    since, until = T0, T0 + timedelta(days=7)
    return compute_report(read_audit(path, since, until), ref, config, since, until, confidences)


def register_champion(mlflow_uri: str, tmp_path: Path, name: str) -> dict[str, str]:
    """Runs shaped like the training pipeline's: the card in the parent run (as the KFP artifact
    ``dataset_card``, no extension), the candidate's and the cascade's evaluations as its children."""
    import mlflow

    from mail2ticket.registry.tracking import client

    mlflow_client = client(mlflow_uri)
    mlflow.set_experiment(f"drift-{name}")
    card = write_card(tmp_path / "dataset_card")
    (tmp_path / "llm").mkdir()
    (tmp_path / "cascade").mkdir()
    llm = write_predictions(tmp_path / "llm" / "predictions.csv", [0.9] * 300)
    cascade = write_predictions(tmp_path / "cascade" / "predictions.csv", [0.4 + 0.6 * i / 299 for i in range(300)])
    with mlflow.start_run(run_name="pipeline") as parent:
        mlflow.log_artifact(str(card), "dataset")
        with mlflow.start_run(run_name="candidate", nested=True) as candidate:
            mlflow.log_artifact(str(llm), "evaluation")
        with mlflow.start_run(run_name="cascade: classical, then the candidate", nested=True) as sibling:
            mlflow.log_artifact(str(cascade), "evaluation")
    mlflow_client.create_registered_model(name)
    version = mlflow_client.create_model_version(name, f"{candidate.info.artifact_uri}/adapter",
                                                 run_id=candidate.info.run_id).version  # fmt: skip
    mlflow_client.set_registered_model_alias(name, "champion", version)
    return {"parent": parent.info.run_id, "candidate": candidate.info.run_id, "cascade": sibling.info.run_id,
            "version": version}  # fmt: skip
