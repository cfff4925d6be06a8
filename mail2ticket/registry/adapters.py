"""A LoRA adapter trained by mail2ticket: its metadata, its compatibility, and where it comes from.

An adapter folder holds the peft adapter (``adapter_config.json``, weights), the tokenizer and
``mail2ticket.json``: the base model, taxonomy and prompt it was trained with, and how. That
file is what makes an adapter safe to serve: one trained on another base model or another
taxonomy is refused (:func:`check_compatible`) rather than served with wrong labels.

An adapter is referred to by

* a local folder;
* an ``s3://`` prefix, downloaded once into the cache;
* a registry reference ``models:/NAME/VERSION``, the adapter MLflow holds for that version,
  downloaded once into the cache. Serving passes these between processes rather than paths:
  a replica on another node resolves the same reference to its own copy.

Every failure is an :class:`AdapterError` whose ``kind`` tells the caller what to do: retry
later (``unreachable``, ``unavailable``), or not serve this adapter (``missing``,
``incompatible``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mail2ticket.registry.cache import cached_folder
from mail2ticket.registry.models import ModelError, download_prefix, is_adapter_folder
from mail2ticket.storage import is_s3

if TYPE_CHECKING:
    from mail2ticket.taxonomy import Taxonomy

#: The file of an adapter folder that records what it was trained with.
ADAPTER_METADATA = "mail2ticket.json"
#: The scheme of a registry reference.
REGISTRY_PREFIX = "models:/"
#: What an adapter does (its metadata's ``kind``): the classifier's adapters, the first ones
#: trained, carry no ``kind``; the extraction agents' and the forecaster's always do.
AdapterKind = Literal["classifier", "extractor", "forecaster"]
CLASSIFIER_KIND: AdapterKind = "classifier"

AdapterErrorKind = Literal["missing", "unreachable", "incompatible", "unavailable"]


class AdapterError(ValueError):
    """An adapter that cannot be resolved, read or used; ``kind`` says what the caller should do.

    ``missing``: the alias, version or folder does not exist; ``unreachable``: the registry does
    not answer; ``unavailable``: its files cannot be downloaded now; ``incompatible``: it exists
    but cannot be used here (another base model or taxonomy, unreadable weights).
    """

    def __init__(self, message: str, kind: AdapterErrorKind = "incompatible") -> None:
        super().__init__(message)
        self.kind: AdapterErrorKind = kind
        self.message = message

    def __reduce__(self) -> tuple[Any, ...]:  # crosses process boundaries (Ray) with its kind
        return (type(self), (self.message, self.kind))


# ---------------------------------------------------------------------------------- metadata


def write_metadata(adapter_dir: str | Path, metadata: dict[str, Any]) -> Path:
    """Write ``mail2ticket.json`` into an adapter folder."""
    path = Path(adapter_dir) / ADAPTER_METADATA
    path.write_text(json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def read_metadata(adapter_dir: str | Path) -> dict[str, Any]:
    """The adapter's ``mail2ticket.json``; a folder without one was not trained by mail2ticket."""
    path = Path(adapter_dir) / ADAPTER_METADATA
    if not path.is_file():
        raise AdapterError(f"{adapter_dir}: no {ADAPTER_METADATA}: not an adapter trained by mail2ticket")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AdapterError(f"{path}: unreadable ({exc})") from None


def check_compatible(
    metadata: dict[str, Any], base_model: str, model_dir: Path, taxonomy: Taxonomy, kind: AdapterKind = CLASSIFIER_KIND
) -> None:
    """Refuse an adapter of another kind, or built for another base model or another taxonomy.

    The kind matters because every adapter has the same shape: an extractor's adapter registered
    under the classifier's name would otherwise load, and classify with a model trained to fill fields.
    """
    trained_as = metadata.get("kind", CLASSIFIER_KIND)
    if trained_as != kind:
        raise AdapterError(f"the adapter was trained as the {trained_as}, not as the {kind}")
    config = json.loads((Path(model_dir) / "config.json").read_text(encoding="utf-8"))
    built_for = metadata.get("base_model")
    same_shape = metadata.get("base_model_type") == config.get("model_type") and metadata.get(
        "base_model_hidden_size"
    ) == config.get("hidden_size")
    same_model = built_for == base_model or (built_for and Path(built_for).resolve() == Path(model_dir).resolve())
    if not same_model or not same_shape:
        raise AdapterError(f"the adapter was trained on base model {built_for!r}, not {base_model!r}")
    if metadata.get("taxonomy_digest") != taxonomy.digest:
        raise AdapterError(
            f"the adapter was trained on taxonomy {metadata.get('taxonomy_version')} "
            f"({metadata.get('taxonomy_digest')}), the current one is {taxonomy.version} "
            f"({taxonomy.digest}): retrain it"
        )


def checked_metadata(
    adapter_dir: str | Path, base_model: str, model_dir: Path, taxonomy: Taxonomy, kind: AdapterKind = CLASSIFIER_KIND
) -> dict[str, Any]:
    """The adapter's metadata, once :func:`check_compatible` accepted it."""
    metadata = read_metadata(adapter_dir)
    check_compatible(metadata, base_model, model_dir, taxonomy, kind)
    return metadata


# ---------------------------------------------------------------------------------- resolution


def registry_ref(name: str, version: str) -> str:
    """The reference of a registered model version: ``models:/NAME/VERSION``."""
    return f"{REGISTRY_PREFIX}{name}/{version}"


def resolve_adapter(ref: str | Path) -> Path:
    """A local folder for an adapter reference: a folder, an ``s3://`` prefix or ``models:/NAME/VERSION``."""
    text = str(ref)
    if text.startswith(REGISTRY_PREFIX):
        name, _, version = text[len(REGISTRY_PREFIX) :].rpartition("/")
        if not name or not version:
            raise AdapterError(f"{text}: expected {REGISTRY_PREFIX}NAME/VERSION", "missing")
        return _registry_version_folder(name, version)
    if is_s3(text):
        try:
            return download_prefix(text, "adapter")
        except ModelError as exc:
            raise AdapterError(str(exc), "unavailable") from None
    path = Path(text).expanduser()
    if not is_adapter_folder(path):
        raise AdapterError(f"{text}: not an adapter folder (adapter_config.json and *.safetensors expected)", "missing")
    return path


def _client() -> Any:
    from mail2ticket.registry.tracking import TrackingError, client

    try:
        return client()
    except TrackingError as exc:
        raise AdapterError(str(exc), "unreachable") from None


def version_by_alias(registered_model: str, alias: str) -> Any:
    """The MLflow model version that ``registered_model@alias`` names."""
    from mlflow.exceptions import MlflowException

    mlflow_client = _client()
    try:
        return mlflow_client.get_model_version_by_alias(registered_model, alias)
    except MlflowException as exc:
        # MLflow answers RESOURCE_DOES_NOT_EXIST for an unknown model, INVALID_PARAMETER_VALUE
        # ("alias ... not found") for a known model without that alias: both are "not there".
        if exc.error_code == "RESOURCE_DOES_NOT_EXIST" or (
            exc.error_code == "INVALID_PARAMETER_VALUE" and "not found" in exc.message
        ):
            raise AdapterError(f"the registry has no {registered_model}@{alias}", "missing") from None
        raise AdapterError(f"cannot read {registered_model}@{alias}: {exc.message}", "unreachable") from None


def _registry_version_folder(name: str, version: str) -> Path:
    """The adapter of a registered version, downloaded once into the cache.

    Registry versions are immutable, but a registry can be recreated (a new server, version 1
    again): the cache entry is keyed by the tracking server, the version, its run and its source.
    """
    import mlflow.artifacts
    from mlflow.exceptions import MlflowException

    mlflow_client = _client()
    try:
        found = mlflow_client.get_model_version(name, version)
    except MlflowException as exc:
        kind: AdapterErrorKind = "missing" if exc.error_code == "RESOURCE_DOES_NOT_EXIST" else "unreachable"
        raise AdapterError(f"cannot read {registry_ref(name, version)}: {exc.message}", kind) from None
    key = hashlib.sha256(
        f"{mlflow_client.tracking_uri}|{found.name}|{found.version}|{found.run_id}|{found.source}".encode()
    ).hexdigest()[:16]

    def fill(staging: Path) -> Path:
        try:
            local = Path(
                mlflow.artifacts.download_artifacts(
                    artifact_uri=found.source, dst_path=str(staging), tracking_uri=mlflow_client.tracking_uri
                )
            )
        except (MlflowException, OSError) as exc:
            raise AdapterError(
                f"cannot download {found.name} v{found.version} from {found.source}: {exc}", "unavailable"
            ) from None
        folder = next((p.parent for p in [local, *local.rglob("adapter_config.json")] if p.is_file()), local)
        if not (folder / "adapter_config.json").is_file():
            raise AdapterError(f"{found.name} v{found.version}: {found.source} holds no adapter_config.json")
        return folder

    return cached_folder(f"registry-{key}", fill, lambda path: (path / "adapter_config.json").is_file())


__all__ = [
    "ADAPTER_METADATA",
    "CLASSIFIER_KIND",
    "REGISTRY_PREFIX",
    "AdapterError",
    "AdapterErrorKind",
    "AdapterKind",
    "check_compatible",
    "checked_metadata",
    "read_metadata",
    "registry_ref",
    "resolve_adapter",
    "version_by_alias",
    "write_metadata",
]
