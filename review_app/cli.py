"""``mail2ticket review``: run the reviewers' app, migrate its database, export and purge decisions.

Plugged into the ``mail2ticket`` command through the ``mail2ticket.commands`` entry point (so
the library never imports this app), and runnable alone as ``python -m review_app.cli``.
Every option that has a setting falls back to its environment variable (see
:mod:`review_app.settings`). Expected failures (a bad URL, an unreachable database, a bad
date) end with one readable line and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Annotated, Any, TypeVar

import typer

app = typer.Typer(
    help="The human review queue: the reviewers' web app and API, its database, the export of decisions.",
    no_args_is_help=True,
)

F = TypeVar("F", bound=Callable[..., Any])

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL of the queue (default: $MAIL2TICKET_REVIEW_DATABASE_URL, else a local SQLite file).",
        show_default=False,
    ),
]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def clear_errors(func: F) -> F:
    """The expected failures as one line on stderr and exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return func(*args, **kwargs)
        except SQLAlchemyError as exc:
            cause = getattr(exc, "orig", None) or exc
            message = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
            typer.secho(f"error: review database: {_one_line(message)}", err=True, fg=typer.colors.RED)
            raise typer.Exit(2) from None
        except (ValueError, OSError) as exc:
            typer.secho(f"error: {_one_line(str(exc)) or type(exc).__name__}", err=True, fg=typer.colors.RED)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def _settings(**overrides: Any) -> Any:
    from review_app.settings import ReviewSettings

    return ReviewSettings.from_env(**overrides)


def _open(url: str, migrate: bool, require: bool = True) -> Any:
    """A store on ``url``, migrated, or checked to answer when ``require`` (the app itself starts without it)."""
    from mail2ticket.review import ReviewStore

    store = ReviewStore(url)
    try:
        if migrate:
            store.migrate()
        elif require and not store.ping():
            raise ValueError(f"the review database {store.safe_url} does not answer")
    except BaseException:
        store.close()
        raise
    return store


def parse_since(value: str | None) -> datetime | None:
    """An ISO date or time (UTC when it has no offset), or a span back from now: 7d, 12h, 30m."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    units = {"d": "days", "h": "hours", "m": "minutes"}
    if text[-1:] in units and text[:-1].isdigit():
        return datetime.now(UTC) - timedelta(**{units[text[-1]]: int(text[:-1])})
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--since takes an ISO date or time (2025-03-01, 2025-03-01T08:00+01:00) or 7d/12h/30m, "
                         f"not {value!r}") from None  # fmt: skip
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@app.command()
@clear_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0 in a container).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8080,
    database_url: DatabaseUrl = None,
    root_path: Annotated[
        str | None,
        typer.Option(help="Path prefix behind the Ingress, e.g. /review (default: $MAIL2TICKET_REVIEW_ROOT_PATH)."),
    ] = None,
    migrate: Annotated[bool, typer.Option(help="Bring the schema up to date before serving.")] = True,
    log_level: Annotated[str, typer.Option(help="uvicorn's log level.")] = "info",
) -> None:
    """Serve the reviewers' pages and API (uvicorn), after migrating the database."""
    import uvicorn

    from review_app.app import create_app

    settings = _settings(database_url=database_url, root_path=root_path)
    # Without migration the app starts even while the database is down: /readyz says when it answers.
    store = _open(settings.database_url, migrate, require=False)
    application = create_app(settings, store)
    typer.echo(f"review app on http://{host}:{port}{settings.root_path}/ (queue: {store.safe_url})", err=True)
    # No --root-path for uvicorn: the app handles its prefix whether or not the Ingress strips it.
    uvicorn.run(application, host=host, port=port, log_level=log_level, proxy_headers=True)


@app.command("migrate")
@clear_errors
def migrate_command(database_url: DatabaseUrl = None) -> None:
    """Create or upgrade the queue's tables (idempotent; the Helm chart runs it before each release)."""
    settings = _settings(database_url=database_url)
    store = _open(settings.database_url, migrate=True)
    typer.echo(f"review database {store.safe_url} is up to date")
    store.close()


@app.command()
@clear_errors
def export(
    out: Annotated[str, typer.Argument(help="File to write: .jsonl or .parquet, a local path or an s3:// URI.")],
    database_url: DatabaseUrl = None,
    since: Annotated[
        str | None, typer.Option(help="Only decisions from then on: an ISO date/time (UTC if no offset), or 7d.")
    ] = None,
) -> None:
    """Write the decided items as a training dataset, with a provenance sidecar; prints the summary."""
    from mail2ticket.review import export_decisions

    moment = parse_since(since)
    settings = _settings(database_url=database_url)
    store = _open(settings.database_url, migrate=False)
    try:
        summary = export_decisions(store, out, moment)
    finally:
        store.close()
    typer.echo(json.dumps(asdict(summary), ensure_ascii=False))


@app.command()
@clear_errors
def purge(
    database_url: DatabaseUrl = None,
    retention_days: Annotated[
        int | None,
        typer.Option(
            min=1, help="Keep decided e-mails this many days (default: $MAIL2TICKET_REVIEW_RETENTION_DAYS, 90)."
        ),
    ] = None,
) -> None:
    """Erase the e-mail text of items decided longer ago than the retention period."""
    settings = _settings(database_url=database_url, retention_days=retention_days)
    store = _open(settings.database_url, migrate=False)
    try:
        purged = store.purge(timedelta(days=settings.retention_days))
    finally:
        store.close()
    typer.echo(json.dumps({"purged": purged, "retention_days": settings.retention_days}))


if __name__ == "__main__":  # pragma: no cover
    app()
