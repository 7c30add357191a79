"""Issue 12 pt 8: what is not secret is said, and ``--random-secrets`` makes it secret.

By default tokens and keys derive from the seed (same seed, same bytes), so anyone who knows
the seed can compute them: the banner and the README say so. With ``--random-secrets`` they
are unpredictable per process while the seeded data stays byte-identical.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support import GLUE_HEADERS, LiveMock, glue_login, sendcloud_basic, start_mock, stop_mock

ROOT = Path(__file__).resolve().parent.parent
SC = "/sendcloud/api/v2"


@pytest.fixture(scope="module")
def mocks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, LiveMock]]:
    started: dict[str, LiveMock] = {}
    try:
        for name, args in (("seeded", ()), ("random", ("--random-secrets",))):
            started[name] = start_mock(
                tmp_path_factory.mktemp(f"secrets-{name}"), *args, ready_path="/"
            )
        yield started
    finally:
        for mock in started.values():
            stop_mock(mock)


def secrets_of(mock: LiveMock) -> tuple[str, str, str]:
    """(Sendcloud public key, secret key, a fresh Glue access token) of a mock."""
    public, secret = sendcloud_basic(mock.url)
    with httpx.Client(base_url=mock.url, timeout=10) as client:
        client.post("/__admin/reset")
        return public, secret, glue_login(client)


def test_seeded_secrets_are_computable_from_the_seed(mocks: dict[str, LiveMock]) -> None:
    public, secret, _ = secrets_of(mocks["seeded"])
    key = hashlib.sha256(b"sendcloud-42").hexdigest()  # what anyone can compute for seed 42
    assert (public, secret) == (key[:32], key[32:])
    banner = mocks["seeded"].log()
    assert "Not secret" in banner and "--random-secrets" in banner


def test_random_secrets_are_not_the_seeded_ones(mocks: dict[str, LiveMock]) -> None:
    seeded, random = secrets_of(mocks["seeded"]), secrets_of(mocks["random"])
    assert seeded[0] != random[0] and seeded[1] != random[1]
    assert seeded[2] != random[2]  # Glue tokens are signed with a key from the salt too
    assert "random for this process" in mocks["random"].log()
    # the random keys work, the seeded ones do not, on the random mock
    url = f"{mocks['random'].url}{SC}/returns"
    assert httpx.get(url, auth=random[:2], timeout=10).status_code == 200
    assert httpx.get(url, auth=seeded[:2], timeout=10).status_code == 401
    # and they survive a reset to the same seed (scripts keep working)
    httpx.post(f"{mocks['random'].url}/__admin/reset", timeout=10)
    assert sendcloud_basic(mocks["random"].url) == random[:2]


def test_random_secrets_keep_the_seeded_data(mocks: dict[str, LiveMock]) -> None:
    host = {"Host": "mock.test"}  # links carry the Host
    bodies = []
    for mock in (mocks["seeded"], mocks["random"]):
        with httpx.Client(base_url=mock.url, headers=host, timeout=10) as client:
            token = glue_login(client)
            glue = GLUE_HEADERS | {"Authorization": f"Bearer {token}"}
            auth = sendcloud_basic(mock.url)
            bodies.append(
                (
                    client.get("/glue/orders", headers=glue).content,
                    client.get("/glue/returns", headers=glue).content,
                    client.get(f"{SC}/returns", auth=auth).content,
                )
            )
    assert bodies[0] == bodies[1]


def test_readme_documents_the_new_options() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for option in ("--forwarded-allow-ips", "--admin-token", "--no-admin", "--random-secrets"):
        assert option in readme, option
    assert "not secret" in readme.lower()
