"""Deliberately broken implementations: the mock plus exactly one defect each.

Every class is an ASGI app wrapping a fresh ``create_app(...)``; it forwards each request to
the mock and changes one thing on the way (the defect). ``EXPECTED_CHECK`` names the
conformance check that must catch it. ``BROKEN`` lists them all; the conformance self-tests
run each one and expect exit status 1 with that check named in the JUnit and Markdown reports.
"""

from __future__ import annotations

import base64
import json
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
)
