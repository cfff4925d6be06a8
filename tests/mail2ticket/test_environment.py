"""The offline and no-telemetry defaults: set by importing mail2ticket, never over the caller's choice."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from mail2ticket.environment import OFFLINE_DEFAULTS, apply_offline_defaults


def test_defaults_fill_what_is_missing_only() -> None:
    environ = {"MLFLOW_DISABLE_TELEMETRY": "false"}
    apply_offline_defaults(environ)
    assert environ["MLFLOW_DISABLE_TELEMETRY"] == "false"  # the caller said so
    assert environ["HF_HUB_OFFLINE"] == "1" and environ["RAY_USAGE_STATS_ENABLED"] == "0"
    assert set(environ) == set(OFFLINE_DEFAULTS)


def test_every_entry_point_gets_them_by_importing_the_library() -> None:
    """A process that imports any part of mail2ticket (a KFP task, a Serve replica, the CLI) runs offline."""
    clean = {k: v for k, v in os.environ.items() if k not in OFFLINE_DEFAULTS}
    code = "import json, os; import mail2ticket.data.threads; print(json.dumps(dict(os.environ)))"
    seen = json.loads(subprocess.run([sys.executable, "-c", code], env=clean, capture_output=True, text=True,
                                     check=True).stdout)  # fmt: skip
    assert {name: seen.get(name) for name in OFFLINE_DEFAULTS} == dict(OFFLINE_DEFAULTS)
