"""The forecasting steps: forecasts between steps, evaluation and anomalies, promotion, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from mail2ticket.cli import app
from mail2ticket.ops.baselines import Forecast
from mail2ticket.ops.forecasting import (
    ForecastSettings,
    forecasts_frame,
    promote_step,
    read_anomalies,
    read_forecasts,
    run_forecast,
    write_forecasts,
)
from mail2ticket.ops.llm_forecaster import ForecasterConfig


def test_forecasts_travel_between_steps_unchanged(tmp_path: Path) -> None:
    dates = pd.date_range("2025-03-01", periods=3, freq="D")
    forecast = Forecast("seasonal_naive", dates, np.array([1.0, 2.0, 3.5]), np.array([0.0, 1.0, 2.0]),
                        np.array([2.0, 3.0, 5.0]), 0.9)  # fmt: skip
    path = write_forecasts({"Incident de sauvegarde": forecast}, tmp_path / "f.csv")
    (back,) = read_forecasts(path)["seasonal_naive"].values()
    assert list(back.dates) == list(dates) and np.array_equal(back.mean, forecast.mean)
    assert np.array_equal(back.upper, forecast.upper) and back.level == 0.9
    assert list(forecasts_frame({}).columns) == ["model", "series", "timestamp", "mean", "lower", "upper", "level"]


def test_an_anomalies_file_without_its_columns_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "truth.csv"
    path.write_text("day,kind\n2025-01-01,spike\n", encoding="utf-8")
    with pytest.raises(ValueError, match="timestamp and series"):
        read_anomalies(path)


@pytest.fixture(scope="module")
def electricity(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("electricity")
    result = CliRunner().invoke(app, ["forecast", "generate", "--out", str(folder / "e.csv"), "--kind", "industrial",
                                      "--days", "400", "--seed", "1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 series, 400 days" in result.output
    return folder / "e.csv", folder / "e.anomalies.csv"


def test_baselines_are_scored_and_anomalies_found(electricity: tuple[Path, Path], tmp_path: Path) -> None:
    series, truth = electricity
    report = run_forecast(str(series), tmp_path, ForecastSettings(horizon=14), ForecasterConfig(), llm=False,
                          anomalies_uri=str(truth))  # fmt: skip
    assert set(report["models"]) == {"seasonal_naive", "exponential_smoothing"}
    for figures in report["models"].values():
        scores = figures["mean"]
        assert 0 < scores["mase"] < 5 and 0 <= scores["coverage"] <= 1
        assert {"forecast_mean", "actual_mean", "max_abs_error", "min_abs_error", "smape"} <= set(scores)
    assert report["best_model"] == report["best_baseline"]
    forest = report["anomalies"]["isolation_forest"]
    assert forest["scope"] == "whole" and forest["truth"] > 0 and forest["recall"] > 0.3 and forest["precision"] > 0.3
    flagged = pd.read_csv(tmp_path / "anomalies.csv")
    assert set(flagged["method"]) <= {"interval", "isolation_forest"} and len(flagged) == report["anomalies"]["flagged"]
    assert (tmp_path / "plots" / "electricity.png").stat().st_size > 10_000
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["horizon"] == 14


def test_the_run_command_prints_every_model(electricity: tuple[Path, Path], tmp_path: Path) -> None:
    series, truth = electricity
    result = CliRunner().invoke(app, ["forecast", "run", "--series", str(series), "--anomalies", str(truth), "--out",
                                      str(tmp_path), "--horizon", "14", "--no-llm"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "exponential_smoothing" in result.output and "seasonal_naive" in result.output
    assert "anomalies (isolation_forest): precision" in result.output


def test_a_bad_series_file_is_one_error_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("when,what\n2025-01-01,3\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["forecast", "run", "--series", str(path), "--out", str(tmp_path / "o"), "--no-llm"]
    )
    assert result.exit_code == 2 and result.output.startswith("error: ") and "Traceback" not in result.output


def _report(candidate: float, baseline: float) -> dict:
    return {
        "best_baseline": "exponential_smoothing",
        "models": {"llm_lora": {"mean": {"mase": candidate}}, "exponential_smoothing": {"mean": {"mase": baseline}}},
    }


def test_only_a_candidate_that_beats_the_best_baseline_is_registered(mlflow_server: str) -> None:
    from mlflow import MlflowClient

    client = MlflowClient(mlflow_server)
    experiment = client.create_experiment("forecast-promotion")
    name = "forecaster-promotion-test"
    losing = client.create_run(experiment).info.run_id
    decision = promote_step(_report(1.2, 0.8), losing, ForecastSettings(), name, mlflow_server)
    assert not decision["promoted"] and "does not beat exponential_smoothing" in decision["reason"]
    assert client.search_registered_models(f"name = '{name}'") == []
    assert client.get_run(losing).data.tags["promotion"] == "not promoted"

    client.log_text(winning := client.create_run(experiment).info.run_id, "{}", "adapter/mail2ticket.json")
    decision = promote_step(_report(0.7, 0.8), winning, ForecastSettings(), name, mlflow_server)
    assert decision["promoted"] and decision["alias"] == "champion"
    assert client.get_model_version_by_alias(name, "champion").run_id == winning
    narrow = promote_step(_report(0.79, 0.8), winning, ForecastSettings(min_mase_gain=0.05), name, mlflow_server)
    assert not narrow["promoted"], "min_mase_gain is required on top of beating the baseline"
