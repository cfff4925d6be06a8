"""The app's lifespan: erase expired e-mail text now and then while it runs, close the store when it stops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from mail2ticket.review import ReviewStore
from review_app.settings import ReviewSettings

logger = logging.getLogger(__name__)


async def purge_forever(store: ReviewStore, settings: ReviewSettings) -> None:
    """Erase expired e-mail text now and then (the CLI's ``purge`` does the same on demand)."""
    retention = timedelta(days=settings.retention_days)
    while True:
        try:
            purged = await run_in_threadpool(store.purge, retention)
            if purged:
                logger.info("review retention: erased the e-mail text of %d decided items", purged)
        except Exception as exc:  # the database may be down: try again next time
            logger.warning("review retention: purge failed (%s)", exc)
        await asyncio.sleep(settings.purge_interval_s)


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Purge every ``settings.purge_interval_s`` (0: never) while ``app`` runs; close its store at the end."""
    settings: ReviewSettings = app.state.settings
    store: ReviewStore = app.state.store
    task = asyncio.create_task(purge_forever(store, settings)) if settings.purge_interval_s > 0 else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        store.close()


__all__ = ["lifespan", "purge_forever"]
