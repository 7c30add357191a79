"""Issue 13: sessions are isolated worlds in one mock process, addressed by prefix or header.

Over real HTTP against mocks this module starts: one with the default caps, one with at most
two named sessions (LRU), one whose idle sessions expire after two seconds (TTL).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing

import httpx
import pytest
from support import (
    GLUE_HEADERS,
    SONIA,
    LiveMock,
    assert_glue_error,
    glue_session,
    return_body,
    returnable_items,
    start_mock,
    stop_mock,
)

from mock_server.sessions import DEFAULT, InMemorySessionStore, Session

SLOW = {"timeout": 120.0}  # three mocks start at once on a shared machine


@pytest.fixture(scope="module", autouse=True)
def capped_mocks(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Future[LiveMock], Future[LiveMock]]]:
    """Two extra mocks with small caps, started in the background while other tests run."""
    pool = ThreadPoolExecutor(2)
    lru = pool.submit(start_mock, tmp_path_factory.mktemp("lru"), "--max-sessions", "2", **SLOW)
    ttl = pool.submit(start_mock, tmp_path_factory.mktemp("ttl"), "--session-ttl", "2", **SLOW)
    try:
        yield lru, ttl
    finally:
        pool.shutdown(wait=True)
        for future in (lru, ttl):
            if future.exception() is None:
                stop_mock(future.result())


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveMock]:
    started = start_mock(tmp_path_factory.mktemp("sessions"), "--validate-responses", **SLOW)
    yield started
    stop_mock(started)


def in_session(mock: LiveMock, name: str | None) -> str:
    return mock.url if name is None else f"{mock.url}/sessions/{name}"


def sessions_listed(url: str) -> dict[str, dict]:
    listing = httpx.get(f"{url}/__admin/sessions", timeout=10)
    assert listing.status_code == 200, listing.text
    return {s["name"]: s for s in listing.json()["sessions"]}


def my_return_ids(client: httpx.Client) -> set[str]:
    response = client.get("/glue/returns")
    assert response.status_code == 200, response.text
    return {r["id"] for r in response.json()["data"]}


def test_a_return_created_in_one_session_exists_in_no_other(mock: LiveMock) -> None:
    names = ("iso-a", "iso-b", None)  # two sessions and the default one
    for name in names:
        httpx.post(f"{in_session(mock, name)}/__admin/reset", timeout=10).raise_for_status()
    clients = {name: glue_session(in_session(mock, name), SONIA) for name in names}
    try:
        before = {name: my_return_ids(c) for name, c in clients.items()}
        item = returnable_items(clients["iso-a"])[0]
        created = clients["iso-a"].post("/glue/returns", json=return_body(item["uuid"]))
        assert created.status_code == 201, created.text
        reference = created.json()["data"]["id"]
        # links built in a session point back into it
        assert created.json()["data"]["links"]["self"].startswith(
            f"{mock.url}/sessions/iso-a/glue/returns/"
        )
        assert my_return_ids(clients["iso-a"]) == before["iso-a"] | {reference}
        for other in ("iso-b", None):
            client = clients[other]
            assert my_return_ids(client) == before[other]  # list
            assert_glue_error(  # read
                client.get(f"/glue/returns/{reference}"),
                404,
                "Can't find return by the given return reference.",
                "3602",
            )
            # the item stays returnable there, and can be returned there too
            assert item["uuid"] in {i["uuid"] for i in returnable_items(client)}
        again = clients["iso-b"].post("/glue/returns", json=return_body(item["uuid"]))
        assert again.status_code == 201, again.text
        state = {n: httpx.get(f"{in_session(mock, n)}/__admin/state").json() for n in names}
        assert [state[n]["glue"]["returnsCreated"] for n in names] == [1, 1, 0]
    finally:
        for client in clients.values():
            client.close()


def test_tokens_do_not_cross_sessions(mock: LiveMock) -> None:
    for name in ("tok-a", "tok-b", None):
        httpx.post(f"{in_session(mock, name)}/__admin/reset", timeout=10).raise_for_status()
    with closing(glue_session(in_session(mock, "tok-a"), SONIA)) as client:
        token = client.headers["Authorization"]
    # tok-b has logged Sonia in too: its tokens are its own, not tok-a's
    glue_session(in_session(mock, "tok-b"), SONIA).close()
    headers = {**GLUE_HEADERS, "Authorization": token}
    mine = httpx.get(f"{in_session(mock, 'tok-a')}/glue/returns", headers=headers)
    assert mine.status_code == 200, mine.text
    for other in ("tok-b", None):
        refused = httpx.get(f"{in_session(mock, other)}/glue/returns", headers=headers)
        assert_glue_error(refused, 401, "Invalid access token.", "001")
    refused = httpx.get(f"{mock.url}/glue/returns", headers={**headers, "Mock-Session": "tok-b"})
    assert_glue_error(refused, 401, "Invalid access token.", "001")


def test_reset_of_one_session_leaves_the_others(mock: LiveMock) -> None:
    names = ("rs-a", "rs-b")
    clients = {name: glue_session(in_session(mock, name), SONIA) for name in names}
    try:
        created = {}
        for name, client in clients.items():
            item = returnable_items(client)[0]
            response = client.post("/glue/returns", json=return_body(item["uuid"]))
            assert response.status_code == 201, response.text
            created[name] = response.json()["data"]["id"]
        reset = httpx.post(f"{in_session(mock, 'rs-a')}/__admin/reset?seed=7")
        assert reset.status_code == 200 and reset.json()["state"]["glue"]["seed"] == 7
        assert sessions_listed(mock.url)["rs-a"]["size"]["/glue"]["seed"] == 7
        state_b = httpx.get(f"{in_session(mock, 'rs-b')}/__admin/state").json()
        assert state_b["glue"]["seed"] == 42 and state_b["glue"]["returnsCreated"] == 1
        assert created["rs-b"] in my_return_ids(clients["rs-b"])
        assert httpx.get(f"{mock.url}/__admin/state").json()["glue"]["seed"] == 42
    finally:
        for client in clients.values():
            client.close()


def test_header_and_prefix_reach_the_same_session(mock: LiveMock) -> None:
    with closing(glue_session(in_session(mock, "hdr"), SONIA)) as prefixed:
        item = returnable_items(prefixed)[0]
        created = prefixed.post("/glue/returns", json=return_body(item["uuid"]))
        assert created.status_code == 201, created.text
        reference = created.json()["data"]["id"]
        headers = {**prefixed.headers, "Mock-Session": "hdr"}
    by_header = httpx.get(f"{mock.url}/glue/returns/{reference}", headers=headers)
    assert by_header.status_code == 200, by_header.text
    # links follow the form the session was addressed by: the prefix keeps the client in it
    assert by_header.json()["data"]["links"]["self"].startswith(f"{mock.url}/sessions/hdr/")
    state = httpx.get(f"{mock.url}/__admin/state", headers={"Mock-Session": "hdr"}).json()
    assert state["glue"]["returnsCreated"] == 1
    assert "hdr" in sessions_listed(mock.url)


def test_admin_endpoints_work_per_session(mock: LiveMock) -> None:
    base = in_session(mock, "adm")
    accounts = httpx.get(f"{base}/__admin/accounts").json()
    assert accounts["glue"]["customers"][0]["username"] == SONIA[0]
    reset = httpx.post(f"{base}/__admin/reset?seed=5")
    assert reset.status_code == 200 and reset.json()["state"]["glue"]["seed"] == 5
    assert httpx.get(f"{base}/__admin/state").json()["glue"]["seed"] == 5
    assert httpx.get(f"{mock.url}/__admin/state").json()["glue"]["seed"] == 42
    assert httpx.post(f"{base}/__admin/reset").json()["state"]["glue"]["seed"] == 5
    listed = sessions_listed(mock.url)
    assert DEFAULT in listed and "adm" in listed
    entry = listed["adm"]
    assert entry["baseUrl"] == "/sessions/adm"
    assert entry["ageSeconds"] >= 0 and entry["idleSeconds"] >= 0 and entry["createdAt"]
    assert entry["size"]["/glue"]["seed"] == 5 and "journalEntries" in entry["size"]
    bad = httpx.post(f"{base}/__admin/reset?seed=x")
    assert bad.status_code == 400
    index = httpx.get(f"{base}/").json()
    assert index["apis"]["glue"]["baseUrl"] == "/sessions/adm/glue"
    assert index["admin"] == "/sessions/adm/__admin"
    assert httpx.get(f"{mock.url}/").json()["apis"]["glue"]["baseUrl"] == "/glue"


@pytest.mark.parametrize("name", ["bad!name", "a" * 65, "sp ace", "semi;colon", "ü"])
def test_invalid_session_names_are_400_in_the_envelope(mock: LiveMock, name: str) -> None:
    glue = httpx.get(f"{mock.url}/sessions/{name}/glue/returns", headers=GLUE_HEADERS)
    assert glue.status_code == 400, glue.text
    assert glue.json()["errors"][0]["status"] == 400
    assert "Invalid session name" in glue.json()["errors"][0]["detail"]
    sendcloud = httpx.get(f"{mock.url}/sessions/{name}/sendcloud/api/v2/returns")
    assert sendcloud.status_code == 400, sendcloud.text
    assert "Invalid session name" in sendcloud.json()["error"]["message"]
    header = httpx.get(
        f"{mock.url}/glue/returns", headers={**GLUE_HEADERS, "Mock-Session": name.encode()}
    )
    assert header.status_code == 400, header.text
    assert name not in sessions_listed(mock.url)


def test_prefer_code_500_and_503_answer_in_the_apis_envelope(mock: LiveMock) -> None:
    with closing(glue_session(in_session(mock, "prefer"), SONIA)) as client:
        failed = client.get("/glue/returns", headers={"Prefer": "code=500"})
        assert_glue_error(failed, 500, "Internal Server Error (simulated: Prefer: code=500).")
        unavailable = client.get("/glue/returns", headers={"Prefer": "code=503"})
        assert unavailable.status_code == 503 and unavailable.headers["Retry-After"] == "1"
        assert client.get("/glue/returns").status_code == 200  # for one request only
    accounts = httpx.get(f"{mock.url}/__admin/accounts").json()["sendcloud"]["basic"][0]
    auth = (accounts["publicKey"], accounts["secretKey"])
    sendcloud = httpx.get(
        f"{mock.url}/sendcloud/api/v2/returns", auth=auth, headers={"Prefer": "code=503"}
    )
    assert sendcloud.status_code == 503
    assert set(sendcloud.json()["error"]) == {"code", "request", "message"}


def test_least_recently_used_session_is_evicted_at_the_cap(
    capped_mocks: tuple[Future[LiveMock], Future[LiveMock]],
) -> None:
    mock = capped_mocks[0].result()
    for name in ("lru-1", "lru-2"):
        httpx.get(f"{in_session(mock, name)}/__admin/state").raise_for_status()
    with closing(
        glue_session(in_session(mock, "lru-1"), SONIA)
    ):  # lru-1 used last: lru-2 goes first
        pass
    httpx.get(f"{in_session(mock, 'lru-3')}/__admin/state").raise_for_status()
    assert set(sessions_listed(mock.url)) == {DEFAULT, "lru-1", "lru-3"}
    # the default session never counts against the cap, nor is it evicted
    for name in ("lru-4", "lru-5", "lru-6"):
        httpx.get(f"{in_session(mock, name)}/__admin/state").raise_for_status()
    listed = sessions_listed(mock.url)
    assert set(listed) == {DEFAULT, "lru-5", "lru-6"}
    # an evicted session comes back fresh on its next use
    state = httpx.get(f"{in_session(mock, 'lru-1')}/__admin/state").json()
    assert state["glue"]["tokensIssued"] == 0


def test_idle_sessions_expire_after_the_ttl(
    capped_mocks: tuple[Future[LiveMock], Future[LiveMock]],
) -> None:
    mock = capped_mocks[1].result()
    with closing(glue_session(in_session(mock, "idle"), SONIA)):
        pass
    assert "idle" in sessions_listed(mock.url)
    time.sleep(2.5)  # the TTL is the bound under test (--session-ttl 2)
    listed = sessions_listed(mock.url)
    assert set(listed) == {DEFAULT}
    state = httpx.get(f"{in_session(mock, 'idle')}/__admin/state").json()
    assert state["glue"]["tokensIssued"] == 0  # re-created from the seed


def test_in_memory_store_caps_and_expiry_with_a_fake_clock() -> None:
    now = [0.0]

    def make(name: str) -> Session:
        return Session(name, {})

    store = InMemorySessionStore(make, Session(DEFAULT, {}), 2, 10.0, lambda: now[0])
    a = store.create("a")
    store.create("b")
    now[0] = 5.0
    store.touch(a)
    store.create("c")  # b is the least recently used
    assert [s.name for s in store.list()] == [DEFAULT, "a", "c"]
    now[0] = 14.0  # c idle 9 s, a idle 9 s
    assert store.get("a") is a
    now[0] = 15.5  # both idle 10.5 s > ttl (get does not touch)
    assert store.get("c") is None
    assert [s.name for s in store.list()] == [DEFAULT]
    assert store.get(DEFAULT) is store.default and store.evict("nope") is False
