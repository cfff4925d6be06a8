"""The chart embeds the serve config and the compiled pipeline: its copies must equal the sources.

A failure here means serving/config.yaml or a pipeline in pipelines/compiled/ changed:
run `make chart-sync` and review the chart's overrides (templates/_helpers.tpl) still apply.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helm.chart import CHART, REPO_ROOT

COPIES = [
    (REPO_ROOT / "serving" / "config.yaml", CHART / "files" / "serve-config.yaml"),
    *(
        (REPO_ROOT / "pipelines" / "compiled" / name, CHART / "files" / name)
        for name in ("ticket_classifier.yaml", "forecast.yaml", "drift.yaml")
    ),
]


@pytest.mark.parametrize(("source", "copy"), COPIES, ids=[c[1].name for c in COPIES])
def test_chart_copy_equals_its_source(source: Path, copy: Path) -> None:
    assert copy.read_bytes() == source.read_bytes(), (
        f"{copy.relative_to(REPO_ROOT)} differs from {source.relative_to(REPO_ROOT)}: run `make chart-sync`"
    )
