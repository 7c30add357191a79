"""Routing without per-request scans: the memo gives what Connexion's router resolved."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send
from support import GLUE_HEADERS, SONIA, SPENCOR, glue_login

from mock_server.app import MockServer, create_app
from mock_server.config import Settings
from mock_server.routing import DocsOnlySwaggerUIMiddleware, is_docs_path


@pytest.fixture
def app() -> MockServer:
    return create_app(Settings(validate_responses=True))


def routing_hits(client: TestClient) -> int:
    return client.get("/__admin/state").json()["routing"]["hits"]


def test_memoised_route_keeps_each_paths_own_parameters(app: MockServer) -> None:
    """Two order references on one route template: each read gets its own, twice over."""
    client = TestClient(app)
    headers = {**GLUE_HEADERS, "Authorization": f"Bearer {glue_login(client)}"}
    refs = [r["id"] for r in client.get("/glue/orders", headers=headers).json()["data"]][:3]
    assert len(refs) == 3
    for _ in range(2):
        for ref in refs:
            body = client.get(f"/glue/orders/{ref}", headers=headers).json()
            assert body["data"]["id"] == ref
    assert routing_hits(client) >= 2


def test_a_memoised_route_still_runs_auth_and_validation(app: MockServer) -> None:
    client = TestClient(app)
    sonia = {**GLUE_HEADERS, "Authorization": f"Bearer {glue_login(client, SONIA)}"}
    spencor = {**GLUE_HEADERS, "Authorization": f"Bearer {glue_login(client, SPENCOR)}"}
    ref = client.get("/glue/returns", headers=sonia).json()["data"][0]["id"]
    assert client.get(f"/glue/returns/{ref}", headers=sonia).status_code == 200
    before = routing_hits(client)
    foreign = client.get(f"/glue/returns/{ref}", headers=spencor)
    assert foreign.status_code == 404 and foreign.json()["errors"][0]["code"] == "3602"
    anonymous = client.get(f"/glue/returns/{ref}", headers=GLUE_HEADERS)
    assert anonymous.status_code == 403 and anonymous.json()["errors"][0]["code"] == "002"
    bad_page = client.get("/glue/returns?page[offset]=-1&page[limit]=1", headers=sonia)
    assert bad_page.status_code == 400
    assert (
        client.get("/glue/returns?page[offset]=-1&page[limit]=1", headers=sonia).status_code == 400
    )
    assert routing_hits(client) > before


def test_methods_and_unknown_paths_are_routed_as_before(app: MockServer) -> None:
    client = TestClient(app)
    for _ in range(2):
        not_allowed = client.delete("/glue/returns", headers=GLUE_HEADERS)
        assert not_allowed.status_code == 404  # Glue's answer to a wrong method (issue 10 pt 6)
        assert "allow" not in not_allowed.headers
        unknown = client.get("/glue/no-such-resource", headers=GLUE_HEADERS)
        assert unknown.status_code == 404 and unknown.json()["errors"][0]["status"] == 404


def test_route_memo_is_bounded(app: MockServer) -> None:
    client = TestClient(app)
    headers = {**GLUE_HEADERS, "Authorization": f"Bearer {glue_login(client)}"}
    app.runtime.routing.max_routes = 3
    for n in range(6):
        client.get(f"/glue/returns/DE--1-R{900 + n}", headers=headers)
    assert len(app.runtime.routing.resolved) == 3


@pytest.mark.parametrize("base", ["/glue", "/sendcloud/api/v2"])
def test_docs_are_still_served(app: MockServer, base: str) -> None:
    client = TestClient(app)
    ui = client.get(f"{base}/ui/")
    assert ui.status_code == 200 and "swagger" in ui.text.lower()
    spec = client.get(f"{base}/openapi.json")
    assert spec.status_code == 200 and spec.json()["openapi"].startswith("3.1")


@pytest.mark.parametrize(
    ("path", "docs"),
    [
        ("/glue/ui", True),
        ("/glue/ui/", True),
        ("/glue/ui/swagger-ui.css", True),
        ("/sendcloud/api/v2/openapi.json", True),
        ("/glue/returns", False),
        ("/glue/orders/DE--1", False),
    ],
)
def test_docs_paths(path: str, docs: bool) -> None:
    assert is_docs_path(path) is docs


class _CountingApp:
    """Stands in for Connexion's Swagger UI app: counts renders, answers a fixed document."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        body = f'{{"openapi":"3.1.0","host":"{dict(scope["headers"])[b"host"].decode()}"}}'
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body.encode()})


def test_a_served_spec_is_rendered_once_per_url_and_bounded() -> None:
    """Connexion re-renders the whole spec per request (~0.3 s CPU for Glue): kept per URL."""
    docs = DocsOnlySwaggerUIMiddleware(_CountingApp(), max_documents=2)
    counting = _CountingApp()
    docs.swagger_ui = counting  # type: ignore[assignment]
    client = TestClient(docs)
    first = client.get("/glue/openapi.json")
    assert client.get("/glue/openapi.json").content == first.content
    assert counting.calls == 1
    other = client.get("/glue/openapi.json", headers={"Host": "mock.test"})
    assert other.json()["host"] == "mock.test" and counting.calls == 2
    client.get("/sendcloud/api/v2/openapi.json")
    assert len(docs.documents) == 2  # the oldest of three URLs was dropped
    client.get("/glue/ui/")
    assert counting.calls == 4  # the UI itself is not kept


@pytest.mark.parametrize("base", ["/glue", "/sendcloud/api/v2"])
def test_replayed_spec_is_byte_identical(app: MockServer, base: str) -> None:
    client = TestClient(app)
    first = client.get(f"{base}/openapi.json")
    again = client.get(f"{base}/openapi.json")
    assert first.status_code == again.status_code == 200
    assert first.content == again.content and first.headers == again.headers
