"""Secrets never leave: every text the harness writes passes through a :class:`Redactor`.

It masks the secrets it was given (passwords, tokens, Basic credentials — in their plain,
JSON-escaped, percent-encoded and base64 forms), every secret it learnt during the run (tokens
found in response bodies, e.g. of the harness's own login) and, whatever their value, JSON
members and headers that carry credentials by name (``"password"``, ``"accessToken"``,
``Authorization: Bearer …``). Terminal lines, the Markdown and JUnit reports, replay tables and
the curl reproductions all go through it.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from .model import (
    REDACTED,
    SENSITIVE_HEADERS,
    HarnessError,
    RecordedRequest,
    RecordedResponse,
    RunResult,
    Violation,
)

MIN_SECRET = 4  # shorter strings would mask ordinary text
# JSON members whose value is a credential, whatever the API ("accessToken", "password" …)
SECRET_MEMBER = re.compile(r"(?i)password|passwd|secret|token|api[-_]?key|credential")
_JSON_MEMBER = re.compile(
    r'("(?:[A-Za-z0-9_-]*?)(?:password|passwd|secret|token|api[-_]?key|credential)'
    r'(?:[A-Za-z0-9_-]*)"\s*:\s*)"(?:[^"\\]|\\.)*"',
    re.IGNORECASE,
)
_MAY_HOLD_SECRET = re.compile(rb"(?i)password|passwd|secret|token|api[-_]?key|credential")
_AUTH_VALUE = re.compile(
    r"(?i)\b((?:authorization|proxy-authorization|cookie|set-cookie)\s*[:=]\s*)"
    r"(?:(bearer|basic|digest|token)\s+)?[^\s'\"\\]+"
)


class Redactor:
    """Masks secrets in text, bytes, exchanges, violations and whole run results."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Mask ``secret`` (and its encoded forms) from now on."""
        if not secret or len(secret) < MIN_SECRET:
            return
        forms = {
            secret,
            json.dumps(secret)[1:-1],
            quote(secret, safe=""),
            base64.b64encode(secret.encode()).decode(),
        }
        self._secrets |= {form for form in forms if len(form) >= MIN_SECRET}

    def learn(self, body: bytes | str | None) -> None:
        """Remember the credential-named string values of a JSON body (tokens of a login)."""
        if not body:
            return
        raw = body.encode("utf-8", errors="replace") if isinstance(body, str) else body
        if not _MAY_HOLD_SECRET.search(raw):
            return  # most bodies: no JSON parse
        try:
            document = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return
        for key, value in _members(document):
            if isinstance(value, str) and SECRET_MEMBER.search(key):
                self.add(value)

    # ------------------------------------------------------------------ masking

    def text(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, REDACTED)
        text = _JSON_MEMBER.sub(lambda m: f'{m.group(1)}"{REDACTED}"', text)
        return _AUTH_VALUE.sub(
            lambda m: m.group(1) + (f"{m.group(2)} " if m.group(2) else "") + REDACTED, text
        )

    def optional(self, text: str | None) -> str | None:
        return None if text is None else self.text(text)

    def body(self, body: bytes | None) -> bytes | None:
        if body is None:
            return None
        masked = self.text(body.decode("utf-8", errors="replace"))
        return masked.encode("utf-8")

    def headers(self, headers: dict[str, str]) -> dict[str, str]:
        return {
            k: REDACTED if k.lower() in SENSITIVE_HEADERS else self.text(v)
            for k, v in headers.items()
        }

    def request(self, request: RecordedRequest | None) -> RecordedRequest | None:
        if request is None:
            return None
        return RecordedRequest(
            request.method,
            self.text(request.url),
            self.headers(request.headers),
            self.body(request.body),
        )

    def response(self, response: RecordedResponse | None) -> RecordedResponse | None:
        if response is None:
            return None
        return dataclasses.replace(
            response, headers=self.headers(response.headers), body=self.body(response.body) or b""
        )

    def violation(self, violation: Violation) -> Violation:
        return dataclasses.replace(
            violation,
            title=self.text(violation.title),
            message=self.text(violation.message),
            contract=self.text(violation.contract),
            curl=self.optional(violation.curl),
            request=self.request(violation.request),
            response=self.response(violation.response),
        )

    def result(self, result: RunResult) -> None:
        """Mask a run result in place (before any report is written)."""
        for violation in result.violations or []:
            if violation.request is not None:
                self.learn(violation.request.body)
            if violation.response is not None:
                self.learn(violation.response.body)
        result.violations = [self.violation(v) for v in result.violations]
        result.errors = [HarnessError(e.where, self.text(e.message)) for e in result.errors]
        for outcome in result.checks.values():
            outcome.skipped = [self.text(reason) for reason in outcome.skipped]


def _members(value: Any) -> Iterable[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key), item
            yield from _members(item)
    elif isinstance(value, list):
        for item in value:
            yield from _members(item)
