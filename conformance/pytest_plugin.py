"""pytest entry: run the conformance suite inside a backend team's own pytest setup.

The plugin is registered through the ``pytest11`` entry point, so it is loaded in *every*
pytest run where this package is installed. It only adds ``--conformance-*`` options and
fixtures; nothing runs (and Schemathesis is not even imported) unless ``--conformance-api`` is
given. Usage::

    pytest --pyargs conformance --conformance-api glue \\
        --conformance-base-url https://shop.example/glue \\
        --conformance-username alice@example.com --conformance-password "$PW" \\
        [--conformance-other-username … --conformance-other-password …]

    pytest --pyargs conformance --conformance-api sendcloud \\
        --conformance-base-url https://panel.example/api/v2 --conformance-basic "$KEY:$SECRET"

Each check becomes one test (``test_conformance_check[<check>]``), so pytest's own
``--junitxml`` names every check. In your own tests, request the session fixture
``conformance_result`` (a :class:`conformance.model.RunResult`) to assert on the run, or
``conformance_run`` to start runs of your own with the command-line settings. With plugin
autoloading disabled, add ``-p conformance.pytest_plugin``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from .apis import api_names, profile_for, profiles
from .profile import CredentialOption, UsageError

if TYPE_CHECKING:
    from .model import RunResult

COMMON_OPTIONS = (
    ("api", "API to verify: {apis} (turns the plugin on)"),
    ("base-url", "API root of the implementation, e.g. https://shop.example/glue"),
)
RUN_OPTIONS = (
    ("seed", "seed of the generated data"),
    ("max-examples", "examples per operation and phase"),
    ("checks", "comma-separated checks to run"),
    ("exclude-checks", "comma-separated checks to leave out"),
    ("workers", "concurrent Schemathesis workers"),
    ("spec", "contract file instead of the repository's specs/ file"),
    ("report-dir", "also write the Markdown and JUnit reports of the run here"),
)


def _credential_options() -> list[CredentialOption]:
    """The credential options of every API (an option two APIs share, once)."""
    found: dict[str, CredentialOption] = {}
    for profile in profiles():
        for option in profile.credential_options:
            found.setdefault(option.name, option)
    return list(found.values())


def options() -> list[tuple[str, str]]:
    """(name, help) of every ``--conformance-NAME`` option."""
    apis = " or ".join(api_names())
    common = [(name, text.format(apis=apis)) for name, text in COMMON_OPTIONS]
    credentials = [
        (o.name, o.help + (f" (or {o.env})" if o.secret else "")) for o in _credential_options()
    ]
    return [*common, *credentials, *RUN_OPTIONS]


def _env_fallback() -> set[str]:
    """Options whose value may come from ``CONFORMANCE_<NAME>``: the secrets."""
    return {o.name for o in _credential_options() if o.secret}


ENTRY_POINT_NAME = "conformance"


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """Loaded by ``-p conformance.pytest_plugin``: keep the entry point from loading us twice."""
    module = sys.modules[__name__]
    name = pluginmanager.get_name(module)
    if name not in (None, ENTRY_POINT_NAME) and not pluginmanager.has_plugin(ENTRY_POINT_NAME):
        pluginmanager.set_blocked(ENTRY_POINT_NAME)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "contract conformance of a returns API")
    for name, help_text in options():
        group.addoption(
            f"--conformance-{name}",
            dest=f"conformance_{name.replace('-', '_')}",
            default=None,
            help=help_text,
        )


def pytest_configure(config: pytest.Config) -> None:
    """Validate the options up front (a clear usage error) when the plugin is on."""
    if is_enabled(config):
        run_settings(config)


def _option(config: pytest.Config, name: str) -> str | None:
    value = config.getoption(f"conformance_{name.replace('-', '_')}", default=None)
    if value is None and name in _env_fallback():
        value = os.environ.get(f"CONFORMANCE_{name.replace('-', '_').upper()}") or None
    return value


def is_enabled(config: pytest.Config) -> bool:
    """Whether ``--conformance-api`` was given (otherwise the plugin stays inert)."""
    return _option(config, "api") is not None


def _names(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def run_settings(config: pytest.Config) -> dict[str, Any]:
    """``api``, ``target``, ``auth`` and ``options`` for :func:`conformance.runner.run`."""
    from .runner import Options

    api = _option(config, "api")
    base_url = _option(config, "base-url")
    if not api or not base_url:
        raise pytest.UsageError("--conformance-api needs --conformance-base-url")
    if api not in api_names():
        raise pytest.UsageError(f"--conformance-api must be one of {', '.join(api_names())}")
    profile = profile_for(api)
    values = {o.dest: _option(config, o.name) for o in profile.credential_options}
    try:
        auth = profile.credentials(values)
    except UsageError as exc:
        raise pytest.UsageError(
            f"conformance: {str(exc).replace('--', '--conformance-')}"
        ) from None
    try:
        seed = _option(config, "seed")
        max_examples = _option(config, "max-examples")
        workers = _option(config, "workers")
        options = Options(
            seed=int(seed) if seed is not None else None,
            checks=_names(_option(config, "checks")),
            exclude_checks=_names(_option(config, "exclude-checks")) or [],
            spec=_option(config, "spec"),
        )
        if max_examples is not None:
            options.max_examples = int(max_examples)
        if workers is not None:
            options.workers = int(workers)
    except ValueError as exc:
        raise pytest.UsageError(f"conformance option: {exc}") from None
    return {"api": api, "target": base_url, "auth": auth, "options": options}


def selected_checks(config: pytest.Config) -> list[str]:
    """The check names a run with these options reports (for parametrization)."""
    from .runner import available_checks

    settings = run_settings(config)
    options = settings["options"]
    names = sorted(available_checks(settings["api"]))
    if options.checks is not None and "all" not in options.checks:
        names = [n for n in names if n in options.checks]
    return [n for n in names if n not in set(options.exclude_checks)]


@pytest.fixture(scope="session")
def conformance_run(pytestconfig: pytest.Config) -> Callable[..., RunResult]:
    """A callable running the harness with the command-line settings (keyword overrides)."""
    if not is_enabled(pytestconfig):
        pytest.skip("conformance plugin inactive: pass --conformance-api")

    def start(**overrides: Any) -> RunResult:
        from .runner import UsageError, run

        settings = {**run_settings(pytestconfig), **overrides}
        try:
            return run(**settings)
        except UsageError as exc:
            pytest.fail(f"conformance: {exc}", pytrace=False)
            raise

    return start


@pytest.fixture(scope="session")
def conformance_result(pytestconfig: pytest.Config, conformance_run: Any) -> RunResult:
    """The result of one conformance run for the whole session (reports written if asked)."""
    result = conformance_run()
    report_dir = _option(pytestconfig, "report-dir")
    if report_dir:
        from pathlib import Path

        from .report import write_junit, write_markdown

        write_markdown(result, report_dir)
        write_junit(result, Path(report_dir) / f"conformance-{result.api}.xml")
    return result
