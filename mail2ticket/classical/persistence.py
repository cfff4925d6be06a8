"""Fitted scikit-learn models on disk: skops files that run no code when they are read.

Every classical model of the platform (the TF-IDF classifier, the taggers an extraction adapter
ships) travels through the registry and S3, so reading one must never execute what the file
says: skops stores the objects' state, and :func:`load_fitted` refuses any type outside the few
scikit-learn, SciPy and NumPy ones a fitted pipeline is made of.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

#: Types a fitted vectoriser + linear-model pipeline is made of, beyond skops' own defaults.
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.")


def _transformers(model: Any) -> list[Any]:
    """``model`` and every step nested in it (pipelines, feature unions, dictionaries of models)."""
    if isinstance(model, dict):
        return [part for value in model.values() for part in _transformers(value)]
    parts = [model]
    for _, step in getattr(model, "steps", []) or []:
        parts += _transformers(step)
    for _, step in getattr(model, "transformer_list", []) or []:
        parts += _transformers(step)
    return parts


def compact_vocabularies(model: Any) -> None:
    """Make the vectorisers cheap to write: skops writes every NumPy scalar as an array of its own.

    ``stop_words_`` (the n-grams cut by ``min_df`` and ``max_features``, millions of them) is only
    kept for inspection and can be dropped; the vocabulary's indices become Python integers.
    """
    for part in _transformers(model):
        if hasattr(part, "stop_words_"):
            del part.stop_words_
        if isinstance(getattr(part, "vocabulary_", None), dict):
            part.vocabulary_ = {term: int(index) for term, index in part.vocabulary_.items()}


def dump_fitted(model: Any, path: str | Path) -> Path:
    """Write a fitted model (a pipeline, or a dictionary of them) to ``path`` in skops format."""
    import skops.io

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    compact_vocabularies(model)
    skops.io.dump(model, target, compression=zipfile.ZIP_DEFLATED)
    return target


def load_fitted(path: str | Path, error: type[Exception] = ValueError) -> Any:
    """Read a model written by :func:`dump_fitted`; ``error`` is raised for a file holding other types."""
    import skops.io

    untrusted = skops.io.get_untrusted_types(file=Path(path))
    refused = [name for name in untrusted if not name.startswith(TRUSTED_PREFIXES)]
    if refused:
        raise error(f"{path}: refusing to load types outside scikit-learn and NumPy: {refused}")
    return skops.io.load(Path(path), trusted=untrusted)


__all__ = ["TRUSTED_PREFIXES", "compact_vocabularies", "dump_fitted", "load_fitted"]
