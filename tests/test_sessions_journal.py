"""Issue 13: each session's request journal (``/__admin/requests``) and the access log."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import closing

import httpx
import pytest
from support import (
    SONIA,
    LiveMock,
    glue_session,
    return_body,
    returnable_items,
    start_mock,
    stop_mock,
)

from mock_server.journal import Journal, masked_body, masked_headers


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveMock]:
    started = start_mock(tmp_path_factory.mktemp("journal"), timeout=120.0)
    yield started
    stop_mock(started)


def journal(url: str, **filters: str) -> list[dict]:
    response = httpx.get(f"{url}/__admin/requests", params=filters, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["requests"]


def test_journal_shows_the_created_return_and_no_secret(mock: LiveMock) -> None:
    base = f"{mock.url}/sessions/shop-e2e"
    other = f"{mock.url}/sessions/other-team"
    httpx.delete(f"{base}/__admin/requests").raise_for_status()
    with closing(glue_session(other, SONIA)) as elsewhere:  # noise in another session
        elsewhere.get("/glue/returns")
    since = time.time() - 1
    with closing(glue_session(base, SONIA)) as client:
        token = client.headers["Authorization"].removeprefix("Bearer ")
        items = [i["uuid"] for i in returnable_items(client)[:1]]
        created = client.post("/glue/returns", json=return_body(*items))
        assert created.status_code == 201, created.text
        refused = client.post("/glue/returns", json=return_body("no-such-item"))
        assert refused.status_code == 422
    posts = journal(base, method="POST", path="/glue/returns")
    assert [p["status"] for p in posts] == [201, 422]
    first = posts[0]
    assert first["path"] == "/glue/returns"  # without the session prefix
    sent = first["body"]["data"]["attributes"]["returnItems"]
    assert [entry["salesOrderItemUuid"] for entry in sent] == items
    assert first["headers"]["authorization"] == "Bearer ***"
    assert first["errorCode"] is None and posts[1]["errorCode"] == "3601"
    assert first["durationMs"] >= 0 and first["time"].endswith("+00:00")
    everything = httpx.get(f"{base}/__admin/requests").text
    assert token not in everything and SONIA[1] not in everything
    login = journal(base, path="/glue/access-tokens")[0]
    assert login["body"]["data"]["attributes"] == {"username": SONIA[0], "password": "***"}
    # nothing from other sessions, nor from the admin API itself
    assert all(not p["path"].startswith("/__admin") for p in journal(base))
    assert len(journal(other)) == 2 and len(journal(base, method="GET")) >= 2
    # filters: status (exact or class), path glob, since
    assert [p["status"] for p in journal(base, status="4xx")] == [422]
    assert len(journal(base, path="/glue/orders*")) >= 2
    assert len(journal(base, since=str(since))) == len(journal(base))
    assert journal(base, since="2999-01-01T00:00:00Z") == []
    for bad in ({"status": "20"}, {"since": "yesterday"}):
        response = httpx.get(f"{base}/__admin/requests", params=bad)
        assert response.status_code == 400, response.text


def test_header_form_shares_the_journal_and_clearing_works(mock: LiveMock) -> None:
    name = "cleared"
    httpx.get(f"{mock.url}/glue/return-reasons", headers={"Mock-Session": name})
    httpx.get(f"{mock.url}/sessions/{name}/glue/return-reasons")
    assert len(journal(f"{mock.url}/sessions/{name}")) == 2
    cleared = httpx.delete(f"{mock.url}/__admin/requests", headers={"Mock-Session": name})
    assert cleared.json() == {"session": name, "cleared": 2}
    assert journal(f"{mock.url}/sessions/{name}") == []


def test_access_log_has_one_line_per_request(mock: LiveMock) -> None:
    httpx.get(f"{mock.url}/sessions/logged/glue/returns", headers={"Accept": "*/*"})
    deadline = time.monotonic() + 10
    pattern = r"GET /glue/returns session=logged 403 002 \d+\.\dms"
    while not re.search(pattern, mock.log()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert re.search(pattern, mock.log()), mock.log()[-2000:]
    # a line feed in the path cannot forge a second log line
    httpx.get(f"{mock.url}/glue/orders/x%0AINFO%20forged", headers={"Accept": "*/*"})
    forged = r"GET /glue/orders/x\\x0aINFO forged session=default 403 002"
    while not re.search(forged, mock.log()) and time.monotonic() < deadline + 10:
        time.sleep(0.1)
    assert re.search(forged, mock.log()), mock.log()[-2000:]
    assert not re.search(r"^INFO forged", mock.log(), flags=re.MULTILINE)


def test_quiet_mock_logs_no_requests(tmp_path_factory: pytest.TempPathFactory) -> None:
    quiet = start_mock(tmp_path_factory.mktemp("quiet"), "--quiet", timeout=120.0)
    try:
        httpx.get(f"{quiet.url}/glue/return-reasons").raise_for_status()
        assert "session=default" not in quiet.log()
        assert len(journal(quiet.url)) == 1  # the journal still records
    finally:
        stop_mock(quiet)


def test_journal_is_a_bounded_ring_and_masks_lazily() -> None:
    ring = Journal(max_entries=3)
    for n in range(5):
        ring.start("GET", f"/glue/orders/{n}", b"", [])
    assert [e["path"] for e in ring.query()] == [f"/glue/orders/{n}" for n in (2, 3, 4)]
    headers = [
        (b"authorization", b"Basic c2VjcmV0"),
        (b"cookie", b"sid=1"),
        (b"x-api-key", b"k"),
        (b"accept", b"*/*"),
    ]
    assert masked_headers(headers) == {
        "authorization": "Basic ***",
        "cookie": "***",
        "x-api-key": "***",
        "accept": "*/*",
    }
    raw = b'{"refreshToken": "r", "nested": [{"secretKey": "s", "ok": 1}]}'
    assert masked_body(raw, len(raw)) == {
        "refreshToken": "***",
        "nested": [{"secretKey": "***", "ok": 1}],
    }
    assert "notRecorded" in masked_body(b"", 10**6)


def test_journal_bodies_are_bounded_in_bytes_too() -> None:
    ring = Journal(max_entries=100, max_bytes=1000)
    for _ in range(10):
        entry = ring.start("POST", "/glue/returns", b"", [])
        ring.finish(entry, b"x" * 300, 300, 201, b"", 1.0)
    assert len(ring) == 3 and ring.bytes == 900
    early = ring.start("POST", "/glue/returns", b"", [])
    for _ in range(3):
        ring.finish(ring.start("GET", "/glue/orders", b"", []), b"", 0, 200, b"", 1.0)
    ring.max_entries = 2  # the unfinished entry leaves the ring before it finishes
    ring.finish(ring.start("GET", "/glue/orders", b"", []), b"", 0, 200, b"", 1.0)
    ring.finish(early, b"y" * 300, 300, 201, b"", 1.0)
    assert ring.bytes == 0 and len(ring) == 2
