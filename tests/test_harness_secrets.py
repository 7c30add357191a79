"""Issue 11, point 3: secrets never leave the harness.

A target whose login response fails a check (wrong media type) and echoes the password makes
the harness report the login exchange itself. Nothing it writes — stdout, stderr, the Markdown
and JUnit reports, a replay's table and JUnit — holds the password or any token the target
issued; the credentials come from the environment and the reproduce line names them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import SONIA, broken_impls
from support.broken_impls import BrokenImpl, Request, Response

from conformance.cli import main
from conformance.corpus.generate import generate
from conformance.model import REDACTED
from conformance.redaction import Redactor

PASSWORD_ENV = "CONFORMANCE_PASSWORD"


class GlueLeakyLogin(BrokenImpl):
    """Login answers as `application/json` and echoes the password; remembers every token."""

    NAME = "glue-leaky-login"
    API = "glue"
    EXPECTED_CHECK = "glue_jsonapi_media_type"
    DEFECT = "the login response is application/json and echoes the password"

    def __init__(self, refresh_status: int | None = None) -> None:
        super().__init__()
        self.tokens: set[str] = set()
        self.password: str | None = None
        self.refresh_status = refresh_status  # e.g. 200 instead of 201: a replay mismatch

    def edit(self, request: Request, response: Response) -> None:
        document = response.json()
        if isinstance(document, dict):
            data = document.get("data")
            attributes = data.get("attributes") if isinstance(data, dict) else None
            for key in ("accessToken", "refreshToken"):
                if isinstance(attributes, dict) and isinstance(attributes.get(key), str):
                    self.tokens.add(attributes[key])
        if request.path.endswith(("/access-tokens", "/refresh-tokens")):
            sent = request.json()
            data = sent.get("data") if isinstance(sent, dict) else None
            attributes = data.get("attributes") if isinstance(data, dict) else None
            password = attributes.get("password") if isinstance(attributes, dict) else None
            if response.status == 201 and isinstance(password, str):
                self.password = password
            if isinstance(document, dict) and self.password:
                document["meta"] = {"echo": f"you sent {self.password}"}
                response.set_json(document)
            response.set_header("content-type", "application/json")
        if request.path.endswith("/refresh-tokens") and response.status == 201:
            response.status = self.refresh_status or 201


def _outputs(directory: Path, *texts: str) -> str:
    files = [
        p.read_text(encoding="utf-8", errors="replace") for p in directory.rglob("*") if p.is_file()
    ]
    return "\n".join([*texts, *(text for text in files)])


def _assert_clean(everything: str, secrets: set[str]) -> None:
    assert secrets
    for secret in secrets:
        assert secret not in everything, f"{secret[:6]}… leaked"


def test_run_against_a_leaky_login_writes_no_password_or_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = GlueLeakyLogin()
    monkeypatch.setattr(broken_impls, "UNDER_TEST", app, raising=False)
    monkeypatch.setenv(PASSWORD_ENV, SONIA[1])
    reports = tmp_path / "reports"
    code = main([
        "run", "--api", "glue", "--app", "support.broken_impls:UNDER_TEST", "--base-url", "/glue",
        "--username", SONIA[0], "--seed", "7", "--max-examples", "3",
        "--phases", "examples", "--report-dir", str(reports),
        "--junit-xml", str(reports / "ci" / "junit.xml"),
    ])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1
    everything = _outputs(reports, captured.out, captured.err)
    # the defect was reported, with the login exchange in it …
    assert "glue_jsonapi_media_type" in everything and "/access-tokens" in everything
    assert REDACTED in everything
    # … and nothing secret
    _assert_clean(everything, {SONIA[1], *app.tokens})
    assert f'--password "${PASSWORD_ENV}"' in captured.out
    assert f"--username {SONIA[0]}" in captured.out


def test_replay_of_the_login_writes_no_password_or_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = GlueLeakyLogin(refresh_status=200)
    monkeypatch.setattr(broken_impls, "UNDER_TEST", app, raising=False)
    monkeypatch.setenv(PASSWORD_ENV, SONIA[1])
    corpus = generate("glue", operations=["createAccessToken", "refreshAccessToken"], seed=3)
    path = tmp_path / "corpus.json"
    path.write_text(corpus.dumps(), encoding="utf-8")
    reports = tmp_path / "reports"
    code = main([
        "replay", str(path), "--app", "support.broken_impls:UNDER_TEST", "--base-url", "/glue",
        "--username", SONIA[0], "--junit-xml", str(reports / "replay.xml"),
    ])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1
    assert app.tokens  # the customer's credentials were used: tokens were issued
    everything = _outputs(reports, captured.out, captured.err)
    assert "MISMATCH" in everything and "refreshAccessToken" in everything
    _assert_clean(everything, {SONIA[1], *app.tokens})


def test_redactor_masks_known_learnt_and_named_secrets() -> None:
    redactor = Redactor(["s3cret-password", None, "ab"])
    redactor.learn(json.dumps({"data": {"attributes": {"accessToken": "tok-123456"}}}))
    text = redactor.text(
        'login with s3cret-password, {"refreshToken": "unknown-refresh", "x": 1} '
        "curl -H 'Authorization: Bearer tok-123456' -H 'Authorization: Basic dXNlcjpwYXNz' "
        "then tok-123456 again; ab stays"
    )
    assert "s3cret-password" not in text and "tok-123456" not in text
    assert "unknown-refresh" not in text and "dXNlcjpwYXNz" not in text
    assert '"x": 1' in text and "ab stays" in text  # too short to be a secret
