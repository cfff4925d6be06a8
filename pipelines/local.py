"""Run components and pipelines on this machine with ``kfp.local``.

``SubprocessRunner(use_venv=False)`` runs each task as a subprocess of the current Python, so
tasks use the packages already installed (offline; nothing is pip-installed at run time).
"""

from __future__ import annotations

import warnings
from pathlib import Path

from kfp import local

# The runner warns that a custom base image is ignored: locally that is the point.
warnings.filterwarnings(
    "ignore", message="You may be attemping to run a task that uses custom", category=RuntimeWarning
)


def init_local(pipeline_root: str | Path) -> Path:
    """Point ``kfp.local`` at ``pipeline_root`` (where task outputs are written)."""
    root = Path(pipeline_root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=str(root), raise_on_error=True)
    return root
