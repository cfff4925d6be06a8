"""Benchmark: data preparation of a paper-scale export (175,813 rows, 29,376 tickets).

Target: at most 60 s wall and 4 GiB peak RSS on the 2-core machine.

Each measured run happens in a fresh child process so its peak RSS is its own. The baseline,
run in the same invocation on the same file, is the least any preparation must do: pandas
reads the CSV (C engine, bad lines skipped) and keeps the first row per ticket. The ratio
"full preparation / baseline" is stable across machines of different speeds.

Usage: python bench/prepare_paper_scale.py [--format csv|parquet] [--seed 0] [--keep]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import in_child, peak_rss_bytes  # noqa: E402


def _run_prepare(export: str, truth: str, out_dir: str, queue: mp.Queue) -> None:
    from mail2ticket.data.prepare import prepare_dataset

    started = time.perf_counter()
    result = prepare_dataset(export, out_dir, ground_truth_uri=truth)
    wall = time.perf_counter() - started
    peak = peak_rss_bytes()
    queue.put({"wall_s": wall, "peak_rss": peak, "steps": result.card["steps"]})


def _run_baseline(export: str, fmt: str, queue: mp.Queue) -> None:
    import pandas as pd

    started = time.perf_counter()
    if fmt == "parquet":
        frame = pd.read_parquet(export)
    else:
        frame = pd.read_csv(export, sep=";", dtype=str, on_bad_lines="skip", engine="c")
    frame = frame.dropna().drop_duplicates(subset="Numéro de ticket", keep="first")
    wall = time.perf_counter() - started
    peak = peak_rss_bytes()
    queue.put({"wall_s": wall, "peak_rss": peak, "tickets": len(frame)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=None, help="Keep files here (default: a temp dir).")
    args = parser.parse_args()

    from mail2ticket.data.corpus import CorpusConfig, generate

    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or Path(tmp)
        export = work / f"paper.{args.format}"
        started = time.perf_counter()
        summary = generate(CorpusConfig.paper(args.seed), export, args.format)
        generation = time.perf_counter() - started
        size_mb = export.stat().st_size / 1e6
        print(f"generated {summary.rows:,} rows / {summary.tickets:,} tickets ({size_mb:.0f} MB) in {generation:.1f}s")

        ours = in_child(_run_prepare, str(export), str(summary.truth), str(work / "prepared"))
        baseline = in_child(_run_baseline, str(export), args.format)

    rows = ours["steps"][0]["rows"]
    gib = 1024**3
    figures = {
        "format": args.format,
        "rows": rows,
        "steps": {s["step"]: s["rows"] for s in ours["steps"]},
        "prepare_wall_s": round(ours["wall_s"], 2),
        "prepare_rows_per_s": round(rows / ours["wall_s"]),
        "prepare_peak_rss_gib": round(ours["peak_rss"] / gib, 2),
        "baseline_wall_s": round(baseline["wall_s"], 2),
        "baseline_peak_rss_gib": round(baseline["peak_rss"] / gib, 2),
        "ratio_wall_prepare_over_baseline": round(ours["wall_s"] / baseline["wall_s"], 2),
        "generation_wall_s": round(generation, 1),
    }
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    within = ours["wall_s"] <= 60 and ours["peak_rss"] <= 4 * gib
    print(
        f"prepare: {figures['prepare_wall_s']} s, {figures['prepare_rows_per_s']:,} rows/s, "
        f"peak RSS {figures['prepare_peak_rss_gib']} GiB (target ≤ 60 s, ≤ 4 GiB: {'met' if within else 'MISSED'}); "
        f"{figures['ratio_wall_prepare_over_baseline']}× the pandas read+dedup baseline"
    )


if __name__ == "__main__":
    main()
