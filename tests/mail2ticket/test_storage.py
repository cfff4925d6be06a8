"""Local and s3:// storage, against a real moto server through boto3."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from mail2ticket.storage import S3Location, StorageError, download, is_s3, read_bytes, sha256_file, upload


def test_s3_round_trip(s3_bucket: str, tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    source.write_text("Numéro de ticket;Description\n1;Bonjour\n", encoding="utf-8")
    uri = f"s3://{s3_bucket}/raw/export.csv"
    assert upload(source, uri) == uri
    head = boto3.client("s3").head_object(Bucket=s3_bucket, Key="raw/export.csv")
    assert head["ContentLength"] == source.stat().st_size
    assert read_bytes(uri) == source.read_bytes()
    copy = download(uri, tmp_path / "copy" / "export.csv")
    assert sha256_file(copy) == sha256_file(source)


def test_missing_s3_object_is_a_clear_error(s3_bucket: str, tmp_path: Path) -> None:
    with pytest.raises(StorageError, match=rf"s3://{s3_bucket}/nope.csv: no such object"):
        read_bytes(f"s3://{s3_bucket}/nope.csv")
    with pytest.raises(StorageError, match="no such object"):
        download(f"s3://{s3_bucket}/nope.csv", tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_missing_bucket_is_a_clear_error(s3_env: str) -> None:
    with pytest.raises(StorageError, match="no such bucket"):
        read_bytes("s3://no-such-bucket-here/a.csv")


def test_unreachable_endpoint_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import free_port

    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    with pytest.raises(StorageError, match="endpoint unreachable"):
        read_bytes("s3://bucket/key.csv")


def test_local_paths(tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_bytes(b"abc")
    assert read_bytes(f"file://{source}") == b"abc"
    upload(source, tmp_path / "sub" / "b.txt")
    assert (tmp_path / "sub" / "b.txt").read_bytes() == b"abc"
    with pytest.raises(StorageError, match="no such file"):
        read_bytes(tmp_path / "missing.txt")


def test_uri_parsing() -> None:
    assert is_s3("s3://b/k") and not is_s3("/tmp/x")
    assert S3Location.parse("s3://bucket/a/b.csv") == S3Location("bucket", "a/b.csv")
    with pytest.raises(StorageError):
        S3Location.parse("s3:///key")
