"""Real servers on 127.0.0.1 that ``make demo``, the benchmarks and the tests start and stop by PID.

- :mod:`.mlflow_server`: an MLflow tracking server (sqlite, local artifacts, no job runner);
- :mod:`.postgres_server`: a PostgreSQL server on a private cluster (Debian's binaries), which
  can be stopped and started again on the same data;
- :mod:`.ports`: free local ports;
- :mod:`.processes`: a child server in its own process group, waited for over HTTP.
"""

from mail2ticket.testing.mlflow_server import LocalMlflowServer, stop_process_group, stop_recorded_server
from mail2ticket.testing.ports import free_port, port_in_use
from mail2ticket.testing.postgres_server import LocalPostgresServer, find_postgres_bindir

__all__ = [
    "LocalMlflowServer",
    "LocalPostgresServer",
    "find_postgres_bindir",
    "free_port",
    "port_in_use",
    "stop_process_group",
    "stop_recorded_server",
]
