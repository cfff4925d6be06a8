"""The forecast plot: a real PNG with the history, the actual days, the forecasts and the flagged days."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from mail2ticket.ops.anomalies import interval_anomalies
from mail2ticket.ops.baselines import BASELINES
from mail2ticket.ops.plots import plot_forecast
from mail2ticket.ops.synthetic import ticket_volumes

PNG = b"\x89PNG\r\n\x1a\n"


def test_plot_forecast_writes_a_png(tmp_path: Path) -> None:
    generated = ticket_volumes(date(2024, 1, 1), 200, ["Incidents/Supervision"], seed=4)
    series = generated.series("Incidents/Supervision")
    history, actual = series.iloc[:-28], series.iloc[-28:]
    forecasts = [baseline(history, 28) for baseline in BASELINES.values()]
    flagged = interval_anomalies(actual, forecasts[0])
    path = plot_forecast(
        history, actual, forecasts, tmp_path / "plots" / "supervision.png", "Incidents/Supervision",
        anomalies=generated.anomalies, context_days=60,
    )  # fmt: skip
    assert path == tmp_path / "plots" / "supervision.png"
    data = path.read_bytes()
    assert data[:8] == PNG and len(data) > 30_000
    bare = plot_forecast(history, actual, [], tmp_path / "bare.png", "no forecast", anomalies=flagged.iloc[0:0])
    assert bare.read_bytes()[:8] == PNG and bare.stat().st_size < len(data)
