"""The Sendcloud Returns API v2 as the harness sees it (:class:`SendcloudProfile`)."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ...profile import (
    ApiProfile,
    Authentication,
    CredentialOption,
    Credentials,
    Placeholder,
    PlaceholderResolver,
    UsageError,
    Verify,
)
from . import curl

if TYPE_CHECKING:
    import httpx

    from api_contracts import Contract, Operation

    from ...client import ApiClient
    from ...corpus.edges import EdgeBuilder
    from ...corpus.model import Request
    from ...corpus.oracle import Analysis
    from ...profile import ApiEdges

JSON = "application/json"
BASIC = "Basic {{sendcloud.basic}}"


def basic_header(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


class SendcloudProfile(ApiProfile):
    """Plain JSON, HTTP Basic with an API key pair, cursor pagination, `{"error": …}` errors."""

    name = "sendcloud"
    title = "Sendcloud Returns API v2"
    spec_file = "sendcloud-returns-v2.openapi.yaml"
    media_type = JSON
    accept = JSON
    request_accept = None
    mock_url = "http://127.0.0.1:8080/sendcloud/api/v2"
    credential_options = (
        CredentialOption(
            "basic",
            "API public key and secret key (HTTP Basic)",
            secret=True,
            metavar="KEY:SECRET",
        ),
    )
    placeholders = (
        Placeholder(
            "sendcloud.basic",
            "base64 of KEY:SECRET (--basic), used as `Authorization: Basic {{sendcloud.basic}}`",
            shell="SENDCLOUD_BASIC",
            secret=True,
        ),
        Placeholder(
            "sendcloud.basicWrongSecret",
            "base64 of KEY:<a wrong secret>: the real public key with a wrong secret",
            shell="SENDCLOUD_BASIC_WRONG_SECRET",
            secret=True,
        ),
        Placeholder(
            "sendcloud.returnId",
            "id of an existing return (first of GET /returns)",
            shell="SENDCLOUD_RETURN_ID",
        ),
        Placeholder(
            "sendcloud.cursor",
            "the cursor of the first page's `next` link (needs more than one page)",
            shell="SENDCLOUD_CURSOR",
        ),
    )
    path_placeholders: ClassVar[Mapping[tuple[str, str], str]] = {
        ("sc-public-v2-scp-get-return_by_id", "id"): "sendcloud.returnId",
    }
    not_provokable: ClassVar[Mapping[int, str]] = {
        429: (
            "rate limiting (1000 GET requests per minute): a correct server does not answer 429 "
            "to a single request, and a corpus must not flood the target"
        ),
    }
    curl_setup = curl.SETUP

    def load_checks(self) -> None:
        from . import checks  # noqa: F401 - registers the checks

    # ------------------------------------------------------------------ credentials

    def credentials(self, values: Mapping[str, str | None]) -> Credentials:
        credentials = Credentials()
        text = values.get("basic")
        if text:
            key, sep, secret = text.partition(":")
            if not sep or not key:
                raise UsageError("--basic takes KEY:SECRET")
            credentials.basic = (key, secret)
        return credentials

    def check_credentials(self, credentials: Credentials) -> None:
        if credentials.basic is None:
            raise UsageError("sendcloud needs --basic KEY:SECRET")

    def replay_credentials_problem(self, credentials: Credentials, needed: list[str]) -> str | None:
        if "sendcloud.basic" in needed and credentials.basic is None:
            return "this corpus needs --basic KEY:SECRET"
        return None

    def secrets(self, credentials: Credentials) -> list[str]:
        if credentials.basic is None:
            return []
        key, secret = credentials.basic
        found = [basic_header(key, secret).removeprefix("Basic ")]
        found += [f"{key}:{secret}"] if secret else []
        found += [secret] if secret else []
        return found

    # ------------------------------------------------------------------ a run

    def authenticate(
        self, client: ApiClient, credentials: Credentials, contract: Contract, verify: Verify
    ) -> Authentication:
        assert credentials.basic is not None
        header = basic_header(*credentials.basic)
        verify(header, "the Basic credentials")
        return Authentication(header)

    def schemathesis_settings(self, credentials: Credentials) -> dict[str, Any]:
        if credentials.basic is None:
            return {}
        username, password = credentials.basic
        return {"auth": {"basic": {"username": username, "password": password}}}

    def scenario_credentials(self, credentials: Credentials) -> dict[str, Any]:
        username = credentials.basic[0] if credentials.basic else None
        return {"username": username, "store": credentials.store}

    # ------------------------------------------------------------------ the corpus

    def base_headers(self, op: Operation) -> dict[str, str]:
        return {"Authorization": BASIC}

    def generated_authorization(
        self, value: str | None, op: Operation, positive: bool
    ) -> str | None:
        if value is None:
            return BASIC if op.secured and positive else None
        return BASIC if value.startswith("Basic ") else value

    def edges(self, builder: EdgeBuilder) -> ApiEdges:
        from .edges import SendcloudEdges

        return SendcloudEdges(builder)

    def analyse(self, contract: Contract, op: Operation, request: Request) -> Analysis:
        from .oracle import sendcloud

        return sendcloud(contract, op, request)

    def resolver(
        self,
        http: httpx.Client,
        base_url: str,
        credentials: Credentials,
        value: Callable[[str], str],
    ) -> PlaceholderResolver:
        from .replay import SendcloudResolver

        return SendcloudResolver(http, base_url, credentials, value)


PROFILE = SendcloudProfile()
