"""Fixtures only (helpers live in ``tests/support``): the mock in-process and over real HTTP.

The session shares one mock process, but no test sees another's state: every test that uses
it (through ``live_mock`` or a module fixture built on ``live_mock_process``) starts from the
seeded world, and fails if the mock logged a traceback while it ran.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support import LiveMock, start_mock, stop_mock

from mock_server.app import MockServer, create_app
from mock_server.config import Settings


@pytest.fixture(scope="session")
def live_mock_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveMock]:
    """One mock process (seed 42, response validation on) for the whole session."""
    mock = start_mock(tmp_path_factory.mktemp("live"), "--validate-responses")
    yield mock
    stop_mock(mock)


@pytest.fixture(autouse=True)
def _seeded_live_mock(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test using the session mock starts from its seeded world and must not crash it."""
    if "live_mock_process" not in request.fixturenames:
        yield
        return
    mock: LiveMock = request.getfixturevalue("live_mock_process")
    mock.reset()
    offset = len(mock.log())
    yield
    new_log = mock.log()[offset:]
    assert "Traceback" not in new_log, f"the session mock logged a traceback:\n{new_log}"


@pytest.fixture
def live_mock(live_mock_process: LiveMock) -> LiveMock:
    """The session mock, reset to its seeded world for this test."""
    return live_mock_process


@pytest.fixture
def mock_app() -> MockServer:
    """A fresh in-process mock with response validation on."""
    return create_app(Settings(validate_responses=True))
