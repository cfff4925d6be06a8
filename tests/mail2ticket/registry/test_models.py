"""Base model resolution: the embedded model, local folders, and s3:// prefixes (moto)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest

from mail2ticket.registry.models import ModelError, resolve_model


def test_embedded_model_is_a_loadable_safetensors_folder(embedded_model_dir: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    config = json.loads((embedded_model_dir / "config.json").read_text(encoding="utf-8"))
    assert "quantization_config" not in config
    assert list(embedded_model_dir.glob("*.safetensors"))
    tokenizer = AutoTokenizer.from_pretrained(embedded_model_dir)
    model = AutoModelForCausalLM.from_pretrained(embedded_model_dir)
    inputs = tokenizer.apply_chat_template(
        [{"role": "user", "content": "What is the capital of France?"}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    output = model.generate(**inputs, max_new_tokens=12, do_sample=False)
    assert "Paris" in tokenizer.decode(output[0][inputs["input_ids"].shape[1] :])
    assert resolve_model("embedded:smollm2-135m") == embedded_model_dir  # cached


def test_unknown_embedded_and_bad_local_paths(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="unknown embedded model 'gpt-9'"):
        resolve_model("embedded:gpt-9")
    with pytest.raises(ModelError, match="no such model folder"):
        resolve_model(str(tmp_path / "absent"))
    with pytest.raises(ModelError, match=r"no config\.json"):
        resolve_model(str(tmp_path))


def _tiny_model_folder(path: Path) -> Path:
    import torch
    from safetensors.torch import save_file

    path.mkdir(parents=True)
    (path / "config.json").write_text('{"model_type": "llama"}', encoding="utf-8")
    save_file({"w": torch.ones(2, 2)}, str(path / "model.safetensors"))
    (path / "sub").mkdir()
    (path / "sub" / "tokenizer.json").write_text("{}", encoding="utf-8")
    return path


def test_s3_prefix_is_downloaded_once_even_when_asked_concurrently(
    s3_bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAIL2TICKET_CACHE", str(tmp_path / "cache"))
    folder = _tiny_model_folder(tmp_path / "model")
    client = boto3.client("s3")
    for file in folder.rglob("*"):
        if file.is_file():
            client.upload_file(str(file), s3_bucket, f"models/tiny/{file.relative_to(folder)}")
    uri = f"s3://{s3_bucket}/models/tiny"
    with ThreadPoolExecutor(max_workers=3) as pool:
        resolved = list(pool.map(lambda _: resolve_model(uri), range(3)))
    assert len(set(resolved)) == 1
    target = resolved[0]
    assert (target / "sub" / "tokenizer.json").read_text(encoding="utf-8") == "{}"
    assert sorted(p.name for p in (tmp_path / "cache" / "models").iterdir() if p.is_dir()) == [target.name]
    with pytest.raises(ModelError, match="no model files"):
        resolve_model(f"s3://{s3_bucket}/models/absent")
    client.put_object(Bucket=s3_bucket, Key="models/notamodel/readme.txt", Body=b"x")
    with pytest.raises(ModelError, match="not a model folder"):
        resolve_model(f"s3://{s3_bucket}/models/notamodel")
