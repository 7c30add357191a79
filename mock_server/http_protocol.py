"""The mock's HTTP/1.1 protocols: bounded heads, silent clients timed out, a connection cap.

uvicorn's protocols read a request head for as long as the client sends one (400 MiB of header
lines grew the mock by 420 MiB; a 200 MiB URL cost 36 s of CPU), wait forever for a client that
sends half a request, and accept connections until the process runs out of file descriptors.
The protocols here, subclasses of uvicorn's (through ``mock_server._compat.uvicorn``), add:

* **Head limits.** A request head is read up to ``max_head_bytes`` (64 KiB); past it the mock
  answers 414 (the request line is what is long) or 431, in the API's envelope, and closes.
* **Framing.** ``Content-Length`` with ``Transfer-Encoding``, several ``Content-Length``
  values, or a final coding other than ``chunked`` (RFC 9112 §6.1, §6.3: request smuggling
  shapes) get 400 in the envelope and a closed connection.
* **Silent clients.** A client that connects and sends nothing, or part of a head, has
  ``client_timeout`` seconds to complete its head; one that stops in the middle of a body, or
  stops reading its response, is closed after ``client_timeout`` seconds of silence.
* **A connection cap.** Past ``max_connections`` open connections the longest-silent one (one
  waiting on its client) is closed to make room; when every connection is busy, the new one
  gets 503 with ``Retry-After``. Reaching the cap is logged (at most every 10 s). (uvicorn's
  ``limit_concurrency`` counts connections but refuses only a request whose head has arrived:
  silent sockets are never refused and shut out everyone else, who get a plain-text 503.)

Refusals are written with ``Connection: close``; the mock then stops sending, reads and drops
what the client still sends for a moment (so the client can read the answer instead of a
reset), and closes.

httptools, the default parser, cannot parse an unregistered method such as ``FOO`` (llhttp only
knows registered ones) or a URL over 64 KiB (``httptools.parse_url`` keeps 16-bit offsets);
such a head is handed, on its connection, to the h11 protocol below (as uvicorn hands a
WebSocket upgrade over), so it too is answered in the API's envelope (405 with ``Allow``, 414).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, ClassVar, cast
from urllib.parse import unquote, urlsplit

import h11

from ._compat import uvicorn as compat
from .config import Settings

logger = logging.getLogger("mock_server.http")

# (status, detail, request path) → (body, media type): the owning API's error envelope
ErrorRenderer = Callable[[int, str, str], tuple[bytes, str]]

LINGER_SECONDS = 1.0  # after a refusal, how long the client's further bytes are read and dropped
LINGER_BYTES = 1024 * 1024  # ... and how many at most
OVER_CAP_TIMEOUT = 2.0  # an over-cap connection's head must come this quickly to get its 503
CAP_LOG_INTERVAL = 10.0  # seconds between two "connection cap reached" warnings
DEFAULT_MAX_CONNECTIONS = 1000
HEADERS_TOO_LARGE = "Request header fields too large."
URL_TOO_LONG = "Request-URI too long."


def default_max_connections() -> int:
    """Half the process's file-descriptor limit, at most 1000 (the rest: files, logs, spare)."""
    try:
        import resource
    except ImportError:  # not a Unix
        return DEFAULT_MAX_CONNECTIONS
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return DEFAULT_MAX_CONNECTIONS
    return max(8, min(DEFAULT_MAX_CONNECTIONS, soft // 2))


@dataclass(frozen=True)
class ConnectionLimits:
    """What one connection may cost the mock."""

    max_head_bytes: int = 65_536
    max_url_bytes: int = 8_192  # a head over the cap whose URL is longer than this gets 414
    client_timeout: float = 30.0
    max_connections: int = DEFAULT_MAX_CONNECTIONS

    @classmethod
    def from_settings(cls, settings: Settings) -> ConnectionLimits:
        return cls(
            max_head_bytes=settings.max_head_bytes,
            max_url_bytes=settings.max_url_bytes,
            client_timeout=settings.client_timeout,
            max_connections=settings.max_connections or default_max_connections(),
        )


def plain_json_errors(status: int, detail: str, path: str) -> tuple[bytes, str]:
    """The renderer used when no API envelope is given: ``{"error":{"status","message"}}``."""
    body = f'{{"error": {{"status": {status}, "message": "{detail}"}}}}'
    return body.encode(), "application/json"


def framing_problem(headers: Iterable[tuple[bytes, bytes]], http_version: str) -> str | None:
    """Why a request's body framing is ambiguous (RFC 9112 §6.1, §6.3), or None."""
    lengths: list[bytes] = []
    codings: list[bytes] = []
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"content-length":
            lengths.append(value)
        elif lowered == b"transfer-encoding":
            codings.append(value)
    if lengths and codings:
        return "Content-Length and Transfer-Encoding must not be sent together."
    if len(lengths) > 1 or (lengths and b"," in lengths[0]):
        return "Content-Length must be sent once, with one value."
    if lengths and not lengths[0].strip().isdigit():
        return "Content-Length must be a decimal number."
    if codings:
        if http_version == "1.0":
            return "Transfer-Encoding is not defined in HTTP/1.0."
        final = b",".join(codings).split(b",")[-1].strip().lower()
        if final != b"chunked":
            return "Transfer-Encoding must end with chunked."
    return None


def head_fields(head: bytes | bytearray) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """Request target and the complete header lines of a (possibly partial) raw head."""
    lines = bytes(head).split(b"\n")
    if len(lines) < 2:
        return b"", []
    request_line = lines[0].rstrip(b"\r").split(b" ")
    target = request_line[1] if len(request_line) > 1 else b""
    fields = []
    for line in lines[1:-1]:  # the last piece may be a line still being received
        line = line.rstrip(b"\r")
        if not line:
            break
        name, _, value = line.partition(b":")
        fields.append((name.strip(), value.strip()))
    return target, fields


def path_of(target: bytes) -> str:
    """The path of a request target (origin or absolute form), for choosing the envelope."""
    text = target[:2048].decode("latin-1")
    path = urlsplit(text).path if "://" in text else text.partition("?")[0]
    return unquote(path) or "/"


class _CapLog:
    """Rate-limited warning when the connection cap is reached."""

    def __init__(self) -> None:
        self.last = -CAP_LOG_INTERVAL
        self.evicted = 0
        self.refused = 0

    def note(self, limits: ConnectionLimits, evicted: bool) -> None:
        if evicted:
            self.evicted += 1
        else:
            self.refused += 1
        now = time.monotonic()
        if now - self.last >= CAP_LOG_INTERVAL:
            logger.warning(
                "connection cap reached (--max-connections %d): closing the longest-silent "
                "connections to make room, 503 when all are busy (since the last report: "
                "%d closed, %d answered 503)",
                limits.max_connections,
                self.evicted,
                self.refused,
            )
            self.last, self.evicted, self.refused = now, 0, 0


class GuardedConnection:
    """Connection policy shared by both protocols (mixed in before the uvicorn class)."""

    limits: ClassVar[ConnectionLimits] = ConnectionLimits()
    render: ClassVar[ErrorRenderer] = staticmethod(plain_json_errors)
    cap_log: ClassVar[_CapLog] = _CapLog()

    @property
    def _uv(self) -> compat.Protocol:
        """This connection as the uvicorn protocol it is mixed into (for the compat layer)."""
        return cast(compat.Protocol, self)

    def _guard_init(self) -> None:
        self._state = "open"  # "refused" (lingering, then closing), "handed over", "closed"
        self._timer: asyncio.TimerHandle | None = None
        self._deadline = 0.0  # loop time by which the client must have sent what is due
        self._write_timer: asyncio.TimerHandle | None = None
        self._waiting_since: float | None = None  # waiting on the client since (None: busy)
        self._over_cap = False  # admitted over the cap: its head gets a 503
        self._adopted = False  # handed over from another protocol, already admitted
        self._lingered = 0

    # --------------------------------------------------------------- admission

    def _admit(self) -> None:
        """Called once the connection is registered: make room past the cap, or mark it."""
        if self._adopted:
            return
        open_connections = compat.connections(self._uv)
        if len(open_connections) <= self.limits.max_connections:
            return
        live = [
            c for c in open_connections if c is not self and not compat.transport_of(c).is_closing()
        ]
        if len(live) < self.limits.max_connections:
            return
        silent = [c for c in live if getattr(c, "_waiting_since", None) is not None]
        if silent:
            victim = min(silent, key=lambda c: c._waiting_since)
            victim._close("closed to make room (connection cap)")
            self.cap_log.note(self.limits, evicted=True)
        else:
            self._over_cap = True
            self.cap_log.note(self.limits, evicted=False)

    def _over_cap_refusal(self) -> tuple[int, str, list[tuple[bytes, bytes]]]:
        detail = "Too many open connections; retry shortly."
        return 503, detail, [(b"retry-after", b"1")]

    # --------------------------------------------------------------- waiting on the client

    def _wait_for_client(self) -> None:
        """(Re)start the clock: the client has ``client_timeout`` to send what is due.

        Called several times per request, so it only moves the deadline; a timer is armed
        when none is, and a timer that fires before the (moved) deadline re-arms itself. One
        timer per connection and timeout period instead of a new one per request event.
        """
        if self._state != "open":
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        self._waiting_since = now
        timeout = self.limits.client_timeout
        if self._over_cap:
            timeout = min(timeout, OVER_CAP_TIMEOUT)
        self._deadline = now + timeout
        timer = self._timer
        if timer is None or self._deadline < timer.when():
            if timer is not None:
                timer.cancel()
            self._timer = loop.call_at(self._deadline, self._client_timed_out)

    def _client_done(self) -> None:
        """The client sent all that is due; the app has the connection now (an armed timer
        finds nothing to wait for)."""
        self._waiting_since = None

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _client_timed_out(self) -> None:
        self._timer = None
        if self._state != "open" or compat.transport_of(self._uv).is_closing():
            return
        if self._waiting_since is None:
            return  # the app's turn; the next wait arms a timer again
        loop = asyncio.get_running_loop()
        if loop.time() < self._deadline:  # the client moved on since this timer was armed
            self._timer = loop.call_at(self._deadline, self._client_timed_out)
            return
        if compat.reading_paused(self._uv):
            self._wait_for_client()  # the mock stopped reading; the client is not to blame
            return
        in_progress = compat.request_in_progress(self._uv)
        if in_progress and not compat.awaiting_request_body(self._uv):
            self._waiting_since = None  # the app's turn, not the client's
            return
        self._close(f"silent for {self.limits.client_timeout:g} s")

    def _close(self, why: str) -> None:
        self._state = "closed"
        self._cancel_timers()
        logger.debug("closing the connection of %s: %s", compat.client_address(self._uv), why)
        compat.transport_of(self._uv).close()

    def _cancel_timers(self) -> None:
        self._cancel_timer()
        self._waiting_since = None
        if self._write_timer is not None:
            self._write_timer.cancel()
            self._write_timer = None

    # --------------------------------------------------------------- a client that does not read

    def _writing_paused(self) -> None:
        if self._write_timer is None:
            loop = asyncio.get_running_loop()
            self._write_timer = loop.call_later(self.limits.client_timeout, self._write_stalled)

    def _writing_resumed(self) -> None:
        if self._write_timer is not None:
            self._write_timer.cancel()
            self._write_timer = None

    def _write_stalled(self) -> None:
        self._write_timer = None
        if compat.writing_paused(self._uv):
            self._state = "closed"
            self._cancel_timers()
            compat.transport_of(self._uv).abort()  # close() would wait

    # --------------------------------------------------------------- refusing a request

    def _refuse(
        self,
        status: int,
        detail: str,
        path: str,
        extra_headers: Iterable[tuple[bytes, bytes]] = (),
    ) -> None:
        """Answer ``status`` in the envelope with ``Connection: close``, linger, close."""
        if self._state != "open":
            return
        self._state = "refused"
        self._cancel_timers()
        transport = compat.transport_of(self._uv)
        if compat.request_in_progress(self._uv) or transport.is_closing():
            transport.close()  # a response is under way on this connection: do not interleave
            return
        body, media_type = type(self).render(status, detail, path)
        head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n".encode()]
        fields = [
            *compat.default_headers(self._uv),
            (b"content-type", media_type.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
            *extra_headers,
        ]
        head += [name + b": " + value + b"\r\n" for name, value in fields]
        transport.write(b"".join([*head, b"\r\n", body]))
        if transport.can_write_eof():
            transport.write_eof()
        asyncio.get_running_loop().call_later(LINGER_SECONDS, transport.close)

    def _linger(self, data: bytes) -> None:
        """After a refusal: drop what the client still sends, up to ``LINGER_BYTES``."""
        self._lingered += len(data)
        if self._lingered > LINGER_BYTES:
            compat.transport_of(self._uv).close()


class MockH11Protocol(GuardedConnection, compat.H11Protocol):
    """uvicorn's h11 protocol with the mock's limits (``--http h11``, and the hand-over)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._guard_init()
        self._checked = CheckedH11Connection(compat.h11_connection(self), self._check_request)
        compat.replace_h11_connection(self, self._checked)
        self._head_bytes = 0
        self._head_raw = bytearray()  # the head being read (h11 merges repeated lengths)

    def adopt(self, transport: asyncio.Transport, head: bytes) -> None:
        """Take over a connection from the httptools protocol, with the head read so far."""
        self._adopted = True
        self.connection_made(transport)
        transport.set_protocol(self)
        self.data_received(head)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._admit()
        self._wait_for_client()

    def connection_lost(self, exc: Exception | None) -> None:
        self._state = "closed"
        self._cancel_timers()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._state != "open":
            self._linger(data)
            return
        reading_head = compat.h11_reading_head(self)
        if reading_head:
            if self._head_bytes == 0:
                self._wait_for_client()  # the head's deadline starts with its first byte
            self._head_raw += data[: max(0, self.limits.max_head_bytes - len(self._head_raw))]
        super().data_received(data)
        if self._state != "open":
            return
        if reading_head and compat.h11_reading_head(self):
            self._head_bytes += len(data)  # the whole chunk went to the (unfinished) head
            if self._head_bytes > self.limits.max_head_bytes:
                self._refuse_head()
                return
        if compat.h11_reading_body(self):
            self._wait_for_client()  # progress: the body's clock starts again
        if not compat.h11_reading_head(self):
            self._head_bytes, self._head_raw = 0, bytearray()
            if not compat.h11_reading_body(self):
                self._client_done()

    def _refuse_head(self) -> None:
        first_line, newline, _ = self._head_raw[: self.limits.max_url_bytes + 64].partition(b"\n")
        target, _ = head_fields(first_line + b"\n")
        url_too_long = not newline or len(target) > self.limits.max_url_bytes
        status, detail = (414, URL_TOO_LONG) if url_too_long else (431, HEADERS_TOO_LARGE)
        self._refuse(status, detail, path_of(target))

    def _check_request(self, event: h11.Request) -> tuple[int, str, list] | None:
        size = len(event.target) + sum(len(n) + len(v) + 4 for n, v in event.headers)
        if size > self.limits.max_head_bytes:  # a head over the cap that came in one piece
            if len(event.target) > self.limits.max_url_bytes:
                return 414, URL_TOO_LONG, []
            return 431, HEADERS_TOO_LARGE, []
        if self._over_cap:
            return self._over_cap_refusal()
        target, raw_fields = head_fields(self._head_raw)
        fields = raw_fields if target == event.target else list(event.headers)
        problem = framing_problem(fields, event.http_version.decode("ascii", "replace"))
        return (400, problem, []) if problem else None

    def send_400_response(self, msg: str) -> None:
        if self._state != "open":
            return
        refusal = self._checked.refusal
        if refusal is None:
            self._refuse(400, "Invalid HTTP request.", path_of(head_fields(self._head_raw)[0]))
            return
        status, detail, headers, target = refusal
        if target is None:  # h11 refused the head itself
            if status in (414, 431):
                self._refuse_head()
                return
            target, fields = head_fields(self._head_raw)
            problem = framing_problem(fields, "1.1")
            if problem is not None:
                status, detail = 400, problem
        self._refuse(status, detail, path_of(target), headers)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not compat.request_in_progress(self) and not compat.transport_of(self).is_closing():
            self._wait_for_client()

    def pause_writing(self) -> None:
        super().pause_writing()
        self._writing_paused()

    def resume_writing(self) -> None:
        super().resume_writing()
        self._writing_resumed()


class CheckedH11Connection:
    """An ``h11.Connection`` whose requests are checked before uvicorn acts on them.

    A refused request (``check`` returns status, detail, headers) or a head h11 itself refuses
    raises ``h11.RemoteProtocolError``, which uvicorn answers through ``send_400_response``;
    ``refusal`` then says what to answer. Everything else is the wrapped connection's.
    """

    def __init__(
        self, connection: h11.Connection, check: Callable[[h11.Request], tuple | None]
    ) -> None:
        self._connection = connection
        self._check = check
        self.refusal: tuple[int, str, list, bytes | None] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def next_event(self) -> Any:
        try:
            event = self._connection.next_event()
        except h11.RemoteProtocolError as exc:
            self.refusal = (exc.error_status_hint, "Invalid HTTP request.", [], None)
            if exc.error_status_hint == 431:
                self.refusal = (431, HEADERS_TOO_LARGE, [], None)
            raise
        if isinstance(event, h11.Request):
            refused = self._check(event)
            if refused is not None:
                status, detail, headers = refused
                self.refusal = (status, detail, headers, event.target)
                raise h11.RemoteProtocolError(detail, error_status_hint=status)
        return event


class MockHttpToolsProtocol(GuardedConnection, compat.HttpToolsProtocol):
    """uvicorn's httptools protocol with the mock's limits and the h11 hand-over."""

    h11_class: ClassVar[type[MockH11Protocol]] = MockH11Protocol

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._guard_init()
        self._head = bytearray()  # bytes of the request head being read (up to the cap)
        self._head_bytes = 0  # size of the head being read
        self._heads_parsed = 0  # heads completed on this connection
        self._reading_head = True  # no head parsed since the last message ended
        self._between_messages = True  # the next byte received starts a request
        self._head_is_whole = False  # the buffer holds the request from its first byte

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._admit()
        self._wait_for_client()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._state != "handed over":
            self._state = "closed"
        self._cancel_timers()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._state != "open":
            self._linger(data)
            return
        reading_head = self._reading_head
        heads_parsed = self._heads_parsed
        if reading_head:
            if self._between_messages:  # the buffer is empty here (see on_headers_complete)
                self._head_is_whole = True
            if len(self._head) + len(data) <= self.limits.max_head_bytes:
                self._head += data
            else:
                self._head_is_whole = False
        super().data_received(data)
        if reading_head and self._heads_parsed == heads_parsed and self._state == "open":
            self._head_bytes += len(data)  # the whole chunk went to the (unfinished) head
            if self._head_bytes > self.limits.max_head_bytes:
                self._refuse_head()

    def _refuse_head(self) -> None:
        url = compat.httptools_request_url(self)
        if self._head_is_whole:
            first_line, newline, _ = bytes(self._head[: self.limits.max_url_bytes + 64]).partition(
                b"\n"
            )
            url_too_long = not newline or len(url) > self.limits.max_url_bytes
            target = head_fields(first_line + b"\n")[0] or url
        else:
            url_too_long = len(url) > self.limits.max_url_bytes
            target = url
        status, detail = (414, URL_TOO_LONG) if url_too_long else (431, HEADERS_TOO_LARGE)
        self._refuse(status, detail, path_of(target))

    def on_message_begin(self) -> None:
        if self._state != "open":
            return
        super().on_message_begin()
        self._between_messages = False
        self._head_bytes = 0
        self._wait_for_client()  # the head's deadline starts with its first byte

    def on_headers_complete(self) -> None:
        if self._state != "open":
            return
        self._reading_head = False
        self._heads_parsed += 1
        self._head.clear()
        url = compat.httptools_request_url(self)
        path = path_of(url)
        fields = compat.httptools_request_headers(self)
        if len(url) + sum(len(n) + len(v) + 4 for n, v in fields) > self.limits.max_head_bytes:
            # a head over the cap that arrived in one piece (a streamed one is refused sooner)
            too_long = len(url) > self.limits.max_url_bytes
            status, detail = (414, URL_TOO_LONG) if too_long else (431, HEADERS_TOO_LARGE)
            self._refuse(status, detail, path)
            return
        if self._over_cap:
            status, detail, headers = self._over_cap_refusal()
            self._refuse(status, detail, path, headers)
            return
        problem = framing_problem(fields, compat.httptools_http_version(self))
        if problem is not None:
            self._refuse(400, problem, path)
            return
        super().on_headers_complete()
        self._wait_for_client()  # for the body, if one follows (on_message_complete says)

    def on_body(self, body: bytes) -> None:
        if self._state != "open":
            return
        super().on_body(body)
        self._wait_for_client()  # progress: the body's clock starts again

    def on_message_complete(self) -> None:
        if self._state != "open":
            return
        super().on_message_complete()
        self._client_done()
        # A pipelined request may begin inside this chunk, unbuffered: no hand-over for it.
        self._reading_head = True
        self._between_messages = True
        self._head_is_whole = False

    def on_response_complete(self) -> None:
        super().on_response_complete()
        idle = not compat.request_in_progress(self)
        if self._state == "open" and idle and not compat.transport_of(self).is_closing():
            self._wait_for_client()

    def send_400_response(self, msg: str) -> None:
        """httptools refused the head: a framing problem is 400; any other head is handed
        to h11 when it is whole and the connection idle (an unknown method, a long URL)."""
        if self._state != "open":
            return
        head = bytes(self._head) if self._head_is_whole else b""
        target, fields = head_fields(head)
        path = path_of(target or compat.httptools_request_url(self))
        version = b"1.0" if head.partition(b"\n")[0].rstrip().endswith(b"HTTP/1.0") else b"1.1"
        problem = framing_problem(fields, version.decode())
        if problem is not None:
            self._refuse(400, problem, path)
        elif self._reading_head and head and not compat.request_in_progress(self):
            self._hand_over_to_h11(head)
        else:
            self._refuse(400, "Invalid HTTP request.", path)

    def _hand_over_to_h11(self, head: bytes) -> None:
        protocol = compat.new_protocol_like(self.h11_class, self)
        protocol._over_cap = self._over_cap
        self._state = "handed over"
        self._cancel_timers()
        compat.connections(self).discard(self)
        compat.cancel_keep_alive(self)
        protocol.adopt(compat.transport_of(self), head)

    def pause_writing(self) -> None:
        super().pause_writing()
        self._writing_paused()

    def resume_writing(self) -> None:
        super().resume_writing()
        self._writing_resumed()


def envelope_renderer(runtime: Any) -> ErrorRenderer:
    """Render protocol-level errors in the envelope of the API that owns the path."""
    from .errors import ApiError

    def render(status: int, detail: str, path: str) -> tuple[bytes, str]:
        _, body, media_type = runtime.error_body(
            runtime.api_for_path(path), ApiError(status, detail), path
        )
        return body, media_type

    return render


def protocol_class(
    http: str, limits: ConnectionLimits, render: ErrorRenderer = plain_json_errors
) -> type[asyncio.Protocol]:
    """uvicorn's ``http=``: the protocol for parser ``http`` (httptools or h11) with ``limits``,
    answering protocol-level errors through ``render``."""
    shared = {"limits": limits, "render": staticmethod(render), "cap_log": _CapLog()}
    h11_class = type("MockH11Protocol", (MockH11Protocol,), dict(shared))
    if http == "h11":
        return h11_class
    return type(
        "MockHttpToolsProtocol", (MockHttpToolsProtocol,), {**shared, "h11_class": h11_class}
    )


def protocol_for(settings: Settings, runtime: Any = None) -> type[asyncio.Protocol]:
    """The protocol class for ``settings``, errors in ``runtime``'s API envelopes."""
    render = envelope_renderer(runtime) if runtime is not None else plain_json_errors
    return protocol_class(settings.http, ConnectionLimits.from_settings(settings), render)
