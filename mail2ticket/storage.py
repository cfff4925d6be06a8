"""Local paths and ``s3://`` URIs behind one small API.

Everything that reads or writes data (raw exports, datasets, adapters) goes through here, so a
pipeline step works the same on a laptop and against the customer's S3-compatible storage
(MinIO, Ceph, Scality, OVH...). boto3 reads its endpoint and credentials from the standard
AWS environment variables (``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_S3``,
``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``), which in the
cluster come from a Kubernetes Secret: no endpoint or key is ever written in code.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

S3_SCHEME = "s3://"


class StorageError(OSError):
    """A URI that cannot be read or written; the message names the URI and the cause."""


@dataclass(frozen=True)
class S3Location:
    bucket: str
    key: str

    @classmethod
    def parse(cls, uri: str) -> S3Location:
        parsed = urlparse(uri)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise StorageError(f"{uri}: not an s3://bucket/key URI")
        return cls(parsed.netloc, parsed.path.lstrip("/"))

    def __str__(self) -> str:
        return f"{S3_SCHEME}{self.bucket}/{self.key}"


def is_s3(uri: str | Path) -> bool:
    return str(uri).startswith(S3_SCHEME)


def local_path(uri: str | Path) -> Path:
    """The filesystem path of a local URI (plain path or ``file://``)."""
    text = str(uri)
    return Path(urlparse(text).path) if text.startswith("file://") else Path(text)


def s3_client() -> Any:
    """A boto3 S3 client configured only from the environment."""
    import boto3
    from botocore.config import Config

    return boto3.client("s3", config=Config(retries={"max_attempts": 3, "mode": "standard"}))


def _s3_error(uri: str, exc: Exception) -> StorageError:
    from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "error")
        reasons = {
            "NoSuchKey": "no such object",
            "404": "no such object",
            "NoSuchBucket": "no such bucket",
            "AccessDenied": "access denied (check the S3 credentials)",
            "403": "access denied (check the S3 credentials)",
        }
        return StorageError(f"cannot access {uri}: {reasons.get(str(code), str(code))}")
    if isinstance(exc, EndpointConnectionError):
        return StorageError(f"cannot access {uri}: S3 endpoint unreachable ({exc})")
    if isinstance(exc, NoCredentialsError):
        return StorageError(f"cannot access {uri}: no S3 credentials in the environment")
    return StorageError(f"cannot access {uri}: {exc}")


def download(uri: str | Path, destination: str | Path) -> Path:
    """Copy ``uri`` (local or s3://) to the local file ``destination``."""
    target = Path(destination)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = str(uri)
    if is_s3(text):
        from botocore.exceptions import BotoCoreError, ClientError

        location = S3Location.parse(text)
        try:
            s3_client().download_file(location.bucket, location.key, str(target))
        except (BotoCoreError, ClientError) as exc:
            target.unlink(missing_ok=True)
            raise _s3_error(text, exc) from None
        return target
    source = local_path(text)
    if not source.is_file():
        raise StorageError(f"cannot read {text}: no such file")
    if source.resolve() != target.resolve():
        shutil.copyfile(source, target)
    return target


def upload(source: str | Path, uri: str | Path) -> str:
    """Copy the local file ``source`` to ``uri`` (local or s3://); returns the URI."""
    text = str(uri)
    if is_s3(text):
        from botocore.exceptions import BotoCoreError, ClientError

        location = S3Location.parse(text)
        try:
            s3_client().upload_file(str(source), location.bucket, location.key)
        except (BotoCoreError, ClientError) as exc:
            raise _s3_error(text, exc) from None
        return text
    target = local_path(text)
    target.parent.mkdir(parents=True, exist_ok=True)
    if Path(source).resolve() != target.resolve():
        shutil.copyfile(source, target)
    return text


def read_bytes(uri: str | Path) -> bytes:
    text = str(uri)
    if is_s3(text):
        from botocore.exceptions import BotoCoreError, ClientError

        location = S3Location.parse(text)
        try:
            return s3_client().get_object(Bucket=location.bucket, Key=location.key)["Body"].read()
        except (BotoCoreError, ClientError) as exc:
            raise _s3_error(text, exc) from None
    path = local_path(text)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise StorageError(f"cannot read {text}: no such file") from None
    except IsADirectoryError:
        raise StorageError(f"cannot read {text}: is a directory") from None


def sha256_file(path: str | Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


__all__ = [
    "S3_SCHEME",
    "S3Location",
    "StorageError",
    "download",
    "is_s3",
    "local_path",
    "read_bytes",
    "s3_client",
    "sha256_file",
    "upload",
]
