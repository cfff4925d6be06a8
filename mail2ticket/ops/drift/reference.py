"""What served decisions are compared with: the champion's training mix and its evaluated confidences.

* The **category mix** and the **unknown rate** come from a dataset card (the ``classes`` of
  :func:`mail2ticket.data.prepare.card.build_card`: train counts per class, ``unknown_label``):
  a card file or URI given directly, or the card the champion was trained on. The training step
  logs the card in the pipeline's parent run under ``dataset/`` (named ``dataset_card.json`` by
  ``mail2ticket prepare``, ``dataset_card`` by the KFP artifact), and registers the candidate's
  run, a child of it: the card is looked for in the version's run, then in its parent.
* The **confidence distribution** and the **review rate** are not in the card: they come from
  what the champion's evaluation recorded (``evaluation/predictions.csv``, one row per test
  e-mail with its confidence and, for scored evaluations, ``needs_review``), from the run that
  evaluated the classifier as it is served: the version's own run for ``llm``, its sibling
  ``cascade: …`` run for the cascade, ``classical baseline: …`` for the classical model. Or,
  given explicitly, from a predictions file or from a reference window of the audit log.
"""

from __future__ import annotations

import csv
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mail2ticket.ops.drift.errors import CardError, DriftError, ReferenceNotFoundError

#: The evaluation artifact with one row per test e-mail (``mail2ticket.evaluation.classification.write_outputs``).
PREDICTIONS_ARTIFACT = "evaluation/predictions.csv"
#: The run folder the training step logs the dataset card into.
CARD_FOLDER = "dataset"
#: How the sibling run that evaluated each served classifier kind is named (``components/evaluate.py``).
EVALUATION_RUN_PREFIX = {"cascade": "cascade:", "classical": "classical baseline:"}
PARENT_RUN_TAG = "mlflow.parentRunId"


@dataclass
class ReferenceConfidences:
    """Confidences (and review flags, when recorded) a served window is compared with."""

    confidences: np.ndarray
    needs_review: np.ndarray | None
    source: str


@dataclass
class Reference:
    """The champion's training distribution, and where each part of it came from."""

    train_counts: dict[str, int]
    """Training examples per class, ``unknown`` included when the card has it."""
    unknown_label: str
    card_source: str
    model: dict[str, Any] = field(default_factory=dict)
    """``registered_model``, ``alias``, ``version``, ``run_id`` when resolved from the registry."""
    predictions: ReferenceConfidences | None = None
    """The champion's evaluated confidences, when the registry run has them."""

    @property
    def train_total(self) -> int:
        return sum(self.train_counts.values())


def card_counts(card: Any, source: str) -> tuple[dict[str, int], str]:
    """Training counts per class and the unknown label of a dataset card; :class:`CardError` when it has none."""
    if not isinstance(card, dict) or not isinstance(card.get("classes"), list):
        raise CardError(f"{source}: not a dataset card (no 'classes' list)")
    counts: dict[str, int] = {}
    for row in card["classes"]:
        if not isinstance(row, dict) or not isinstance(row.get("category"), str):
            raise CardError(f"{source}: a class of the dataset card has no category: {row!r}")
        train = row.get("train")
        if not isinstance(train, int) or isinstance(train, bool) or train < 0:
            raise CardError(f"{source}: class {row['category']!r} has no train count")
        counts[row["category"]] = counts.get(row["category"], 0) + train
    if sum(counts.values()) == 0:
        raise CardError(f"{source}: the dataset card counts no training example")
    unknown = card.get("unknown_label") or "unknown"
    return counts, str(unknown)


def load_card(uri: str | Path) -> dict[str, Any]:
    """A dataset card from a local path, ``file://`` or ``s3://`` URI."""
    from mail2ticket.storage import StorageError, read_bytes

    try:
        data = read_bytes(uri)
    except StorageError as exc:
        raise CardError(f"cannot read the dataset card: {exc}") from None
    try:
        card = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CardError(f"{uri}: the dataset card is not JSON ({exc})") from None
    card_counts(card, str(uri))
    return card


def card_reference(uri: str | Path) -> Reference:
    """The reference of a dataset card given directly."""
    counts, unknown = card_counts(load_card(uri), str(uri))
    return Reference(counts, unknown, str(uri))


def read_predictions(path: str | Path, source: str | None = None) -> ReferenceConfidences | None:
    """Confidences and review flags of an evaluation's ``predictions.csv``; None when it records no confidence.

    A free-text evaluation (``generate`` mode) writes empty confidences: nothing to compare with.
    """
    confidences: list[float] = []
    review: list[bool] = []
    has_review = True
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                try:
                    value = float(row.get("confidence") or "nan")
                except ValueError:
                    continue
                if not np.isfinite(value):
                    continue
                confidences.append(value)
                flag = row.get("needs_review")
                if flag in ("True", "False", "true", "false"):
                    review.append(flag in ("True", "true"))
                else:
                    has_review = False
    except OSError as exc:
        raise DriftError(f"cannot read the reference predictions {path}: {exc}") from None
    if not confidences:
        return None
    flags = np.array(review, dtype=bool) if has_review and len(review) == len(confidences) else None
    return ReferenceConfidences(np.array(confidences, dtype=float), flags, source or str(path))


def registry_reference(
    registered_model: str, alias: str, tracking_uri: str | None = None, served_mode: str | None = None
) -> Reference:
    """The champion's reference: ``registered_model@alias`` → its run → the dataset card and evaluated confidences.

    ``served_mode``: the classifier kind the window was answered by (``llm``, ``cascade``,
    ``classical``; the audit lines' ``models.classifier.mode``), which picks the evaluation run
    whose confidences are comparable.
    """
    from mlflow.exceptions import MlflowException

    from mail2ticket.registry.tracking import TrackingError, client

    try:
        mlflow_client = client(tracking_uri)
    except TrackingError as exc:
        raise DriftError(f"cannot resolve {registered_model}@{alias}: {exc}") from None
    try:
        version = mlflow_client.get_model_version_by_alias(registered_model, alias)
    except MlflowException as exc:
        if exc.error_code == "RESOURCE_DOES_NOT_EXIST" or (
            exc.error_code == "INVALID_PARAMETER_VALUE" and "not found" in exc.message
        ):
            raise ReferenceNotFoundError(f"the registry has no {registered_model}@{alias}") from None
        raise DriftError(f"cannot read {registered_model}@{alias}: {exc.message}") from None
    model = {"registered_model": registered_model, "alias": alias, "version": version.version,
             "run_id": version.run_id}  # fmt: skip
    if not version.run_id:
        raise ReferenceNotFoundError(f"{registered_model} v{version.version} has no run: no dataset card to read")
    with tempfile.TemporaryDirectory(prefix="mail2ticket-drift-") as scratch:
        try:
            run = mlflow_client.get_run(version.run_id)
            card_path, card_run, card_artifact = _find_card(mlflow_client, run, Path(scratch))
            predictions = _find_predictions(mlflow_client, run, served_mode, Path(scratch))
        except MlflowException as exc:
            raise DriftError(f"cannot read the runs of {registered_model} v{version.version}: {exc.message}") from None
        source = f"runs:/{card_run}/{card_artifact}"
        try:
            card = json.loads(card_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CardError(f"{source}: the dataset card is not JSON ({exc})") from None
    counts, unknown = card_counts(card, source)
    return Reference(counts, unknown, f"{registered_model}@{alias} (v{version.version}): {source}", model, predictions)


def _download(mlflow_client: Any, run_id: str, path: str, scratch: Path) -> Path:
    target = scratch / run_id
    target.mkdir(parents=True, exist_ok=True)
    return Path(mlflow_client.download_artifacts(run_id, path, str(target)))


def _find_card(mlflow_client: Any, run: Any, scratch: Path) -> tuple[Path, str, str]:
    """The dataset card in the run's ``dataset/`` folder, else in its parent's: local copy, run id, artifact path."""
    runs = [run.info.run_id]
    if parent := run.data.tags.get(PARENT_RUN_TAG):
        runs.append(parent)
    for run_id in runs:
        files = [f for f in mlflow_client.list_artifacts(run_id, CARD_FOLDER) if not f.is_dir]
        cards = sorted(f.path for f in files if Path(f.path).name.startswith("dataset_card"))
        if cards:
            return _download(mlflow_client, run_id, cards[0], scratch), run_id, cards[0]
    raise ReferenceNotFoundError(
        f"no dataset card in run {run.info.run_id}{' or its parent' if len(runs) > 1 else ''} "
        f"(expected {CARD_FOLDER}/dataset_card*): pass the card with --card"
    )


def _find_predictions(
    mlflow_client: Any, run: Any, served_mode: str | None, scratch: Path
) -> ReferenceConfidences | None:
    """The evaluated confidences of the classifier kind served: the run itself (llm) or its sibling evaluation run."""
    candidates = [run]
    prefix = EVALUATION_RUN_PREFIX.get(served_mode or "")
    parent = run.data.tags.get(PARENT_RUN_TAG)
    if prefix and parent:
        siblings = mlflow_client.search_runs(
            [run.info.experiment_id], f"tags.`{PARENT_RUN_TAG}` = '{parent}'", max_results=100
        )
        candidates = [r for r in siblings if (r.info.run_name or "").startswith(prefix)] + candidates
    for candidate in candidates:
        run_id = candidate.info.run_id
        listed = {f.path for f in mlflow_client.list_artifacts(run_id, "evaluation")}
        if PREDICTIONS_ARTIFACT in listed:
            path = _download(mlflow_client, run_id, PREDICTIONS_ARTIFACT, scratch)
            found = read_predictions(path, f"runs:/{run_id}/{PREDICTIONS_ARTIFACT} ({candidate.info.run_name})")
            if found is not None:
                return found
    return None


__all__ = [
    "CARD_FOLDER",
    "EVALUATION_RUN_PREFIX",
    "PARENT_RUN_TAG",
    "PREDICTIONS_ARTIFACT",
    "Reference",
    "ReferenceConfidences",
    "card_counts",
    "card_reference",
    "load_card",
    "read_predictions",
    "registry_reference",
]
