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


def test_the_ingress_uses_only_names_defined_before_it() -> None:
    """``@serve.ingress`` serialises the class when the module is still half-executed.

    A module-level name the Gateway's methods use but that is defined below the class is
    missing in the replica: the request fails with a NameError (a 500). That is how the 503
    answers broke once; this keeps every such helper above the class.
    """
    import ast
    import inspect

    import serving.gateway as module

    tree = ast.parse(inspect.getsource(module))
    gateway = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Gateway")
    later = {
        target.id if isinstance(target, ast.Name) else target.name
        for node in tree.body
        if node.lineno > gateway.lineno
        for target in ([node] if isinstance(node, ast.FunctionDef | ast.ClassDef) else getattr(node, "targets", []))
        if isinstance(target, ast.Name | ast.FunctionDef | ast.ClassDef)
    }
    used = {n.id for n in ast.walk(gateway) if isinstance(n, ast.Name)}
    assert not used & later, f"defined after Gateway but used in it: {sorted(used & later)}"
