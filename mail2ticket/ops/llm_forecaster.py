"""The LLM forecaster: a LoRA adapter trained on serialised history windows (the study's approach).

The study fine-tuned open LLMs on windows of a series written as text and asked them for the
next values; free decoding let one model answer dates such as 30/02. Here the answer is a JSON
object whose keys are the horizon's dates, in order, and whose values are integers: the schema
is built for each request from the calendar, and schema-constrained decoding (the extraction
agents' engine code, :meth:`~mail2ticket.engines.base.Engine.extract`) cannot emit another date,
skip one or stop early. Training goes through the same LoRA loop as the classifier
(:func:`mail2ticket.training.fit_lora`), with the loss on the answer only.

Values are written as integers of at most four digits: a series of larger values is divided by
a power of ten first (its ``scale``), so every series costs the model the same few tokens per
day. The history is written one week per line, so the weekly season lines up in the prompt.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from mail2ticket.ops.baselines import Forecast
from mail2ticket.prompts import render_prompt
from mail2ticket.registry.adapters import AdapterKind, write_metadata
from mail2ticket.training import TrainingConfig, TrainingResult, build_answer_example, fit_lora

#: The version of the forecasting prompt's wording (the digest of its text is recorded too).
FORECAST_PROMPT_VERSION = 1
#: What an adapter's metadata says it is, so a forecaster is never served as a classifier.
ADAPTER_KIND: AdapterKind = "forecaster"
#: Values are written with at most this many digits (larger series are scaled down).
VALUE_DIGITS = 4
_WEEKDAYS = ("lun", "mar", "mer", "jeu", "ven", "sam", "dim")
_INSTRUCTIONS = (
    "Tu prévois une série temporelle journalière. L'historique récent est donné une semaine par "
    "ligne : la date du premier jour, son jour de la semaine, puis une valeur par jour. Réponds "
    "uniquement par un objet JSON qui associe à chaque date demandée sa valeur prévue (un entier)."
)


class ForecasterConfig(BaseModel):
    """How histories are written for the model, and how the forecaster is trained."""

    model_config = ConfigDict(extra="forbid")

    context_days: int = Field(
        28, ge=7, description="Days of history in each prompt (a multiple of 7 keeps whole weeks per line)."
    )
    window_stride: int = Field(7, ge=1, description="Days between the ends of two training windows of a series.")
    max_windows_per_series: int | None = Field(
        16,
        ge=1,
        description="Most recent training windows kept per series (None: all of them). A window of 28 days of "
        "context and 28 to forecast is about 770 tokens: on a 2-core CPU, 16 windows of 10 series are what "
        "20 steps see once.",
    )
    interval_level: float = Field(
        0.9, gt=0, lt=1, description="Coverage of the prediction interval, calibrated on the validation period."
    )
    training: TrainingConfig = Field(
        default_factory=lambda: TrainingConfig(max_steps=20, learning_rate=5e-4),
        description="The LoRA recipe (the classifier's, with more steps and a higher rate: the answers are short).",
    )


@dataclass(frozen=True)
class Window:
    """One training example: a series' history up to a day and the values of the days after it."""

    series: str
    history: pd.Series
    future: pd.Series


def value_scale(values: np.ndarray) -> int:
    """The power of ten a series is divided by so its values fit :data:`VALUE_DIGITS` digits."""
    largest = float(np.nanmax(np.abs(values))) if len(values) else 0.0
    digits = math.floor(math.log10(largest)) + 1 if largest >= 1 else 1
    return 10 ** max(0, digits - VALUE_DIGITS)


def horizon_dates(last_day: pd.Timestamp, horizon: int) -> list[str]:
    """The ISO dates of the ``horizon`` days after ``last_day``."""
    days = pd.date_range(pd.Timestamp(last_day) + pd.Timedelta(days=1), periods=horizon, freq="D")
    return [d.date().isoformat() for d in days]


def forecast_schema(dates: Sequence[str]) -> dict[str, Any]:
    """The answer's JSON Schema: exactly these dates, in order, each an integer of the value range."""
    value = {"type": "integer", "minimum": -(10**VALUE_DIGITS) + 1, "maximum": 10**VALUE_DIGITS - 1}
    return {
        "type": "object",
        "properties": {d: value for d in dates},
        "required": list(dates),
        "additionalProperties": False,
    }


def _week_lines(history: pd.Series, scale: int) -> list[str]:
    values = [round(float(v) / scale) for v in history.to_numpy()]
    days = list(history.index)
    lines = []
    for start in range(len(values) % 7 - 7 if len(values) % 7 else 0, len(values), 7):
        first = max(start, 0)
        chunk = values[first : start + 7]
        day = pd.Timestamp(days[first])
        lines.append(f"{day.date().isoformat()} {_WEEKDAYS[day.weekday()]} : {' '.join(map(str, chunk))}")
    return lines


def forecast_messages(series: str, history: pd.Series, dates: Sequence[str], scale: int) -> list[dict[str, str]]:
    """The chat messages asking for the values of ``dates`` after ``history`` (daily, dated index)."""
    unit = f" (valeurs divisées par {scale})" if scale > 1 else ""
    user = "\n".join(
        [
            f"Série : {series}{unit}",
            f"Historique du {history.index[0].date().isoformat()} au {history.index[-1].date().isoformat()} :",
            *_week_lines(history, scale),
            f"Dates à prévoir : {len(dates)} jours, du {dates[0]} au {dates[-1]}.",
        ]
    )
    return [{"role": "system", "content": _INSTRUCTIONS}, {"role": "user", "content": user}]


def forecast_answer(dates: Sequence[str], values: Sequence[float], scale: int) -> str:
    """The exact text the adapter is trained to answer (the grammar's separators: ``", "`` and ``": "``)."""
    limit = 10**VALUE_DIGITS - 1
    return json.dumps(
        {d: int(np.clip(round(float(v) / scale), -limit, limit)) for d, v in zip(dates, values, strict=True)}
    )


def forecast_prompt_version() -> str:
    """``forecast-v<N>-<hash>`` of the instructions: recorded in the adapter and every evaluation."""
    digest = hashlib.sha256(_INSTRUCTIONS.encode("utf-8")).hexdigest()[:10]
    return f"forecast-v{FORECAST_PROMPT_VERSION}-{digest}"


def training_windows(history: pd.DataFrame, horizon: int, config: ForecasterConfig) -> list[Window]:
    """Sliding windows over each series of a long ``timestamp, series, value`` frame.

    The newest window ends on the last day of the history (its future is the last ``horizon``
    days), older ones every ``window_stride`` days before; a series shorter than one window gives none.
    """
    windows: list[Window] = []
    for name, rows in history.groupby("series", sort=True):
        values = rows.set_index("timestamp")["value"].sort_index()
        length = config.context_days + horizon
        ends = list(range(len(values), length - 1, -config.window_stride))
        if config.max_windows_per_series:
            ends = ends[: config.max_windows_per_series]
        for end in ends:
            span = values.iloc[end - length : end]
            windows.append(Window(str(name), span.iloc[: config.context_days], span.iloc[config.context_days :]))
    return windows


def train_forecaster(
    model_dir: str | Path,
    history: pd.DataFrame,
    horizon: int,
    output_dir: str | Path,
    config: ForecasterConfig | None = None,
    base_model: str | None = None,
    on_step: Callable[[int, float, float], None] | None = None,
) -> TrainingResult:
    """Fine-tune a forecasting adapter on windows of ``history`` (long frame), and save it."""
    config = config or ForecasterConfig()
    windows = training_windows(history, horizon, config)
    if not windows:
        raise ValueError(
            f"no training window: every series is shorter than {config.context_days + horizon} days "
            f"(context_days {config.context_days} + horizon {horizon})"
        )
    scales = {name: value_scale(rows["value"].to_numpy()) for name, rows in history.groupby("series")}

    def make_examples(tokenizer: Any) -> list[Any]:
        examples = []
        for w in windows:
            dates = [d.date().isoformat() for d in w.future.index]
            prompt = render_prompt(tokenizer, forecast_messages(w.series, w.history, dates, scales[w.series]))
            answer = forecast_answer(dates, w.future.to_numpy(), scales[w.series])
            examples.append(build_answer_example(tokenizer, prompt, answer))
        return examples

    result = fit_lora(model_dir, make_examples, output_dir, config.training, [w.series for w in windows], on_step)
    metadata = {
        **result.metadata,
        "kind": ADAPTER_KIND,
        "base_model": base_model or str(model_dir),
        "prompt_version": forecast_prompt_version(),
        "horizon": horizon,
        "context_days": config.context_days,
        "series": sorted(scales),
        "scales": scales,
        "forecaster": config.model_dump(exclude={"training"}),
    }
    write_metadata(result.adapter_dir, metadata)
    result.metadata = metadata
    return result


@dataclass
class ForecastBatch:
    """The LLM's forecasts of several series, and how many came back complete and well-dated."""

    forecasts: dict[str, Forecast]
    valid: int
    requested: int


class LLMForecaster:
    """Forecasts with an adapter (or the bare base model) on an engine, intervals from validation residuals.

    ``engine`` is any :class:`~mail2ticket.engines.base.Engine`; its tokenizer renders the
    prompts. Call :meth:`calibrate` with the histories before the forecast origin to get
    prediction intervals; without it the interval is the point forecast.
    """

    name = "llm_lora"

    def __init__(self, engine: Any, adapter: str | None, config: ForecasterConfig | None = None) -> None:
        self.engine = engine
        self.adapter = adapter
        self.config = config or ForecasterConfig()
        self._half_widths: dict[str, tuple[float, float]] = {}

    def _point_forecasts(self, histories: Mapping[str, pd.Series], horizon: int) -> tuple[dict[str, np.ndarray], int]:
        by_origin: dict[pd.Timestamp, list[str]] = {}
        for name, values in histories.items():
            by_origin.setdefault(values.index[-1], []).append(name)
        points: dict[str, np.ndarray] = {}
        valid = 0
        for origin, names in by_origin.items():
            dates = horizon_dates(origin, horizon)
            scales = {n: value_scale(histories[n].to_numpy()) for n in names}
            prompts = [
                render_prompt(
                    self.engine.tokenizer,
                    forecast_messages(n, histories[n].iloc[-self.config.context_days :], dates, scales[n]),
                )
                for n in names
            ]
            # A date key, its separators and up to four digits: under two dozen tokens a day.
            budget = 24 * horizon + 8
            answers = self.engine.extract(prompts, forecast_schema(dates), self.adapter, max_new_tokens=budget)
            for n, answer in zip(names, answers, strict=True):
                complete = list(answer) == dates and all(isinstance(answer[d], int) for d in dates)
                valid += complete and all(_is_calendar_date(d) for d in answer)
                points[n] = np.array([float(answer.get(d, np.nan)) * scales[n] for d in dates])
        return points, valid

    def calibrate(self, histories: Mapping[str, pd.Series], horizon: int) -> dict[str, tuple[float, float]]:
        """Interval offsets per series from forecasting the last ``horizon`` days of each history."""
        shortened = {n: v.iloc[:-horizon] for n, v in histories.items() if len(v) > horizon + 7}
        points, _ = self._point_forecasts(shortened, horizon)
        tail = (1 - self.config.interval_level) / 2
        for name, forecast in points.items():
            residuals = histories[name].iloc[-horizon:].to_numpy() - forecast
            residuals = residuals[np.isfinite(residuals)]
            if len(residuals):
                self._half_widths[name] = (float(np.quantile(residuals, tail)), float(np.quantile(residuals, 1 - tail)))
        return dict(self._half_widths)

    def forecast(self, histories: Mapping[str, pd.Series], horizon: int) -> ForecastBatch:
        """One forecast per series, ``horizon`` days after its last day."""
        points, valid = self._point_forecasts(histories, horizon)
        forecasts = {}
        for name, mean in points.items():
            low, high = self._half_widths.get(name, (0.0, 0.0))
            non_negative = bool((histories[name].to_numpy() >= 0).all())
            lower, upper = mean + low, mean + high
            if non_negative:
                mean, lower, upper = (np.clip(a, 0, None) for a in (mean, lower, upper))
            forecasts[name] = Forecast(
                model=self.name,
                dates=pd.DatetimeIndex(horizon_dates(histories[name].index[-1], horizon)),
                mean=mean,
                lower=lower,
                upper=upper,
                level=self.config.interval_level,
            )
        return ForecastBatch(forecasts, valid, len(points))


def _is_calendar_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


__all__ = [
    "ADAPTER_KIND",
    "FORECAST_PROMPT_VERSION",
    "ForecastBatch",
    "ForecasterConfig",
    "LLMForecaster",
    "Window",
    "forecast_answer",
    "forecast_messages",
    "forecast_prompt_version",
    "forecast_schema",
    "horizon_dates",
    "train_forecaster",
    "training_windows",
    "value_scale",
]
