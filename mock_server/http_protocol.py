"""The mock's HTTP/1.1 protocol: httptools for speed, h11 for the heads httptools cannot parse.

uvicorn's httptools protocol answers a request head that its parser refuses with a bare
``400 text/plain`` before the app sees it: an unregistered method such as ``FOO`` (llhttp only
knows registered ones), or a URL over 64 KiB (``httptools.parse_url`` keeps 16-bit offsets).
This protocol keeps the bytes of each request head until it is parsed; when httptools refuses
one, the connection is handed, with those bytes, to uvicorn's own h11 protocol (the same
hand-over uvicorn does for a WebSocket upgrade), so the mock answers in the API's envelope:
405 with ``Allow``, 414. Everything httptools parses stays on httptools.

uvicorn takes the class through its documented ``http=`` option (a protocol class or a name).
Going further than documented: ``send_400_response``, ``on_headers_complete`` and
``on_message_complete`` are overridden, uvicorn's protocol internals as of 0.54.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEAD_BYTES = 256 * 1024  # what h11 accepts (``h11_max_incomplete_event_size``) as well


class FallbackHttpToolsProtocol(HttpToolsProtocol):
    """httptools, handing an unparseable request head to h11 instead of a bare 400."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head = bytearray()  # bytes of the request head being read
        self._reading_head = True  # no head parsed since the last message ended
        self._between_messages = True  # the next byte received starts a request
        self._head_is_whole = False  # the buffer holds the request from its first byte

    def data_received(self, data: bytes) -> None:
        if self._reading_head:
            if self._between_messages:  # the buffer is empty here (see on_headers_complete)
                self._head_is_whole = True
            if len(self._head) + len(data) <= MAX_HEAD_BYTES:
                self._head += data
            else:
                self._head_is_whole = False
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._between_messages = False

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._reading_head = False
        self._head.clear()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        # A pipelined request may begin inside this chunk, unbuffered: no hand-over for it.
        self._reading_head = True
        self._between_messages = True
        self._head_is_whole = False

    def send_400_response(self, msg: str) -> None:
        idle = self.cycle is None or self.cycle.response_complete
        if self._reading_head and self._head_is_whole and self._head and idle:
            self._hand_over_to_h11(bytes(self._head))
        else:
            super().send_400_response(msg)

    def _hand_over_to_h11(self, head: bytes) -> None:
        protocol = H11Protocol(
            config=self.config, server_state=self.server_state, app_state=self.app_state
        )
        self.connections.discard(self)
        self._unset_keepalive_if_required()
        protocol.connection_made(self.transport)
        self.transport.set_protocol(protocol)
        protocol.data_received(head)
