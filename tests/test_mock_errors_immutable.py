"""Issue 14 pt 5: errors are immutable and raised fresh, never a shared instance mutated."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest
from starlette.testclient import TestClient

from mock_server.apis.glue import envelope as glue
from mock_server.apis.sendcloud import envelope as sendcloud
from mock_server.app import create_app
from mock_server.errors import ApiError, error_type

REUSABLE = [
    value
    for module in (glue, sendcloud)
    for value in vars(module).values()
    if isinstance(value, type) and issubclass(value, ApiError) and value is not ApiError
]


def test_no_module_level_error_instance() -> None:
    for module in (glue, sendcloud):
        instances = [n for n, v in vars(module).items() if isinstance(v, ApiError)]
        assert not instances, (module.__name__, instances)
    assert len(REUSABLE) >= 10


@pytest.mark.parametrize("kind", REUSABLE, ids=lambda k: f"{k.status}-{k.code}-{k.detail[:20]}")
def test_each_raise_is_a_fresh_immutable_instance(kind: type[ApiError]) -> None:
    caught = []
    for _ in range(2):
        try:
            raise kind
        except ApiError as error:
            caught.append(error)
    first, second = caught
    assert first is not second
    assert (first.status, first.detail, first.code) == (kind.status, kind.detail, kind.code)
    with pytest.raises(FrozenInstanceError):
        first.status = 200  # type: ignore[misc]
    with pytest.raises(TypeError):
        first.headers["X-Leak"] = "1"  # type: ignore[index]
    # the exception machinery's own attributes stay writable (Starlette clears __traceback__)
    first.__traceback__ = None
    first.add_note("fine")


def test_with_headers_builds_a_new_error() -> None:
    kind = error_type(405, "Method Not Allowed")
    error = kind()
    allowed = error.with_headers({"Allow": "GET"})
    assert allowed is not error and dict(allowed.headers) == {"Allow": "GET"}
    assert dict(error.headers) == {} and dict(kind().headers) == {}


def test_a_405_leaves_no_allow_header_behind() -> None:
    """The 405 path used to add ``Allow`` to the error in place."""
    client = TestClient(create_app())
    # Sendcloud answers a wrong method 405 with Allow (Glue answers 404, issue 10 point 6)
    assert client.delete("/sendcloud/api/v2/returns").headers["allow"] == "GET"
    for kind in REUSABLE:
        assert "Allow" not in kind().headers
