"""``mail2ticket preflight``: check a cluster before ``helm install``, print a table, exit 1 on failure.

Plugged into the ``mail2ticket`` command through the ``mail2ticket.commands`` entry point, so the
library never imports the Kubernetes client. Settings come from the same values files given to
``helm install`` (``--values``), so the Secrets, bucket, storage class and GPU model checked are
the ones the chart will use; explicit options win over the values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.table import Table

from infra.preflight import (
    Check,
    PreflightOptions,
    Status,
    failed,
    gather_cluster,
    merge_values,
    options_from_values,
    run_checks,
)

CHART_VALUES = Path(__file__).resolve().parents[1] / "helm" / "mail2ticket" / "values.yaml"
STYLES = {Status.PASS: "green", Status.WARN: "yellow", Status.FAIL: "bold red", Status.SKIP: "dim"}

app = typer.Typer(help="Check a cluster before installing the Helm chart.", pretty_exceptions_enable=False)


def render_report(checks: list[Check], console: Console) -> None:
    """One row per check, and a closing line that says whether the install can go ahead."""
    table = Table(title="mail2ticket preflight", show_lines=False)
    table.add_column("Check")
    table.add_column("Result")
    table.add_column("Details", overflow="fold")
    for check in checks:
        table.add_row(check.name, f"[{STYLES[check.status]}]{check.status.value}[/]", check.detail)
    console.print(table)
    count = sum(c.status is Status.FAIL for c in checks)
    if count:
        console.print(f"[bold red]{count} check(s) failed: fix them before helm install.[/]")
    else:
        console.print("[green]The cluster is ready for helm install.[/]")


def load_values(files: list[Path]) -> dict[str, Any]:
    """The chart's defaults (when the chart is next to this module) merged with each values file in order."""
    values: dict[str, Any] = {}
    for path in ([CHART_VALUES] if CHART_VALUES.exists() else []) + files:
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise typer.BadParameter(f"{path}: {exc}") from None
        if not isinstance(document, dict):
            raise typer.BadParameter(f"{path}: not a values file (a YAML mapping)")
        values = merge_values(values, document)
    return values


@app.callback(invoke_without_command=True)
def preflight(
    namespace: Annotated[str, typer.Option(help="Namespace the chart will be installed in.")] = "mail2ticket",
    values: Annotated[
        list[Path] | None, typer.Option("--values", "-f", help="Values file given to helm install (repeat).")
    ] = None,
    kfp_url: Annotated[
        str | None, typer.Option(help="KFP API URL reachable from here, e.g. https://kfp.internal/pipeline.")
    ] = None,
    mlflow_url: Annotated[str | None, typer.Option(help="MLflow URL reachable from here (after install).")] = None,
    bucket: Annotated[str | None, typer.Option(help="S3 bucket (default: s3.bucket of the values).")] = None,
    storage_class: Annotated[str | None, typer.Option(help="StorageClass of the model cache volumes.")] = None,
    gpu_product: Annotated[str | None, typer.Option(help="GPU model in the node product label.")] = None,
    min_gpus: Annotated[int | None, typer.Option(min=0, help="Allocatable GPUs the worker group needs.")] = None,
    secret: Annotated[
        list[str] | None, typer.Option(help="Secret that must exist (repeat; adds to the values').")
    ] = None,
    require_restricted: Annotated[
        bool | None,
        typer.Option("--require-restricted/--no-require-restricted", help="Fail if the namespace is not restricted."),
    ] = None,
    context: Annotated[str | None, typer.Option(help="kubeconfig context (default: the current one).")] = None,
    kubeconfig: Annotated[
        Path | None, typer.Option(help="kubeconfig file (default: $KUBECONFIG or ~/.kube/config).")
    ] = None,
    timeout: Annotated[float, typer.Option(min=0.1, help="Timeout of each HTTP check, in seconds.")] = 5.0,
) -> None:
    """Check the cluster (CRDs, A10 nodes, storage, namespace, Secrets, KFP, MLflow, bucket)."""
    from kubernetes import config as kube_config
    from kubernetes.config.config_exception import ConfigException

    settings = options_from_values(load_values(values or []))
    explicit = {
        "kfp_url": kfp_url,
        "mlflow_url": mlflow_url,
        "bucket": bucket,
        "storage_class": storage_class,
        "gpu_product": gpu_product,
        "min_gpus": min_gpus,
        "require_restricted": require_restricted,
    }
    settings.update({k: v for k, v in explicit.items() if v is not None})
    settings["secrets"] = tuple(dict.fromkeys([*settings.get("secrets", ()), *(secret or [])]))
    options = PreflightOptions(namespace=namespace, http_timeout_s=timeout, **settings)

    try:
        api_client = kube_config.new_client_from_config(
            config_file=str(kubeconfig) if kubeconfig else None, context=context
        )
    except (ConfigException, OSError) as exc:
        typer.secho(f"error: cannot load the kubeconfig: {' '.join(str(exc).split())}", err=True, fg="red")
        raise typer.Exit(2) from None
    checks = run_checks(gather_cluster(api_client, options), options)
    render_report(checks, Console())
    raise typer.Exit(1 if failed(checks) else 0)
