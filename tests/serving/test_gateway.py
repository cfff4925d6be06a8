"""How the Gateway turns downstream failures into answers (no Serve app needed)."""

from __future__ import annotations

from ray.exceptions import RayActorError
from ray.serve.exceptions import BackPressureError

from serving.gateway import ApiError, unavailable_error


def test_a_full_agent_queue_is_503_overloaded_with_the_larger_retry_after() -> None:
    error = unavailable_error(BackPressureError(5, 4, retry_after_s=2.5), retry_after_s=1)
    assert isinstance(error, ApiError)
    assert (error.status, error.code, error.headers) == (503, "overloaded", {"Retry-After": "3"})
    assert unavailable_error(BackPressureError(5, 4), retry_after_s=2).headers == {"Retry-After": "2"}


def test_a_restarting_replica_is_503_unavailable() -> None:
    error = unavailable_error(RayActorError(), retry_after_s=1)
    assert (error.status, error.code, error.headers["Retry-After"]) == (503, "unavailable", "1")


def test_anything_else_is_a_503_that_names_no_internals() -> None:
    error = unavailable_error(KeyError("secret internals"), retry_after_s=1, code="audit_unavailable")
    assert (error.status, error.code) == (503, "audit_unavailable")
    assert "secret" not in error.message
