"""``mail2ticket review``: migrate, export, purge, and one readable line (exit 2) on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect
from typer.testing import CliRunner

from mail2ticket.review import Decision, NewReviewItem, Reviewer, ReviewStore
from mail2ticket.testing import free_port
from review_app.cli import app, parse_since

REPO_ROOT = Path(__file__).resolve().parents[2]
SUPERVISION = "Incidents/Supervision"


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for name in list(os.environ):
        if name.startswith("MAIL2TICKET_"):
            monkeypatch.delenv(name)
    return CliRunner()


def test_migrate_export_purge(runner: CliRunner, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'queue.sqlite'}"
    result = runner.invoke(app, ["migrate", "--database-url", url])
    assert result.exit_code == 0, result.output
    store = ReviewStore(url)
    try:
        assert {"review_items", "review_audit", "alembic_version"} <= set(inspect(store.engine).get_table_names())
        for n in range(3):
            store.add(NewReviewItem(request_id=f"c{n}", email="Bonjour", first_email="Bonjour", category=SUPERVISION,
                                    confidence=0.3))  # fmt: skip
        store.decide("c0", Decision(action="confirm", version=1), Reviewer("alice", "reviewer"))
        store.decide("c1", Decision(action="out_of_scope", version=1), Reviewer("alice", "reviewer"))
    finally:
        store.close()
    assert runner.invoke(app, ["migrate", "--database-url", url]).exit_code == 0  # idempotent

    out = tmp_path / "export" / "feedback.jsonl"
    result = runner.invoke(app, ["export", str(out), "--database-url", url])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["rows"] == 2 and summary["decisions"] == {"confirmed": 1, "out_of_scope": 1}
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    assert (out.parent / "feedback.jsonl.provenance.json").exists()

    result = runner.invoke(
        app, ["export", str(tmp_path / "later.parquet"), "--database-url", url, "--since", "2999-01-01"]
    )
    assert result.exit_code == 0 and json.loads(result.stdout)["rows"] == 0

    result = runner.invoke(app, ["purge", "--database-url", url], env={"MAIL2TICKET_REVIEW_RETENTION_DAYS": "30"})
    assert result.exit_code == 0 and json.loads(result.stdout) == {"purged": 0, "retention_days": 30}


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["migrate", "--database-url", "nonsense"], {}, "review database"),
        (["export", "out.csv", "--database-url", "sqlite:///q.sqlite"], {}, ".jsonl or .parquet"),
        (["export", "out.jsonl", "--database-url", "sqlite:///q.sqlite", "--since", "hier"], {}, "--since"),
        (["purge", "--database-url", "sqlite:///q.sqlite"], {"MAIL2TICKET_REVIEW_RETENTION_DAYS": "beaucoup"},
         "retention_days"),
        (["purge", "--database-url", "postgresql+psycopg://u:pw@127.0.0.1:{port}/x"], {}, "does not answer"),
        (["serve", "--database-url", "sqlite:///q.sqlite", "--port", "{port}"], {}, "no token is configured"),
        (["serve", "--database-url", "sqlite:///q.sqlite", "--root-path", "review"], {}, "root_path"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict, says: str
) -> None:
    monkeypatch.chdir(tmp_path)
    port = str(free_port())
    result = runner.invoke(app, [a.replace("{port}", port) for a in args], env=env)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], result.stderr
    assert "pw@" not in lines[0]  # a URL's password never reaches the terminal


def test_the_console_script_and_a_real_error(tmp_path: Path) -> None:
    """The command group is plugged into ``mail2ticket``; a real failure shows no traceback."""
    executable = Path(sys.executable).parent / "mail2ticket"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAIL2TICKET_")}
    url = f"sqlite:///{tmp_path / 'queue.sqlite'}"
    # The installed command, as a user runs it: its metadata, not a stale *.egg-info of the checkout.
    installed = {k: v for k, v in env.items() if k != "PYTHONPATH"}
    done = subprocess.run([str(executable), "review", "migrate", "--database-url", url], env=installed, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout
    failed = subprocess.run([sys.executable, "-m", "review_app.cli", "export", "x.txt", "--database-url", url],
                            env={**env, "PYTHONPATH": str(REPO_ROOT)}, cwd=tmp_path, capture_output=True, text=True,
                            timeout=60)  # fmt: skip
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    assert failed.stderr.strip().count("\n") == 0 and failed.stderr.startswith("error: ")


def test_since_accepts_dates_times_and_spans() -> None:
    assert parse_since(None) is None
    assert parse_since("2025-03-01").isoformat() == "2025-03-01T00:00:00+00:00"
    assert parse_since("2025-03-01T08:00+01:00").utcoffset().total_seconds() == 3600
    assert parse_since("7d") < parse_since("12h") < parse_since("30m")
    with pytest.raises(ValueError, match="--since"):
        parse_since("la semaine dernière")
