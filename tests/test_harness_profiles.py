"""Issue 14, point 1 for the harness: one API is one package behind ``ApiProfile``.

No shared module of ``conformance/`` names an API; the registry feeds the CLI's ``--api``
choices and credential options, the pytest plugin and the placeholder pattern; an API nobody
registered is a usage error everywhere, never another API's path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import ROOT

from conformance import apis, pytest_plugin
from conformance.cli import build_parser, main
from conformance.corpus.generate import GenerationError, generate
from conformance.corpus.model import CorpusError, corpus_from_json, placeholder_pattern
from conformance.profile import (
    ApiProfile,
    Authentication,
    CredentialOption,
    Credentials,
    Placeholder,
    PlaceholderResolver,
    UsageError,
)
from conformance.runner import run

API_NAME = re.compile(r"""["'](glue|sendcloud)["']""")


def test_no_shared_module_names_an_api() -> None:
    shared = [
        path
        for path in (ROOT / "conformance").rglob("*.py")
        if "apis" not in path.relative_to(ROOT / "conformance").parts
    ]
    assert shared
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in shared
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if API_NAME.search(line)
    ]
    assert offenders == []


def test_each_api_is_a_package_with_a_profile() -> None:
    for name in apis.BUILT_IN:
        package = ROOT / "conformance" / "apis" / name
        assert (package / "profile.py").is_file()
        profile = apis.profile_for(name)
        assert isinstance(profile, ApiProfile) and profile.name == name
        contract = profile.load_contract()
        assert contract.name == name and contract.operations
        assert all(p.name.startswith(f"{name}.") for p in profile.placeholders)


def test_an_unknown_api_is_a_usage_error_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(UsageError, match="unknown API 'nope'"):
        run("nope", "http://127.0.0.1:9")
    with pytest.raises(UsageError, match="unknown API 'nope'"):
        apis.profile_for("nope")
    with pytest.raises(GenerationError, match="unknown API 'nope'"):
        generate("nope")
    with pytest.raises(CorpusError, match="unknown api 'nope'"):
        corpus_from_json({"format": "returns-harness/corpus@1", "version": 1, "api": "nope"})
    for command in (["run", "--base-url", "x"], ["generate", "--out", str(tmp_path / "c")]):
        with pytest.raises(SystemExit) as exit_info:
            main([command[0], "--api", "nope", *command[1:]])
        assert exit_info.value.code == 2
        assert "invalid choice: 'nope'" in capsys.readouterr().err


class _ToyProfile(ApiProfile):
    """A third API that exists only in this test."""

    name = "toy"
    title = "Toy API"
    spec_file = "glue-returns.openapi.yaml"
    media_type = accept = "application/json"
    mock_url = "http://127.0.0.1:8080/toy"
    credential_options = (CredentialOption("toy-key", "the toy key", secret=True),)
    placeholders = (Placeholder("toy.key", "the toy key", shell="TOY_KEY", secret=True),)

    def load_checks(self) -> None:
        pass

    def check_credentials(self, credentials: Credentials) -> None:
        if "toy_key" not in credentials.extra:
            raise UsageError("toy needs --toy-key")

    def replay_credentials_problem(self, credentials: Credentials, needed: list[str]) -> None:
        return None

    def secrets(self, credentials: Credentials) -> list[str]:
        return list(credentials.extra.values())

    def authenticate(self, *args: Any) -> Authentication:
        return Authentication("Key {{toy.key}}")

    def edges(self, builder: Any) -> Any:
        raise NotImplementedError

    def analyse(self, *args: Any) -> Any:
        raise NotImplementedError

    def resolver(self, *args: Any) -> PlaceholderResolver:
        raise NotImplementedError


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> Iterator[ApiProfile]:
    """The toy API registered for one test (the registry is restored afterwards)."""
    profile = _ToyProfile()
    apis.profile_for("glue")  # the built-in ones first
    monkeypatch.setitem(apis._PROFILES, "toy", profile)
    apis._PATTERN.clear()
    yield profile
    apis._PATTERN.clear()


def test_a_registered_api_reaches_cli_plugin_and_placeholders(toy: ApiProfile) -> None:
    assert apis.api_names()[-1] == "toy"
    parser = build_parser()
    args = parser.parse_args(["run", "--api", "toy", "--base-url", "x", "--toy-key", "k-123"])
    assert args.api == "toy" and args.toy_key == "k-123"
    credentials = toy.credentials({"toy_key": "k-123"})
    assert credentials.extra == {"toy_key": "k-123"}
    assert toy.reproduce_options(credentials) == ["--toy-key", '"$CONFORMANCE_TOY_KEY"']
    assert ("toy-key", "the toy key (or CONFORMANCE_TOY_KEY)") in pytest_plugin.options()
    assert placeholder_pattern().fullmatch("{{toy.key}}")
    with pytest.raises(UsageError, match="toy needs --toy-key"):
        run("toy", "http://127.0.0.1:9")


def test_register_checks_the_names(toy: ApiProfile) -> None:
    class Bad(_ToyProfile):
        name = "Bad Name"

    with pytest.raises(ValueError, match="API name"):
        apis.register(Bad())

    class Stray(_ToyProfile):
        name = "stray"

    with pytest.raises(ValueError, match=r"must start with stray\."):
        apis.register(Stray())
