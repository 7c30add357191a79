"""The Spryker Glue Return Management API as the harness sees it (:class:`GlueProfile`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
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
from .media import JSONAPI

if TYPE_CHECKING:
    import httpx

    from api_contracts import Contract, Operation

    from ...client import ApiClient
    from ...corpus.edges import EdgeBuilder
    from ...corpus.model import Case, Request
    from ...corpus.oracle import Analysis
    from ...profile import ApiEdges

TOKEN = "Bearer {{glue.token}}"


class GlueProfile(ApiProfile):
    """JSON:API documents, a customer who logs in for a bearer token, numbered error codes."""

    name = "glue"
    title = "Spryker Glue Return Management API"
    spec_file = "glue-returns.openapi.yaml"
    media_type = JSONAPI
    accept = JSONAPI
    request_accept = JSONAPI
    mock_url = "http://127.0.0.1:8080/glue"
    credential_options = (
        CredentialOption("username", "customer e-mail (logged in through /access-tokens)"),
        CredentialOption("password", "customer password", secret=True),
        CredentialOption("token", "an access token to use instead of logging in", secret=True),
        CredentialOption(
            "other-username", "a second customer, for the isolation checks", replay=False
        ),
        CredentialOption(
            "other-password", "password of the second customer", secret=True, replay=False
        ),
        CredentialOption(
            "store", "store of the customer's orders (default: the contract's example)"
        ),
    )
    placeholders = (
        Placeholder(
            "glue.token",
            "access token of the customer (login with --username/--password, or --token)",
            shell="GLUE_TOKEN",
            secret=True,
        ),
        Placeholder("glue.username", "the customer's e-mail (--username)", shell="GLUE_USERNAME"),
        Placeholder(
            "glue.password",
            "the customer's password (--password)",
            shell="GLUE_PASSWORD",
            secret=True,
        ),
        Placeholder(
            "glue.refreshToken",
            "a refresh token of a fresh login (refreshing consumes it)",
            fresh=True,
            shell="GLUE_REFRESH_TOKEN",
            secret=True,
        ),
        Placeholder(
            "glue.store", "store of the customer's orders (--store, default DE)", shell="GLUE_STORE"
        ),
        Placeholder(
            "glue.orderReference",
            "an order of the customer (first of GET /orders)",
            shell="GLUE_ORDER_REFERENCE",
        ),
        Placeholder(
            "glue.returnReference",
            "a return of the customer (first of GET /returns)",
            shell="GLUE_RETURN_REFERENCE",
        ),
        Placeholder(
            "glue.returnableItemUuid",
            "an order item with isReturnable=true, looked up again for every case "
            "(creating a return consumes it)",
            fresh=True,
            shell="GLUE_RETURNABLE_ITEM_UUID",
        ),
        Placeholder(
            "glue.otherMerchantItemUuid",
            "a returnable item of another merchant than {{glue.returnableItemUuid}}",
            fresh=True,
            shell="GLUE_OTHER_MERCHANT_ITEM_UUID",
        ),
        Placeholder(
            "glue.nonReturnableItemUuid",
            "an order item of the customer with isReturnable=false",
            shell="GLUE_NON_RETURNABLE_ITEM_UUID",
        ),
    )
    path_placeholders: ClassVar[Mapping[tuple[str, str], str]] = {
        ("getOrder", "orderReference"): "glue.orderReference",
        ("getReturn", "returnReference"): "glue.returnReference",
        ("revokeRefreshToken", "refreshToken"): "glue.refreshToken",
    }
    # attributes of the documented example bodies that are real data
    example_attributes: ClassVar[Mapping[str, Mapping[str, str]]] = {
        "createAccessToken": {"username": "glue.username", "password": "glue.password"},
        "refreshAccessToken": {"refreshToken": "glue.refreshToken"},
    }
    implicit_headers = ("Accept",)
    curl_setup = curl.SETUP
    curl_fresh = curl.FRESH

    def load_checks(self) -> None:
        from . import checks  # noqa: F401 - registers the checks

    # ------------------------------------------------------------------ credentials

    def credentials(self, values: Mapping[str, str | None]) -> Credentials:
        if values.get("password") and not values.get("username"):
            raise UsageError("--password needs --username")
        return super().credentials(values)

    def check_credentials(self, credentials: Credentials) -> None:
        c = credentials
        if c.token is None and not (c.username and c.password):
            raise UsageError("glue needs --username and --password, or --token")
        if bool(c.other_username) != bool(c.other_password):
            raise UsageError("--other-username and --other-password go together")

    def replay_credentials_problem(self, credentials: Credentials, needed: list[str]) -> str | None:
        c = credentials
        if "glue.token" in needed and not c.token and not (c.username and c.password):
            return "this corpus needs --username and --password, or --token"
        return None

    def secrets(self, credentials: Credentials) -> list[str]:
        c = credentials
        return [s for s in (c.password, c.token, c.other_password) if s]

    # ------------------------------------------------------------------ a run

    def authenticate(
        self, client: ApiClient, credentials: Credentials, contract: Contract, verify: Verify
    ) -> Authentication:
        from .auth import authenticate

        secured = [op.operation_id for op in contract.secured_operations]
        return authenticate(client, credentials, secured, verify)

    def schemathesis_settings(self, credentials: Credentials) -> dict[str, Any]:
        return {"headers": {"Accept": JSONAPI}}

    def tolerated_refusal(
        self, operation: Operation, query: Mapping[str, Any], status: int, body: bytes
    ) -> str | None:
        from .pagination import (
            LONE_PAGE_PARAMETER_RULE,
            is_pagination_refusal,
            lone_page_parameter,
        )

        if (
            lone_page_parameter(query or {}) is not None
            and operation.has_query_parameters("page[offset]", "page[limit]")
            and is_pagination_refusal(status, body)
        ):
            return LONE_PAGE_PARAMETER_RULE
        return None

    def scenario_credentials(self, credentials: Credentials) -> dict[str, Any]:
        # The token-lifecycle checks log in themselves (None with --token alone); every report
        # masks the password (conformance.redact).
        return {
            "username": credentials.username,
            "store": credentials.store,
            "password": credentials.password,
        }

    # ------------------------------------------------------------------ the corpus

    def example_placeholders(self, op: Operation) -> dict[str, str]:
        example = op.request_example()
        data = example.get("data") if isinstance(example, dict) else None
        attributes = data.get("attributes") if isinstance(data, dict) else None
        if not isinstance(attributes, dict):
            return {}
        names = self.example_attributes.get(op.operation_id, {})
        return {str(attributes[k]): "{{" + v + "}}" for k, v in names.items() if k in attributes}

    def base_headers(self, op: Operation) -> dict[str, str]:
        headers = {"Accept": JSONAPI}
        if op.secured:
            headers["Authorization"] = TOKEN
        return headers

    def generated_authorization(
        self, value: str | None, op: Operation, positive: bool
    ) -> str | None:
        if value is None:
            return TOKEN if op.secured and positive else None
        return TOKEN if value.startswith("Bearer ") else value

    def edges(self, builder: EdgeBuilder) -> ApiEdges:
        from .edges import GlueEdges

        return GlueEdges(builder)

    def analyse(self, contract: Contract, op: Operation, request: Request) -> Analysis:
        from .oracle import glue

        return glue(contract, op, request)

    def consumes(self, case: Case) -> bool:
        return case.operation == "createReturn" and any(s < 300 for s in case.expect.status)

    def resolver(
        self, http: httpx.Client, base_url: str, credentials: Credentials, value: Any
    ) -> PlaceholderResolver:
        from .replay import GlueResolver

        return GlueResolver(http, base_url, credentials, value)

    def session_expired(self, case: Case, status: int, credentials: Credentials) -> list[str]:
        """A 401 to a request with the session's own token: it expired, log in again once."""
        c = credentials
        if (
            status == 401
            and case.request.header("Authorization") == TOKEN
            and bool(c.username and c.password and not c.token)
        ):
            return ["glue.token"]
        return []

    def error_codes(self, body: bytes) -> list[str]:
        try:
            document = json.loads(body)
        except ValueError:
            return []
        if not isinstance(document, dict) or not isinstance(document.get("errors"), list):
            return []
        return [str(e["code"]) for e in document["errors"] if isinstance(e, dict) and "code" in e]


PROFILE = GlueProfile()
