"""Times and the window of a drift check (:mod:`mail2ticket.ops.drift.config`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mail2ticket.ops.drift import DriftConfig, DriftError, parse_time
from tests.mail2ticket.ops.drift.samples import T0


def test_parse_time_and_window() -> None:
    assert parse_time("2026-03-02") == datetime(2026, 3, 2, tzinfo=UTC)
    assert parse_time("2026-03-02T09:00+01:00") == datetime(2026, 3, 2, 8, tzinfo=UTC)
    with pytest.raises(DriftError, match="ISO 8601"):
        parse_time("last week")
    since, until = DriftConfig(window_days=2).window(now=T0)
    assert (since, until) == (T0 - timedelta(days=2), T0)
    with pytest.raises(ValueError, match="at or after its end"):
        DriftConfig(since=T0, until=T0)
