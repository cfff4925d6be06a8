"""What the command writes and prints: ``drift_report.json`` and ``drift.png``, the Rich tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mail2ticket.ops.drift.plots import _short, plot_drift
from mail2ticket.ops.drift.report import DriftReport, _fmt


def write_outputs(report: DriftReport, out_dir: str | Path) -> dict[str, Path]:
    """``drift_report.json`` and ``drift.png`` in ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    report_path = out / "drift_report.json"
    report_path.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    return {"report": report_path, "plot": plot_drift(report, out / "drift.png")}


def render_tables(report: DriftReport, top: int = 15) -> list[Any]:
    """Rich tables: the checks, then the categories with the largest PSI terms."""
    from rich.table import Table

    checks = Table(title=report.summary(), title_justify="left")
    for column in ("check", "value", "threshold", "status", "note"):
        checks.add_column(column, justify="right" if column in ("value", "threshold") else "left")
    colour = {"pass": "green", "drift": "bold red", "skipped": "yellow"}
    for check in report.checks:
        checks.add_row(check.name, _fmt(check.value), _fmt(check.threshold),
                       f"[{colour[check.status]}]{check.status}[/]", check.note)  # fmt: skip
    categories = Table(title="category mix (largest PSI terms)", title_justify="left")
    for column in ("category", "train", "train share", "served", "served share", "PSI term"):
        categories.add_column(column, justify="left" if column == "category" else "right")
    for row in sorted(report.categories, key=lambda r: -r.psi_term)[:top]:
        categories.add_row(_short(row.category, 60), f"{row.train:,}", f"{row.train_share:.1%}", f"{row.served:,}",
                           f"{row.served_share:.1%}", f"{row.psi_term:.4f}")  # fmt: skip
    return [checks, categories]


__all__ = [
    "render_tables",
    "write_outputs",
]
