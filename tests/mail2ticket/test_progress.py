"""Progress lines: printed as the work goes when nobody watches a terminal, with rate and time left."""

from __future__ import annotations

import io

from mail2ticket.progress import MARKER, Progress


def test_plain_lines_at_most_every_interval_and_at_the_end() -> None:
    stream = io.StringIO()
    with Progress(
        "training", total=4, unit="steps", items_per_unit=8, item="examples", every_s=0.0, stream=stream
    ) as progress:
        for loss in (0.9, 0.7, 0.6, 0.5):
            progress.advance(loss=loss)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 4 and all(line.startswith(f"{MARKER} training: ") for line in lines)
    assert lines[0].startswith(f"{MARKER} training: 1/4 steps, loss 0.9000, ") and "left" in lines[0]
    assert "4/4 steps, loss 0.5000" in lines[-1] and "done in" in lines[-1] and "examples/s" in lines[-1]


def test_a_long_interval_prints_the_end_only() -> None:
    stream = io.StringIO()
    with Progress("evaluating (constrained)", total=100, every_s=3600, stream=stream) as progress:
        for _ in range(10):
            progress.advance(10)
    assert stream.getvalue().count("\n") == 1 and "100/100 e-mails" in stream.getvalue()


def test_a_loop_that_stops_early_still_says_where_it_stopped() -> None:
    stream = io.StringIO()
    with Progress("extracting", total=10, every_s=3600, stream=stream) as progress:
        progress.advance(3)
    assert stream.getvalue().strip().startswith(f"{MARKER} extracting: 3/10 e-mails")
