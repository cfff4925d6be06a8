"""A ``mail2ticket serve`` child process on 127.0.0.1, for the tests and the benchmarks.

One implementation of "start the real app, wait until it answers, stop everything it started":
the Serve config is written from ``serving/config.yaml`` with the caller's changes, the command
runs in its own process group, readiness is ``GET /readyz`` answering 200 on every application,
and stopping is SIGTERM (the command shuts Serve and Ray down), then, for whatever survived,
a kill by PID of the processes it had started.
"""

from __future__ import annotations

import contextlib
import copy
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mail2ticket.testing.ports import free_port
from serving import DEFAULT_CONFIG
from serving.settings import merge_args

REPO_ROOT = Path(__file__).resolve().parents[1]


def application(
    name: str = "mail2ticket",
    route_prefix: str = "/",
    args: dict[str, Any] | None = None,
    deployments: dict[str, dict[str, Any]] | None = None,
    base: Path = DEFAULT_CONFIG,
) -> dict[str, Any]:
    """The first application of ``base`` with other ``args`` (merged section by section) and deployment options."""
    config = yaml.safe_load(base.read_text(encoding="utf-8"))
    app = copy.deepcopy(config["applications"][0])
    app.update(name=name, route_prefix=route_prefix)
    app["args"] = merge_args(app.get("args") or {}, args or {})
    app["deployments"] = [
        merge_args(entry, (deployments or {}).get(entry["name"], {})) for entry in app.get("deployments", [])
    ]
    return app


@dataclass
class LocalServer:
    """``mail2ticket serve`` with ``applications`` on ``127.0.0.1:port``; state under ``root``.

    Attributes:
        root: Working directory of the server: its config, logs and relative audit paths.
        applications: Application entries of the Serve config (see :func:`application`).
        env: Extra environment (tokens, ``MLFLOW_TRACKING_URI``).
        http_timeout_s: The proxy's ``request_timeout_s`` (default: the config's).
        num_cpus: CPUs given to the local Ray.
        startup_timeout_s: How long Ray, the model and the champion may take to be ready.
        metrics_port: Port of Ray's Prometheus endpoint (``--metrics-port``; 0: a free port).
    """

    root: Path
    applications: list[dict[str, Any]]
    env: dict[str, str] = field(default_factory=dict)
    num_cpus: int = 2
    port: int = 0
    http_timeout_s: float | None = None
    startup_timeout_s: float = 420.0
    metrics_port: int = 0
    process: subprocess.Popen | None = field(default=None, init=False, repr=False)
    _children: dict[int, Any] = field(default_factory=dict, init=False, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def metrics_url(self) -> str:
        """Ray's Prometheus endpoint: the metrics of every replica of this server."""
        return f"http://127.0.0.1:{self.metrics_port}/metrics"

    @property
    def log_path(self) -> Path:
        return self.root / "serve.log"

    def write_config(self) -> Path:
        config = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
        config["http_options"].update(host="127.0.0.1", port=self.port)
        if self.http_timeout_s:
            config["http_options"]["request_timeout_s"] = self.http_timeout_s
        config["applications"] = self.applications
        path = self.root / "serve-config.yaml"
        path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
        return path

    def start(self) -> str:
        """Start the server and wait until every application is ready; returns the base URL."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        self.metrics_port = self.metrics_port or free_port()
        config = self.write_config()
        pythonpath = os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p)
        env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "PYTHONPATH": pythonpath, **self.env}
        options = ["--num-cpus", str(self.num_cpus), "--metrics-port", str(self.metrics_port)]
        command = [sys.executable, "-m", "serving.cli", "--config", str(config), *options]
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                command, cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self.url

    def _wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout_s
        pending = [a["route_prefix"].rstrip("/") + "/readyz" for a in self.applications]
        while pending:
            if self.process.poll() is not None:
                raise RuntimeError(f"mail2ticket serve exited with {self.process.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"not ready after {self.startup_timeout_s:.0f}s:\n{self.log_tail()}")
            self._remember_children()
            try:
                with urllib.request.urlopen(self.url + pending[0], timeout=5) as response:
                    if response.status == 200:
                        pending.pop(0)
                        continue
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(1)
        self._remember_children()

    def _remember_children(self) -> None:
        """The processes the server started (Ray's processes), to kill them if a clean stop fails."""
        import psutil

        if self.process is None:
            return
        try:
            for child in psutil.Process(self.process.pid).children(recursive=True):
                self._children.setdefault(child.pid, child)
        except psutil.Error:
            pass

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 90.0) -> None:
        """SIGTERM (the command shuts Serve and Ray down), then SIGKILL by PID for anything left."""
        import psutil

        if self.process is None:
            return
        self._remember_children()
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)  # the command shuts Serve and Ray down on it
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        for child in self._children.values():  # psutil checks the PID still names the same process
            with contextlib.suppress(psutil.Error):
                child.kill()
        self.process = None
