"""Local TCP ports for the servers the demo and the tests start on 127.0.0.1 (MLflow, Ray Serve)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A TCP port nobody listens on right now (127.0.0.1)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_in_use(port: int) -> bool:
    """Whether something already accepts connections on ``127.0.0.1:port``."""
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


__all__ = ["free_port", "port_in_use"]
