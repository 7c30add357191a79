"""Deliberately broken implementations: the mock plus exactly one defect each.

Every class is an ASGI app wrapping a fresh ``create_app(...)``; it forwards each request to
the mock and changes one thing on the way (the defect). ``EXPECTED_CHECK`` names the
conformance check that must catch it. ``BROKEN`` lists them all; the conformance self-tests
run each one and expect exit status 1 with that check named in the JUnit and Markdown reports.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.types import Receive, Scope, Send

from mock_server.app import MockServer, create_app
from mock_server.config import Settings
from support import access_token_body

GLUE = "/glue"
SENDCLOUD = "/sendcloud/api/v2"
VND = "application/vnd.api+json"


@dataclass
class Request:
    """A buffered request to the wrapped mock."""

    scope: Scope
    body: bytes = b""

    @property
    def method(self) -> str:
        return self.scope["method"]

    @property
    def path(self) -> str:
        return self.scope["path"]

    def header(self, name: str) -> str | None:
        wanted = name.lower().encode()
        for key, value in self.scope.get("headers", []):
            if key.lower() == wanted:
                return value.decode("latin-1")
        return None

    def with_header(self, name: str, value: str | None) -> Request:
        """A copy with header ``name`` replaced (``None`` removes it)."""
        wanted = name.lower().encode()
        headers = [(k, v) for k, v in self.scope.get("headers", []) if k.lower() != wanted]
        if value is not None:
            headers.append((wanted, value.encode("latin-1")))
        return Request({**self.scope, "headers": headers}, self.body)

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


@dataclass
class Response:
    """A buffered response of the wrapped mock, editable before it is sent on."""

    status: int
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        wanted = name.lower().encode()
        return next((v.decode("latin-1") for k, v in self.headers if k.lower() == wanted), None)

    def set_header(self, name: str, value: str | None) -> None:
        wanted = name.lower().encode()
        self.headers = [(k, v) for k, v in self.headers if k.lower() != wanted]
        if value is not None:
            self.headers.append((wanted, value.encode("latin-1")))

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def set_json(self, document: Any, media_type: str | None = None) -> None:
        self.body = json.dumps(document).encode()
        if media_type is not None:
            self.set_header("content-type", media_type)

    async def send(self, send: Send) -> None:
        headers = [(k, v) for k, v in self.headers if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(self.body)).encode()))
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": self.body})


class BrokenImpl:
    """The mock behind a defect. Subclasses override :meth:`handle` (or :meth:`edit`)."""

    NAME: ClassVar[str] = ""
    API: ClassVar[str] = ""
    EXPECTED_CHECK: ClassVar[str] = ""
    DEFECT: ClassVar[str] = ""
    # Schemathesis phases the self-test needs to reach the defect (scenarios always run).
    PHASES: ClassVar[str] = "examples"
    # Adds to the contract what the defect breaks, when the repository's contract does not
    # document it yet (the self-test then runs with --spec on the patched copy).
    CONTRACT_PATCH: ClassVar[Callable[[dict[str, Any]], None] | None] = None

    def __init__(self, mock: MockServer | None = None) -> None:
        """Wrap ``mock`` (default: a fresh ``create_app(Settings())``)."""
        self.mock: MockServer = mock if mock is not None else create_app(Settings())
        self.runtime = self.mock.runtime

    @property
    def base_path(self) -> str:
        return GLUE if self.API == "glue" else SENDCLOUD

    @property
    def glue(self) -> Any:
        return self.runtime.apis[GLUE].service

    @property
    def sendcloud(self) -> Any:
        return self.runtime.apis[SENDCLOUD].service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.base_path):
            await self.mock(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        response = await self.handle(Request(scope, b"".join(chunks)))
        await response.send(send)

    async def forward(self, request: Request) -> Response:
        """Send ``request`` to the real mock and buffer its answer."""
        sent = False
        response = Response(0)

        async def receive() -> dict:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": request.body, "more_body": False}

        async def collect(message: dict) -> None:
            if message["type"] == "http.response.start":
                response.status = message["status"]
                response.headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                response.body += message.get("body", b"")

        await self.mock(dict(request.scope), receive, collect)
        return response

    async def handle(self, request: Request) -> Response:
        response = await self.forward(request)
        self.edit(request, response)
        return response

    def edit(self, request: Request, response: Response) -> None:
        """Change the mock's response in place (the defect)."""


def _codes(response: Response) -> list[str]:
    document = response.json()
    if not isinstance(document, dict):
        return []
    return [e.get("code") for e in document.get("errors", []) if isinstance(e, dict)]


# --------------------------------------------------------------------------- Glue


class GlueReturnNotFoundIs400(BrokenImpl):
    NAME = "glue-3602-as-400"
    API = "glue"
    EXPECTED_CHECK = "glue_unknown_return_is_404_3602"
    DEFECT = "an unknown return (code 3602) is answered 400 instead of 404"

    def edit(self, request: Request, response: Response) -> None:
        if "3602" in _codes(response):
            response.status = 400
            document = response.json()
            for error in document["errors"]:
                error["status"] = 400
            response.set_json(document)


class GlueNoWwwAuthenticate(BrokenImpl):
    NAME = "glue-401-without-www-authenticate"
    API = "glue"
    EXPECTED_CHECK = "glue_bad_token_is_401_001"
    DEFECT = "a bad token is answered 401/001 but without WWW-Authenticate"

    def edit(self, request: Request, response: Response) -> None:
        if response.status == 401:
            response.set_header("www-authenticate", None)


class GlueForeignReturnVisible(BrokenImpl):
    NAME = "glue-foreign-return-visible"
    API = "glue"
    EXPECTED_CHECK = "glue_foreign_return_is_404_3602"
    DEFECT = "GET /returns/{ref} serves another customer's return instead of 404"

    async def handle(self, request: Request) -> Response:
        response = await self.forward(request)
        prefix = f"{GLUE}/returns/"
        if (
            request.method != "GET"
            or not request.path.startswith(prefix)
            or "3602" not in _codes(response)
        ):
            return response
        found = self.glue.store.world.returns.get(request.path[len(prefix) :])
        if found is None:
            return response
        owner = self.glue.store.world.customers[found.customer_reference]
        login = (
            Request(
                {
                    **request.scope,
                    "method": "POST",
                    "path": f"{GLUE}/access-tokens",
                    "raw_path": f"{GLUE}/access-tokens".encode(),
                    "query_string": b"",
                },
                json.dumps(access_token_body((owner.email, owner.password))).encode(),
            )
            .with_header("content-type", VND)
            .with_header("accept", VND)
        )
        login = login.with_header("content-length", str(len(login.body)))
        token = (await self.forward(login)).json()["data"]["attributes"]["accessToken"]
        return await self.forward(request.with_header("authorization", f"Bearer {token}"))


class GlueItemStaysReturnable(BrokenImpl):
    NAME = "glue-item-stays-returnable"
    API = "glue"
    EXPECTED_CHECK = "glue_returned_item_not_returnable"
    DEFECT = "an item keeps isReturnable=true after it was returned"

    def edit(self, request: Request, response: Response) -> None:
        if (
            request.method != "GET"
            or not request.path.startswith(f"{GLUE}/orders/")
            or response.status != 200
        ):
            return
        document = response.json()
        returned = self.glue.store.world.returned_items
        for item in document["data"]["attributes"].get("items", []):
            if item.get("uuid") in returned:
                item["isReturnable"] = True
        response.set_json(document)


class GlueDuplicateReturnAccepted(BrokenImpl):
    NAME = "glue-duplicate-return-accepted"
    API = "glue"
    EXPECTED_CHECK = "glue_duplicate_return_is_422_3601"
    DEFECT = "an item that is already in a return can be returned again (201)"

    async def handle(self, request: Request) -> Response:
        if request.method == "POST" and request.path == f"{GLUE}/returns":
            body = request.json()
            try:
                uuids = {e["salesOrderItemUuid"] for e in body["data"]["attributes"]["returnItems"]}
            except (TypeError, KeyError):
                uuids = set()
            with self.glue.store.lock:
                self.glue.store.world.returned_items.difference_update(uuids)
        return await self.forward(request)


class GlueProblemJsonErrors(BrokenImpl):
    NAME = "glue-problem-json-errors"
    API = "glue"
    EXPECTED_CHECK = "glue_jsonapi_envelope"
    DEFECT = "errors are RFC 7807 application/problem+json instead of JSON:API errors[]"

    def edit(self, request: Request, response: Response) -> None:
        if response.status < 400:
            return
        errors = (response.json() or {}).get("errors") or [{}]
        response.set_json(
            {
                "type": "about:blank",
                "title": errors[0].get("detail", "Error"),
                "status": response.status,
                "detail": errors[0].get("detail", ""),
            },
            "application/problem+json",
        )


class GlueJsonMediaType(BrokenImpl):
    NAME = "glue-application-json"
    API = "glue"
    EXPECTED_CHECK = "glue_jsonapi_media_type"
    DEFECT = "responses are labelled application/json instead of application/vnd.api+json"

    def edit(self, request: Request, response: Response) -> None:
        if response.header("content-type"):
            response.set_header("content-type", "application/json")


class GlueNextLinkSkipsPage(BrokenImpl):
    NAME = "glue-next-link-skips-a-page"
    API = "glue"
    EXPECTED_CHECK = "glue_pagination_links"
    DEFECT = "links.next jumps two pages ahead, so one page is never reached"

    def edit(self, request: Request, response: Response) -> None:
        document = response.json()
        if response.status != 200 or not isinstance(document, dict):
            return
        next_link = (document.get("links") or {}).get("next")
        if not next_link:
            return
        parts = urlsplit(next_link)
        query = dict(parse_qsl(parts.query))
        offset, limit = int(query["page[offset]"]), int(query["page[limit]"])
        query["page[offset]"] = str(offset + limit)
        document["links"]["next"] = urlunsplit(parts._replace(query=urlencode(query, safe="[]")))
        response.set_json(document)


class Glue500OnBadBody(BrokenImpl):
    NAME = "glue-500-on-bad-body"
    API = "glue"
    EXPECTED_CHECK = "not_a_server_error"
    DEFECT = "POST /returns with an invalid body crashes with 500"
    PHASES = "examples,coverage"

    def edit(self, request: Request, response: Response) -> None:
        if (
            request.method == "POST"
            and request.path == f"{GLUE}/returns"
            and (response.status == 400 or "901" in _codes(response))
        ):
            response.status = 500
            response.set_json({"errors": [{"status": 500, "detail": "Internal Server Error"}]})


class GlueUndocumentedErrorCode(BrokenImpl):
    NAME = "glue-order-not-found-wrong-code"
    API = "glue"
    EXPECTED_CHECK = "glue_error_status_and_code"
    DEFECT = "an unknown order is 404 with code 3602 (returns) instead of 801"

    def edit(self, request: Request, response: Response) -> None:
        if "801" in _codes(response):
            document = response.json()
            for error in document["errors"]:
                error["code"] = "3602"
            response.set_json(document)


# --------------------------------------------------------------------------- Sendcloud


class SendcloudAuthIgnored(BrokenImpl):
    NAME = "sendcloud-auth-ignored"
    API = "sendcloud"
    EXPECTED_CHECK = "sendcloud_auth_required"
    DEFECT = "requests without or with wrong credentials are served anyway"

    async def handle(self, request: Request) -> Response:
        account = self.sendcloud.accounts()["basic"][0]
        valid = base64.b64encode(f"{account['publicKey']}:{account['secretKey']}".encode())
        return await self.forward(request.with_header("authorization", f"Basic {valid.decode()}"))


class SendcloudCursorSkipsPage(BrokenImpl):
    NAME = "sendcloud-cursor-skips-a-page"
    API = "sendcloud"
    EXPECTED_CHECK = "sendcloud_cursor_chain"
    DEFECT = "the `next` cursor of the first page points at the third page"

    async def handle(self, request: Request) -> Response:
        response = await self.forward(request)
        document = response.json()
        if response.status != 200 or not isinstance(document, dict) or "next" not in document:
            return response
        if document.get("next") and document.get("previous") is None:
            # the second page's own `next`, whatever the cursor format
            query = urlsplit(document["next"]).query.encode()
            second = (await self.forward(Request({**request.scope, "query_string": query}))).json()
            document["next"] = second.get("next") if isinstance(second, dict) else None
            response.set_json(document)
        return response


class SendcloudDrfErrors(BrokenImpl):
    NAME = "sendcloud-drf-404"
    API = "sendcloud"
    EXPECTED_CHECK = "sendcloud_error_envelope"
    DEFECT = 'a 404 is Django REST framework\'s {"detail": "Not found."}, not the error envelope'

    def edit(self, request: Request, response: Response) -> None:
        if response.status == 404:
            response.set_json({"detail": "Not found."})


class SendcloudStaleDetail(BrokenImpl):
    NAME = "sendcloud-detail-differs-from-list"
    API = "sendcloud"
    EXPECTED_CHECK = "sendcloud_list_matches_detail"
    DEFECT = "GET /returns/{id} answers with a stale is_cancellable flag"

    def edit(self, request: Request, response: Response) -> None:
        if (
            request.method == "GET"
            and request.path.startswith(f"{SENDCLOUD}/returns/")
            and response.status == 200
        ):
            document = response.json()
            document["is_cancellable"] = not document.get("is_cancellable")
            response.set_json(document)


# --------------------------------------------------------------------------- issue 11 pt 2/4


def _page_query(request: Request) -> dict[str, str]:
    return dict(parse_qsl(request.scope.get("query_string", b"").decode("latin-1")))


def _set_offset(link: str, offset: int) -> str:
    parts = urlsplit(link)
    query = dict(parse_qsl(parts.query))
    query["page[offset]"] = str(offset)
    return urlunsplit(parts._replace(query=urlencode(query, safe="[]")))


def _success(response: Response) -> dict | None:
    document = response.json()
    return document if 200 <= response.status < 300 and isinstance(document, dict) else None


class GlueIncludedOrphans(BrokenImpl):
    NAME = "glue-included-orphans"
    API = "glue"
    EXPECTED_CHECK = "glue_included_linkage"
    DEFECT = "compound documents drop `relationships`, so nothing links to the included resources"

    def edit(self, request: Request, response: Response) -> None:
        document = _success(response)
        if document is None or not document.get("included"):
            return
        data = document.get("data")
        for resource in data if isinstance(data, list) else [data]:
            if isinstance(resource, dict):
                resource.pop("relationships", None)
        response.set_json(document)


class GlueIncludedTwice(BrokenImpl):
    NAME = "glue-included-twice"
    API = "glue"
    EXPECTED_CHECK = "glue_included_unique"
    DEFECT = "compound documents list their first included resource twice"

    def edit(self, request: Request, response: Response) -> None:
        document = _success(response)
        if document is None or not document.get("included"):
            return
        document["included"].append(dict(document["included"][0]))
        response.set_json(document)


class GlueSelfLinkWithoutId(BrokenImpl):
    NAME = "glue-self-link-without-id"
    API = "glue"
    EXPECTED_CHECK = "glue_resource_self_link"
    DEFECT = "orders link to the collection (`…/orders`) instead of to themselves"

    def edit(self, request: Request, response: Response) -> None:
        document = _success(response)
        if document is None or not request.path.startswith(f"{GLUE}/orders"):
            return
        data = document.get("data")
        for resource in data if isinstance(data, list) else [data]:
            link = ((resource or {}).get("links") or {}).get("self")
            if isinstance(link, str):
                resource["links"]["self"] = link.split("/orders/")[0] + "/orders"
        response.set_json(document)


class GlueCollectionSelfElsewhere(BrokenImpl):
    NAME = "glue-collection-self-elsewhere"
    API = "glue"
    EXPECTED_CHECK = "glue_top_level_self_link"
    DEFECT = "GET /returns says links.self = …/orders"

    def edit(self, request: Request, response: Response) -> None:
        document = _success(response)
        if document is None or request.path != f"{GLUE}/returns" or request.method != "GET":
            return
        link = (document.get("links") or {}).get("self")
        if isinstance(link, str):
            document["links"]["self"] = link.replace("/returns", "/orders")
            response.set_json(document)


class GlueLinksElsewhere(BrokenImpl):
    """Pagination links name another port (a capture server in the credential-leak test)."""

    NAME = "glue-links-to-another-origin"
    API = "glue"
    EXPECTED_CHECK = "glue_links_same_origin"
    DEFECT = "links.next/prev/first/last point at another port of the host"
    CAPTURE_ORIGIN: ClassVar[str] = "http://127.0.0.1:9"

    def edit(self, request: Request, response: Response) -> None:
        document = _success(response)
        links = (document or {}).get("links")
        if not isinstance(links, dict):
            return
        for name in ("next", "prev", "first", "last"):
            if isinstance(links.get(name), str):
                parts = urlsplit(links[name])
                links[name] = self.CAPTURE_ORIGIN + urlunsplit(parts._replace(scheme="", netloc=""))
        response.set_json(document)


class GlueSumPriceOff(BrokenImpl):
    NAME = "glue-sum-price-off-by-one"
    API = "glue"
    EXPECTED_CHECK = "glue_item_sums"
    DEFECT = "order items' sumPrice is one cent more than unitPrice * quantity"

    def edit(self, request: Request, response: Response) -> None:
        document = _success(response)
        if document is None or not request.path.startswith(f"{GLUE}/orders/"):
            return
        for item in document["data"]["attributes"].get("items", []):
            if isinstance(item.get("sumPrice"), int):
                item["sumPrice"] += 1
        response.set_json(document)


class GlueReturnTotalsOff(BrokenImpl):
    NAME = "glue-return-totals-off"
    API = "glue"
    EXPECTED_CHECK = "glue_created_return_totals"
    DEFECT = "every return's remunerationTotal is 100 cents more than its items' amounts"

    def edit(self, request: Request, response: Response) -> None:
        document = _success(response)
        if document is None or not request.path.startswith(f"{GLUE}/returns"):
            return
        data = document.get("data")
        for resource in data if isinstance(data, list) else [data]:
            totals = ((resource or {}).get("attributes") or {}).get("returnTotals")
            if isinstance(totals, dict):
                totals["remunerationTotal"] += 100
        response.set_json(document)


class GlueRefreshTokenReusable(BrokenImpl):
    NAME = "glue-refresh-token-reusable"
    API = "glue"
    EXPECTED_CHECK = "glue_refresh_token_rotates"
    DEFECT = "a refresh token keeps working after it was used (no rotation)"

    def __init__(self, mock: MockServer | None = None) -> None:
        super().__init__(mock)
        self.latest: dict[str, str] = {}  # first refresh token of a chain -> its newest one

    async def handle(self, request: Request) -> Response:
        if request.method != "POST" or request.path != f"{GLUE}/refresh-tokens":
            return await self.forward(request)
        body = request.json() or {}
        try:
            token = body["data"]["attributes"]["refreshToken"]
        except (KeyError, TypeError):
            return await self.forward(request)
        current = self.latest.get(token, token)
        body["data"]["attributes"]["refreshToken"] = current
        raw = json.dumps(body).encode()
        sent = Request(request.scope, raw).with_header("content-length", str(len(raw)))
        response = await self.forward(sent)
        document = _success(response)
        if document is not None:
            self.latest[token] = document["data"]["attributes"]["refreshToken"]
        return response


def _document_revocation(contract: dict[str, Any]) -> None:
    """Add `DELETE /refresh-tokens/{refreshToken}` (204) where the contract lacks it."""
    if any("delete" in item for path, item in contract["paths"].items() if "refresh" in path):
        return
    contract["paths"]["/refresh-tokens/{refreshToken}"] = {
        "delete": {
            "operationId": "revokeRefreshToken",
            "security": [{"BearerAuth": []}],
            "parameters": [
                {
                    "name": "refreshToken",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "examples": ["mine"]},
                },
            ],
            "responses": {
                "204": {"description": "Revoked"},
                "401": {"$ref": "#/components/responses/InvalidAccessToken"},
                "403": {"$ref": "#/components/responses/MissingAccessToken"},
            },
        }
    }


class GlueRevocationIgnored(BrokenImpl):
    NAME = "glue-revocation-ignored"
    API = "glue"
    EXPECTED_CHECK = "glue_revoked_refresh_token_refused"
    DEFECT = "DELETE /refresh-tokens/mine answers 204 but the refresh tokens keep working"
    CONTRACT_PATCH = staticmethod(_document_revocation)

    async def handle(self, request: Request) -> Response:
        if request.method == "DELETE" and request.path.startswith(f"{GLUE}/refresh-tokens/"):
            return Response(204)
        return await self.forward(request)


def _document_005(contract: dict[str, Any]) -> None:
    """Document 400/005 on GET /orders/{orderReference} where the contract lacks it."""
    responses = contract["paths"]["/orders/{orderReference}"]["get"]["responses"]
    if "400" in responses:
        return
    responses["400"] = {
        "description": "X-Anonymous-Customer-Unique-Id together with a token (code 005)",
        "content": {
            VND: {
                "schema": {
                    "allOf": [
                        {"$ref": "#/components/schemas/ErrorDocument"},
                        {
                            "properties": {
                                "errors": {
                                    "items": {
                                        "required": ["code"],
                                        "properties": {
                                            "status": {"const": 400},
                                            "code": {"enum": ["005"]},
                                        },
                                    }
                                }
                            }
                        },
                    ]
                }
            }
        },
    }


class GlueAnonymousHeaderIgnored(BrokenImpl):
    NAME = "glue-anonymous-header-ignored"
    API = "glue"
    EXPECTED_CHECK = "glue_anonymous_id_with_token_is_005"
    DEFECT = "a token together with X-Anonymous-Customer-Unique-Id is served (no 400/005)"
    CONTRACT_PATCH = staticmethod(_document_005)

    async def handle(self, request: Request) -> Response:
        return await self.forward(request.with_header("x-anonymous-customer-unique-id", None))


class GluePublicBadTokenIs403(BrokenImpl):
    NAME = "glue-public-bad-token-403"
    API = "glue"
    EXPECTED_CHECK = "glue_bad_token_is_401_001"
    DEFECT = "a bad token on /return-reasons is 403/002 (as if missing) instead of 401/001"

    async def handle(self, request: Request) -> Response:
        if request.path == f"{GLUE}/return-reasons" and request.header("authorization"):
            response = Response(403, [(b"content-type", VND.encode())])
            response.set_json(
                {"errors": [{"status": 403, "code": "002", "detail": "Missing access token."}]}
            )
            return response
        return await self.forward(request)


class GlueWrongPasswordIs001(BrokenImpl):
    NAME = "glue-wrong-password-001"
    API = "glue"
    EXPECTED_CHECK = "glue_wrong_password_is_401_003"
    DEFECT = "a wrong password is 401 with code 001 (invalid token) instead of 003"

    def edit(self, request: Request, response: Response) -> None:
        if "003" in _codes(response):
            document = response.json()
            for error in document["errors"]:
                error["code"] = "001"
            response.set_json(document)


class GlueUnknownItemPartialReturn(BrokenImpl):
    NAME = "glue-unknown-item-partial-return"
    API = "glue"
    EXPECTED_CHECK = "glue_unreturnable_item_is_422_3601"
    DEFECT = "a return with an unknown item is created for the other items (201)"

    async def handle(self, request: Request) -> Response:
        response = await self.forward(request)
        if request.method != "POST" or request.path != f"{GLUE}/returns" or response.status != 422:
            return response
        for single in _single_item_requests(request):
            alone = await self.forward(single)
            if alone.status == 201:
                return alone
        return response


def _single_item_requests(request: Request) -> list[Request]:
    body = request.json()
    try:
        items = body["data"]["attributes"]["returnItems"]
    except (KeyError, TypeError):
        return []
    if not isinstance(items, list) or len(items) < 2:
        return []
    found = []
    for item in items:
        body["data"]["attributes"]["returnItems"] = [item]
        raw = json.dumps(body).encode()
        found.append(Request(request.scope, raw).with_header("content-length", str(len(raw))))
    return found


class GlueRefusalConsumesItems(BrokenImpl):
    NAME = "glue-refusal-consumes-items"
    API = "glue"
    EXPECTED_CHECK = "glue_refused_return_changes_nothing"
    DEFECT = "a refused return (422) still returns its returnable items behind the scenes"

    async def handle(self, request: Request) -> Response:
        response = await self.forward(request)
        if (
            request.method == "POST"
            and request.path == f"{GLUE}/returns"
            and response.status == 422
        ):
            for single in _single_item_requests(request):
                await self.forward(single)
        return response


class GlueTwoMerchantsIs3601(BrokenImpl):
    NAME = "glue-two-merchants-3601"
    API = "glue"
    EXPECTED_CHECK = "glue_two_merchants_is_422_3603"
    DEFECT = "items of two merchants are refused with 3601 instead of 3603"

    def edit(self, request: Request, response: Response) -> None:
        if "3603" in _codes(response):
            document = response.json()
            for error in document["errors"]:
                error["code"] = "3601"
            response.set_json(document)


class GlueLastPrevToFirst(BrokenImpl):
    NAME = "glue-last-prev-to-first"
    API = "glue"
    EXPECTED_CHECK = "glue_pagination_prev_walk"
    DEFECT = "from the third page on, links.prev jumps back to the first page"

    def edit(self, request: Request, response: Response) -> None:
        document = _success(response)
        query = _page_query(request)
        links = (document or {}).get("links")
        if not isinstance(links, dict) or not isinstance(links.get("prev"), str):
            return
        if int(query.get("page[offset]", "0") or 0) >= 2 * int(query.get("page[limit]", "1") or 1):
            links["prev"] = _set_offset(links["prev"], 0)
            response.set_json(document)


class GlueLaterPagesMistyped(BrokenImpl):
    NAME = "glue-later-pages-mistyped"
    API = "glue"
    EXPECTED_CHECK = "glue_pages_match_schema"
    DEFECT = "pages after the first send order totals as strings"

    def edit(self, request: Request, response: Response) -> None:
        document = _success(response)
        if document is None or int(_page_query(request).get("page[offset]", "0") or 0) == 0:
            return
        for resource in document.get("data") or []:
            totals = (resource.get("attributes") or {}).get("totals")
            if isinstance(totals, dict):
                totals["grandTotal"] = str(totals.get("grandTotal"))
        response.set_json(document)


class GlueMissingTokenIs401(BrokenImpl):
    NAME = "glue-missing-token-401"
    API = "glue"
    EXPECTED_CHECK = "glue_missing_token_is_403_002"
    DEFECT = "a protected resource without a token is 401/001 instead of 403/002"

    def edit(self, request: Request, response: Response) -> None:
        if "002" in _codes(response):
            response.status = 401
            response.set_header("www-authenticate", 'Bearer realm="Access to shop API"')
            response.set_json(
                {"errors": [{"status": 401, "code": "001", "detail": "Invalid access token."}]}
            )


class GlueUnknownOrderWithoutCode(BrokenImpl):
    NAME = "glue-unknown-order-without-code"
    API = "glue"
    EXPECTED_CHECK = "glue_unknown_order_is_404_801"
    DEFECT = "an unknown order is a code-less 404 'Not Found' instead of 404/801"

    def edit(self, request: Request, response: Response) -> None:
        if "801" in _codes(response):
            response.set_json({"errors": [{"status": 404, "detail": "Not Found"}]})


class GlueReturnReasonsNeedToken(BrokenImpl):
    NAME = "glue-return-reasons-need-token"
    API = "glue"
    EXPECTED_CHECK = "glue_return_reasons_public"
    DEFECT = "GET /return-reasons without a token is 403/002 (it is public)"

    async def handle(self, request: Request) -> Response:
        if request.path == f"{GLUE}/return-reasons" and not request.header("authorization"):
            response = Response(403, [(b"content-type", VND.encode())])
            response.set_json(
                {"errors": [{"status": 403, "code": "002", "detail": "Missing access token."}]}
            )
            return response
        return await self.forward(request)


class GlueCreatedReturnNotListed(BrokenImpl):
    NAME = "glue-created-return-not-listed"
    API = "glue"
    EXPECTED_CHECK = "glue_create_return_flow"
    DEFECT = "GET /returns leaves out the returns created since start-up"

    def __init__(self, mock: MockServer | None = None) -> None:
        super().__init__(mock)
        self.created: set[str] = set()

    def edit(self, request: Request, response: Response) -> None:
        document = _success(response)
        if document is None or request.path != f"{GLUE}/returns":
            return
        if request.method == "POST":
            self.created.add(document["data"]["id"])
        elif isinstance(document.get("data"), list):
            document["data"] = [r for r in document["data"] if r.get("id") not in self.created]
            response.set_json(document)


class SendcloudPreviousClaimsFirst(BrokenImpl):
    NAME = "sendcloud-previous-claims-first"
    API = "sendcloud"
    EXPECTED_CHECK = "sendcloud_cursor_previous_walk"
    DEFECT = "a page reached through a `previous` cursor says it is the first (previous: null)"

    def __init__(self, mock: MockServer | None = None) -> None:
        super().__init__(mock)
        self.previous_queries: set[bytes] = set()

    def edit(self, request: Request, response: Response) -> None:
        document = _success(response)
        if document is None or "previous" not in document:
            return
        if request.scope.get("query_string") in self.previous_queries:
            document["previous"] = None
            response.set_json(document)
        elif isinstance(document.get("previous"), str):
            self.previous_queries.add(urlsplit(document["previous"]).query.encode())


class SendcloudLaterPagesMistyped(BrokenImpl):
    NAME = "sendcloud-later-pages-mistyped"
    API = "sendcloud"
    EXPECTED_CHECK = "sendcloud_pages_match_schema"
    DEFECT = "pages reached through a cursor send created_at as a bare date-less word"

    def edit(self, request: Request, response: Response) -> None:
        document = _success(response)
        if document is None or "returns" not in document or not request.scope.get("query_string"):
            return
        for found in document["returns"]:
            found["created_at"] = "yesterday"
        response.set_json(document)


class SendcloudCursorElsewhere(BrokenImpl):
    """Cursor URLs name another port (a capture server in the credential-leak test)."""

    NAME = "sendcloud-cursor-to-another-origin"
    API = "sendcloud"
    EXPECTED_CHECK = "sendcloud_cursor_links_same_origin"
    DEFECT = "`next`/`previous` cursor URLs point at another port of the host"
    CAPTURE_ORIGIN: ClassVar[str] = "http://127.0.0.1:9"

    def edit(self, request: Request, response: Response) -> None:
        document = _success(response)
        if document is None:
            return
        for name in ("next", "previous"):
            if isinstance(document.get(name), str):
                parts = urlsplit(document[name])
                document[name] = self.CAPTURE_ORIGIN + urlunsplit(
                    parts._replace(scheme="", netloc="")
                )
        response.set_json(document)


class SendcloudUnknownIdIs400(BrokenImpl):
    NAME = "sendcloud-unknown-id-400"
    API = "sendcloud"
    EXPECTED_CHECK = "sendcloud_unknown_id_is_404"
    DEFECT = "an unknown return id is 400 in the envelope instead of 404"

    def edit(self, request: Request, response: Response) -> None:
        document = response.json()
        if response.status == 404 and isinstance(document, dict) and "error" in document:
            response.status = 400
            document["error"]["code"] = 400
            response.set_json(document)


class GlueOrdersRefuseTokens(BrokenImpl):
    NAME = "glue-orders-refuse-tokens"
    API = "glue"
    EXPECTED_CHECK = "glue_login_token_works"
    DEFECT = "GET /orders refuses every access token with 401/001"

    async def handle(self, request: Request) -> Response:
        if request.path == f"{GLUE}/orders" and request.header("authorization"):
            response = Response(
                401,
                [
                    (b"content-type", VND.encode()),
                    (b"www-authenticate", b'Bearer realm="Access to shop API"'),
                ],
            )
            response.set_json(
                {"errors": [{"status": 401, "code": "001", "detail": "Invalid access token."}]}
            )
            return response
        return await self.forward(request)


BROKEN: tuple[type[BrokenImpl], ...] = (
    GlueReturnNotFoundIs400,
    GlueNoWwwAuthenticate,
    GlueForeignReturnVisible,
    GlueItemStaysReturnable,
    GlueDuplicateReturnAccepted,
    GlueProblemJsonErrors,
    GlueJsonMediaType,
    GlueNextLinkSkipsPage,
    Glue500OnBadBody,
    GlueUndocumentedErrorCode,
    SendcloudAuthIgnored,
    SendcloudCursorSkipsPage,
    SendcloudDrfErrors,
    SendcloudStaleDetail,
    GlueIncludedOrphans,
    GlueIncludedTwice,
    GlueSelfLinkWithoutId,
    GlueCollectionSelfElsewhere,
    GlueLinksElsewhere,
    GlueSumPriceOff,
    GlueReturnTotalsOff,
    GlueRefreshTokenReusable,
    GlueRevocationIgnored,
    GlueAnonymousHeaderIgnored,
    GluePublicBadTokenIs403,
    GlueWrongPasswordIs001,
    GlueUnknownItemPartialReturn,
    GlueRefusalConsumesItems,
    GlueTwoMerchantsIs3601,
    GlueLastPrevToFirst,
    GlueLaterPagesMistyped,
    GlueMissingTokenIs401,
    GlueUnknownOrderWithoutCode,
    GlueReturnReasonsNeedToken,
    GlueCreatedReturnNotListed,
    GlueOrdersRefuseTokens,
    SendcloudPreviousClaimsFirst,
    SendcloudLaterPagesMistyped,
    SendcloudCursorElsewhere,
    SendcloudUnknownIdIs400,
)
