"""Which classifier adapter is served: the registry's champion, a pinned adapter, or none.

The Gateway never downloads anything; it asks the Engine to :func:`resolve` the champion. The
Engine finds the alias in the MLflow registry (``models:/mail2ticket-classifier@champion``),
downloads that version's adapter once into the local cache, checks it was trained for this
base model and taxonomy, and loads it. What travels between deployments afterwards is a
:class:`ModelState` whose ``adapter`` is a registry reference (``models:/NAME/VERSION``), not
a path: an Engine replica on another node resolves the same reference to its own copy.

Registry versions are immutable, but a registry can be recreated (a new server, version 1
again): the cache folder is keyed by the tracking server, the version, its run and its source.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any, Literal

from filelock import FileLock
from pydantic import BaseModel, ConfigDict

from mail2ticket import tracking
from mail2ticket.models import ModelError, cache_dir, resolve_adapter
from mail2ticket.prompts import PromptStyle, prompt_version
from mail2ticket.taxonomy import Taxonomy

REGISTRY_PREFIX = "models:/"
ErrorKind = Literal["no_champion", "unreachable", "incompatible", "unavailable"]


class ChampionError(RuntimeError):
    """The adapter asked for cannot be served; ``kind`` says what the caller should do about it."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(kind, message)
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return self.message


class ModelState(BaseModel):
    """The classifier model a request is served with (captured once per request)."""

    model_config = ConfigDict(frozen=True)

    serving: Literal["champion", "pinned", "base"]
    """champion: the registry alias; pinned: the ``adapter`` setting; base: no adapter."""
    adapter: str | None
    """What the engines load: ``models:/NAME/VERSION``, a folder or an s3:// prefix; None: base model."""
    base_model: str
    engine: str
    dtype: str | None = None
    """The floating-point type the engine runs the model in (``engine_options.dtype`` resolved)."""
    prompt_style: str
    prompt_version: str
    taxonomy_version: str
    registered_model: str | None = None
    alias: str | None = None
    version: str | None = None
    run_id: str | None = None
    reason: str | None = None
    """Why the champion is not served (base model only)."""
    loaded_at: str = ""

    def public(self) -> dict[str, Any]:
        """The ``classifier`` entry of a response's ``models``."""
        return {
            "serving": self.serving,
            "registered_model": self.registered_model,
            "alias": self.alias,
            "version": self.version,
            "run_id": self.run_id,
            "adapter": self.adapter,
            "prompt_style": self.prompt_style,
            "prompt_version": self.prompt_version,
            **({"reason": self.reason} if self.reason else {}),
        }


def registry_ref(name: str, version: str) -> str:
    return f"{REGISTRY_PREFIX}{name}/{version}"


def _client() -> Any:
    try:
        return tracking.client()
    except tracking.TrackingError as exc:
        raise ChampionError("unreachable", str(exc)) from None


def find_version(registered_model: str, alias: str) -> tuple[Any, Any]:
    """The model version behind ``alias`` and the client that found it."""
    from mlflow.exceptions import MlflowException

    client = _client()
    try:
        return client, client.get_model_version_by_alias(registered_model, alias)
    except MlflowException as exc:
        if exc.error_code == "RESOURCE_DOES_NOT_EXIST":
            raise ChampionError(
                "no_champion", f"the registry has no {registered_model}@{alias}: serving the base model"
            ) from None
        raise ChampionError("unreachable", f"cannot read {registered_model}@{alias}: {exc.message}") from None


def _download(client: Any, version: Any) -> Path:
    """The version's adapter folder in the local cache (downloaded on first use)."""
    import mlflow.artifacts
    from mlflow.exceptions import MlflowException

    key = hashlib.sha256(
        f"{client.tracking_uri}|{version.name}|{version.version}|{version.run_id}|{version.source}".encode()
    ).hexdigest()[:16]
    target = cache_dir() / f"registry-{key}"
    if (target / "adapter_config.json").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if (target / "adapter_config.json").is_file():
            return target
        staging = target.with_name(target.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            local = Path(
                mlflow.artifacts.download_artifacts(
                    artifact_uri=version.source, dst_path=str(staging), tracking_uri=client.tracking_uri
                )
            )
        except (MlflowException, OSError) as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise ChampionError(
                "unavailable", f"cannot download {version.name} v{version.version} from {version.source}: {exc}"
            ) from None
        folder = next((p.parent for p in [local, *local.rglob("adapter_config.json")] if p.is_file()), local)
        if not (folder / "adapter_config.json").is_file():
            shutil.rmtree(staging, ignore_errors=True)
            raise ChampionError(
                "incompatible", f"{version.name} v{version.version}: {version.source} holds no adapter_config.json"
            )
        folder.rename(target)  # atomic: a reader never sees a half-downloaded adapter
        shutil.rmtree(staging, ignore_errors=True)
    return target


def local_adapter(ref: str) -> Path:
    """A local folder for an adapter reference (registry reference, folder or s3:// prefix)."""
    if ref.startswith(REGISTRY_PREFIX):
        from mlflow.exceptions import MlflowException

        name, _, version = ref[len(REGISTRY_PREFIX) :].rpartition("/")
        client = _client()
        try:
            found = client.get_model_version(name, version)
        except MlflowException as exc:
            raise ChampionError("unavailable", f"cannot read {ref}: {exc.message}") from None
        return _download(client, found)
    try:
        return resolve_adapter(ref)
    except ModelError as exc:
        raise ChampionError("incompatible", str(exc)) from None


def checked_metadata(adapter_dir: Path, base_model: str, model_dir: Path, taxonomy: Taxonomy) -> dict[str, Any]:
    """The adapter's mail2ticket metadata, refused when built for another base model or taxonomy."""
    from mail2ticket.evaluation import EvaluationError, adapter_metadata, check_adapter  # sklearn: Engine only

    try:
        metadata = adapter_metadata(adapter_dir)
        check_adapter(metadata, base_model, model_dir, taxonomy)
    except EvaluationError as exc:
        raise ChampionError("incompatible", str(exc)) from None
    return metadata


def base_state(
    base_model: str,
    engine: str,
    taxonomy: Taxonomy,
    reason: str,
    loaded_at: str,
    style: PromptStyle = "full",
    dtype: str | None = None,
) -> ModelState:
    """The bare base model, zero-shot (with the full prompt, what evaluation calls the baseline)."""
    return ModelState(
        serving="base",
        adapter=None,
        base_model=base_model,
        engine=engine,
        dtype=dtype,
        prompt_style=style,
        prompt_version=prompt_version(taxonomy, style),
        taxonomy_version=taxonomy.version,
        reason=reason,
        loaded_at=loaded_at,
    )


def tracking_configured() -> bool:
    return bool(os.environ.get("MLFLOW_TRACKING_URI"))
