"""Prism-compatible ``Prefer`` control: ``code=``, ``example=``, ``dynamic=``, plus ``delay=``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ApiError

MAX_DELAY_MS = 60_000
# ASCII digits only (str.isdigit() also takes superscripts, which int() refuses, and other
# scripts' digits, which it reads),
# and only as many as a valid value can have (int() refuses over 4,300 digits).
_STATUS = re.compile(r"[0-9]{3}")
_DELAY = re.compile(r"[0-9]{1,5}")
_SHOWN = 40  # characters of a refused value quoted back in the error
PREFERENCES = "mock_preferences"  # scope key: the parsed Prefer of a routed request


@dataclass(frozen=True)
class Preferences:
    """What a client asked of the mock through ``Prefer``."""

    code: int | None = None
    example: str | None = None
    dynamic: bool = False
    delay_ms: int = 0

    @property
    def overrides_response(self) -> bool:
        return self.code is not None or self.example is not None or self.dynamic


NO_PREFERENCES = Preferences()


def parse_prefer(header: str | None) -> Preferences:
    """Parse ``Prefer: code=404, example=name, dynamic=true, delay=250`` (RFC 7240 style)."""
    if not header:
        return NO_PREFERENCES
    values: dict[str, str] = {}
    for part in header.replace(";", ",").split(","):
        key, _, value = part.strip().partition("=")
        if key:
            values[key.strip().lower()] = value.strip().strip('"')
    code = values.get("code")
    delay = values.get("delay", "0")
    dynamic = values.get("dynamic", "false").lower()
    if code is not None and not (_STATUS.fullmatch(code) and 100 <= int(code) <= 599):
        raise ApiError(400, f"Invalid Prefer header: code={_shown(code)} is not an HTTP status")
    if not _DELAY.fullmatch(delay) or int(delay) > MAX_DELAY_MS:
        raise ApiError(
            400, f"Invalid Prefer header: delay={_shown(delay)} must be 0..{MAX_DELAY_MS} ms"
        )
    if dynamic not in ("true", "false"):
        raise ApiError(
            400, f"Invalid Prefer header: dynamic={_shown(dynamic)} must be true or false"
        )
    return Preferences(
        code=int(code) if code is not None else None,
        example=values.get("example") or None,
        dynamic=dynamic == "true",
        delay_ms=int(delay),
    )


def _shown(value: str) -> str:
    """``value`` quoted for an error message, cut to a readable length."""
    return repr(value if len(value) <= _SHOWN else value[:_SHOWN] + "…")
