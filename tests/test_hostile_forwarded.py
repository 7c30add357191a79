"""Issue 12 pt 5: forwarded headers are not trusted unless a proxy is named.

Before: ``X-Forwarded-Proto: https`` from loopback (uvicorn trusts 127.0.0.1 by default) made
links ``https://`` and the response cache replayed them to every later client. Now the mock
trusts no proxy unless ``--forwarded-allow-ips`` names one, and the cache is keyed on the
scheme (and root path and Host) as well, so one client's links never reach another.
"""

from __future__ import annotations

import httpx
import pytest
from support import sendcloud_basic, start_mock, stop_mock

SC = "/sendcloud/api/v2"
FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


def next_link(url: str, auth: tuple[str, str], headers: dict[str, str] | None = None) -> str:
    response = httpx.get(f"{url}{SC}/returns", auth=auth, headers=headers or {}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["next"]


@pytest.mark.parametrize("trusted", [False, True], ids=["default", "forwarded-allow-ips"])
def test_forwarded_proto_and_the_response_cache(
    tmp_path_factory: pytest.TempPathFactory, trusted: bool
) -> None:
    args = ("--forwarded-allow-ips", "127.0.0.1") if trusted else ()
    mock = start_mock(tmp_path_factory.mktemp("forwarded"), *args, ready_path="/")
    try:
        auth = sendcloud_basic(mock.url)
        plain_origin = mock.url  # http://127.0.0.1:PORT
        forwarded = next_link(mock.url, auth, FORWARDED)
        if trusted:  # the named proxy is believed...
            assert forwarded.startswith("https://127.0.0.1:")
        else:  # ...an unnamed client is not
            assert forwarded.startswith(f"{plain_origin}/")
        # a later plain client gets its own scheme, whatever the cache saw first
        for _ in range(2):
            assert next_link(mock.url, auth).startswith(f"{plain_origin}/")
        if trusted:  # and the forwarded one still gets its own (from the cache now)
            assert next_link(mock.url, auth, FORWARDED).startswith("https://")
    finally:
        stop_mock(mock)
