"""Where served classification spends its time: the engine alone against the Engine in Serve.

``bench/serve_throughput.py`` leaves its test e-mails, its adapter and the server's audit log
under ``--out``. This script classifies the same e-mails with ``TransformersEngine`` in this
process (2 torch threads, every core of the machine, and serving/config.yaml's dtype), one at a
time and in calls of ``--batch``, and reads from the audit log how busy the served Engine
replicas were (the sum of each batch's ``engine_classify`` time) and what they spent per
e-mail, each on its own thread, and all replicas together. The ratio of the engine alone's
per-e-mail cost to the replicas' together is what the Serve graph's other processes take from
the engine on the same cores; the engine alone is the ceiling of any served throughput here.

The adapter is the one that run measured (in its results.json): trained there, or its ``--adapter``.

    .venv/bin/python bench/engine_alone.py [--out bench/output/serve_throughput] [--emails 24] [--batch 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve_throughput import BASE_MODEL, REPO, TAXONOMY, classification_prompts, served_dtype_setting


def served_engine(audit: Path, emails: int) -> dict[str, float]:
    """Busy share and per-e-mail Engine time over the last ``emails`` decisions of the audit log."""
    lines = [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines() if line.strip()]
    decisions = [line for line in lines if line.get("event") == "decision"][-emails:]
    busy = sum(d["timings_ms"]["engine_classify"] / d["engine_batch"] for d in decisions) / 1000
    times = [datetime.fromisoformat(d["time"].replace("Z", "+00:00")).timestamp() for d in decisions]
    replicas = shipped_engine_replicas()
    return {
        "emails": len(decisions),
        "engine_replicas": replicas,
        "engine_busy_s": round(busy, 1),
        "wall_s": round(max(times) - min(times), 1),
        "engine_ms_per_email": round(1000 * busy / len(decisions)),
        "engine_ms_per_email_all_replicas": round(1000 * busy / len(decisions) / replicas),
        "chars_mean": round(statistics.fmean(d["email"]["chars"] for d in decisions)),
    }


def shipped_engine_replicas() -> int:
    """How many Engine replicas serve_throughput's servers ran at once (serving/config.yaml's)."""
    from serving.local import application

    engine = next(d for d in application()["deployments"] if d["name"] == "Engine")
    return int(engine.get("num_replicas", 1))


def measured_adapter(out: Path) -> Path:
    """The adapter the served run measured: its ``--adapter`` (in results.json), else the one it trained."""
    results = out / "results.json"
    if results.is_file():
        return Path(json.loads(results.read_text(encoding="utf-8"))["adapter"])
    return out / "adapter"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "output" / "serve_throughput")
    parser.add_argument("--emails", type=int, default=24, help="Test e-mails classified here.")
    parser.add_argument("--batch", type=int, default=3, help="E-mails per call in the batched pass.")
    parser.add_argument("--served-emails", type=int, default=48, help="Audit lines of the measured served run.")
    parser.add_argument("--dtype", default=served_dtype_setting(), help="Engine type (default: the served one).")
    args = parser.parse_args(argv)

    import torch

    from mail2ticket.data.records import read_labelled_jsonl
    from mail2ticket.engines import make_engine
    from mail2ticket.registry.adapters import read_metadata

    adapter = measured_adapter(args.out)
    records = read_labelled_jsonl(args.out / "prepared" / "test.jsonl")[: args.emails]
    torch.set_num_threads(2)
    engine = make_engine("transformers", BASE_MODEL, dtype=args.dtype)
    style = read_metadata(adapter).get("prompt_style", "full")
    prompts = classification_prompts(engine, [r["email"] for r in records], style)
    labels = TAXONOMY.labels_with_unknown
    engine.classify(prompts[:2], labels, str(adapter))  # adapter loaded, instructions cached

    started = time.perf_counter()
    for prompt in prompts:
        engine.classify([prompt], labels, str(adapter))
    alone = (time.perf_counter() - started) / len(prompts)
    started = time.perf_counter()
    for i in range(0, len(prompts), args.batch):
        engine.classify(prompts[i : i + args.batch], labels, str(adapter))
    batched = (time.perf_counter() - started) / len(prompts)

    result: dict[str, object] = {
        "dtype": engine.dtype,
        "alone_ms_per_email": round(1000 * alone),
        f"calls_of_{args.batch}_ms_per_email": round(1000 * batched),
        "chars_mean": round(statistics.fmean(len(r["email"]) for r in records)),
        # The served Engine batches concurrent requests: its ceiling is the faster of the two.
        "ceiling_emails_per_s": round(1 / min(alone, batched), 2),
    }
    audit = args.out / "audit.jsonl"
    if audit.is_file():
        result["served"] = served_engine(audit, args.served_emails)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
