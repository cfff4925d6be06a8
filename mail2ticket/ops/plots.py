"""A forecast drawn against what happened: the picture the study judged its models by.

The study plotted each forecast over the actual period beside its figures; numbers alone
hide a forecast that is right on average but misses every oscillation. :func:`plot_forecast`
draws the end of the history, the actual held-out days, every forecast's mean and shaded
interval, and the days flagged as anomalous, into a PNG (matplotlib's Agg backend: no display).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from mail2ticket.ops.baselines import Forecast

_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2")


def plot_forecast(
    history: pd.Series,
    actual: pd.Series,
    forecasts: Sequence[Forecast],
    path: str | Path,
    title: str,
    anomalies: pd.DataFrame | None = None,
    context_days: int = 90,
) -> Path:
    """Write the PNG to ``path`` and return it.

    ``history`` and ``actual`` are indexed by day; only the last ``context_days`` of the history
    are drawn. ``anomalies``: rows with a ``timestamp`` (e.g. :func:`~mail2ticket.ops.anomalies.
    interval_anomalies` or the synthetic ground truth), marked on the observed value of that day.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tail = history.iloc[-context_days:] if context_days > 0 else history.iloc[0:0]
    fig, ax = plt.subplots(figsize=(12, 4.8))
    ax.plot(tail.index, tail.to_numpy(), color="#444444", linewidth=1.2, label="history")
    ax.plot(actual.index, actual.to_numpy(), color="black", linewidth=1.6, marker=".", label="actual")
    for number, forecast in enumerate(forecasts):
        colour = _COLOURS[number % len(_COLOURS)]
        label = forecast.model + (f": {forecast.spec}" if forecast.spec else "")
        ax.plot(forecast.dates, forecast.mean, color=colour, linewidth=1.4, linestyle="--", label=label)
        ax.fill_between(
            forecast.dates, forecast.lower, forecast.upper, color=colour, alpha=0.15,
            label=f"{forecast.model} {forecast.level:.0%} interval",
        )  # fmt: skip
    if anomalies is not None and len(anomalies):
        observed = pd.concat([tail, actual])
        observed = observed[~observed.index.duplicated(keep="last")]
        days = pd.DatetimeIndex(pd.to_datetime(anomalies["timestamp"])).normalize()
        shown = days[days.isin(observed.index)]
        ax.scatter(shown, observed.reindex(shown).to_numpy(), s=60, marker="o", facecolors="none",
                   edgecolors="#d62728", linewidths=1.8, zorder=5, label="anomaly")  # fmt: skip
    if len(tail) and len(actual):
        ax.axvline(tail.index[-1], color="#999999", linewidth=0.8, linestyle=":")
    ax.set_title(title)
    ax.set_xlabel("day")
    ax.set_ylabel(str(history.name) if history.name is not None else "value")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8, ncol=2)
    fig.autofmt_xdate()
    fig.tight_layout()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=110)
    plt.close(fig)
    return target


__all__ = ["plot_forecast"]
