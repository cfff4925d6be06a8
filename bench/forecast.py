"""Forecast accuracy of seasonal naive, exponential smoothing and the LLM forecaster, in one run.

Two generated datasets, each with its injected anomalies: daily ticket volumes per category (the
platform's own series) and a daily electricity consumption shaped like the study's (yearly and
weekly seasonality). Every model forecasts the same held-out final period; the figures are the
mean over the series of MASE, sMAPE and MAE, the interval coverage, the share of LLM answers
with exactly the horizon's valid dates, and the anomaly detection's precision and recall. The
ratio is the LLM's MASE over the best baseline's (under 1: the LLM wins).

    .venv/bin/python bench/forecast.py [--dataset tickets] [--steps 20] [--horizon 28]
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date
from pathlib import Path

from mail2ticket.environment import apply_offline_defaults
from mail2ticket.ops.forecasting import ForecastSettings, run_forecast
from mail2ticket.ops.llm_forecaster import ForecasterConfig
from mail2ticket.ops.series import write_series
from mail2ticket.ops.synthetic import industrial_series, ticket_volumes
from mail2ticket.taxonomy import load_taxonomy

DATASETS = ("tickets", "electricity")


def datasets(out: Path, names: list[str]) -> dict[str, tuple[Path, Path]]:
    """The generated datasets as CSV files, with their anomalies' ground truth."""
    generators = {
        "tickets": lambda: ticket_volumes(date(2025, 1, 1), 365, load_taxonomy().labels_with_unknown, seed=0),
        "electricity": lambda: industrial_series(date(2018, 1, 1), 3 * 365, seed=0),
    }
    paths = {}
    for name in names:
        series = generators[name]()
        csv, truth = out / f"{name}.csv", out / f"{name}.anomalies.csv"
        write_series(series.frame, csv)
        series.anomalies.to_csv(truth, index=False)
        paths[name] = (csv, truth)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=None, help="training steps (default: the recipe's)")
    parser.add_argument("--horizon", type=int, default=28)
    parser.add_argument("--context-days", type=int, default=None)
    parser.add_argument("--out", type=Path, default=Path("bench/output/forecast"))
    parser.add_argument("--dataset", action="append", choices=DATASETS, help="one dataset (repeat; default: both)")
    args = parser.parse_args()
    apply_offline_defaults()
    args.out.mkdir(parents=True, exist_ok=True)
    settings = ForecastSettings(horizon=args.horizon)
    config = ForecasterConfig()
    if args.context_days:
        config = config.model_copy(update={"context_days": args.context_days})
    if args.steps:
        config = config.model_copy(update={"training": config.training.model_copy(update={"max_steps": args.steps})})
    summary = {}
    for name, (csv, truth) in datasets(args.out, args.dataset or list(DATASETS)).items():
        started = time.perf_counter()
        report = run_forecast(str(csv), args.out / name, settings, config, anomalies_uri=str(truth))
        seconds = time.perf_counter() - started
        models = {model: figures["mean"] for model, figures in report["models"].items()}
        best = report["best_baseline"]
        summary[name] = {
            "series": len(report["models"][best]["series"]),
            "seconds": round(seconds, 1),
            "models": {m: {k: round(v, 4) for k, v in f.items()} for m, f in models.items()},
            "llm_mase_over_best_baseline": round(models["llm_lora"]["mase"] / models[best]["mase"], 3),
            "anomalies": {k: v for k, v in report["anomalies"].items() if isinstance(v, dict) and "precision" in v},
        }
        print(f"\n{name}: {summary[name]['series']} series, horizon {args.horizon} days, {seconds:.0f} s")
        print(f"{'model':<24}{'MASE':>8}{'sMAPE %':>9}{'MAE':>10}{'coverage':>10}{'valid':>8}")
        for model, mean in models.items():
            valid = f"{mean['valid_rate']:.0%}" if "valid_rate" in mean else "-"
            print(f"{model:<24}{mean['mase']:>8.3f}{mean['smape']:>9.1f}{mean['mae']:>10.2f}"
                  f"{mean.get('coverage', float('nan')):>10.2f}{valid:>8}")  # fmt: skip
        print(f"ratio LLM MASE / {best} MASE: {summary[name]['llm_mase_over_best_baseline']}")
        for method, figures in summary[name]["anomalies"].items():
            print(f"anomalies ({method}): precision {figures['precision']:.2f}, recall {figures['recall']:.2f}")
        (args.out / f"{name}.summary.json").write_text(json.dumps(summary[name], indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
