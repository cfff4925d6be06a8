"""The HTTP edge: how downstream failures become answers, body parsing, deadlines (no Serve app needed)."""

from __future__ import annotations

import pytest
from ray.exceptions import RayActorError
from ray.serve.exceptions import BackPressureError

from serving.http import ApiError, deadline_of, parse_body, unavailable_error
from serving.schemas import TicketRequest


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


def test_each_way_of_getting_the_body_wrong_has_its_code() -> None:
    cases = {
        b"": (400, "empty_body"),
        b"\xff\xfe": (400, "invalid_encoding"),
        b"{not json": (400, "invalid_json"),
        b"[1, 2]": (422, "not_an_object"),
        b'{"email": "   "}': (422, "empty_email"),
        b'{"email": "x", "mail": "y"}': (422, "validation_error"),
        b'{"email": 12}': (422, "validation_error"),
    }
    for body, expected in cases.items():
        with pytest.raises(ApiError) as caught:
            parse_body(body, TicketRequest)
        assert (caught.value.status, caught.value.code) == expected, body
    assert parse_body('\ufeff{"email": "Bonjour"}'.encode(), TicketRequest).email == "Bonjour"


def test_a_caller_may_shorten_the_deadline_never_extend_it() -> None:
    from fastapi import Request

    def request(headers: dict[str, str]) -> Request:
        return Request({"type": "http", "headers": [(k.encode(), v.encode()) for k, v in headers.items()]})

    assert deadline_of(request({}), 30.0) == 30.0
    assert deadline_of(request({"x-request-timeout": "5"}), 30.0) == 5.0
    assert deadline_of(request({"x-request-timeout": "300"}), 30.0) == 30.0
    for bad in ("0", "-1", "soon", "inf", "nan"):
        with pytest.raises(ApiError, match="X-Request-Timeout"):
            deadline_of(request({"x-request-timeout": bad}), 30.0)
