"""Issue 12 pt 6: the admin endpoints are for scripts and tools, not for web pages.

Over HTTP against started mocks (default, ``--admin-token``, ``--no-admin``): a cross-origin
simple ``POST /__admin/reset`` and a ``Host: evil.example`` request are refused and the world
is unchanged; curl-like clients (no ``Origin``) keep working; admin answers carry no CORS.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from support import GLUE_HEADERS, LiveMock, glue_login, start_mock, stop_mock

from mock_server.admin_guard import is_loopback_name
from mock_server.cli import exposure_warning
from mock_server.config import Settings

TOKEN = "t0ken-for-tests"


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveMock]:
    started = start_mock(tmp_path_factory.mktemp("hostile-admin"), ready_path="/")
    yield started
    stop_mock(started)


@pytest.fixture(scope="module")
def token_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveMock]:
    started = start_mock(
        tmp_path_factory.mktemp("hostile-admin-token"), "--admin-token", TOKEN, ready_path="/"
    )
    yield started
    stop_mock(started)


def world(client: httpx.Client, token: str) -> tuple[int, int]:
    """(seed, status of a read with ``token``): a reset to another seed changes both."""
    state = client.get("/__admin/state").json()
    read = client.get("/glue/orders", headers={**GLUE_HEADERS, "Authorization": f"Bearer {token}"})
    return state["glue"]["seed"], read.status_code


def test_cross_origin_simple_post_reset_is_refused_and_the_world_unchanged(mock: LiveMock) -> None:
    with httpx.Client(base_url=mock.url, timeout=10) as client:
        token = glue_login(client)
        before = world(client, token)
        assert before == (42, 200)
        # what <form method=post action=http://127.0.0.1:PORT/__admin/reset?seed=7> sends
        attack = client.post(
            "/__admin/reset?seed=7",
            headers={
                "Origin": "http://evil.example",
                "Content-Type": "application/x-www-form-urlencoded",
                "Sec-Fetch-Site": "cross-site",
            },
        )
        assert attack.status_code == 403
        assert attack.json()["error"]["status"] == 403
        assert not [h for h in attack.headers if h.startswith("access-control-")]
        null_origin = client.post("/__admin/reset?seed=7", headers={"Origin": "null"})
        assert null_origin.status_code == 403
        fetch_metadata_only = client.post(
            "/__admin/reset?seed=7", headers={"Sec-Fetch-Site": "cross-site"}
        )
        assert fetch_metadata_only.status_code == 403
        assert world(client, token) == before


def test_cross_origin_reads_and_preflights_get_no_cors(mock: LiveMock) -> None:
    evil = {"Origin": "http://evil.example"}
    with httpx.Client(base_url=mock.url, timeout=10) as client:
        accounts = client.get("/__admin/accounts", headers=evil)
        assert accounts.status_code == 403 and "sendcloud" not in accounts.text
        preflight = client.options(
            "/__admin/reset", headers={**evil, "Access-Control-Request-Method": "POST"}
        )
        assert preflight.status_code == 403
        assert not [h for h in preflight.headers if h.startswith("access-control-")]
        # the API paths keep their CORS (browser apps under development call them)
        api = client.get("/glue/return-reasons", headers={**evil, "Accept": "*/*"})
        assert api.headers["access-control-allow-origin"] == "*"


def test_foreign_host_is_refused_on_loopback(mock: LiveMock) -> None:
    """DNS rebinding: a page at evil.example, resolved to 127.0.0.1, sends its own Host."""
    with httpx.Client(base_url=mock.url, timeout=10) as client:
        token = glue_login(client)
        before = world(client, token)
        evil = {"Host": "evil.example"}
        assert client.post("/__admin/reset?seed=7", headers=evil).status_code == 403
        accounts = client.get("/__admin/accounts", headers=evil)
        assert accounts.status_code == 403 and "secretKey" not in accounts.text
        assert (
            client.get("/__admin/state", headers={"Host": "evil.example:8080"}).status_code == 403
        )
        assert world(client, token) == before
        # loopback names and addresses are the mock's own
        port = mock.url.rsplit(":", 1)[1]
        for host in (f"localhost:{port}", f"127.0.0.1:{port}", "LOCALHOST", "app.localhost"):
            assert client.get("/__admin/state", headers={"Host": host}).status_code == 200, host


def test_scripts_and_same_origin_keep_working(mock: LiveMock) -> None:
    with httpx.Client(base_url=mock.url, timeout=10) as client:
        assert client.get("/__admin/accounts").status_code == 200
        bodiless = client.post("/__admin/reset")  # what curl -X POST sends: no Origin, no body
        assert bodiless.status_code == 200 and bodiless.json()["reset"] is True
        own = client.post("/__admin/reset", headers={"Origin": mock.url})
        assert own.status_code == 200


def test_admin_token_is_required_when_set(token_mock: LiveMock) -> None:
    with httpx.Client(base_url=token_mock.url, timeout=10) as client:
        missing = client.get("/__admin/accounts")
        assert missing.status_code == 401 and "secretKey" not in missing.text
        assert missing.headers["www-authenticate"].startswith("Bearer")
        wrong = client.post("/__admin/reset", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        basic = client.get("/__admin/state", headers={"Authorization": f"Basic {TOKEN}"})
        assert basic.status_code == 401
        good = {"Authorization": f"Bearer {TOKEN}"}
        assert client.get("/__admin/accounts", headers=good).status_code == 200
        assert client.post("/__admin/reset", headers=good).status_code == 200
        # the token does not let a web page in
        cross = client.post("/__admin/reset", headers={**good, "Origin": "http://evil.example"})
        assert cross.status_code == 403
    assert "bearer token required" in token_mock.log()
    assert TOKEN not in token_mock.log()


def test_no_admin_serves_no_admin(tmp_path_factory: pytest.TempPathFactory) -> None:
    started = start_mock(tmp_path_factory.mktemp("hostile-no-admin"), "--no-admin", ready_path="/")
    try:
        with httpx.Client(base_url=started.url, timeout=10) as client:
            for method, path in (("GET", "/__admin/state"), ("GET", "/__admin/accounts"),
                                 ("POST", "/__admin/reset"), ("GET", "/__admin")):  # fmt: skip
                assert client.request(method, path).status_code == 404, path
            assert "admin" not in client.get("/").json()
            assert client.get("/glue/return-reasons", headers={"Accept": "*/*"}).status_code == 200
    finally:
        stop_mock(started)


def test_non_loopback_bind_without_token_warns() -> None:
    warning = exposure_warning(Settings(host="0.0.0.0"))
    assert warning is not None and "--admin-token" in warning and "0.0.0.0" in warning
    assert exposure_warning(Settings(host="0.0.0.0", admin_token="x")) is None
    assert exposure_warning(Settings(host="0.0.0.0", admin=False)) is None
    assert exposure_warning(Settings(host="127.0.0.1")) is None
    assert exposure_warning(Settings(host="::1")) is None


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True), ("localhost:8080", True), ("LocalHost.", True),
        ("api.localhost:1", True), ("127.0.0.1", True), ("127.8.9.1:80", True),
        ("[::1]:8080", True), ("[::1]", True), ("evil.example", False),
        ("evil.example:8080", False), ("127.0.0.1.evil.example", False), ("0.0.0.0", False),
        ("localhost.evil.example", False), ("[::ffff:8.8.8.8]", False), ("", False),
    ],
)  # fmt: skip
def test_loopback_names(host: str, loopback: bool) -> None:
    assert is_loopback_name(host) is loopback
