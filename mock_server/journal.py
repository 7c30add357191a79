"""The request journal: what a session's clients sent and what the mock answered.

A ring buffer per session (:data:`MAX_ENTRIES`). Recording is cheap and lazy: the raw method,
path, query, headers, the first :data:`MAX_BODY` bytes of the request body and of an error
response are kept as they came; masking secrets, parsing JSON and reading the error code happen
only when someone asks (``GET /__admin/requests``). Secrets never leave the journal: header
values of ``Authorization``, ``Cookie`` and the like are masked (the scheme stays), and every
JSON member whose name speaks of a password, token, secret or key is replaced by ``"***"``.
"""

from __future__ import annotations

import fnmatch
import json
import re
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count
from typing import Any

MAX_ENTRIES = 1000
MAX_BODY = 16 * 1024  # request bodies beyond this are summarized, not recorded
MAX_JOURNAL_BYTES = 256 * 1024  # recorded bodies per journal; the oldest entries go first
MAX_ERROR_BODY = 4 * 1024  # enough of an error response to read its code
MAX_HEADERS = 32
MAX_HEADER_VALUE = 512
MASK = "***"
_MASK = MASK.encode()
_SECRET_HEADERS = {b"authorization", b"proxy-authorization", b"cookie", b"set-cookie"}
_SECRET_NAME = re.compile(rb"token|secret|password|api-?key|auth", re.IGNORECASE)
_SECRET_FIELD = re.compile(r"pass(word)?|token|secret|key|credential", re.IGNORECASE)
_UNRECORDED_HEADERS = {b"host", b"connection", b"content-length"}


@dataclass(slots=True)
class Entry:
    """One request as it came (raw); :meth:`render` makes it presentable."""

    serial: int
    at: float  # wall-clock time the request started
    method: str
    path: str  # without the session prefix
    query: bytes
    headers: bytes  # "name: value" lines, secrets already masked (see :func:`packed_headers`)
    body: bytes
    body_size: int
    status: int = 0
    error_body: bytes = b""
    duration_ms: float = 0.0
    dropped: bool = False  # left the ring before it finished: its bodies are not counted

    def render(self) -> dict:
        return {
            "id": self.serial,
            "time": datetime.fromtimestamp(self.at, UTC).isoformat(timespec="milliseconds"),
            "method": self.method,
            "path": self.path,
            "query": self.query.decode("latin-1"),
            "headers": unpacked_headers(self.headers),
            "body": masked_body(self.body, self.body_size),
            "status": self.status,
            "errorCode": error_code(self.error_body),
            "durationMs": round(self.duration_ms, 2),
        }


class Journal:
    """A session's last :data:`MAX_ENTRIES` requests, oldest first."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_JOURNAL_BYTES) -> None:
        self._entries: deque[Entry] = deque()
        self._serials = count(1)
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0  # recorded request and error bodies

    def __len__(self) -> int:
        return len(self._entries)

    def start(
        self, method: str, path: str, query: bytes, headers: Iterable[tuple[bytes, bytes]]
    ) -> Entry:
        """Record a request as it starts; the caller fills in body, status and duration."""
        packed = packed_headers(headers)
        entry = Entry(next(self._serials), time.time(), method, path, query, packed, b"", 0)
        self._entries.append(entry)
        while len(self._entries) > self.max_entries:
            self._drop_oldest()
        return entry

    def finish(
        self, entry: Entry, body: bytes, body_size: int, status: int, error: bytes, ms: float
    ) -> None:
        """Complete ``entry``; the oldest entries go while the bodies exceed ``max_bytes``."""
        entry.body, entry.body_size, entry.status = body, body_size, status
        entry.error_body, entry.duration_ms = error, ms
        if entry.dropped:
            return
        self.bytes += len(body) + len(error)
        while self.bytes > self.max_bytes and len(self._entries) > 1:
            self._drop_oldest()

    def _drop_oldest(self) -> None:
        dropped = self._entries.popleft()
        dropped.dropped = True
        self.bytes -= len(dropped.body) + len(dropped.error_body)

    def clear(self) -> int:
        dropped = len(self._entries)
        self._entries.clear()
        self.bytes = 0
        return dropped

    def query(
        self,
        method: str | None = None,
        path: str | None = None,
        status: str | None = None,
        since: float | None = None,
    ) -> list[dict]:
        """Rendered entries matching every given filter (see :func:`parse_filters`)."""
        found = []
        for entry in list(self._entries):
            if method and entry.method != method.upper():
                continue
            if path and not (entry.path == path or fnmatch.fnmatchcase(entry.path, path)):
                continue
            if status and not _status_matches(entry.status, status):
                continue
            if since is not None and entry.at < since:
                continue
            found.append(entry.render())
        return found


def parse_since(text: str) -> float:
    """``since`` as Unix seconds or an ISO-8601 time (``Z`` or an offset; naive = UTC)."""
    try:
        return float(text)
    except ValueError:
        pass
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def valid_status_filter(text: str) -> bool:
    """``201`` or a class such as ``4xx``."""
    return bool(re.fullmatch(r"[1-5]([0-9]{2}|xx)", text, re.IGNORECASE))


def _status_matches(status: int, wanted: str) -> bool:
    if wanted[1:].lower() == "xx":
        return str(status)[0] == wanted[0]
    return str(status) == wanted


def packed_headers(headers: Iterable[tuple[bytes, bytes]]) -> bytes:
    """The headers worth keeping, secrets masked right away (a token never sits in the
    journal, even unrendered), as one bytes object: ~1 allocation instead of two per header."""
    lines: list[bytes] = []
    for key, value in headers:
        if key in _UNRECORDED_HEADERS:
            continue
        if len(lines) == MAX_HEADERS:
            break
        if key in _SECRET_HEADERS or _SECRET_NAME.search(key):
            scheme, _, rest = value.partition(b" ")
            value = scheme + b" " + _MASK if rest and key.endswith(b"authorization") else _MASK
        lines.append(key + b": " + value[:MAX_HEADER_VALUE].replace(b"\n", b" "))
    return b"\n".join(lines)


def unpacked_headers(packed: bytes) -> dict[str, str]:
    shown: dict[str, str] = {}
    for line in packed.decode("latin-1").split("\n") if packed else ():
        name, _, text = line.partition(": ")
        shown[name] = text if name not in shown else f"{shown[name]}, {text}"
    return shown


def masked_headers(headers: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """Headers as the journal shows them (masked)."""
    return unpacked_headers(packed_headers(headers))


def masked_body(raw: bytes, size: int) -> Any:
    """The JSON body with secrets masked; a note instead of a body too large or not JSON."""
    if size == 0:
        return None
    if size > len(raw):
        return {"notRecorded": f"{size} bytes (the journal keeps bodies up to {MAX_BODY})"}
    try:
        return _mask(json.loads(raw))
    except (ValueError, RecursionError):
        return {"notRecorded": f"{size} bytes, not JSON"}


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: MASK if _SECRET_FIELD.search(str(k)) and v is not None else _mask(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


def error_code(raw: bytes) -> str | None:
    """The API error code of an error response (``errors[0].code``, as Glue spells it)."""
    if not raw:
        return None
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    errors = document.get("errors") if isinstance(document, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        code = errors[0].get("code")
        return str(code) if code is not None else None
    return None
