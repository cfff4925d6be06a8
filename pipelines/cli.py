"""``mail2ticket pipeline compile | run-local | submit``.

``compile`` writes the YAML users upload in the KFP UI; ``run-local`` runs the whole pipeline
on this machine with ``kfp.local`` (MLflow from ``MLFLOW_TRACKING_URI``); ``submit`` starts a
run on a KFP API server with ``kfp.Client``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mail2ticket.cli_args import key_values

app = typer.Typer(help="The training pipeline (Kubeflow Pipelines).", no_args_is_help=True)


def _fail(message: str) -> None:
    typer.secho(f"error: {' '.join(message.split())}", err=True, fg=typer.colors.RED)
    raise typer.Exit(2)


@app.command("compile")
def compile_command(
    out: Annotated[Path | None, typer.Option(help="Where to write the YAML (default: pipelines/compiled/).")] = None,
) -> None:
    """Compile the pipeline for the KFP UI (cluster settings from MAIL2TICKET_* variables)."""
    from pipelines.ticket_classifier import COMPILED_PATH, compile_pipeline

    typer.echo(f"wrote {compile_pipeline(out or COMPILED_PATH)}")


@app.command("run-local")
def run_local(
    data: Annotated[str, typer.Option("--data", help="Raw export (local path or s3://).")],
    param: Annotated[list[str] | None, typer.Option(help="Pipeline parameter key=value (repeat).")] = None,
    root: Annotated[Path, typer.Option(help="Where kfp.local writes task outputs.")] = Path("kfp-local"),
) -> None:
    """Run the whole pipeline here with kfp.local (needs MLFLOW_TRACKING_URI)."""
    from mail2ticket.registry.tracking import TrackingError, client
    from pipelines.local import init_local
    from pipelines.ticket_classifier import build_pipeline

    arguments = key_values(param)
    try:
        client()
    except TrackingError as exc:
        _fail(str(exc))
    init_local(root)
    try:
        build_pipeline(cluster=False)(data_uri=data, **arguments)
    except RuntimeError as exc:
        _fail(f"the pipeline failed: {exc}")
    typer.echo(f"pipeline finished; task outputs under {root.resolve()}")


@app.command("submit")
def submit(
    host: Annotated[str, typer.Option("--host", help="KFP API server, e.g. https://kfp.internal/pipeline.")],
    data: Annotated[str, typer.Option("--data", help="Raw export URI as the cluster sees it (s3://...).")],
    param: Annotated[list[str] | None, typer.Option(help="Pipeline parameter key=value (repeat).")] = None,
    experiment: Annotated[str, typer.Option(help="KFP experiment.")] = "mail2ticket",
    run_name: Annotated[str | None, typer.Option(help="Run name (default: generated).")] = None,
    package: Annotated[Path | None, typer.Option(help="Compiled YAML (default: the committed one).")] = None,
    namespace: Annotated[str | None, typer.Option(help="Kubeflow profile namespace (multi-user KFP).")] = None,
) -> None:
    """Start a run on a Kubeflow Pipelines server."""
    import kfp

    from pipelines.ticket_classifier import COMPILED_PATH

    try:
        kfp_client = kfp.Client(host=host, namespace=namespace)
        run = kfp_client.create_run_from_pipeline_package(
            str(package or COMPILED_PATH), arguments={"data_uri": data, **key_values(param)},
            run_name=run_name, experiment_name=experiment, namespace=namespace,
        )  # fmt: skip
    except Exception as exc:
        _fail(f"cannot submit to {host}: {exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    typer.echo(f"submitted run {run.run_id} to {host}")
