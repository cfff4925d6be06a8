"""Adapters: metadata, compatibility, and resolution from a folder, s3:// and the MLflow registry."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import boto3
import mlflow
import pytest

from mail2ticket.registry import adapters
from mail2ticket.registry.adapters import AdapterError
from mail2ticket.registry.tracking import client
from mail2ticket.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy()


def adapter_folder(path: Path, metadata: dict | None = None) -> Path:
    """A folder shaped like an adapter (config, weights, metadata); the weights are never loaded here."""
    path.mkdir(parents=True)
    (path / "adapter_config.json").write_text('{"r": 4}', encoding="utf-8")
    (path / "adapter_model.safetensors").write_bytes(b"weights")
    adapters.write_metadata(path, metadata or {"prompt_style": "compact"})
    return path


def test_adapter_for_another_model_or_taxonomy_is_refused(embedded_model_dir: Path) -> None:
    config = json.loads((embedded_model_dir / "config.json").read_text(encoding="utf-8"))
    good = {"base_model": "embedded:smollm2-135m", "base_model_type": config["model_type"],
            "base_model_hidden_size": config["hidden_size"], "taxonomy_digest": TAXONOMY.digest,
            "taxonomy_version": TAXONOMY.version}  # fmt: skip
    adapters.check_compatible(good, "embedded:smollm2-135m", embedded_model_dir, TAXONOMY)
    with pytest.raises(AdapterError, match=r"trained on base model 'qwen2\.5-14b'") as caught:
        adapters.check_compatible(
            {**good, "base_model": "qwen2.5-14b"}, "embedded:smollm2-135m", embedded_model_dir, TAXONOMY
        )
    assert caught.value.kind == "incompatible"
    with pytest.raises(AdapterError, match="trained on base model"):
        adapters.check_compatible(
            {**good, "base_model_hidden_size": 5120}, "embedded:smollm2-135m", embedded_model_dir, TAXONOMY
        )
    with pytest.raises(AdapterError, match=r"trained on taxonomy .* retrain it"):
        adapters.check_compatible(
            {**good, "taxonomy_digest": "0" * 16}, "embedded:smollm2-135m", embedded_model_dir, TAXONOMY
        )
    extractor = {**good, "kind": "extractor"}
    adapters.check_compatible(extractor, "embedded:smollm2-135m", embedded_model_dir, TAXONOMY, "extractor")
    with pytest.raises(AdapterError, match="trained as the extractor, not as the classifier"):
        adapters.check_compatible(extractor, "embedded:smollm2-135m", embedded_model_dir, TAXONOMY)
    with pytest.raises(AdapterError, match="trained as the classifier, not as the extractor"):
        adapters.check_compatible(good, "embedded:smollm2-135m", embedded_model_dir, TAXONOMY, "extractor")


def test_metadata_round_trip_and_a_folder_without_it(tmp_path: Path, embedded_model_dir: Path) -> None:
    folder = adapter_folder(tmp_path / "a", {"base_model": "x", "prompt_style": "full"})
    assert adapters.read_metadata(folder)["prompt_style"] == "full"
    (folder / adapters.ADAPTER_METADATA).unlink()
    with pytest.raises(AdapterError, match="not an adapter trained by mail2ticket"):
        adapters.checked_metadata(folder, "embedded:smollm2-135m", embedded_model_dir, TAXONOMY)


def test_a_folder_resolves_to_itself_and_a_wrong_one_is_missing(tmp_path: Path) -> None:
    folder = adapter_folder(tmp_path / "a")
    assert adapters.resolve_adapter(str(folder)) == folder
    with pytest.raises(AdapterError, match="not an adapter folder") as caught:
        adapters.resolve_adapter(str(tmp_path))
    assert caught.value.kind == "missing"


def test_an_s3_prefix_is_downloaded_once(s3_bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAIL2TICKET_CACHE", str(tmp_path / "cache"))
    folder = adapter_folder(tmp_path / "a")
    for file in folder.iterdir():
        boto3.client("s3").upload_file(str(file), s3_bucket, f"adapters/v1/{file.name}")
    first = adapters.resolve_adapter(f"s3://{s3_bucket}/adapters/v1")
    assert adapters.resolve_adapter(f"s3://{s3_bucket}/adapters/v1/") == first  # the cache entry, not a second copy
    assert adapters.read_metadata(first) == adapters.read_metadata(folder)
    with pytest.raises(AdapterError) as caught:
        adapters.resolve_adapter(f"s3://{s3_bucket}/adapters/absent")
    assert caught.value.kind == "unavailable"


def test_a_registry_reference_resolves_through_mlflow(
    mlflow_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAIL2TICKET_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server)
    mlflow_client = client(mlflow_server)
    name = f"adapters-{uuid.uuid4().hex[:8]}"
    mlflow.set_experiment("adapter-resolution")
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(adapter_folder(tmp_path / "a", {"prompt_style": "compact"})), "adapter")
    mlflow_client.create_registered_model(name)
    version = mlflow_client.create_model_version(name, f"{run.info.artifact_uri}/adapter", run.info.run_id).version
    mlflow_client.set_registered_model_alias(name, "champion", version)

    assert adapters.version_by_alias(name, "champion").version == version
    local = adapters.resolve_adapter(adapters.registry_ref(name, version))
    assert adapters.read_metadata(local) == {"prompt_style": "compact"} and local.is_relative_to(tmp_path / "cache")
    assert adapters.resolve_adapter(adapters.registry_ref(name, version)) == local
    with pytest.raises(AdapterError, match="has no") as missing:
        adapters.version_by_alias(name, "challenger")
    assert missing.value.kind == "missing"
    with pytest.raises(AdapterError) as absent:
        adapters.resolve_adapter(adapters.registry_ref(name, "99"))
    assert absent.value.kind == "missing"


def test_an_unreachable_registry_is_its_own_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    from mail2ticket.testing import free_port

    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(AdapterError, match="MLflow unreachable") as caught:
        adapters.version_by_alias("mail2ticket-classifier", "champion")
    assert caught.value.kind == "unreachable"


def test_the_error_keeps_its_kind_across_processes() -> None:
    import pickle

    error = pickle.loads(pickle.dumps(AdapterError("gone", "unavailable")))
    assert (error.kind, str(error)) == ("unavailable", "gone")
