"""Fitted models on disk: written compactly, read back equal, and never a type that could run code."""

from __future__ import annotations

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from mail2ticket.classical.persistence import dump_fitted, load_fitted

TEXTS = ["serveur en panne", "sauvegarde en échec", "serveur arrêté", "sauvegarde non passée"]
LABELS = ["supervision", "backup", "supervision", "backup"]


def test_a_dictionary_of_pipelines_round_trips(tmp_path) -> None:
    models = {"a": Pipeline([("features", TfidfVectorizer()), ("model", LogisticRegression())]).fit(TEXTS, LABELS)}
    path = dump_fitted(models, tmp_path / "sub" / "model.skops")
    loaded = load_fitted(path)
    assert list(loaded["a"].predict(["le serveur est en panne"])) == ["supervision"]
    assert all(type(i) is int for i in loaded["a"].named_steps["features"].vocabulary_.values())


def test_a_file_holding_other_types_is_refused(tmp_path) -> None:
    pipeline = Pipeline([("hook", FunctionTransformer(sorted, validate=True)), ("model", LogisticRegression())])
    path = dump_fitted(pipeline.fit([[0.0], [1.0]], [0, 1]), tmp_path / "model.skops")
    with pytest.raises(KeyError, match="refusing to load types outside"):
        load_fitted(path, KeyError)
