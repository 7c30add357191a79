"""uvicorn internals the mock relies on — all of them, in one place (written against 0.54).

uvicorn documents ``http=`` (a protocol class or a name) but not what is inside its protocol
classes. The mock's protocol (``mock_server/http_protocol.py``) subclasses both of them,
overrides the hooks listed in ``HTTPTOOLS_HOOKS`` / ``H11_HOOKS`` (calling ``super()``), and
reads or changes their state only through the functions below. ``tests/test_compat_uvicorn.py``
asserts every entry of ``__all__`` — names, signatures and behaviours — so an uvicorn upgrade
that changes one fails there, by name, rather than somewhere in the attack tests.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = [
    "H11_HOOKS",
    "HTTPTOOLS_HOOKS",
    "H11Protocol",
    "HttpToolsProtocol",
    "awaiting_request_body",
    "cancel_keep_alive",
    "client_address",
    "connections",
    "default_headers",
    "h11_connection",
    "h11_reading_body",
    "h11_reading_head",
    "httptools_http_version",
    "httptools_request_headers",
    "httptools_request_url",
    "new_protocol_like",
    "reading_paused",
    "replace_h11_connection",
    "request_in_progress",
    "transport_of",
    "writing_paused",
]

# Methods of the protocol classes the mock overrides; each override calls the original.
# ``send_400_response`` is what both call when their parser refuses a request;
# ``on_response_complete`` runs after each response; the ``on_*`` of HttpToolsProtocol are
# httptools' parser callbacks.
_PROTOCOL_HOOKS = (
    "connection_made",
    "connection_lost",
    "data_received",
    "send_400_response",
    "on_response_complete",
    "pause_writing",
    "resume_writing",
)
HTTPTOOLS_HOOKS = (
    *_PROTOCOL_HOOKS,
    "on_message_begin",
    "on_headers_complete",
    "on_body",
    "on_message_complete",
)
H11_HOOKS = _PROTOCOL_HOOKS

Protocol = HttpToolsProtocol | H11Protocol
P = TypeVar("P", bound=HttpToolsProtocol | H11Protocol)


def connections(protocol: Protocol) -> set[Any]:
    """The server's set of open connections (protocol instances), shared by all of them."""
    return protocol.connections


def default_headers(protocol: Protocol) -> list[tuple[bytes, bytes]]:
    """Headers uvicorn adds to every response (``server``, ``date``)."""
    return list(protocol.server_state.default_headers)


def client_address(protocol: Protocol) -> str:
    """``host:port`` of the peer, for log lines."""
    client = protocol.client
    return f"{client[0]}:{client[1]}" if client else "unknown client"


def request_in_progress(protocol: Protocol) -> bool:
    """A request was read and its response is not complete yet (the app owns the connection)."""
    cycle = protocol.cycle
    return cycle is not None and not cycle.response_complete


def awaiting_request_body(protocol: Protocol) -> bool:
    """A request is in progress and more of its body is still to come from the client."""
    return request_in_progress(protocol) and bool(protocol.cycle.more_body)


def reading_paused(protocol: Protocol) -> bool:
    """uvicorn stopped reading the socket (flow control, pipelining): not the client's silence."""
    return bool(protocol.flow is not None and protocol.flow.read_paused)


def writing_paused(protocol: Protocol) -> bool:
    """The transport's write buffer is full: the client is not reading its response."""
    return bool(protocol.flow is not None and protocol.flow.write_paused)


def cancel_keep_alive(protocol: Protocol) -> None:
    """Disarm uvicorn's keep-alive timer (before the connection changes hands)."""
    protocol._unset_keepalive_if_required()


def new_protocol_like(cls: type[P], protocol: Protocol) -> P:
    """A protocol of ``cls`` sharing ``protocol``'s config and server state (for a hand-over)."""
    return cls(
        config=protocol.config, server_state=protocol.server_state, app_state=protocol.app_state
    )


def httptools_request_url(protocol: HttpToolsProtocol) -> bytes:
    """The request target read so far (uvicorn accumulates httptools' ``on_url`` pieces)."""
    return bytes(protocol.url)


def httptools_request_headers(protocol: HttpToolsProtocol) -> list[tuple[bytes, bytes]]:
    """The request's header fields as parsed, names lower-cased, in order."""
    return list(protocol.headers)


def httptools_http_version(protocol: HttpToolsProtocol) -> str:
    """``"1.1"`` or ``"1.0"`` of the request being parsed."""
    return str(protocol.parser.get_http_version())


def h11_connection(protocol: H11Protocol) -> Any:
    """The ``h11.Connection`` (or our wrapper of it) the protocol and its cycles use."""
    return protocol.conn


def replace_h11_connection(protocol: H11Protocol, connection: Any) -> None:
    """Have the protocol (and the cycles it creates from now on) use ``connection``."""
    protocol.conn = connection


def h11_reading_head(protocol: H11Protocol) -> bool:
    """h11 waits for (the rest of) a request head."""
    return h11_connection(protocol).their_state is h11.IDLE


def h11_reading_body(protocol: H11Protocol) -> bool:
    """h11 has a request head and waits for (the rest of) its body."""
    return h11_connection(protocol).their_state is h11.SEND_BODY


def transport_of(protocol: Protocol) -> asyncio.Transport:
    """The connection's transport (set by ``connection_made``)."""
    return protocol.transport
