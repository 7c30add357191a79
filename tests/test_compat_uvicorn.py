"""Every uvicorn assumption of the mock, by name (``mock_server/_compat/uvicorn.py``).

Each entry of the module's ``__all__`` has a test here: the hooks exist with the signatures the
mock's protocols override, and each accessor reads what it claims on a real uvicorn protocol
fed real bytes over a fake transport. An uvicorn upgrade that moves any of it fails here.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Coroutine
from typing import Any

import h11
import pytest
from uvicorn.config import Config
from uvicorn.server import ServerState

from mock_server._compat import uvicorn as compat

# ----------------------------------------------------------------------------- fixtures


class FakeTransport(asyncio.Transport):
    """Records what the protocol writes; says it is a loopback TCP connection."""

    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.closed = False
        self.reading = True
        self.protocol: Any = None

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8080)}.get(
            name, default
        )

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += data

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.protocol = protocol

    def get_write_buffer_size(self) -> int:
        return 0


async def waiting_app(scope: dict, receive: Callable, send: Callable) -> None:
    """Answers nothing until the test sets ``scope['state']['go']``."""
    if scope["type"] != "http":
        return
    while not scope["state"].get("go"):
        await asyncio.sleep(0.005)
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def make(cls: type, **config: Any) -> tuple[Any, FakeTransport]:
    options = {"app": waiting_app, "lifespan": "off", "timeout_keep_alive": 5, **config}
    protocol = cls(config=Config(**options), server_state=ServerState(), app_state={})
    transport = FakeTransport()
    protocol.connection_made(transport)
    return protocol, transport


def run(test: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(test())


GET = b"GET /a?b=1 HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\r\n"
POST_HEAD = b"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n"
BOTH = pytest.mark.parametrize("cls", [compat.HttpToolsProtocol, compat.H11Protocol])


def go(protocol: Any) -> None:
    protocol.scope["state"]["go"] = True


# ----------------------------------------------------------------------------- the classes


def test___all___is_covered_here() -> None:
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    for name in compat.__all__:
        assert name in tested or name.lower() in tested, f"no test for {name}"


@pytest.mark.parametrize(
    "cls", [compat.HttpToolsProtocol, compat.H11Protocol], ids=["httptools", "h11"]
)
def test_protocol_constructor(cls: type) -> None:
    assert issubclass(cls, asyncio.Protocol)
    parameters = list(inspect.signature(cls.__init__).parameters)
    assert parameters[:4] == ["self", "config", "server_state", "app_state"]


def test_httptoolsprotocol() -> None:
    test_protocol_constructor(compat.HttpToolsProtocol)
    # uvicorn takes a protocol class through http= as it is
    config = Config(app=waiting_app, http=compat.HttpToolsProtocol)
    config.load()
    assert config.http_protocol_class is compat.HttpToolsProtocol


def test_h11protocol() -> None:
    test_protocol_constructor(compat.H11Protocol)
    config = Config(app=waiting_app, http=compat.H11Protocol)
    config.load()
    assert config.http_protocol_class is compat.H11Protocol


HOOK_PARAMETERS = {
    "connection_made": ["self", "transport"],
    "connection_lost": ["self", "exc"],
    "data_received": ["self", "data"],
    "send_400_response": ["self", "msg"],
    "on_response_complete": ["self"],
    "pause_writing": ["self"],
    "resume_writing": ["self"],
    "on_message_begin": ["self"],
    "on_headers_complete": ["self"],
    "on_body": ["self", "body"],
    "on_message_complete": ["self"],
}


def test_httptools_hooks() -> None:
    for name in compat.HTTPTOOLS_HOOKS:
        method = getattr(compat.HttpToolsProtocol, name)
        assert list(inspect.signature(method).parameters) == HOOK_PARAMETERS[name], name


def test_h11_hooks() -> None:
    for name in compat.H11_HOOKS:
        method = getattr(compat.H11Protocol, name)
        assert list(inspect.signature(method).parameters) == HOOK_PARAMETERS[name], name


def test_httptools_parser_calls_the_hooks_in_order() -> None:
    """The head hooks run as the mock's protocol expects: begin, headers, (body), complete."""
    calls: list[str] = []

    class Spy(compat.HttpToolsProtocol):
        def on_message_begin(self) -> None:
            calls.append("begin")
            super().on_message_begin()

        def on_headers_complete(self) -> None:
            calls.append("headers")
            super().on_headers_complete()

        def on_body(self, body: bytes) -> None:
            calls.append("body")
            super().on_body(body)

        def on_message_complete(self) -> None:
            calls.append("complete")
            super().on_message_complete()

    async def test() -> None:
        protocol, _ = make(Spy)
        protocol.data_received(POST_HEAD + b"0123456789")
        assert calls == ["begin", "headers", "body", "complete"]
        go(protocol)

    run(test)


@BOTH
def test_send_400_response_is_called_on_a_refused_head(cls: type) -> None:
    """Both protocols answer an unparseable head through ``send_400_response``."""
    seen: list[str] = []

    class Spy(cls):  # type: ignore[misc, valid-type]
        def send_400_response(self, msg: str) -> None:
            seen.append(msg)

    async def test() -> None:
        protocol, transport = make(Spy)
        protocol.data_received(b"GET / HTTP/1.1\r\nBad Header\r\n\r\n")
        assert seen and not transport.written

    run(test)


# ----------------------------------------------------------------------------- the accessors


@BOTH
def test_connections(cls: type) -> None:
    async def test() -> None:
        protocol, _ = make(cls)
        assert protocol in compat.connections(protocol)
        assert compat.connections(protocol) is protocol.server_state.connections
        protocol.connection_lost(None)
        assert protocol not in compat.connections(protocol)

    run(test)


@BOTH
def test_default_headers(cls: type) -> None:
    async def test() -> None:
        protocol, _ = make(cls)
        protocol.server_state.default_headers.append((b"server", b"uvicorn"))
        assert compat.default_headers(protocol) == [(b"server", b"uvicorn")]

    run(test)


@BOTH
def test_client_address(cls: type) -> None:
    async def test() -> None:
        protocol, _ = make(cls)
        assert compat.client_address(protocol) == "127.0.0.1:50000"

    run(test)


@BOTH
def test_transport_of(cls: type) -> None:
    async def test() -> None:
        protocol, transport = make(cls)
        assert compat.transport_of(protocol) is transport

    run(test)


@BOTH
def test_request_in_progress(cls: type) -> None:
    async def test() -> None:
        protocol, transport = make(cls)
        assert not compat.request_in_progress(protocol)
        protocol.data_received(GET)
        assert compat.request_in_progress(protocol)
        go(protocol)
        for _ in range(100):
            await asyncio.sleep(0.01)
            if not compat.request_in_progress(protocol):
                break
        assert not compat.request_in_progress(protocol)
        assert transport.written.startswith(b"HTTP/1.1 204")

    run(test)


@BOTH
def test_awaiting_request_body(cls: type) -> None:
    async def test() -> None:
        protocol, _ = make(cls)
        assert not compat.awaiting_request_body(protocol)
        protocol.data_received(POST_HEAD + b"01234")
        assert compat.awaiting_request_body(protocol)
        protocol.data_received(b"56789")
        assert not compat.awaiting_request_body(protocol)
        assert compat.request_in_progress(protocol)
        go(protocol)

    run(test)


@BOTH
def test_reading_paused(cls: type) -> None:
    """uvicorn pauses reading when a body piles up unread (flow control)."""

    async def test() -> None:
        protocol, transport = make(cls)
        assert not compat.reading_paused(protocol)
        head = b"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n"
        protocol.data_received(head + b"a" * 100_000)
        assert compat.reading_paused(protocol) and not transport.reading
        go(protocol)

    run(test)


@BOTH
def test_writing_paused(cls: type) -> None:
    async def test() -> None:
        protocol, _ = make(cls)
        assert not compat.writing_paused(protocol)
        protocol.pause_writing()
        assert compat.writing_paused(protocol)
        protocol.resume_writing()
        assert not compat.writing_paused(protocol)

    run(test)


@BOTH
def test_cancel_keep_alive(cls: type) -> None:
    """After a response uvicorn arms a keep-alive timer; cancelling it keeps the connection."""

    async def test() -> None:
        protocol, transport = make(cls, timeout_keep_alive=0.05)
        protocol.data_received(GET)
        go(protocol)
        while compat.request_in_progress(protocol):
            await asyncio.sleep(0.005)
        compat.cancel_keep_alive(protocol)
        await asyncio.sleep(0.15)
        assert not transport.closed
        # and without cancelling, the timer closes it
        other, other_transport = make(cls, timeout_keep_alive=0.05)
        other.data_received(GET)
        go(other)
        await asyncio.sleep(0.3)
        assert other_transport.closed

    run(test)


def test_new_protocol_like() -> None:
    async def test() -> None:
        protocol, _ = make(compat.HttpToolsProtocol)
        h11_protocol = compat.new_protocol_like(compat.H11Protocol, protocol)
        assert isinstance(h11_protocol, compat.H11Protocol)
        assert h11_protocol.server_state is protocol.server_state
        assert h11_protocol.config is protocol.config

    run(test)


def test_httptools_request_url() -> None:
    """The target accumulates while it arrives, before the head is complete."""

    async def test() -> None:
        protocol, _ = make(compat.HttpToolsProtocol)
        protocol.data_received(b"GET /a?b")
        assert compat.httptools_request_url(protocol) == b"/a?b"
        protocol.data_received(b"=1 HTTP/1.1\r\n")
        assert compat.httptools_request_url(protocol) == b"/a?b=1"

    run(test)


def test_httptools_request_headers() -> None:
    async def test() -> None:
        protocol, _ = make(compat.HttpToolsProtocol)
        protocol.data_received(b"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n")
        assert compat.httptools_request_headers(protocol)[:1] == [(b"host", b"x")]

    run(test)


def test_httptools_http_version() -> None:
    async def test() -> None:
        protocol, _ = make(compat.HttpToolsProtocol)
        protocol.data_received(b"GET / HTTP/1.0\r\nHost: x\r\n")
        assert compat.httptools_http_version(protocol) == "1.0"

    run(test)


def test_h11_connection() -> None:
    async def test() -> None:
        protocol, _ = make(compat.H11Protocol)
        assert isinstance(compat.h11_connection(protocol), h11.Connection)

    run(test)


def test_replace_h11_connection() -> None:
    """The protocol and the cycles it creates afterwards use the replacement."""
    events: list[Any] = []

    class Recording:
        def __init__(self, connection: h11.Connection) -> None:
            self._connection = connection

        def __getattr__(self, name: str) -> Any:
            return getattr(self._connection, name)

        def next_event(self) -> Any:
            event = self._connection.next_event()
            events.append(event)
            return event

    async def test() -> None:
        protocol, _ = make(compat.H11Protocol)
        wrapper = Recording(compat.h11_connection(protocol))
        compat.replace_h11_connection(protocol, wrapper)
        assert compat.h11_connection(protocol) is wrapper
        protocol.data_received(GET)
        assert any(isinstance(event, h11.Request) for event in events)
        assert protocol.cycle.conn is wrapper
        go(protocol)

    run(test)


def test_h11_reading_head() -> None:
    async def test() -> None:
        protocol, _ = make(compat.H11Protocol)
        assert compat.h11_reading_head(protocol)
        protocol.data_received(POST_HEAD[:20])
        assert compat.h11_reading_head(protocol)
        protocol.data_received(POST_HEAD[20:])
        assert not compat.h11_reading_head(protocol)

    run(test)


def test_h11_reading_body() -> None:
    async def test() -> None:
        protocol, _ = make(compat.H11Protocol)
        assert not compat.h11_reading_body(protocol)
        protocol.data_received(POST_HEAD + b"01234")
        assert compat.h11_reading_body(protocol)
        protocol.data_received(b"56789")
        assert not compat.h11_reading_body(protocol)
        go(protocol)

    run(test)
