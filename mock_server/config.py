"""Run-time settings of the mock, shared by the CLI, the app factory and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_SEED = 42


@dataclass(frozen=True)
class Settings:
    """Everything that changes how the mock behaves."""

    host: str = "127.0.0.1"
    port: int = 8080
    seed: int = DEFAULT_SEED
    latency_ms: int = 0
    fault_rate: float = 0.0
    validate_responses: bool = False
    response_cache: bool = True  # replay repeated reads of an unchanged world (cache.py)
    cors: bool = True
    cors_origins: tuple[str, ...] = field(default=("*",))
    token_ttl: int = 28800
    max_body_bytes: int = 1_048_576
    max_header_bytes: int = 32_768
    max_url_bytes: int = 8_192
    http: str = "httptools"  # uvicorn's HTTP parser: httptools (fast) or h11 (any method)
    max_returns_per_customer: int = 1000
    max_tokens_per_customer: int = 100
    # --- who may drive the mock (see admin_guard.py) ---
    admin: bool = True  # serve /__admin (--no-admin turns it off: 404)
    admin_token: str | None = None  # --admin-token: /__admin requires ``Bearer <token>``
    loopback_hosts_only: bool = False  # /__admin refuses a non-loopback Host (set by the CLI
    # when it binds a loopback address: DNS rebinding); off in-process, where clients choose
    forwarded_allow_ips: str = ""  # proxies whose X-Forwarded-* uvicorn trusts (none by default)
    secret_salt: bytes | None = None  # --random-secrets: tokens and keys unpredictable
    # --- sessions (sessions.py) and the access log (access_log.py) ---
    max_sessions: int = 256
    session_ttl: float = 1800.0  # seconds a named session may stay idle
    session: str = ""  # set per session; "" is the default session
    access_log: bool = True
    # HTTP connections (mock_server/http_protocol.py; --client-timeout, --max-connections)
    max_head_bytes: int = 65_536  # request line + headers read at most (then 414/431, closed)
    client_timeout: float = 30.0  # seconds a client may stay silent mid-request (or idle at start)
    max_connections: int | None = None  # None: half the file-descriptor limit, at most 1000
