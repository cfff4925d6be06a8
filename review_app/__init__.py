"""The reviewers' web app and API over the review queue (:mod:`mail2ticket.review`).

A small application of its own, apart from the inference endpoint: it imports only
:mod:`mail2ticket`, never :mod:`serving`, and is run by ``mail2ticket review serve``.

Modules: :mod:`.app` composes the application from :mod:`.pages` (the French pages),
:mod:`.api` (the JSON API), :mod:`.probes` (health and readiness), :mod:`.errors` (exception
handlers), :mod:`.middleware` (root path, protective headers), :mod:`.dependencies` (what routes
get from ``app.state``), :mod:`.rendering` (templates and French formatting) and :mod:`.lifespan`
(the periodic purge); :mod:`.forms`, :mod:`.schemas`, :mod:`.security` and :mod:`.settings` are
their building blocks, :mod:`.cli` and :mod:`.local` run the app.

Public API:

- :func:`create_app` (:mod:`.app`): the FastAPI application (pages, API, probes);
- :class:`ReviewSettings` (:mod:`.settings`): its settings, from the environment;
- :func:`item_json` (:mod:`.schemas`): a queue item as the API answers it and the pages show it;
- ``app`` (:mod:`.cli`): the ``mail2ticket review`` command group (serve, migrate, export, purge).
"""

from __future__ import annotations

import importlib
from typing import Any

#: Where each public name lives; imported on first use, so ``mail2ticket --help`` (which loads
#: :mod:`.cli`) does not pay for FastAPI, Jinja2 and SQLAlchemy.
_PUBLIC = {
    "create_app": "review_app.app",
    "item_json": "review_app.schemas",
    "ReviewSettings": "review_app.settings",
    "SettingsError": "review_app.settings",
}

__all__ = ["ReviewSettings", "SettingsError", "create_app", "item_json"]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'review_app' has no attribute {name!r}")
