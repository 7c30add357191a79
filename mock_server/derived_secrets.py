"""Where the mock's tokens and keys come from.

By default they are derived from the seed alone, so the same seed gives byte-identical
responses, tokens included: they are **not secret** (anyone who knows the seed, 42 unless
told otherwise, can compute them). ``--random-secrets`` mixes in a random per-process salt:
tokens and keys become unpredictable while the seeded data stays deterministic.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from .config import Settings


def new_salt() -> bytes:
    """A fresh random salt for ``Settings.secret_salt`` (``--random-secrets``)."""
    return secrets.token_bytes(32)


def derived_key(settings: Settings, label: str) -> bytes:
    """32 bytes for ``label`` (e.g. ``glue-mock-42``): its SHA-256 by default, an HMAC keyed
    with the process's random salt under ``--random-secrets``."""
    if settings.secret_salt is None:
        return hashlib.sha256(label.encode()).digest()
    return hmac.new(settings.secret_salt, label.encode(), "sha256").digest()
