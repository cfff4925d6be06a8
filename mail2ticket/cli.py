"""The ``mail2ticket`` command.

Every expected failure (bad input, unreachable storage, invalid taxonomy) ends with one line
``error: …`` on stderr and exit code 2, never a traceback: the people running these commands
are data and platform engineers who need to know what to fix, not where it broke.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import typer
from rich.console import Console

from mail2ticket.storage import StorageError
from mail2ticket.taxonomy import TaxonomyError, load_taxonomy

app = typer.Typer(
    help="mail2ticket: turn customer e-mails into tickets.", no_args_is_help=True, pretty_exceptions_enable=False
)
corpus_app = typer.Typer(help="Synthetic ticket-system exports.", no_args_is_help=True)
taxonomy_app = typer.Typer(help="The ticket taxonomy.", no_args_is_help=True)
forecast_app = typer.Typer(help="Daily series: forecasts, baselines and anomalies.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")
app.add_typer(taxonomy_app, name="taxonomy")
app.add_typer(forecast_app, name="forecast")

stderr = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def clear_errors(func: F) -> F:
    """Turn the library's expected errors into one readable line and exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from mail2ticket.data.prepare import PrepareError

        try:
            return func(*args, **kwargs)
        except (PrepareError, TaxonomyError, StorageError, ValueError) as exc:
            message = " ".join(str(exc).split()) if "\n" not in str(exc).strip() else str(exc).strip()
            typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


@corpus_app.command("generate")
@clear_errors
def corpus_generate(
    out: Annotated[Path, typer.Option(help="Export file to write (.csv or .parquet).")],
    tickets: Annotated[int, typer.Option(min=1, help="Number of tickets.")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same export.")] = 0,
    format: Annotated[Literal["csv", "parquet"], typer.Option("--format", help="Export format.")] = "csv",
    scale: Annotated[
        Literal["custom", "paper"],
        typer.Option(help="'paper' reproduces the paper's size (175,813 rows, 29,376 tickets)."),
    ] = "custom",
    truth: Annotated[Path | None, typer.Option(help="Ground-truth file (default: <out stem>.truth.jsonl).")] = None,
    strategic_share: Annotated[
        float | None,
        typer.Option(
            min=0.0, max=1.0, help="Share of tickets in the 9 taxonomy categories (default: the paper's 4,500/29,376)."
        ),
    ] = None,
) -> None:
    """Generate a realistic raw ticket export and its ground truth."""
    from mail2ticket.data.corpus import CorpusConfig, generate

    config = CorpusConfig.paper(seed) if scale == "paper" else CorpusConfig(tickets=tickets, seed=seed)
    if strategic_share is not None:
        from dataclasses import replace

        config = replace(config, strategic_share=strategic_share)
    with stderr.status(f"generating {config.tickets:,} tickets…"):
        summary = generate(config, out, format, truth)
    typer.echo(
        f"wrote {summary.export} ({summary.rows:,} rows, {summary.well_formed_rows:,} well-formed, "
        f"{summary.tickets:,} tickets, {summary.categories} categories) and {summary.truth}"
    )


@app.command("prepare")
@clear_errors
def prepare(
    input: Annotated[str, typer.Option("--input", help="Raw export: local path or s3:// URI.")],
    out_dir: Annotated[Path, typer.Option(help="Directory for train/test JSONL, card and histogram.")],
    ground_truth: Annotated[
        str | None, typer.Option(help="Ground-truth JSONL (local or s3://) to attach extraction fields.")
    ] = None,
    strategic: Annotated[
        list[str] | None, typer.Option(help="A strategic category (repeat); default: all taxonomy labels.")
    ] = None,
    min_share: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.02,
    share_basis: Annotated[Literal["largest", "tickets", "strategic"], typer.Option()] = "largest",
    test_size: Annotated[float, typer.Option(min=0.01, max=0.99)] = 0.2,
    unknown_share: Annotated[
        float | None,
        typer.Option(min=0.0, max=0.99, help="Share labelled unknown, from the categories not kept (0: the paper)."),
    ] = None,
    validation_size: Annotated[
        float | None, typer.Option(min=0.0, max=0.49, help="Share of train held out to calibrate (0: none).")
    ] = None,
    seed: Annotated[int, typer.Option()] = 42,
    mask_pii: Annotated[bool, typer.Option(help="Mask e-mail addresses, phone numbers, IBANs.")] = False,
    support_domain: Annotated[list[str] | None, typer.Option(help="Support desk e-mail domain (repeat).")] = None,
    encoding: Annotated[str, typer.Option(help="Encoding of a CSV export.")] = "utf-8",
    feedback: Annotated[
        str | None,
        typer.Option(help="Reviewed corrections (`review export`: JSONL or Parquet, local or s3://) to join to train."),
    ] = None,
    feedback_holdout: Annotated[
        float | None,
        typer.Option(min=0.0, max=1.0, help="Share of the feedback held out as reviewed.jsonl (default 0.3)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the card as JSON.")] = False,
) -> None:
    """Clean and split a raw export the way the paper did (section 5) and print the dataset card."""
    from mail2ticket.data.prepare import FEEDBACK_HOLDOUT, PrepareConfig, prepare_dataset, render_card

    config = PrepareConfig(
        strategic_categories=strategic or None,
        min_share=min_share,
        share_basis=share_basis,
        test_size=test_size,
        seed=seed,
        mask_pii=mask_pii,
        encoding=encoding,
        **({"support_domains": support_domain} if support_domain else {}),
        **({"unknown_share": unknown_share} if unknown_share is not None else {}),
        **({"validation_size": validation_size} if validation_size is not None else {}),
    )
    holdout = FEEDBACK_HOLDOUT if feedback_holdout is None else feedback_holdout
    result = prepare_dataset(input, out_dir, config, ground_truth, feedback_uri=feedback, feedback_holdout=holdout)
    if as_json:
        sys.stdout.write(json.dumps(result.card, ensure_ascii=False, indent=2) + "\n")
    else:
        typer.echo(render_card(result.card))


@app.command("evaluate")
@clear_errors
def evaluate_command(
    data: Annotated[
        str,
        typer.Option("--data", help="JSONL with 'email', 'category' (and 'fields' for extraction); local or s3://."),
    ],
    model: Annotated[str, typer.Option("--model", help="Base model: embedded:NAME, a folder or s3://.")] = (
        "embedded:smollm2-135m"
    ),
    adapter: Annotated[
        str | None,
        typer.Option(
            help="LoRA adapter: a folder, an s3:// prefix or models:/NAME/VERSION (MLFLOW_TRACKING_URI); "
            "the classifier's, or with --task extraction the extraction agents'."
        ),
    ] = None,
    mode: Annotated[
        Literal["constrained", "generate"],
        typer.Option(help="constrained: score every label; generate: free text + fuzzy match (the paper)."),
    ] = "constrained",
    prompt_style: Annotated[
        Literal["full", "compact"] | None, typer.Option(help="Default: the adapter's, else 'full'.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output folder: metrics, predictions (and confusion matrix for classification).")
    ] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Evaluate the first N examples only.")] = None,
    temperature: Annotated[float, typer.Option(min=0.0, help="Sampling temperature in generate mode.")] = 0.0,
    task: Annotated[
        Literal["classification", "extraction"],
        typer.Option(help="classification: the category; extraction: field-level accuracy of the category's agent."),
    ] = "classification",
    max_new_tokens: Annotated[
        int | None,
        typer.Option(min=1, help="Token budget per e-mail (default: 48 in generate mode, 256 for extraction)."),
    ] = None,
    classifier: Annotated[
        Literal["llm", "classical", "cascade"],
        typer.Option(help="llm: the base model (+ adapter); classical or cascade: the models shipped in --adapter."),
    ] = "llm",
    text: Annotated[
        Literal["email", "description"],
        typer.Option(help="email: the labelled first e-mail; description: the whole thread, split as serving does."),
    ] = "email",
    extractor: Annotated[
        Literal["combined", "model", "parsers"],
        typer.Option(help="Extraction: alert parsers then the model (as served), the model only, or the parsers only."),
    ] = "combined",
) -> None:
    """Evaluate a classifier or the extraction agents (base model, or base + adapter) on a labelled JSONL file."""
    from mail2ticket.data.records import read_labelled_jsonl
    from mail2ticket.evaluation import Candidate, evaluate, write_outputs

    taxonomy = load_taxonomy()
    if task == "extraction":
        from mail2ticket.evaluation.extraction import read_extraction_jsonl

        records = read_extraction_jsonl(data, taxonomy)[:limit]
    else:
        records = read_labelled_jsonl(data)[:limit]
    if text == "description":
        records = _split_descriptions(records, data)
    if classifier != "llm" and (task != "classification" or mode != "constrained" or adapter is None):
        raise ValueError(f"--classifier {classifier} needs --adapter, --task classification and --mode constrained")
    kind = "extractor" if task == "extraction" else "classifier"  # the adapter must be trained for the task
    candidate = Candidate.resolve(model, adapter, prompt_style, taxonomy, kind)
    if task == "extraction":
        engine = None if extractor == "parsers" else candidate.engine()  # the parsers need no model
        _evaluate_extraction(engine, records, taxonomy, candidate.adapter, max_new_tokens or 256, out, extractor)
        return
    style = candidate.prompt_style
    if classifier != "llm" or mode == "constrained":
        from mail2ticket.evaluation.step import evaluator_for

        result = evaluator_for(model, candidate.adapter_dir, mode, style, classifier, taxonomy)(records)
    else:
        budget = {"max_new_tokens": max_new_tokens} if max_new_tokens else {}
        result = evaluate(candidate.engine(), records, taxonomy, candidate.adapter, mode, style,
                          temperature=temperature, **budget)  # fmt: skip
    summary = result.summary()
    typer.echo(
        f"{len(records)} e-mails, mode {mode}, prompt {style}, classifier {classifier}: "
        f"matched {int(summary['matched'])}, unmatched {int(summary['unmatched'])}, "
        f"match rate {summary['match_rate']:.4f}, "
        f"accuracy {summary['accuracy']:.4f}, macro-F1 {summary['macro_f1']:.4f}, "
        f"latency p50 {summary.get('latency_ms_p50', 0):.0f} ms"
    )
    if "automation_rate" in summary:
        typer.echo(
            f"automation rate {summary['automation_rate']:.4f} (accepted without review), "
            f"precision of the accepted {summary['accepted_precision']:.4f}"
        )
    for row in result.report.per_class:
        typer.echo(f"  {row.label}: P {row.precision:.3f} R {row.recall:.3f} F1 {row.f1:.3f} (n={row.support})")
    if out:
        paths = write_outputs(result, out, title=f"{model}{' + adapter' if adapter else ''} ({mode})")
        typer.echo("wrote " + ", ".join(str(p) for p in paths.values()))


def _split_descriptions(records: list[dict[str, Any]], data: str) -> list[dict[str, Any]]:
    """The records with their ``description`` thread split into the first client e-mail, as serving does."""
    from mail2ticket.data.records import DatasetError
    from mail2ticket.data.threads import classified_text

    missing = [i for i, r in enumerate(records, start=1) if not isinstance(r.get("description"), str)]
    if missing:
        raise DatasetError(f"{data}: --text description needs a 'description' on every line (not on {missing[0]})")
    return [{**r, "email": classified_text(r["description"])} for r in records]


def _evaluate_extraction(
    engine: Any,
    records: list[dict[str, Any]],
    taxonomy: Any,
    adapter: str | None,
    budget: int,
    out: Path | None,
    extractor: str = "combined",
) -> None:
    """Field-level accuracy of the extraction agents: a per-field table, then the files when asked."""
    from mail2ticket.evaluation.extraction import evaluate_extraction, render_table, write_extraction_outputs

    result = evaluate_extraction(engine, records, taxonomy, adapter, max_new_tokens=budget, extractor=extractor)
    typer.echo(render_table(result))
    if out:
        paths = write_extraction_outputs(result, out)
        typer.echo("wrote " + ", ".join(str(p) for p in paths.values()))


@taxonomy_app.command("labels")
@clear_errors
def taxonomy_labels(
    path: Annotated[Path | None, typer.Option(help="Taxonomy YAML (default: the packaged one).")] = None,
) -> None:
    """Print the category labels, one per line."""
    for label in load_taxonomy(path).labels_with_unknown:
        typer.echo(label)


@taxonomy_app.command("schema")
@clear_errors
def taxonomy_schema(
    category: Annotated[str, typer.Argument(help="Exact category label.")],
    path: Annotated[Path | None, typer.Option(help="Taxonomy YAML (default: the packaged one).")] = None,
) -> None:
    """Print the JSON Schema of a category's extraction fields."""
    taxonomy = load_taxonomy(path)
    try:
        schema = taxonomy.json_schema(category)
    except KeyError as exc:
        raise ValueError(exc.args[0]) from None
    typer.echo(json.dumps(schema, ensure_ascii=False, indent=2))


@forecast_app.command("generate")
@clear_errors
def forecast_generate(
    out: Annotated[Path, typer.Option(help="CSV of `timestamp, series, value` to write.")],
    kind: Annotated[
        Literal["tickets", "industrial"],
        typer.Option(help="Daily tickets per category, or a daily electricity consumption (the study's kind)."),
    ] = "tickets",
    days: Annotated[int, typer.Option(min=60, help="Length of every series, in days.")] = 365,
    start: Annotated[str, typer.Option(help="First day (ISO date).")] = "2025-01-01",
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same series.")] = 0,
) -> None:
    """Write generated series and, beside them (`.anomalies.csv`), the anomalies injected into them."""
    from datetime import date

    from mail2ticket.ops.series import write_series
    from mail2ticket.ops.synthetic import industrial_series, ticket_volumes

    first = date.fromisoformat(start)
    generated = (
        ticket_volumes(first, days, load_taxonomy().labels_with_unknown, seed)
        if kind == "tickets"
        else industrial_series(first, days, seed)
    )
    write_series(generated.frame, out)
    truth = out.with_name(out.stem + ".anomalies.csv")
    generated.anomalies.to_csv(truth, index=False)
    series = generated.frame["series"].nunique()
    typer.echo(f"wrote {out} ({series} series, {days} days) and {truth} ({len(generated.anomalies)} anomalies)")


@forecast_app.command("run")
@clear_errors
def forecast_run(
    series: Annotated[str, typer.Option(help="CSV or Parquet of `timestamp, series, value` (path or s3://).")],
    out: Annotated[Path, typer.Option(help="Folder for the forecasts, report, anomalies and plots.")],
    anomalies: Annotated[
        str | None, typer.Option(help="Ground truth of anomalies (`timestamp, series`) for precision and recall.")
    ] = None,
    horizon: Annotated[int, typer.Option(min=1, help="Days held out at the end, and forecast.")] = 28,
    season: Annotated[int, typer.Option(min=1, help="Season length in days.")] = 7,
    level: Annotated[float, typer.Option(min=0.5, max=0.99, help="Coverage of the prediction intervals.")] = 0.9,
    llm: Annotated[bool, typer.Option(help="Also train and evaluate the LLM forecaster.")] = True,
    adapter: Annotated[str | None, typer.Option(help="Forecast with this adapter instead of training one.")] = None,
    base_model: Annotated[str, typer.Option(help="Base model of the LLM forecaster.")] = "embedded:smollm2-135m",
    max_steps: Annotated[int | None, typer.Option(min=1, help="Training steps (default: the recipe's).")] = None,
    context_days: Annotated[int | None, typer.Option(min=7, help="Days of history per prompt.")] = None,
    mlflow: Annotated[
        bool, typer.Option(help="Log the runs to MLFLOW_TRACKING_URI and register a candidate that wins.")
    ] = False,
) -> None:
    """Forecast the final period of every series with the baselines and the LLM; score them; flag anomalies."""
    from rich.table import Table

    from mail2ticket.ops.forecasting import ForecastSettings, run_forecast
    from mail2ticket.ops.llm_forecaster import ForecasterConfig
    from mail2ticket.registry.tracking import tracking_uri

    settings = ForecastSettings(horizon=horizon, season=season, level=level)
    config = ForecasterConfig()
    if context_days:
        config = config.model_copy(update={"context_days": context_days})
    if max_steps:
        config = config.model_copy(update={"training": config.training.model_copy(update={"max_steps": max_steps})})
    report = run_forecast(
        series, out, settings, config, base_model, anomalies, llm, adapter, tracking_uri() if mlflow else None
    )
    series_count = len(next(iter(report["models"].values()))["series"])
    table = Table(title=f"Held-out {horizon} days, mean over {series_count} series")
    for column in ("model", "MASE", "sMAPE %", "MAE", "coverage", "valid"):
        table.add_column(column, justify="left" if column == "model" else "right")
    for model, figures in report["models"].items():
        mean = figures["mean"]
        valid = f"{mean['valid_rate']:.0%}" if "valid_rate" in mean else "—"
        table.add_row(model, *(f"{mean.get(k, float('nan')):.3f}" for k in ("mase", "smape", "mae", "coverage")), valid)
    Console().print(table)
    for method, figures in report["anomalies"].items():
        if isinstance(figures, dict) and "precision" in figures:
            typer.echo(f"anomalies ({method}): precision {figures['precision']:.2f}, recall {figures['recall']:.2f}")
    if "promotion" in report:
        typer.echo(f"promotion: {report['promotion']['reason']}")
    typer.echo(f"report, forecasts, anomalies and plots under {out}")


@app.command("drift")
@clear_errors
def drift_command(
    audit_log: Annotated[
        list[str], typer.Option(help="Audit log (JSON lines, .gz too; path or s3://); repeat for rotated files.")
    ],
    card: Annotated[
        str | None, typer.Option(help="Dataset card to compare with (path or s3://) instead of the champion's.")
    ] = None,
    registered_model: Annotated[
        str, typer.Option(help="Registered model whose alias names the reference (without --card).")
    ] = "mail2ticket-classifier",
    alias: Annotated[str, typer.Option(help="Alias of the reference version.")] = "champion",
    since: Annotated[str | None, typer.Option(help="Window start, ISO 8601 (UTC without offset).")] = None,
    until: Annotated[str | None, typer.Option(help="Window end, exclusive (default: now).")] = None,
    window_days: Annotated[float | None, typer.Option(min=0.001, help="Window length without --since (7).")] = None,
    reference_since: Annotated[
        str | None, typer.Option(help="Reference window start: its confidences and review rate are the reference.")
    ] = None,
    reference_until: Annotated[str | None, typer.Option(help="Reference window end (default: --since).")] = None,
    reference_predictions: Annotated[
        Path | None, typer.Option(help="An evaluation's predictions.csv as the confidence and review reference.")
    ] = None,
    psi: Annotated[float | None, typer.Option(min=0.0, help="Category mix PSI threshold (0.2).")] = None,
    chi2_p: Annotated[float | None, typer.Option(min=0.0, max=1.0, help="Chi-square p-value threshold (1e-3).")] = None,
    unknown_delta: Annotated[float | None, typer.Option(min=0.0, max=1.0, help="Unknown rate delta (0.10).")] = None,
    review_delta: Annotated[float | None, typer.Option(min=0.0, max=1.0, help="Review rate delta (0.15).")] = None,
    confidence_psi: Annotated[float | None, typer.Option(min=0.0, help="Confidence PSI threshold (0.2).")] = None,
    confidence_ks: Annotated[float | None, typer.Option(min=0.0, max=1.0, help="Confidence KS threshold.")] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for drift_report.json and drift.png.")] = None,
    mlflow: Annotated[
        bool | None, typer.Option("--mlflow/--no-mlflow", help="Log the report to MLflow (default: when a URI is set).")
    ] = None,
    tracking_uri: Annotated[str | None, typer.Option(envvar="MLFLOW_TRACKING_URI", help="MLflow server.")] = None,
    experiment: Annotated[str, typer.Option(help="MLflow experiment of the report.")] = "mail2ticket-drift",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Compare served decisions (audit log) with the champion's training distribution; exit 1 on drift, 2 on error."""
    from mail2ticket.ops.drift import DriftConfig, log_report, parse_time, render_tables, run_drift, write_outputs

    times = {"since": since, "until": until, "reference_since": reference_since, "reference_until": reference_until}
    options = {"window_days": window_days, "psi_threshold": psi, "chi2_p_value": chi2_p, "unknown_rate_delta":
               unknown_delta, "review_rate_delta": review_delta, "confidence_psi_threshold": confidence_psi,
               "confidence_ks_threshold": confidence_ks}  # fmt: skip
    config = DriftConfig(
        **{k: parse_time(v) for k, v in times.items() if v}, **{k: v for k, v in options.items() if v is not None}
    )
    if mlflow and not tracking_uri:
        raise ValueError("--mlflow needs a tracking server: set MLFLOW_TRACKING_URI or pass --tracking-uri")
    report = run_drift(audit_log, config, card, None if card else registered_model, alias, tracking_uri,
                       reference_predictions)  # fmt: skip
    paths = write_outputs(report, out) if out else {}
    logged = tracking_uri and mlflow is not False
    run_id = log_report(report, tracking_uri, experiment, paths.get("plot")) if logged else None
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        for table in render_tables(report):
            Console().print(table)
    for line in [*(f"{name}: {path}" for name, path in paths.items()), *([f"MLflow run: {run_id}"] if run_id else [])]:
        typer.echo(line, err=as_json)
    raise typer.Exit(report.exit_code)


def _plug_in_commands() -> None:
    """Add command groups other packages declare (``pipeline`` from ``pipelines``).

    The library never imports Kubeflow; the pipeline package registers its commands through
    the ``mail2ticket.commands`` entry-point group instead.
    """
    from importlib.metadata import entry_points

    for entry in entry_points(group="mail2ticket.commands"):
        try:
            app.add_typer(entry.load(), name=entry.name)
        except ImportError as exc:  # an optional group whose dependencies are missing
            typer.echo(f"warning: command group {entry.name!r} unavailable: {exc}", err=True)


_plug_in_commands()


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
