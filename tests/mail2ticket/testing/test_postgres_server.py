"""The local PostgreSQL server: a real cluster that serves SQLAlchemy, stops by PID and comes back with its data."""

from __future__ import annotations

import os
import pwd
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from mail2ticket.testing import LocalPostgresServer, port_in_use


@pytest.fixture
def server_root() -> Iterator[Path]:
    """A folder the ``postgres`` account can reach when we are root (pytest's tmp_path is 0700)."""
    with tempfile.TemporaryDirectory(prefix="mail2ticket-postgres-test-") as root:
        yield Path(root)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_server_stops_and_starts_again_on_the_same_data(server_root: Path) -> None:
    server = LocalPostgresServer(server_root)
    with server:
        assert server.url.startswith(f"postgresql+psycopg://{server.user}:")
        assert server.url.endswith(f"@127.0.0.1:{server.port}/{server.database}")
        engine = sa.create_engine(server.url)
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE items (id serial PRIMARY KEY, subject text NOT NULL)"))
            connection.execute(sa.text("INSERT INTO items (subject) VALUES ('printer on fire')"))
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT subject FROM items")).scalars().all() == ["printer on fire"]
        engine.dispose()

        assert server.process is not None
        pid = server.process.pid
        assert int(server.pid_file.read_text(encoding="utf-8")) == pid
        server.stop()
        assert not _pid_alive(pid)
        assert not server.pid_file.exists()
        assert not port_in_use(server.port)
        with pytest.raises(sa.exc.OperationalError):
            sa.create_engine(server.url).connect()

        port = server.port
        server.start()
        assert server.port == port, "the same port again: URLs handed out before the outage still work"
        assert server.process.pid != pid
        engine = sa.create_engine(server.url)
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT subject FROM items")).scalars().all() == ["printer on fire"]
        engine.dispose()
    assert not server.running
    assert not server.pid_file.exists()


def test_the_cluster_listens_on_loopback_only_with_a_password(server_root: Path) -> None:
    with LocalPostgresServer(server_root) as server:
        with psycopg.connect(host="127.0.0.1", port=server.port, user=server.user, password=server.password,
                             dbname=server.database) as connection:  # fmt: skip
            query = (
                "SELECT name, setting FROM pg_settings WHERE name IN ('listen_addresses', 'unix_socket_directories')"
            )
            settings = dict(connection.execute(query).fetchall())
        assert settings == {"listen_addresses": "127.0.0.1", "unix_socket_directories": ""}
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(host="127.0.0.1", port=server.port, user=server.user, password="wrong",
                            dbname=server.database)  # fmt: skip


def test_databases_are_created_and_dropped(postgres_server: LocalPostgresServer, postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar() == 0
    engine.dispose()
    name = postgres_url.rsplit("/", 1)[1]
    assert name != postgres_server.database

    other = postgres_server.create_database("scratch_for_drop")
    with sa.create_engine(other).connect():
        postgres_server.drop_database("scratch_for_drop")  # even with a session still connected
    with pytest.raises(sa.exc.OperationalError, match="does not exist"):
        sa.create_engine(other).connect()


def test_the_server_never_runs_as_root(server_root: Path, tmp_path: Path) -> None:
    expected_uid = pwd.getpwnam("postgres").pw_uid if os.geteuid() == 0 else os.geteuid()
    with LocalPostgresServer(server_root) as server:
        assert server.process is not None
        status = Path(f"/proc/{server.process.pid}/status").read_text(encoding="utf-8")
        real, effective = (int(uid) for uid in re.search(r"^Uid:\s+(\d+)\s+(\d+)", status, re.M).groups())
        assert real == effective == expected_uid
        assert server.data_dir.stat().st_uid == expected_uid
    if os.geteuid() == 0:
        with pytest.raises(PermissionError, match="cannot enter"):
            LocalPostgresServer(tmp_path / "cluster").start()
        assert not (tmp_path / "cluster").exists()
