"""The HTTP side of the harness: where the implementation is, and a recording client for it.

A target is either a base URL (a real service, or the mock over HTTP) or an in-process ASGI app
plus its API root path; the same :class:`ApiClient` drives both (httpx, with a synchronous
bridge onto ``httpx.ASGITransport`` for apps).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from time import perf_counter
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from .model import Exchange, RecordedRequest, RecordedResponse

ASGI_HOST = "testserver"  # the host Schemathesis uses for in-process apps too
DEFAULT_TIMEOUT = 10.0
DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, str, int | None]


def origin_of(url: str) -> Origin:
    """``(scheme, host, port)`` of an absolute URL, lower-cased, default ports filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: an origin of its own
        return (scheme, (parts.hostname or "").lower(), -1)
    return (scheme, (parts.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme))


def is_absolute(link: str) -> bool:
    """Whether ``link`` names its own scheme or host (``https://…``, ``//host/…``, ``mailto:…``)."""
    parts = urlsplit(link)
    return bool(parts.scheme or parts.netloc)


class ForeignOriginError(Exception):
    """A request to another scheme, host or port than the target's API root: never sent.

    Links come from the implementation under test; following one elsewhere would hand the
    customer's token or the Basic credentials to whoever the link names.
    """

    def __init__(self, url: str, target: str) -> None:
        super().__init__(f"{url} is not on the origin of {target}: not requested")
        self.url = url
        self.target = target


@dataclass(frozen=True)
class HttpTarget:
    """An implementation reachable over HTTP; ``base_url`` is its API root."""

    base_url: str

    @property
    def url(self) -> str:
        return self.base_url.rstrip("/")


@dataclass(frozen=True)
class AsgiTarget:
    """An in-process ASGI app; ``base_path`` is the API root inside it (e.g. ``/glue``)."""

    app: Any
    base_path: str = ""

    @property
    def url(self) -> str:
        return f"http://{ASGI_HOST}{self.base_path.rstrip('/')}"


Target = HttpTarget | AsgiTarget


def as_target(target: Target | str) -> Target:
    """Accept a base URL string as a shorthand for :class:`HttpTarget`."""
    if isinstance(target, str):
        return HttpTarget(target)
    return target


class SyncASGITransport(httpx.BaseTransport):
    """Drive ``httpx.ASGITransport`` (async only) from synchronous code through an anyio portal."""

    def __init__(self, app: Any) -> None:
        from anyio.from_thread import start_blocking_portal

        self._asgi = httpx.ASGITransport(app=app)
        self._stack = ExitStack()
        self._portal = self._stack.enter_context(start_blocking_portal())
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        forwarded = httpx.Request(
            request.method, request.url, headers=request.headers, content=body
        )

        async def call() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            response = await self._asgi.handle_async_request(forwarded)
            content = await response.aread()
            return response.status_code, response.headers.raw, content

        status, headers, content = self._portal.call(call)
        return httpx.Response(status, headers=headers, content=content, request=request)

    def close(self) -> None:
        with self._lock:
            self._stack.close()


ExchangeHook = Callable[[Exchange], None]


class ApiClient:
    """A small recording HTTP client bound to one API root.

    Every exchange is recorded and handed to ``on_exchange`` (the response checks run there).
    ``auth_header`` is the ``Authorization`` value sent unless a request overrides it; when
    ``reauth`` is set, a 401 to a request with that header fetches a new one (a fresh login)
    and repeats the request once.
    """

    def __init__(
        self,
        target: Target,
        *,
        default_headers: Mapping[str, str] | None = None,
        auth_header: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        on_exchange: ExchangeHook | None = None,
        operation_of: Callable[[str, str], str | None] | None = None,
        transport: httpx.BaseTransport | None = None,
        body_media_type: str = "application/json",
    ) -> None:
        self.target = target
        self.base_url = target.url
        self.base_path = urlsplit(self.base_url).path.rstrip("/")
        self.default_headers = dict(default_headers or {})
        self.body_media_type = body_media_type
        self.auth_header = auth_header
        self.reauth: Callable[[], str] | None = None
        self.on_exchange = on_exchange
        self.operation_of = operation_of
        self.exchanges: list[Exchange] = []
        self._owns_transport = transport is None
        if transport is None and isinstance(target, AsgiTarget):
            transport = SyncASGITransport(target.app)
        self._transport = transport
        self._http = httpx.Client(
            transport=transport, timeout=timeout, follow_redirects=False, trust_env=False
        )

    def with_auth(
        self, auth_header: str | None, reauth: Callable[[], str] | None = None
    ) -> ApiClient:
        """A client for another identity sharing this one's connection and hooks."""
        twin = ApiClient.__new__(ApiClient)
        twin.__dict__.update(self.__dict__)
        twin.auth_header = auth_header
        twin.reauth = reauth
        twin._owns_transport = False
        return twin

    def url_for(self, path_or_url: str) -> str:
        """Absolute URL for an API-relative path (``/returns``) or an absolute URL (a link)."""
        if is_absolute(path_or_url):
            return urljoin(self.base_url + "/", path_or_url)  # also resolves `//host/…`
        return self.base_url + "/" + path_or_url.lstrip("/")

    def same_origin(self, url: str) -> bool:
        """Whether ``url`` is on the scheme, host and port of the API root."""
        return origin_of(url) == origin_of(self.base_url)

    def relative_path(self, url: str) -> str | None:
        """The API-relative path of an absolute URL under this API root, else ``None``."""
        path = urlsplit(url).path
        if self.base_path and not (path == self.base_path or path.startswith(self.base_path + "/")):
            return None
        return path[len(self.base_path) :] or "/"

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        headers: Mapping[str, str | None] | None = None,
        json: Any = None,
        auth: bool | str | None = True,
        check: bool = True,
    ) -> Exchange:
        """Send a request; ``auth=False`` sends no ``Authorization``, a string sends that one.

        Header values of ``None`` in ``headers`` remove a default header. ``check=False`` skips
        the response checks (for deliberately odd requests). A URL on another origin than the
        API root (a link the implementation sent) raises :class:`ForeignOriginError` before
        anything is sent: credentials only ever go to the target's own origin.
        """
        url = self.url_for(path_or_url)
        if not self.same_origin(url):
            raise ForeignOriginError(url, self.base_url)
        merged: dict[str, str] = dict(self.default_headers)
        if auth is True and self.auth_header:
            merged["Authorization"] = self.auth_header
        elif isinstance(auth, str):
            merged["Authorization"] = auth
        for name, value in (headers or {}).items():
            for existing in [k for k in merged if k.lower() == name.lower()]:
                del merged[existing]
            if value is not None:
                merged[name] = value
        content = None
        if json is not None:
            import json as _json

            content = _json.dumps(json).encode()
            if not any(k.lower() == "content-type" for k in merged):
                merged["Content-Type"] = self.body_media_type
        started = perf_counter()
        response = self._http.request(method, url, headers=merged, content=content)
        elapsed = perf_counter() - started
        sent = response.request
        exchange = Exchange(
            request=RecordedRequest(
                method=sent.method,
                url=str(sent.url),
                headers={k: v for k, v in sent.headers.items()},
                body=content,
            ),
            response=RecordedResponse(
                status=response.status_code,
                headers={k.lower(): v for k, v in response.headers.items()},
                body=response.content,
                elapsed=elapsed,
            ),
        )
        relative = self.relative_path(str(sent.url))
        if relative is not None and self.operation_of is not None:
            exchange.operation = self.operation_of(method, relative)
        self.exchanges.append(exchange)
        if check and self.on_exchange is not None:
            self.on_exchange(exchange)
        if (
            auth is True
            and self.reauth is not None
            and response.status_code == 401
            and merged.get("Authorization") == self.auth_header
        ):
            self.auth_header = self.reauth()  # the token expired: log in again, once
            return self.request(
                method, path_or_url, headers=headers, json=json, auth=self.auth_header, check=check
            )
        return exchange

    def get(self, path_or_url: str, **kwargs: Any) -> Exchange:
        return self.request("GET", path_or_url, **kwargs)

    def post(self, path_or_url: str, **kwargs: Any) -> Exchange:
        return self.request("POST", path_or_url, **kwargs)

    def close(self) -> None:
        if self._owns_transport:
            self._http.close()


def probe(target: Target, path: str = "/", timeout: float = 10.0) -> str | None:
    """``None`` if the target answers HTTP at all, else a one-line reason it cannot be reached."""
    if isinstance(target, AsgiTarget):
        return None
    url = urljoin(target.url + "/", path.lstrip("/"))
    try:
        with httpx.Client(timeout=timeout, trust_env=False) as client:
            client.get(url)
    except httpx.InvalidURL as exc:
        return f"invalid base URL {target.base_url!r}: {exc}"
    except httpx.UnsupportedProtocol:
        return f"invalid base URL {target.base_url!r}: use http:// or https://"
    except httpx.ConnectError as exc:
        reason = str(exc) or type(exc).__name__
        return f"cannot connect to {target.url}: {reason}"
    except httpx.TimeoutException:
        return f"{target.url} did not answer within {timeout:g}s"
    except httpx.HTTPError as exc:
        return f"cannot reach {target.url}: {exc}"
    return None
