"""The offline and no-telemetry defaults every mail2ticket process runs under.

A sovereign deployment has no internet: nothing may try to reach a model hub, and no library
may report usage. These variables are set once, here, when :mod:`mail2ticket` is first
imported, so every entry point (the ``mail2ticket`` command, the KFP components, the Ray Serve
replicas, the demo, the benchmarks and the tests) runs under them. A value the caller already
set is never overridden: a deployment that wants telemetry says so explicitly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

#: Variable -> default value. Each one is read by the library it names when that library starts.
OFFLINE_DEFAULTS: Mapping[str, str] = {
    # Hugging Face hub and transformers: local folders only, never a download.
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    # MLflow's usage telemetry.
    "MLFLOW_DISABLE_TELEMETRY": "true",
    # Ray's usage statistics (Ray Serve).
    "RAY_USAGE_STATS_ENABLED": "0",
    # vLLM's usage statistics.
    "VLLM_NO_USAGE_STATS": "1",
    # The cross-tool opt-out several libraries honour.
    "DO_NOT_TRACK": "1",
}


def apply_offline_defaults(environ: dict[str, str] | None = None) -> None:
    """Set every :data:`OFFLINE_DEFAULTS` variable that ``environ`` (default: the process's) lacks."""
    target = os.environ if environ is None else environ
    for name, value in OFFLINE_DEFAULTS.items():
        target.setdefault(name, value)


__all__ = ["OFFLINE_DEFAULTS", "apply_offline_defaults"]
