"""Issue 12 (1): bounded work per request — a 1 MiB body of ~350,000 invalid items.

Validation stops after a bounded number of errors, so the mock answers such a body in well
under a second and a plain GET from another client is not held up meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from support import GLUE_HEADERS, LiveMock, glue_login
from test_attacks_harness import request_once, run_attack, started_mock

LIMIT = 1_048_576  # Settings.max_body_bytes


def invalid_returns_body(size: int = LIMIT) -> bytes:
    """A ``POST /glue/returns`` document of ``size`` bytes whose every item is invalid."""
    head = b'{"data":{"type":"returns","attributes":{"store":"DE","returnItems":['
    tail = b"{}]}}}"
    count = (size - len(head) - len(tail)) // 3
    return head + b"{}," * count + tail


def post_returns(token: str, body: bytes) -> bytes:
    headers = {**GLUE_HEADERS, "Authorization": f"Bearer {token}", "Connection": "close"}
    lines = ["POST /glue/returns HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveMock]:
    yield from started_mock(tmp_path_factory.mktemp("attack-body"))


@pytest.fixture(scope="module")
def token(mock: LiveMock) -> str:
    with httpx.Client(base_url=mock.url, timeout=10) as client:
        return glue_login(client)


def test_body_is_just_under_the_limit_with_350000_items() -> None:
    body = invalid_returns_body()
    assert LIMIT - 3 < len(body) <= LIMIT
    assert body.count(b"{},") > 349_000


def test_huge_invalid_body_is_answered_quickly(mock: LiveMock, token: str) -> None:
    raw = post_returns(token, invalid_returns_body())
    started = time.monotonic()
    outcome = request_once(mock, raw, max_seconds=10)
    assert outcome.startswith("status 422"), outcome
    assert time.monotonic() - started < 1.0, "well under a second (issue 12)"


def test_huge_invalid_bodies_do_not_hold_others_up(mock: LiveMock, token: str) -> None:
    """Three such bodies back to back while another client probes GET /glue/return-reasons."""
    raw = post_returns(token, invalid_returns_body())

    def attack() -> str:
        outcomes = {request_once(mock, raw, max_seconds=20) for _ in range(3)}
        return " | ".join(sorted(outcomes))

    report = run_attack(mock, attack, max_seconds=30)
    print(report.summary())
    report.assert_held("status 422")
    assert "|" not in report.outcome, report.outcome


def valid_returns_body(size: int = LIMIT) -> bytes:
    """A schema-valid ``POST /glue/returns`` document of about ``size`` bytes (unknown items)."""
    head = b'{"data":{"type":"returns","attributes":{"store":"DE","returnItems":['
    item = b'{"salesOrderItemUuid":"00000000-0000-0000-0000-%012d"},'
    count = (size - len(head) - 8) // len(item % 0)
    items = b"".join(item % i for i in range(count))
    return head + items[:-1] + b"]}}}"


def test_huge_valid_bodies_do_not_hold_others_up(mock: LiveMock, token: str) -> None:
    """A schema-valid 1 MiB body is walked off the event loop; a GET meanwhile is not held."""
    body = valid_returns_body()
    assert len(body) <= LIMIT
    raw = post_returns(token, body)

    def attack() -> str:
        outcomes = {request_once(mock, raw, max_seconds=20) for _ in range(3)}
        return " | ".join(sorted(outcomes))

    report = run_attack(mock, attack, max_seconds=30)
    print(report.summary())
    report.assert_held("status 4")
    assert "|" not in report.outcome, report.outcome


def test_parallel_huge_bodies_stay_within_the_memory_bound(mock: LiveMock, token: str) -> None:
    """Six such bodies at once: decoded one at a time (each is ~20 MiB of Python objects)."""
    from concurrent.futures import ThreadPoolExecutor

    raw = post_returns(token, invalid_returns_body())

    def attack() -> str:
        with ThreadPoolExecutor(6) as pool:
            outcomes = set(pool.map(lambda _: request_once(mock, raw, max_seconds=20), range(6)))
        return " | ".join(sorted(outcomes))

    report = run_attack(mock, attack, max_seconds=30)
    print(report.summary())
    report.assert_held("status 422")
    assert "|" not in report.outcome, report.outcome
