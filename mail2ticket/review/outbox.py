"""A durable local outbox between the Gateway and the review database.

A ticket's answer must not wait for, or fail with, the review database. So the Gateway only
writes the item to a local folder (one file per item, written to a temporary name, fsynced,
then renamed: a crash leaves either the whole item or nothing) and answers; a background
thread delivers the folder to the database and deletes each file once its transaction has
committed. While the database is down the files wait and the thread retries with a growing
pause; when it comes back, everything is delivered. Delivery is idempotent on the request id
(the store ignores an item it already has), so a crash between the commit and the deletion
only causes a harmless second delivery.

File names are the SHA-256 of the request id: a request id may come from the caller's
``X-Request-ID`` header, and must never choose a path.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from mail2ticket.review.items import NewReviewItem
from mail2ticket.review.store import ReviewStore

logger = logging.getLogger(__name__)

_SUFFIX = ".json"


class Outbox:
    """A folder of review items waiting for the database."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory).expanduser().absolute()
        self.directory.mkdir(parents=True, exist_ok=True)

    def _path(self, request_id: str) -> Path:
        return self.directory / (hashlib.sha256(request_id.encode("utf-8", "surrogatepass")).hexdigest() + _SUFFIX)

    def put(self, item: NewReviewItem) -> Path:
        """Write ``item`` durably (fsync of the file and of the folder) and return its file."""
        path = self._path(item.request_id)
        temporary = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        data = item.model_dump_json().encode("utf-8", "surrogatepass")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
        directory = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        return path

    def pending(self) -> list[Path]:
        """The waiting items' files, oldest first."""
        files = [p for p in self.directory.iterdir() if p.suffix == _SUFFIX]
        return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))

    def __len__(self) -> int:
        return sum(1 for p in self.directory.iterdir() if p.suffix == _SUFFIX)

    def deliver(self, store: ReviewStore, batch: int = 200, files: list[Path] | None = None) -> int:
        """Deliver what waits (``files``, when the caller has just listed them), ``batch`` items per
        transaction; returns how many files were delivered.

        A file that cannot be parsed (a disk error, a hand edit) is renamed ``.rejected`` and
        logged: it must not block the items behind it, and it is kept for a person to look at.
        """
        delivered = 0
        files = self.pending() if files is None else files
        for start in range(0, len(files), batch):
            chunk: list[tuple[Path, NewReviewItem]] = []
            for path in files[start : start + batch]:
                try:
                    chunk.append((path, NewReviewItem.model_validate_json(path.read_bytes())))
                except FileNotFoundError:  # another replica delivered it meanwhile
                    continue
                except ValueError as exc:
                    logger.error("review outbox: %s is not a review item (%s); kept as .rejected", path.name, exc)
                    path.rename(path.with_suffix(".rejected"))
            store.add_many([item for _, item in chunk])
            for path, _ in chunk:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            delivered += len(chunk)
        return delivered


class OutboxDelivery:
    """A daemon thread that delivers an :class:`Outbox` to a store, retrying while the database is down."""

    def __init__(
        self,
        outbox: Outbox,
        store: ReviewStore | Callable[[], ReviewStore],
        interval_s: float = 1.0,
        max_backoff_s: float = 30.0,
    ) -> None:
        self.outbox = outbox
        self._store = store
        self.interval_s = interval_s
        self.max_backoff_s = max_backoff_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="review-outbox", daemon=True)
        #: Whether the last attempt failed (the database is unreachable), for readiness and logs.
        self.failing = False

    def _get_store(self) -> ReviewStore:
        if not isinstance(self._store, ReviewStore):
            self._store = self._store()  # opened (and migrated) lazily: the database may be down at start
        return self._store

    def start(self) -> OutboxDelivery:
        self._thread.start()
        return self

    def wake(self) -> None:
        """Deliver now rather than at the next interval (an item was just put)."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        pause = self.interval_s
        while not self._stop.is_set():
            try:
                waiting = self.outbox.pending()  # one scan of the folder per round
                if waiting:
                    delivered = self.outbox.deliver(self._get_store(), files=waiting)
                    if self.failing:
                        logger.warning("review database reachable again: %d waiting items delivered", delivered)
                self.failing, pause = False, self.interval_s
            except Exception as exc:  # the database is down: keep the files, retry later
                if not self.failing:
                    logger.warning("review database unreachable, items wait in %s: %s", self.outbox.directory, exc)
                self.failing, pause = True, min(self.max_backoff_s, max(pause * 2, self.interval_s))
            self._wake.wait(pause)
            self._wake.clear()
