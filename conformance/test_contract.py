"""The conformance suite as pytest tests: ``pytest --pyargs conformance --conformance-api …``.

One test per check, so each check is one JUnit test case of pytest's own ``--junitxml``.
Without ``--conformance-api`` every test here is skipped (see ``conformance.pytest_plugin``).
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance.pytest_plugin import is_enabled, selected_checks


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "check_name" not in metafunc.fixturenames:
        return
    if not is_enabled(metafunc.config):
        skip = pytest.mark.skip(reason="conformance plugin inactive: pass --conformance-api")
        metafunc.parametrize("check_name", [pytest.param("-", marks=skip)])
        return
    metafunc.parametrize("check_name", selected_checks(metafunc.config))


def test_conformance_check(conformance_result: Any, check_name: str) -> None:
    """The implementation passes the check ``check_name`` of its contract."""
    from conformance.report import _failure_text

    violations = conformance_result.violations_of(check_name)
    if violations:
        pytest.fail(_failure_text(violations), pytrace=False)
    outcome = conformance_result.checks.get(check_name)
    if outcome is None or outcome.status in ("skipped", "not run"):
        reason = "; ".join(outcome.skipped) if outcome and outcome.skipped else "nothing to check"
        pytest.skip(reason)


def test_conformance_harness_ran_cleanly(conformance_result: Any) -> None:
    """No network error or crashed check kept the harness from testing."""
    if conformance_result.errors:
        pytest.fail(
            "\n".join(f"{e.where}: {e.message}" for e in conformance_result.errors), pytrace=False
        )
