"""Forecast baselines and anomaly detectors on the synthetic series whose anomalies are known.

Prints, for the desk's ticket volumes (4 categories over the corpus generator's calendar, 911
days from 2023-01-02) and the industrial electricity series (2012-01-01 to 2014-12-31, the
study's period):

- MASE, sMAPE and interval coverage of both baselines on the last 28 days held out, and their
  mean over 13 rolling 28-day hold-outs covering the last year;
- precision / recall / F1 of the interval method (forecasts re-made every 7 or 28 days over
  the last 364 days, a 99 % interval, each day judged by the forecast made before it) and of
  the isolation forest (on the robust STL residuals of the whole series, contamination
  ``auto``, 2 % and 5 %), against the injected anomalies; holidays are never flagged.

    .venv/bin/python bench/ops_baselines.py [--seeds 3]    # about 15 min on 2 cores for 3 seeds
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mail2ticket.ops.anomalies import (  # noqa: E402
    detection_scores,
    in_sample_residuals,
    interval_anomalies,
    isolation_forest_anomalies,
)
from mail2ticket.ops.baselines import BASELINES  # noqa: E402
from mail2ticket.ops.scores import forecast_scores  # noqa: E402
from mail2ticket.ops.synthetic import SyntheticSeries, french_holidays, industrial_series, ticket_volumes  # noqa: E402
from mail2ticket.taxonomy import load_taxonomy  # noqa: E402

_TAXONOMY = load_taxonomy()
#: Alerts, backup incidents, a month-end request, and an office category the taxonomy does not keep.
CATEGORIES = (
    *(_TAXONOMY.label(key) for key in ("supervision", "incident_sauvegarde", "restauration")),
    "Demande de service/Microsoft 365/Teams",
)
HOLDOUT = 28
WINDOWS = 13


def sources(seed: int) -> dict[str, SyntheticSeries]:
    return {
        "tickets": ticket_volumes(date(2023, 1, 2), 911, CATEGORIES, seed),
        "electricity": industrial_series(date(2012, 1, 1), 1096, seed),
    }


def forecast_table(seeds: range) -> pd.DataFrame:
    rows = []
    for seed in seeds:
        for source, generated in sources(seed).items():
            for name in generated.frame["series"].unique():
                y = generated.series(name)
                for window in range(WINDOWS):
                    end = len(y) - window * HOLDOUT
                    history, actual = y.iloc[: end - HOLDOUT], y.iloc[end - HOLDOUT : end]
                    for model, baseline in BASELINES.items():
                        forecast = baseline(history, HOLDOUT, level=0.9)
                        scores = forecast_scores(actual.to_numpy(), forecast, history.to_numpy())
                        rows.append({"source": source, "series": name, "seed": seed, "window": window,
                                     "model": model, **scores})  # fmt: skip
    return pd.DataFrame(rows)


def interval_detection(generated: SyntheticSeries, model: str, horizon: int, level: float) -> dict[str, float]:
    holidays = french_holidays(range(2010, 2030))
    flagged, truth = [], []
    for name in generated.frame["series"].unique():
        y = generated.series(name)
        first = len(y) - 364
        for start in range(first, len(y), horizon):
            history, actual = y.iloc[:start], y.iloc[start : start + horizon]
            forecast = BASELINES[model](history, len(actual), level=level)
            flagged.append(interval_anomalies(actual, forecast, holidays=holidays))
        searched = y.index[first:]
        known = generated.anomalies_of(name)
        truth.append(known[known["timestamp"].isin(searched)])
    return detection_scores(pd.concat(flagged), pd.concat(truth))


def forest_detection(generated: SyntheticSeries, contamination: float | str) -> dict[str, float]:
    holidays = french_holidays(range(2010, 2030))
    flagged = []
    for name in generated.frame["series"].unique():
        residuals = in_sample_residuals(generated.series(name), holidays=holidays)
        flagged.append(isolation_forest_anomalies(residuals, contamination, holidays=holidays))
    return detection_scores(pd.concat(flagged), generated.anomalies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    seeds = range(args.seeds)
    began = time.perf_counter()
    table = forecast_table(seeds)
    last = table[table["window"] == 0].groupby(["source", "model"])[["mase", "smape", "coverage"]].mean()
    rolling = table.groupby(["source", "model"])[["mase", "smape", "coverage"]].mean()
    per_series = table.groupby(["source", "series", "model"])["mase"].mean().unstack("model")
    pd.set_option("display.width", 160)
    print(f"## Baselines, {HOLDOUT}-day hold-out, seeds {list(seeds)} (90 % intervals)\n")
    print("last 28 days:\n", last.round(3), "\n")
    print(f"mean of {WINDOWS} rolling 28-day hold-outs:\n", rolling.round(3), "\n")
    print("MASE per series (rolling mean):\n", per_series.round(3), "\n")
    rows = []
    for seed in seeds:
        for source, generated in sources(seed).items():
            for model in BASELINES:
                for horizon, level in ((7, 0.99), (28, 0.99)):
                    scores = interval_detection(generated, model, horizon, level)
                    rows.append({"source": source, "method": f"interval {model} h={horizon} level={level}", **scores})
            for contamination in ("auto", 0.02, 0.05):
                scores = forest_detection(generated, contamination)
                rows.append({"source": source, "method": f"isolation forest c={contamination}", **scores})
    detections = pd.DataFrame(rows).groupby(["source", "method"], sort=False)
    summary = detections[["hits", "flagged", "found", "truth"]].sum()
    summary["precision"] = summary["hits"] / summary["flagged"]
    summary["recall"] = summary["found"] / summary["truth"]
    summary["f1"] = 2 * summary["precision"] * summary["recall"] / (summary["precision"] + summary["recall"])
    print("## Anomaly detection (pooled over seeds; interval: last 364 days; forest: whole series)\n")
    print(summary.round(3).to_string(), "\n")
    print(f"{time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
