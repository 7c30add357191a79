"""The third API as the harness sees it: bearer token, offset pages, flat error objects."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from conformance.profile import (
    ApiProfile,
    Authentication,
    CredentialOption,
    Credentials,
    Placeholder,
    PlaceholderResolver,
    UsageError,
    Verify,
)

from .. import CONTRACT, NAME

if TYPE_CHECKING:
    import httpx

    from api_contracts import Contract, Operation
    from conformance.client import ApiClient
    from conformance.corpus.edges import EdgeBuilder
    from conformance.corpus.model import Request
    from conformance.corpus.oracle import Analysis
    from conformance.profile import ApiEdges

JSON = "application/json"
BEARER = "Bearer {{third.token}}"
# ruff: noqa: E501 - the shell template keeps its lines whole
CURL_SETUP = r"""
# Third API token: CONFORMANCE_TOKEN (the mock's: GET /__admin/accounts).
[ -n "${CONFORMANCE_TOKEN:-}" ] || { echo "set CONFORMANCE_TOKEN" >&2; exit 2; }
THIRD_TOKEN="$CONFORMANCE_TOKEN"
THIRD_RETURN_ID="$(curl -sS "$BASE_URL/returns?limit=1" -H "Authorization: Bearer $THIRD_TOKEN" | py 'print(d["data"][0]["id"] if d.get("data") else "")')"
encode_vars THIRD_TOKEN "$THIRD_TOKEN" THIRD_RETURN_ID "$THIRD_RETURN_ID"
"""


class ThirdProfile(ApiProfile):
    """Its contract lives beside it (not in ``api_contracts``), so it loads its own file."""

    name = NAME
    title = "Parcel Returns API (test-only third API)"
    spec_file = CONTRACT.name
    media_type = JSON
    accept = JSON
    request_accept = None
    mock_url = "http://127.0.0.1:8080/third/v1"
    credential_options = (CredentialOption("token", "bearer token of the third API", secret=True),)
    placeholders = (
        Placeholder("third.token", "the bearer token (--token)", shell="THIRD_TOKEN"),
        Placeholder(
            "third.returnId",
            "id of an existing return (first of GET /returns)",
            shell="THIRD_RETURN_ID",
        ),
    )
    path_placeholders: ClassVar[Mapping[tuple[str, str], str]] = {
        ("getReturn", "returnId"): "third.returnId",
    }
    curl_setup = CURL_SETUP

    def load_contract(self, path: Path | str | None = None) -> Contract:
        from api_contracts import Contract

        return Contract.load(path if path is not None else CONTRACT, self.name)

    def load_checks(self) -> None:
        from . import checks  # noqa: F401 - registers the checks

    # ------------------------------------------------------------------ credentials

    def check_credentials(self, credentials: Credentials) -> None:
        if not credentials.token:
            raise UsageError("third needs --token TOKEN")

    def replay_credentials_problem(self, credentials: Credentials, needed: list[str]) -> str | None:
        if needed and not credentials.token:
            return "this corpus needs --token TOKEN"
        return None

    def secrets(self, credentials: Credentials) -> list[str]:
        return [credentials.token] if credentials.token else []

    # ------------------------------------------------------------------ a run

    def authenticate(
        self, client: ApiClient, credentials: Credentials, contract: Contract, verify: Verify
    ) -> Authentication:
        header = f"Bearer {credentials.token}"
        verify(header, "the token")
        return Authentication(header)

    def schemathesis_settings(self, credentials: Credentials) -> dict[str, Any]:
        if not credentials.token:
            return {}
        return {"auth": {"openapi": {"BearerAuth": {"bearer": credentials.token}}}}

    # ------------------------------------------------------------------ the corpus

    def base_headers(self, op: Operation) -> dict[str, str]:
        return {"Authorization": BEARER}

    def generated_authorization(
        self, value: str | None, op: Operation, positive: bool
    ) -> str | None:
        if value is None:
            return BEARER if positive else None
        return BEARER if value.startswith("Bearer ") else value

    def edges(self, builder: EdgeBuilder) -> ApiEdges:
        from .edges import ThirdEdges

        return ThirdEdges(builder)

    def analyse(self, contract: Contract, op: Operation, request: Request) -> Analysis:
        from .oracle import analyse

        return analyse(contract, op, request)

    def resolver(
        self,
        http: httpx.Client,
        base_url: str,
        credentials: Credentials,
        value: Callable[[str], str],
    ) -> PlaceholderResolver:
        from .replay import ThirdResolver

        return ThirdResolver(http, base_url, credentials)


PROFILE = ThirdProfile()
