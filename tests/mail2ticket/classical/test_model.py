"""The classical model: trained on labelled e-mails, written with skops, refused when it cannot be trusted."""

from __future__ import annotations

from pathlib import Path

import pytest

from mail2ticket.classical import ADAPTER_SUBDIR, ClassicalClassifier, ClassicalConfig, ClassicalError
from mail2ticket.data.corpus import CorpusConfig, CorpusGenerator
from mail2ticket.taxonomy import UNKNOWN, load_taxonomy


@pytest.fixture(scope="module")
def records() -> list[dict[str, str]]:
    taxonomy = load_taxonomy()
    rows = []
    for ticket in CorpusGenerator(CorpusConfig(tickets=900, seed=3, strategic_share=0.8)).tickets():
        category = ticket.category if ticket.category in taxonomy.labels else UNKNOWN
        rows.append({"email": ticket.first_email, "category": category})
    return rows


@pytest.fixture(scope="module")
def model(records: list[dict[str, str]]) -> ClassicalClassifier:
    return ClassicalClassifier.fit(records[:700])


def test_it_learns_the_generated_categories_and_scores_every_label(
    model: ClassicalClassifier, records: list[dict[str, str]]
) -> None:
    held_out = records[700:]
    rows = model.predict_proba([r["email"] for r in held_out])
    labels = load_taxonomy().labels_with_unknown
    assert all(list(row) == labels and abs(sum(row.values()) - 1.0) < 1e-6 for row in rows)
    right = sum(max(row, key=row.get) == r["category"] for row, r in zip(rows, held_out, strict=True))
    assert right / len(held_out) > 0.8
    assert model.metadata["train_examples"] == 700 and model.predict_proba([]) == []


def test_saved_and_loaded_it_answers_the_same(model: ClassicalClassifier, tmp_path: Path) -> None:
    folder = model.save(tmp_path / ADAPTER_SUBDIR)
    again = ClassicalClassifier.load(folder)
    email = "Bonjour, pouvez-vous restaurer le dossier D:\\Compta tel qu'il était hier soir ? Merci"
    assert again.predict_proba([email]) == model.predict_proba([email])
    assert again.config == model.config


def test_another_taxonomy_or_a_missing_folder_is_refused(model: ClassicalClassifier, tmp_path: Path) -> None:
    folder = model.save(tmp_path / "m")
    text = (folder / "classical.json").read_text(encoding="utf-8")
    (folder / "classical.json").write_text(text.replace(load_taxonomy().digest, "0" * 16), encoding="utf-8")
    with pytest.raises(ClassicalError, match="taxonomy"):
        ClassicalClassifier.load(folder)
    with pytest.raises(ClassicalError, match="no classical model"):
        ClassicalClassifier.load(tmp_path / "absent")


def _not_sklearn(values: object) -> object:
    return values


def test_a_file_holding_other_code_is_not_loaded(model: ClassicalClassifier, tmp_path: Path) -> None:
    """Loading from the registry must not run code: a function outside scikit-learn is refused."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    tampered = ClassicalClassifier(
        Pipeline([("hook", FunctionTransformer(_not_sklearn)), *model.pipeline.steps]),
        model.labels, model.config, model.metadata,
    )  # fmt: skip
    folder = tampered.save(tmp_path / "tampered")
    with pytest.raises(ClassicalError, match="refusing to load types"):
        ClassicalClassifier.load(folder)


def test_labels_outside_the_taxonomy_or_a_single_class_are_refused() -> None:
    with pytest.raises(ClassicalError, match="not in taxonomy"):
        ClassicalClassifier.fit([{"email": "a", "category": "Facturation"}, {"email": "b", "category": UNKNOWN}])
    with pytest.raises(ClassicalError, match="at least two"):
        ClassicalClassifier.fit([{"email": "a", "category": UNKNOWN}, {"email": "b", "category": UNKNOWN}])
    assert ClassicalConfig().class_weight == "none"
