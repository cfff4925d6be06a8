"""The local runner's log: everything to a file, where the run stands to the caller as it happens."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from pipelines.local import logged_to, status_line

CHILD = """
import time
from mail2ticket.progress import Progress
with Progress("training", total=3, unit="steps", every_s=0.0) as progress:
    for step in range(3):
        print('{"executor_output": "noise"}')
        progress.advance(loss=1.0 / (step + 1))
        time.sleep(0.4)
"""


def test_status_lines_arrive_while_the_task_runs_and_the_log_keeps_everything(tmp_path: Path) -> None:
    seen: list[tuple[float, str]] = []
    log = tmp_path / "pipeline.log"
    with logged_to(log, lambda status: seen.append((time.monotonic(), status)), poll_s=0.05):
        print("kfp noise from this process")
        # As kfp.local runs a task: a subprocess whose output is piped and printed line by line.
        with subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True) as child:
            for line in child.stdout:  # type: ignore[union-attr]
                print(line, end="")
        finished = time.monotonic()
    statuses = [status for _, status in seen]
    assert statuses[0].startswith("training: 1/3 steps, loss 1.0000")
    assert statuses[-1].startswith("training: 3/3 steps") and len(statuses) == 3
    assert seen[0][0] < finished - 0.5, "the first line must arrive while the task still runs, not at its end"
    text = log.read_text(encoding="utf-8")
    assert "kfp noise from this process" in text and text.count("executor_output") == 3


def test_only_task_boundaries_and_progress_are_status() -> None:
    assert status_line("\x1b[1mINFO - Executing task \x1b[96m'prepare-data'\x1b[0m") == "task prepare-data: started"
    assert status_line("Task 'promote-adapter' finished with status \x1b[91mFAILURE\x1b[0m") == (
        "task promote-adapter: failure"
    )
    assert status_line('    {"inputs": {"parameterValues": {}}}') is None
