"""Operations insight: what the people running the platform watch, and the second model family it hosts.

- :mod:`.drift`: served decisions (the audit log) against the champion's training distribution;
- daily series, the forecasting pipeline's data: :mod:`.series` (reading, calendars, the held-out
  period), :mod:`.synthetic` (ticket volumes and an industrial series with injected anomalies);
- forecasting: :mod:`.baselines` (seasonal naive, exponential smoothing), :mod:`.llm_forecaster`
  (a LoRA adapter on serialised history windows, decoding constrained to the horizon's dates),
  :mod:`.scores` (the study's figures, MAE, sMAPE, MASE), :mod:`.anomalies` (interval and
  isolation-forest detectors), :mod:`.plots`;
- :mod:`.forecasting`: the pipeline's steps, and all of them in a row (``mail2ticket forecast run``).

Heavy libraries (torch, statsmodels, scikit-learn) are imported by the functions that use them.
"""

from mail2ticket.ops.anomalies import detection_scores, interval_anomalies, isolation_forest_anomalies
from mail2ticket.ops.baselines import BASELINES, Forecast, exponential_smoothing, seasonal_naive
from mail2ticket.ops.drift import DriftConfig, DriftReport, run_drift
from mail2ticket.ops.forecasting import FORECASTER_MODEL, ForecastSettings, run_forecast
from mail2ticket.ops.llm_forecaster import ForecasterConfig, LLMForecaster, train_forecaster
from mail2ticket.ops.scores import forecast_scores
from mail2ticket.ops.series import SeriesError, daily_counts, read_series, split_holdout, write_series
from mail2ticket.ops.synthetic import SyntheticSeries, industrial_series, ticket_volumes

__all__ = [
    "BASELINES",
    "FORECASTER_MODEL",
    "DriftConfig",
    "DriftReport",
    "Forecast",
    "ForecastSettings",
    "ForecasterConfig",
    "LLMForecaster",
    "SeriesError",
    "SyntheticSeries",
    "daily_counts",
    "detection_scores",
    "exponential_smoothing",
    "forecast_scores",
    "industrial_series",
    "interval_anomalies",
    "isolation_forest_anomalies",
    "read_series",
    "run_drift",
    "run_forecast",
    "seasonal_naive",
    "split_holdout",
    "ticket_volumes",
    "train_forecaster",
    "write_series",
]
