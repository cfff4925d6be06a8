"""The LLM forecaster: serialised windows, an answer the grammar accepts, training and forecasting for real."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mail2ticket.engines.grammar import schema_grammar
from mail2ticket.ops.llm_forecaster import (
    ADAPTER_KIND,
    ForecasterConfig,
    LLMForecaster,
    forecast_answer,
    forecast_messages,
    forecast_schema,
    horizon_dates,
    train_forecaster,
    training_windows,
    value_scale,
)
from mail2ticket.registry.adapters import read_metadata
from mail2ticket.training import TrainingConfig


def weekly(name: str, days: int, base: float, seed: int = 0) -> pd.DataFrame:
    index = pd.date_range("2025-01-06", periods=days, freq="D")
    shape = np.array([1.0, 1.1, 1.05, 1.0, 0.9, 0.3, 0.2])
    values = np.random.default_rng(seed).poisson(base * shape[index.day_of_week.to_numpy()])
    return pd.DataFrame({"timestamp": index, "series": name, "value": values.astype(float)})


def test_values_are_scaled_to_four_digits() -> None:
    assert value_scale(np.array([0.0, 12.0, 9999.0])) == 1
    assert value_scale(np.array([10_000.0])) == 10
    assert value_scale(np.array([-123_456.0, 3.0])) == 100
    assert value_scale(np.array([])) == 1


def test_horizon_dates_cross_month_ends_and_leap_days() -> None:
    assert horizon_dates(pd.Timestamp("2028-02-27"), 4) == ["2028-02-28", "2028-02-29", "2028-03-01", "2028-03-02"]


def test_the_trained_answer_is_what_constrained_decoding_can_produce(embedded_model_dir: Path) -> None:
    """Every token training teaches (the answer, then the end of turn) passes the decoding grammar."""
    import xgrammar as xgr
    from transformers import AutoTokenizer

    from mail2ticket.training import build_answer_example

    tokenizer = AutoTokenizer.from_pretrained(embedded_model_dir)
    info = xgr.TokenizerInfo.from_huggingface(tokenizer, stop_token_ids=[tokenizer.eos_token_id])
    compiler = xgr.GrammarCompiler(info, max_threads=1)
    dates = horizon_dates(pd.Timestamp("2025-02-25"), 3)
    answer = forecast_answer(dates, [56.4, 0.0, 12_345.0], scale=10)
    assert json.loads(answer) == {"2025-02-26": 6, "2025-02-27": 0, "2025-02-28": 1234}

    def accepted(text: str) -> bool:
        matcher = xgr.GrammarMatcher(compiler.compile_grammar(schema_grammar(forecast_schema(dates))))
        example = build_answer_example(tokenizer, "", text)
        return all(matcher.accept_token(t) for t in example.labels)

    assert accepted(answer)
    assert not accepted(answer.replace("2025-02-28", "2025-02-30"))
    assert not accepted(answer.replace(', "2025-02-28": 1234', ""))


def test_history_is_written_one_week_per_line_ending_on_the_last_day() -> None:
    frame = weekly("Incident de sauvegarde", 17, 20)
    history = frame.set_index("timestamp")["value"]
    messages = forecast_messages("Incident de sauvegarde", history, horizon_dates(history.index[-1], 7), 1)
    lines = messages[1]["content"].splitlines()
    weeks = [line for line in lines if line[:4].isdigit()]
    assert len(weeks) == 3
    assert weeks[0].startswith("2025-01-06 lun : ") and len(weeks[0].split(": ")[1].split()) == 3
    assert weeks[-1].startswith("2025-01-16 jeu : ") and len(weeks[-1].split(": ")[1].split()) == 7
    assert lines[-1] == "Dates à prévoir : 7 jours, du 2025-01-23 au 2025-01-29."


def test_training_windows_slide_back_from_the_last_day() -> None:
    frame = pd.concat([weekly("a", 60, 10), weekly("b", 30, 10)])
    config = ForecasterConfig(context_days=28, window_stride=5)
    windows = training_windows(frame, 7, config)
    assert {w.series for w in windows} == {"a"}  # b is shorter than one window (35 days)
    assert len(windows) == len(range(60, 34, -5))
    newest = windows[0]
    assert newest.future.index[-1] == frame[frame.series == "a"].timestamp.max()
    assert len(newest.history) == 28 and len(newest.future) == 7
    assert newest.history.index[-1] + pd.Timedelta(days=1) == newest.future.index[0]
    capped = training_windows(frame, 7, config.model_copy(update={"max_windows_per_series": 2}))
    assert len(capped) == 2


@pytest.fixture(scope="module")
def trained_forecaster(embedded_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    frame = pd.concat([weekly("alertes", 70, 30, seed=1), weekly("demandes", 70, 8, seed=2)])
    config = ForecasterConfig(
        context_days=14, window_stride=7, training=TrainingConfig(max_steps=2, warmup_steps=0, learning_rate=5e-4)
    )
    adapter = tmp_path_factory.mktemp("forecaster") / "adapter"
    result = train_forecaster(embedded_model_dir, frame, 7, adapter, config, base_model="embedded:smollm2-135m")
    assert result.steps == 2 and result.train_examples == 2 * len(range(70, 20, -7))
    return adapter, frame


def test_training_records_what_the_adapter_is(trained_forecaster: tuple[Path, pd.DataFrame]) -> None:
    adapter, _ = trained_forecaster
    metadata = read_metadata(adapter)
    assert metadata["kind"] == ADAPTER_KIND and metadata["horizon"] == 7 and metadata["context_days"] == 14
    assert metadata["series"] == ["alertes", "demandes"] and metadata["prompt_version"].startswith("forecast-v1-")
    assert len(metadata["losses"]) == 2 and (adapter / "adapter_model.safetensors").is_file()


def test_every_forecast_has_exactly_the_horizons_dates(
    trained_forecaster: tuple[Path, pd.DataFrame], transformers_engine
) -> None:
    """Constrained decoding: 100 % complete, well-dated forecasts, whatever the (barely trained) model."""
    adapter, frame = trained_forecaster
    histories = {name: rows.set_index("timestamp")["value"] for name, rows in frame.groupby("series")}
    forecaster = LLMForecaster(transformers_engine, str(adapter), ForecasterConfig(context_days=14))
    offsets = forecaster.calibrate(histories, 7)
    batch = forecaster.forecast(histories, 7)
    assert batch.valid == batch.requested == 2
    for name, forecast in batch.forecasts.items():
        assert list(forecast.dates) == list(pd.date_range("2025-03-17", periods=7, freq="D"))
        assert np.isfinite(forecast.mean).all() and (forecast.mean >= 0).all()
        assert offsets[name][0] <= offsets[name][1] and (forecast.lower <= forecast.upper).all()
    assert any((f.upper - f.lower).max() > 0 for f in batch.forecasts.values()), "the interval comes from residuals"
