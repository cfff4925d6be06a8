"""Real servers on 127.0.0.1 that ``make demo``, the benchmarks and the tests start and stop by PID.

- :mod:`.mlflow_server`: an MLflow tracking server (sqlite, local artifacts, no job runner);
- :mod:`.ports`: free local ports.
"""

from mail2ticket.testing.mlflow_server import LocalMlflowServer, stop_process_group, stop_recorded_server
from mail2ticket.testing.ports import free_port, port_in_use

__all__ = ["LocalMlflowServer", "free_port", "port_in_use", "stop_process_group", "stop_recorded_server"]
