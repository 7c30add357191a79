"""Paths, media types and the seeded accounts the tests share."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The repository (the mock and the harness run from here in subprocesses)."""
TESTS = ROOT / "tests"
TEST_DATA = TESTS / "data"
FIXTURES = ROOT / "fixtures"
SOURCES = FIXTURES / "sources"

JSONAPI = "application/vnd.api+json"
GLUE_HEADERS = {"Accept": JSONAPI, "Content-Type": JSONAPI}
"""Accept and Content-Type of a Glue JSON:API request."""

SONIA = ("sonia@spryker.com", "change123")
SPENCOR = ("spencor.hopkin@spryker.com", "change123")
"""Seeded Glue customers (username, password)."""
