"""``mail2ticket serve``: the Serve config on a local Ray, in the foreground, until Ctrl-C.

It runs the same ``serving/config.yaml`` as ``serve run`` and the cluster, with what a laptop
or a CI machine needs on top: a fresh local Ray (dashboard off, usage stats off, logs in the
Ray session folder rather than on the terminal), the HTTP host and port from the command line,
relative audit paths made absolute, and the configuration checked before Ray starts, so a typo
is one line of error instead of a failed deployment in a log file.

The MLflow registry is ``MLFLOW_TRACKING_URI``; tokens are ``MAIL2TICKET_API_TOKENS``. When
authentication is required and no token is set, one is generated for this run and printed
(a local convenience: a cluster gets its tokens from a Secret, and ``serve run`` refuses to
start without them).

Prometheus metrics (:mod:`serving.metrics`, and Ray's and Serve's own) are exported by Ray's
metrics agent at ``http://127.0.0.1:<port>/metrics``: ``--metrics-port`` pins the port (on
Kubernetes KubeRay uses 8080), without it Ray picks a free one; the URL is printed either way.
Ray sends what the replicas recorded to the agent every ``RAY_metrics_report_interval_ms``
(10000 by default; the tests set 1000).
"""

from __future__ import annotations

import copy
import importlib
import os
import secrets
import signal
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from mail2ticket.cli_args import key_values
from serving import DEFAULT_CONFIG

app = typer.Typer(help="Serve the agents on Ray Serve (local Ray).", pretty_exceptions_enable=False)


def _fail(message: str) -> None:
    typer.secho(f"error: {' '.join(message.split())}", err=True, fg=typer.colors.RED)
    raise typer.Exit(2)


def load_config(path: Path, host: str | None, port: int | None, args: dict[str, Any]) -> Any:
    """The Serve config (``ServeDeploySchema``) with the command line's overrides applied, checked."""
    from pydantic import ValidationError
    from ray.serve.schema import ServeDeploySchema

    from serving.settings import check_serve_config, merge_args, our_applications

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    raw = copy.deepcopy(raw or {})
    http = raw.setdefault("http_options", {})
    if host is not None:
        http["host"] = host
    if port is not None:
        http["port"] = port
    for application in raw.get("applications", []):
        application["args"] = merge_args(application.get("args") or {}, args)
    try:
        checked = check_serve_config(raw)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    for application, settings in zip(our_applications(raw), checked, strict=True):
        # A relative audit path is relative to where the command runs, not to a Ray worker's folder.
        absolute = {"audit.log": str(settings.audit.path()), "review.outbox": str(settings.review.outbox_path())}
        application["args"] = merge_args(application["args"], absolute)
    try:
        return ServeDeploySchema.model_validate(raw)
    except ValidationError as exc:
        raise ValueError(f"{path}: not a valid Serve config: {exc}") from None


def _ensure_tokens(config: Any) -> None:
    from mail2ticket.auth import parse_tokens
    from serving.settings import AppSettings

    for application in config.applications:
        auth = AppSettings.model_validate(application.args).auth
        if auth.required and not any(parse_tokens(os.environ.get(v)) for v in auth.variables().values()):
            token = secrets.token_urlsafe(24)
            os.environ[auth.tokens_env] = token
            typer.echo(f"no {auth.tokens_env} set: generated a token for this run: {token}", err=True)


def _ensure_review_database(config: Any) -> None:
    """Without a review database URL, the embedded SQLite file in this folder (made absolute for Ray workers)."""
    from mail2ticket.review import DEFAULT_DATABASE_URL
    from serving.settings import AppSettings

    for application in config.applications:
        review = AppSettings.model_validate(application.args).review
        if review.enabled and not os.environ.get(review.database_url_env):
            path = Path(DEFAULT_DATABASE_URL.removeprefix("sqlite:///")).absolute()
            os.environ[review.database_url_env] = f"sqlite:///{path}"
            typer.echo(f"review queue: {path} (set {review.database_url_env} for another database)", err=True)


def _deployment_options(application: Any) -> dict[str, dict[str, Any]]:
    return {
        d.name: d.model_dump(mode="json", exclude_unset=True, exclude={"name"}) for d in application.deployments or []
    }


def _bound(application: Any) -> Any:
    """The application of a config entry, with its ``deployments:`` options applied."""
    from serving.app import build
    from serving.settings import APP_IMPORT_PATH

    if application.import_path == APP_IMPORT_PATH:
        return build(application.args, _deployment_options(application))
    module, _, attribute = application.import_path.partition(":")
    typer.echo(f"{application.name}: deployments options are not applied to {application.import_path}", err=True)
    return getattr(importlib.import_module(module), attribute)(application.args)


@app.callback(invoke_without_command=True)
def serve_command(
    config: Annotated[Path, typer.Option(help="Serve config file (the one the Helm chart embeds).")] = DEFAULT_CONFIG,
    host: Annotated[str | None, typer.Option(help="HTTP host (default: the config's).")] = None,
    port: Annotated[int | None, typer.Option(min=0, max=65535, help="HTTP port (default: the config's).")] = None,
    set_arg: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="Application argument key=value (dotted for nested: batching.max_batch_size=4), repeatable."
        ),
    ] = None,
    num_cpus: Annotated[int | None, typer.Option(min=1, help="CPUs given to local Ray (default: all).")] = None,
    address: Annotated[str, typer.Option(help="Ray address; 'local' starts a new local Ray.")] = "local",
    metrics_port: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=65535,
            help="Port of Ray's Prometheus endpoint (/metrics) for a local Ray (default: a free port, printed).",
        ),
    ] = None,
) -> None:
    """Start the mail2ticket agents on a local Ray and serve until Ctrl-C."""
    try:
        serve_config = load_config(config, host, port, key_values(set_arg))
    except ValueError as exc:
        _fail(str(exc))
    if metrics_port is not None and address != "local":
        _fail(
            f"--metrics-port applies to a local Ray only; the Ray at {address} exports on the port it was "
            "started with (ray start --metrics-export-port)"
        )
    _ensure_tokens(serve_config)
    _ensure_review_database(serve_config)
    tracking = os.environ.get("MLFLOW_TRACKING_URI")
    typer.echo(
        f"MLflow registry: {tracking}" if tracking else "MLFLOW_TRACKING_URI is not set: the base model is served",
        err=True,
    )

    import ray
    from ray import serve

    context = ray.init(
        address=address,
        num_cpus=num_cpus,
        include_dashboard=False,
        log_to_driver=False,
        namespace="serve",
        logging_level="WARNING",
        _metrics_export_port=metrics_port,  # None: Ray picks a free port
    )
    typer.echo(f"Ray logs: {context.address_info.get('session_dir', '?')}/logs", err=True)
    exported = context.address_info.get("metrics_export_port")
    if exported and address == "local":
        typer.echo(f"Prometheus metrics: http://127.0.0.1:{exported}/metrics", err=True)

    def on_signal(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    # Both explicitly: a process started in the background by a script inherits SIGINT ignored.
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    http = serve_config.http_options
    try:
        serve.start(
            http_options=http.model_dump(exclude_unset=True),
            proxy_location=serve_config.proxy_location,
            logging_config=serve_config.logging_config,
        )
        for application in serve_config.applications:
            if application.runtime_env:
                typer.echo(f"{application.name}: runtime_env is ignored by a local run", err=True)
            serve.run(
                _bound(application),
                name=application.name,
                route_prefix=application.route_prefix,
                logging_config=application.logging_config,
            )
        names = ", ".join(f"{a.name} at {a.route_prefix}" for a in serve_config.applications)
        typer.echo(f"mail2ticket serve: ready on http://{http.host}:{http.port} ({names}); Ctrl-C stops")
        sys.stdout.flush()
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        typer.echo("stopping…", err=True)
    except RuntimeError as exc:  # a deployment that failed to start: Serve says why
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None
    finally:
        try:
            serve.shutdown()
        finally:
            ray.shutdown()


def main() -> None:  # pragma: no cover - `python -m serving.cli`
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
