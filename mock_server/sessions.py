"""Sessions: isolated worlds in one mock process.

A session is one set of per-API services (each with its own seeded world, tokens and counters),
its request journal and its timestamps. Requests name a session by a URL prefix
(``/sessions/{name}/glue/…``) or by the ``Mock-Session`` header on an unprefixed path; neither
means the *default* session, whose services are the ones mounted at start-up, so an unprefixed
request behaves exactly as before sessions existed.

State sits behind :class:`SessionStore` (create, get, touch, evict, list). The in-process
:class:`InMemorySessionStore` is the default: LRU + idle TTL, at most ``max_sessions`` named
sessions; the default session is never evicted.

What a shared store (e.g. Redis, so several workers or hosts serve the same sessions) would
need: sessions would have to be *serializable* — the worlds are rebuilt from ``(seed, changes)``
rather than pickled, tokens and counters stored as plain records; ``get`` would load the state
and ``touch`` would write back the changes (or each service would keep its state in the store
directly); LRU and TTL map onto key expiry (``EXPIRE`` on touch) and a sorted set of last uses;
the journal becomes a capped list (``LPUSH`` + ``LTRIM``). The interface below is what the mock
calls; nothing else reaches into the store.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import count
from typing import TYPE_CHECKING, Any, Protocol

from starlette.types import Scope

from .errors import ApiError
from .journal import Journal

if TYPE_CHECKING:
    from .api import ApiService
    from .config import Settings
    from .runtime import MountedApi, Runtime

SESSION_KEY = "mock_session"  # the ASGI scope key holding the request's Session
PREFIX = "/sessions/"
HEADER = b"mock-session"
DEFAULT = "default"
NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
DEFAULT_MAX_SESSIONS = 256
DEFAULT_TTL_SECONDS = 30 * 60

_serials = count(1)  # 0 is the default session


class InvalidSessionName(ValueError):
    """A session name outside ``[A-Za-z0-9._-]{1,64}``; ``path`` is the rest of the request."""

    def __init__(self, name: str, path: str) -> None:
        shown = name if len(name) <= 80 else name[:80] + "…"
        super().__init__(
            f"Invalid session name {shown!r}: use 1-64 characters of A-Z a-z 0-9 . _ -"
        )
        self.path = path

    @property
    def error(self) -> ApiError:
        """The 400 the client gets, in the envelope of the API ``path`` belongs to."""
        return ApiError(400, str(self))


@dataclass(eq=False)
class Session:
    """One isolated world: a service per mounted API (by base path) and a journal."""

    name: str
    services: dict[str, ApiService]
    journal: Journal = field(default_factory=Journal)
    serial: int = field(default_factory=lambda: next(_serials))  # unique per creation
    created_at: float = field(default_factory=time.time)
    last_used: float = field(default_factory=time.monotonic)

    @property
    def prefix(self) -> str:
        """What links built in this session start with ("" for the default session)."""
        return "" if self.name == DEFAULT else PREFIX + self.name

    def describe(self, now: float | None = None) -> dict:
        """Age, last use and size, for ``GET /__admin/sessions``."""
        now = time.monotonic() if now is None else now
        age = time.time() - self.created_at
        return {
            "name": self.name,
            "baseUrl": self.prefix or "/",
            "createdAt": _iso(self.created_at),
            "ageSeconds": round(age, 1),
            "idleSeconds": round(now - self.last_used, 1),
            "size": {
                "journalEntries": len(self.journal),
                **{base: service.counts() for base, service in self.services.items()},
            },
        }


class SessionStore(Protocol):
    """Where sessions live. The in-process store is the default; see the module docstring for
    what a shared (Redis) store would have to provide."""

    default: Session

    def create(self, name: str) -> Session:
        """A fresh session from the server's seed (replacing one of that name)."""
        ...

    def get(self, name: str) -> Session | None:
        """The live session called ``name`` (expired ones are gone), or None."""
        ...

    def touch(self, session: Session) -> None:
        """Record a use: it becomes the most recently used and its TTL restarts."""
        ...

    def evict(self, name: str) -> bool:
        """Drop a session; True when there was one."""
        ...

    def list(self) -> list[Session]:
        """Every live session, the default one first."""
        ...


class InMemorySessionStore:
    """Sessions in this process: an LRU of at most ``max_sessions``, idle ones expire after
    ``ttl`` seconds (checked when sessions are looked up, created or listed)."""

    def __init__(
        self,
        factory: Callable[[str], Session],
        default: Session,
        max_sessions: int = DEFAULT_MAX_SESSIONS,
        ttl: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._factory = factory
        self.default = default
        self.max_sessions = max_sessions
        self.ttl = ttl
        self._clock = clock
        self._sessions: OrderedDict[str, Session] = OrderedDict()  # least recently used first
        self._lock = threading.Lock()
        self.evicted = 0

    def create(self, name: str) -> Session:
        if name == DEFAULT:
            return self.default
        session = self._factory(name)
        session.last_used = self._clock()
        with self._lock:
            self._sessions.pop(name, None)
            self._expire(session.last_used)
            while len(self._sessions) >= self.max_sessions:
                self._sessions.popitem(last=False)
                self.evicted += 1
            self._sessions[name] = session
        return session

    def get(self, name: str) -> Session | None:
        if name == DEFAULT:
            return self.default
        with self._lock:
            session = self._sessions.get(name)
            if session is not None and self._clock() - session.last_used > self.ttl:
                del self._sessions[name]
                self.evicted += 1
                return None
            return session

    def touch(self, session: Session) -> None:
        session.last_used = self._clock()
        if session is not self.default:
            with self._lock:
                if self._sessions.get(session.name) is session:
                    self._sessions.move_to_end(session.name)

    def evict(self, name: str) -> bool:
        with self._lock:
            return self._sessions.pop(name, None) is not None

    def list(self) -> list[Session]:
        with self._lock:
            self._expire(self._clock())
            return [self.default, *self._sessions.values()]

    def _expire(self, now: float) -> None:
        """Drop idle sessions from the least recently used end (call with the lock held)."""
        while self._sessions:
            oldest = next(iter(self._sessions.values()))
            if now - oldest.last_used <= self.ttl:
                return
            self._sessions.popitem(last=False)
            self.evicted += 1


def open_session(store: SessionStore, name: str) -> Session:
    """The session called ``name``, created from the server's seed on first use, and touched."""
    session = store.get(name) or store.create(name)
    store.touch(session)
    return session


def split_session(scope: Scope) -> tuple[str | None, Scope]:
    """The session a request names and its scope without the ``/sessions/{name}`` prefix.

    Returns ``(None, scope)`` when the request names none (the default session). Raises
    :class:`InvalidSessionName` for a name outside the allowed alphabet.
    """
    path: str = scope.get("path", "")
    if path.startswith(PREFIX):
        name, slash, rest = path[len(PREFIX) :].partition("/")
        rest = slash + rest or "/"
        if not NAME.fullmatch(name):
            raise InvalidSessionName(name, rest)
        raw: bytes = scope.get("raw_path") or path.encode()
        raw_rest = raw[len(PREFIX) :]
        cut = raw_rest.find(b"/")
        stripped = {**scope, "path": rest, "raw_path": raw_rest[cut:] if cut >= 0 else b"/"}
        return name, stripped
    for key, value in scope.get("headers", ()):
        if key == HEADER:
            name = value.decode("latin-1").strip()
            if not NAME.fullmatch(name):
                raise InvalidSessionName(name, path)
            return name, scope
    return None, scope


def session_of(scope: Scope) -> Session | None:
    """The request's session (None outside the mock's app, e.g. in unit tests: the default)."""
    return scope.get(SESSION_KEY)


def session_prefix(scope: Mapping[str, Any]) -> str:
    """The path prefix links of this request must carry to stay in its session."""
    session = scope.get(SESSION_KEY)
    return session.prefix if session is not None else ""


def service_for(scope: Scope, mounted: MountedApi) -> ApiService:
    """The service of ``mounted``'s API in the request's session (the one place that picks it)."""
    session = scope.get(SESSION_KEY)
    if session is None:
        return mounted.service
    return session.services[mounted.definition.base_path]


def build_store(runtime: Runtime, settings: Settings) -> InMemorySessionStore:
    """The in-process store for ``runtime``'s mounted APIs; the default session wraps the
    services mounted at start-up."""
    apis = list(runtime.apis.items())

    def make(name: str) -> Session:
        scoped = dataclasses.replace(settings, session=name)
        return Session(name, {base: m.definition.make_service(scoped) for base, m in apis})

    default = Session(DEFAULT, {base: m.service for base, m in apis}, serial=0)
    return InMemorySessionStore(make, default, settings.max_sessions, settings.session_ttl)


def describe_all(sessions: Iterable[Session]) -> list[dict]:
    now = time.monotonic()
    return [s.describe(now) for s in sessions]


def _iso(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


def session_serial(scope: Scope) -> int:
    """Identifies the request's session *instance* (a re-created session never shares cache)."""
    session = scope.get(SESSION_KEY)
    return session.serial if session is not None else 0
