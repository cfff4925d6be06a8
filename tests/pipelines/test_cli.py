"""`mail2ticket pipeline …`: plugged into the main command, one-line errors, exit code 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from pipelines.ticket_classifier import COMPILED_PATH
from tests.conftest import free_port

CLI = [sys.executable, "-m", "mail2ticket.cli", "pipeline"]
CLEAN_ENV = {
    k: v for k, v in __import__("os").environ.items() if not k.startswith("MAIL2TICKET_") and k != "MLFLOW_TRACKING_URI"
}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300, env=CLEAN_ENV)


def test_compile_writes_the_committed_pipeline(tmp_path: Path) -> None:
    result = run("compile", "--out", str(tmp_path / "p.yaml"))
    assert result.returncode == 0, result.stderr
    fresh = list(yaml.safe_load_all((tmp_path / "p.yaml").read_text(encoding="utf-8")))
    assert fresh == list(yaml.safe_load_all(COMPILED_PATH.read_text(encoding="utf-8")))


def test_submit_to_an_unreachable_server_is_one_clear_error() -> None:
    result = run("submit", "--host", f"http://127.0.0.1:{free_port()}", "--data", "s3://tickets/export.csv")
    assert result.returncode == 2
    assert "cannot submit to http://127.0.0.1" in result.stderr and "Traceback" not in result.stderr


def test_run_local_needs_a_reachable_mlflow(tmp_path: Path) -> None:
    result = subprocess.run(
        [*CLI, "run-local", "--data", "x.csv", "--root", str(tmp_path)], capture_output=True, text=True, timeout=300,
        env={**CLEAN_ENV, "MLFLOW_TRACKING_URI": f"http://127.0.0.1:{free_port()}"},
    )  # fmt: skip
    assert result.returncode == 2 and "MLflow unreachable" in result.stderr and "Traceback" not in result.stderr
    bad_param = run("run-local", "--data", "x.csv", "--param", "oops")
    assert bad_param.returncode == 2 and "expected key=value" in bad_param.stderr
