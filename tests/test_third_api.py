"""Issue 14 point 9: a third API (``tests/third_api/``) is served by the mock and checked by the
harness with no edit to shared code, and no shared module branches on an API's name.

The third API is one folder: its contract, ``mock/`` (an ``ApiDefinition``) and ``harness/``
(an ``ApiProfile``). The mock takes it through ``create_app(apis=…)``; the harness through
``conformance.apis.registered(...)``, for this module only.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from support import free_port
from support.constants import ROOT
from third_api import BASE_PATH, NAME
from third_api.harness import PROFILE
from third_api.mock import DEFINITION

from conformance import apis as registry
from conformance.cli import main as conformance_main
from conformance.client import AsgiTarget, SyncASGITransport
from conformance.profile import Credentials
from conformance.runner import Options, run
from mock_server.apis import ALL_APIS
from mock_server.app import MockServer, create_app
from mock_server.cli import banner
from mock_server.config import Settings
from mock_server.errors import ApiError

JSON = "application/json"


@pytest.fixture(scope="module")
def app() -> MockServer:
    """The mock with the built-in APIs plus the third one, response validation on."""
    return create_app(Settings(validate_responses=True), apis=[*ALL_APIS, DEFINITION])


@pytest.fixture
def fresh_app(app: MockServer) -> MockServer:
    for mounted in app.runtime.apis.values():
        mounted.service.reset()
    return app


@pytest.fixture(scope="module")
def token(app: MockServer) -> str:
    return str(app.runtime.apis[BASE_PATH].service.accounts()["bearer"][0]["token"])


@pytest.fixture
def client(fresh_app: MockServer) -> Iterator[httpx.Client]:
    transport = SyncASGITransport(fresh_app)
    with httpx.Client(transport=transport, base_url="http://127.0.0.1:8080") as http:
        yield http


@pytest.fixture(scope="module")
def served(app: MockServer) -> Iterator[str]:
    """The same app over real HTTP (uvicorn on a free loopback port): its root URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def known_profile() -> Iterator[None]:
    """The harness knows the third API during the test only (no other test sees it)."""
    with registry.registered(PROFILE):
        yield
    assert NAME not in registry.api_names()


def test_only_a_registered_api_can_be_forgotten() -> None:
    with pytest.raises(ValueError, match="built in"):
        registry.unregister("glue")
    registry.unregister(NAME)  # not registered: nothing to forget
    assert "glue" in registry.api_names() and NAME not in registry.api_names()


def assert_error(response: httpx.Response, status: int, kind: str) -> dict:
    """The third API's own flat error object (not Glue's, not Sendcloud's)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == JSON
    body = response.json()
    assert body == {"type": kind, "status": status, "message": body["message"]}
    assert body["message"]
    return body


# --------------------------------------------------------------------------- the mock


def test_routes_of_the_third_api(client: httpx.Client, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    first = client.get(f"{BASE_PATH}/returns", params={"limit": 10}, headers=auth)
    assert first.status_code == 200
    page = first.json()
    assert len(page["data"]) == 10
    assert page["next"] == f"http://127.0.0.1:8080{BASE_PATH}/returns?limit=10&offset=10"
    second = client.get(page["next"], headers=auth).json()
    assert second["data"][0]["id"] == "ret_000111" and second["data"][0] not in page["data"]
    last = client.get(f"{BASE_PATH}/returns", params={"offset": 20}, headers=auth).json()
    assert len(last["data"]) == 5 and last["next"] is None

    one = client.get(f"{BASE_PATH}/returns/ret_000101", headers=auth)
    assert one.status_code == 200 and one.json() == page["data"][0]

    created = client.post(
        f"{BASE_PATH}/returns", json={"orderNumber": "ORD-7", "reason": "damaged"}, headers=auth
    )
    assert created.status_code == 201
    location = created.headers["location"]
    assert location == f"http://127.0.0.1:8080{BASE_PATH}/returns/ret_000126"
    assert client.get(location, headers=auth).json() == created.json()
    assert created.json()["status"] == "requested"


def test_errors_come_in_the_third_apis_envelope(client: httpx.Client, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    assert_error(client.get(f"{BASE_PATH}/returns/ret_999999", headers=auth), 404, "not_found")
    assert_error(client.get(f"{BASE_PATH}/returns?limit=51", headers=auth), 400, "bad_request")
    assert_error(client.get(f"{BASE_PATH}/returns/{'x' * 41}", headers=auth), 400, "bad_request")
    bad_body = client.post(f"{BASE_PATH}/returns", json={"orderNumber": "ORD-7"}, headers=auth)
    assert_error(bad_body, 400, "bad_request")
    plain = client.post(
        f"{BASE_PATH}/returns", content=b"x", headers={**auth, "Content-Type": "text/plain"}
    )
    assert_error(plain, 415, "unsupported_media_type")
    delete = client.delete(f"{BASE_PATH}/returns", headers=auth)
    assert_error(delete, 405, "method_not_allowed")
    assert delete.headers["allow"] == "GET, POST"
    assert_error(client.get(f"{BASE_PATH}/nowhere", headers=auth), 404, "not_found")
    # the other APIs keep their own envelopes next to it
    assert "errors" in client.get("/glue/returns/x").json()
    assert "error" in client.get("/sendcloud/api/v2/returns").json()


def test_auth_of_the_third_api(client: httpx.Client, token: str) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {token}"}):
        refused = client.get(f"{BASE_PATH}/returns", headers=headers)
        assert_error(refused, 401, "unauthorized")
        assert refused.headers["www-authenticate"] == "Bearer"
    # the token is checked before the body: no token and a bad body is still 401
    assert_error(client.post(f"{BASE_PATH}/returns", json={}), 401, "unauthorized")
    assert client.get(
        f"{BASE_PATH}/returns", headers={"Authorization": f"bearer {token}"}
    ).is_success


def test_admin_and_index_know_the_third_api(client: httpx.Client, token: str) -> None:
    assert client.get("/").json()["apis"][NAME]["baseUrl"] == BASE_PATH
    assert client.get("/__admin/accounts").json()[NAME] == {"bearer": [{"token": token}]}
    auth = {"Authorization": f"Bearer {token}"}
    client.post(
        f"{BASE_PATH}/returns", json={"orderNumber": "A", "reason": "damaged"}, headers=auth
    )
    assert client.get("/__admin/state").json()[NAME]["created"] == 1
    assert client.post("/__admin/reset").json()["state"][NAME] == {
        "seed": 42,
        "returns": 25,
        "created": 0,
    }


def test_the_start_up_banner_names_the_third_api(app: MockServer, token: str) -> None:
    apis = [(m.definition, m.service.accounts()) for m in app.runtime.apis.values()]
    text = banner(Settings(), apis)
    assert f"{DEFINITION.title}: http://127.0.0.1:8080{BASE_PATH}" in text
    assert f"{DEFINITION.title} bearer: token {token}" in text
    assert "Glue customer DE--1: sonia@spryker.com / change123" in text


def test_the_third_api_over_http(served: str, token: str) -> None:
    with httpx.Client(base_url=served + BASE_PATH, trust_env=False) as http:
        listed = http.get("/returns", headers={"Authorization": f"Bearer {token}"})
        assert listed.status_code == 200
        assert listed.json()["next"].startswith(f"{served}{BASE_PATH}/returns?")
        assert_error(http.get("/returns"), 401, "unauthorized")
        assert_error(
            http.get("/returns/nope", headers={"Authorization": f"Bearer {token}"}),
            404,
            "not_found",
        )


# --------------------------------------------------------------------------- the harness


@pytest.mark.usefixtures("known_profile")
def test_the_harness_runs_on_the_third_api_in_process(fresh_app: MockServer, token: str) -> None:
    result = run(
        NAME,
        AsgiTarget(fresh_app, BASE_PATH),
        Credentials(token=token),
        Options(seed=3, max_examples=5),
    )
    assert not result.violations, [v.summary() for v in result.violations]
    assert not result.errors, result.errors
    assert result.exit_code == 0
    ran = {name for name, outcome in result.checks.items() if outcome.passed}
    assert {"third_error_envelope", "third_create_then_read", "ignored_auth"} <= ran


class WrongEnvelope:
    """The third API's envelope broken: errors in Sendcloud's words."""

    media_type = JSON

    def translate(self, exc: Exception, path: str) -> ApiError:
        return DEFINITION.envelope.translate(exc, path)

    def render(self, error: ApiError, path: str) -> dict:
        return {"error": {"code": error.status, "message": error.detail}}


@pytest.mark.usefixtures("known_profile")
def test_the_harness_catches_a_broken_third_api(token: str) -> None:
    """The passing run above is not vacuous: the third API's own check finds a wrong envelope."""
    broken = dataclasses.replace(DEFINITION, envelope=WrongEnvelope())
    app = create_app(Settings(), apis=[broken])
    result = run(
        NAME,
        AsgiTarget(app, BASE_PATH),
        Credentials(token=token),
        Options(seed=3, max_examples=3, phases=["examples", "coverage"]),
    )
    assert result.exit_code == 1
    assert "third_error_envelope" in {v.check for v in result.violations}


@pytest.mark.usefixtures("known_profile")
def test_the_cli_runs_the_third_api_over_http(
    served: str, fresh_app: MockServer, token: str, tmp_path: Path
) -> None:
    code = conformance_main([
        "run", "--api", NAME, "--base-url", served + BASE_PATH, "--token", token,
        "--seed", "5", "--max-examples", "3", "--report-dir", str(tmp_path), "--quiet",
    ])  # fmt: skip
    assert code == 0
    assert token not in "".join(p.read_text() for p in tmp_path.iterdir() if p.is_file())


def installed_plugin(directory: Path) -> dict[str, str]:
    """An environment where the third API's profile is an installed distribution's
    ``conformance.apis`` entry point (as a backend team would ship its own API), next to a
    broken one."""
    dist = directory / "third_api_plugin-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: third-api-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[conformance.apis]\nthird = third_api.harness:PROFILE\nbroken = third_api:NOWHERE\n"
    )
    path = os.pathsep.join([str(directory), str(ROOT / "tests"), str(ROOT)])
    return {**os.environ, "PYTHONPATH": path}


def test_the_conformance_command_takes_an_installed_api(
    served: str, fresh_app: MockServer, token: str, tmp_path: Path
) -> None:
    """No registration in code: the ``conformance`` process finds the API by its entry point."""
    env = installed_plugin(tmp_path / "site")
    command = [
        sys.executable, "-m", "conformance", "run", "--api", NAME,
        "--base-url", served + BASE_PATH, "--seed", "2", "--max-examples", "2",
        "--phases", "examples", "--report-dir", str(tmp_path / "reports"), "--quiet",
    ]  # fmt: skip
    done = subprocess.run(
        command, env={**env, "CONFORMANCE_TOKEN": token}, capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "third_create_then_read" in done.stdout
    assert "'broken' (third_api:NOWHERE) not loaded" in done.stderr


@pytest.mark.usefixtures("known_profile")
def test_corpus_generate_and_replay_of_the_third_api(
    served: str, fresh_app: MockServer, token: str, tmp_path: Path
) -> None:
    corpus = tmp_path / "third.json"
    generate = ["generate", "--api", NAME, "--seed", "11", "--count", "20", "--quiet"]
    assert conformance_main([*generate, "--out", str(corpus)]) == 0
    assert (
        conformance_main([*generate, "--out", str(tmp_path / "third.sh"), "--format", "curl"]) == 0
    )
    assert "{{third.token}}" in corpus.read_text() and token not in corpus.read_text()
    replay = ["replay", str(corpus), "--base-url", served + BASE_PATH, "--token", token]
    assert conformance_main([*replay, "--reset-url", f"{served}/__admin/reset", "--quiet"]) == 0


# --------------------------------------------------------------------------- shared code


def shared_modules() -> list[Path]:
    """Every module of ``mock_server/``, ``conformance/`` and ``api_contracts/`` outside
    ``apis/`` and ``_compat/``."""
    found = []
    for package in ("mock_server", "conformance", "api_contracts"):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT / package).parts
            if parts[0] not in ("apis", "_compat"):
                found.append(path)
    return found


def api_names() -> list[str]:
    names = {definition.name for definition in ALL_APIS} | {NAME}
    names |= {p.name for p in (ROOT / "conformance" / "apis").iterdir() if p.is_dir()}
    return sorted(n for n in names if not n.startswith("_"))


def test_no_shared_module_branches_on_an_api_name() -> None:
    """An API's name as a string literal in shared code is a branch (``== "glue"``, ``in (…)``,
    ``["glue"]``…) or API knowledge that belongs in that API's package."""
    names = "|".join(re.escape(name) for name in api_names())
    literal = re.compile(r"""(['"])(?:""" + names + r""")\1""", re.IGNORECASE)
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in shared_modules()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if literal.search(line)
    ]
    assert len(shared_modules()) > 20
    assert not offenders, "shared modules naming an API:\n" + "\n".join(offenders)
