"""Benchmark: ``mail2ticket drift`` on 100,000 audit lines, against a bare ``json.loads`` loop.

The audit log is written by the serving code's own writer (:class:`serving.audit.AuditLog`, one
line per decision as the Gateway writes it: models, timings, e-mail hashes), a week of
decisions over the taxonomy's categories with a few torn lines and reload events among them.
The drift check (:func:`mail2ticket.ops.drift.run_drift`: read the window, the dataset card and
the reference predictions, every statistic) and its outputs (JSON and PNG) are timed; the
baseline, run in the same process on the same file, only decodes each line with
:func:`json.loads` and counts them: the least any reader of the log does, so the ratio says
what the drift check costs on top of it, whatever the machine's speed. Target: under 10 s.

Usage: python bench/drift.py [--lines 100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mail2ticket.ops.drift import DriftConfig, read_audit, run_drift, write_outputs
from mail2ticket.taxonomy import UNKNOWN, load_taxonomy
from serving.audit import AuditLog

END = datetime(2026, 3, 9, tzinfo=UTC)
DAYS = 7


def write_audit(path: Path, lines: int, seed: int = 0) -> dict[str, int]:
    """``lines`` audit lines over the week before END, through the serving writer; returns what went in."""
    rng = random.Random(seed)
    labels = load_taxonomy().labels_with_unknown
    weights = [rng.uniform(0.5, 3.0) if label != UNKNOWN else 1.0 for label in labels]
    step = DAYS * 86400 / lines
    start = END - timedelta(days=DAYS)
    log = AuditLog(path)
    written = {"decisions": 0, "malformed": 0, "reloads": 0}
    try:
        for i in range(lines):
            moment = (start + timedelta(seconds=i * step)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            if i % 997 == 500:  # a torn line, as a writer killed mid-write leaves
                with open(path, "a", encoding="utf-8") as handle:
                    handle.write('{"time":"' + moment + '","event":"decision","category":"Inci\n')
                written["malformed"] += 1
                continue
            if i % 5000 == 4999:
                log.write({"time": moment, "event": "reload", "changed": True, "caller": "ops"})
                written["reloads"] += 1
                continue
            category = rng.choices(labels, weights)[0]
            confidence = round(rng.betavariate(5, 1.5), 6)
            log.write(
                {
                    "time": moment, "event": "decision", "request_id": f"{i:032x}", "endpoint": "tickets",
                    "caller": "tok-3f9a", "category": category, "confidence": confidence,
                    "needs_review": category == UNKNOWN or confidence < 0.7, "review_threshold": 0.7,
                    "models": {"engine": "vllm", "dtype": "bfloat16", "base_model": "s3://m/qwen2.5-14b",
                               "taxonomy_version": "1.4.0",
                               "classifier": {"serving": "champion", "registered_model": "mail2ticket-classifier",
                                              "alias": "champion", "version": "7", "run_id": "9" * 32,
                                              "adapter": "models:/mail2ticket-classifier/7", "mode": "cascade",
                                              "answered_by": rng.choice(["classical", "llm"])},
                               "extractor": {"agent": "backup", "adapter": None, "answered_by": "model"}},
                    "timings_ms": {"first_email": 0.4, "classify": 41.2, "engine_classify": 38.0, "extract": 310.5,
                                   "engine_extract": 300.1, "total": 352.9},
                    "engine_batch": rng.randint(1, 8), "engine_replica": "Engine#a1b2",
                    "email": log.text(f"e-mail {i}"), "first_email": log.text(f"first {i}"),
                    "subject": log.text("Objet"), "sender": None, "received_at": None, "fields": ["date", "host"],
                }
            )  # fmt: skip
            written["decisions"] += 1
    finally:
        log.close()
    return written


def write_reference(folder: Path, seed: int = 1) -> tuple[Path, Path]:
    """A dataset card over the taxonomy and an evaluation's predictions.csv (2,000 test e-mails)."""
    rng = random.Random(seed)
    labels = load_taxonomy().labels_with_unknown
    classes = [{"category": label, "train": rng.randint(80, 900), "validation": 20, "test": 60} for label in labels]
    card = folder / "dataset_card.json"
    card.write_text(json.dumps({"classes": classes, "unknown_label": UNKNOWN}), encoding="utf-8")
    predictions = folder / "predictions.csv"
    with predictions.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ticket_id", "category", "predicted", "confidence", "raw", "answered_by", "needs_review"])
        for i in range(2000):
            confidence = round(rng.betavariate(5, 1.5), 6)
            writer.writerow([i, labels[i % len(labels)], labels[i % len(labels)], confidence, "", "llm",
                             confidence < 0.7])  # fmt: skip
    return card, predictions


def baseline(path: Path) -> tuple[float, int]:
    """Seconds to decode every line with json.loads, and the lines decoded."""
    loads, decoded = json.loads, 0
    started = time.perf_counter()
    with open(path, "rb") as handle:
        for raw in handle:
            try:
                loads(raw)
                decoded += 1
            except ValueError:
                pass
    return time.perf_counter() - started, decoded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3, help="alternating drift / baseline rounds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-drift-") as scratch:
        folder = Path(scratch)
        log = folder / "audit.jsonl"
        started = time.perf_counter()
        written = write_audit(log, args.lines)
        took = time.perf_counter() - started
        print(f"wrote {args.lines:,} lines ({log.stat().st_size / 1e6:.1f} MB: {written['decisions']:,} decisions, "
              f"{written['malformed']} torn lines, {written['reloads']} reloads) in {took:.1f} s")  # fmt: skip
        card, predictions = write_reference(folder)
        config = DriftConfig(since=END - timedelta(days=DAYS), until=END)
        reading, checks, outputs, bases = [], [], [], []
        for round_ in range(args.rounds):  # alternated, so the machine's drift falls on both
            began = time.perf_counter()
            window = read_audit(log, config.since, config.until)
            reading.append(time.perf_counter() - began)
            began = time.perf_counter()
            report = run_drift(log, config, card=card, reference_predictions=predictions)
            checks.append(time.perf_counter() - began)
            began = time.perf_counter()
            write_outputs(report, folder / f"out-{round_}")
            outputs.append(time.perf_counter() - began)
            seconds, decoded = baseline(log)
            bases.append(seconds)
        began = time.perf_counter()  # the last day only: the six days before it are skipped undecoded
        last_day = run_drift(log, DriftConfig(since=END - timedelta(days=1), until=END), card=card,
                             reference_predictions=predictions)  # fmt: skip
        day_s = time.perf_counter() - began
        assert window.decisions == report.audit["decisions"] == written["decisions"], report.audit
        assert report.audit["malformed"] == written["malformed"] and decoded == args.lines - written["malformed"]
        read_s, check_s, out_s, base_s = (statistics.median(x) for x in (reading, checks, outputs, bases))
        total = check_s + out_s
        print(f"read_audit alone: {read_s:.2f} s ({args.lines / read_s:,.0f} lines/s)")
        print(f"drift check (read + card + predictions + statistics): {check_s:.2f} s "
              f"({args.lines / check_s:,.0f} lines/s; rounds: {', '.join(f'{x:.2f}' for x in checks)})")  # fmt: skip
        print(f"outputs (JSON + PNG): {out_s:.2f} s")
        print(f"drift check + outputs: {total:.2f} s (target: under 10 s)")
        print(f"baseline (json.loads per line, counted): {base_s:.2f} s ({args.lines / base_s:,.0f} lines/s)")
        print(f"ratio drift check / baseline: {check_s / base_s:.2f}x")
        print(f"last-day window of the same log ({last_day.audit['decisions']:,} decisions, "
              f"{last_day.audit['outside_window']:,} lines outside it skipped undecoded): {day_s:.2f} s")  # fmt: skip
        print(f"report: {report.summary()}; category PSI {report.category_psi:.4f}, "
              f"confidence PSI {report.confidence.psi:.4f}")  # fmt: skip
        print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
