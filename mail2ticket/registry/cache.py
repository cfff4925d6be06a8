"""The local cache of base models and adapters: one folder per entry, filled once, under a lock.

Base models converted from the embedded GGUF file, base models and adapters downloaded from an
``s3://`` prefix, and adapters downloaded from the MLflow registry all land here. An entry is
filled in a staging folder next to it and renamed into place, so a reader never sees half of
one, and a file lock lets parallel pipeline tasks or Serve replicas share the work: the first
fills the entry, the others wait and reuse it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock


def cache_dir() -> Path:
    """Where converted and downloaded models live (``MAIL2TICKET_CACHE`` overrides)."""
    root = os.environ.get("MAIL2TICKET_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "mail2ticket"
    )
    return Path(root) / "models"


def cached_folder(name: str, fill: Callable[[Path], Path | None], complete: Callable[[Path], bool]) -> Path:
    """The cache entry ``name``, filled by ``fill(staging)`` unless ``complete`` says it is there.

    ``fill`` writes into the empty folder it is given and returns the folder that holds the
    result (that folder itself, or one below it, e.g. where a download nested it); it raises to
    give up, and the staging folder is removed. The result must satisfy ``complete``.
    """
    target = cache_dir() / name
    if complete(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if complete(target):  # another process filled it meanwhile
            return target
        staging = target.with_name(target.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            result = fill(staging) or staging
            if not complete(result):
                raise ValueError(f"cache entry {name}: the filled folder is incomplete")
            shutil.rmtree(target, ignore_errors=True)
            result.rename(target)  # atomic: a reader never sees a half-written folder
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


__all__ = ["cache_dir", "cached_folder"]
