"""Every assumption ``mock_server/_compat/{connexion,starlette}.py`` makes about its package.

An upgrade of Connexion or Starlette that breaks one of them fails here, by name, instead of
somewhere deep in the mock. Every name in each module's ``__all__`` has a test below
(``test_every_compat_entry_is_covered`` keeps it that way).
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest
from connexion import ConnexionMiddleware
from connexion.resolver import Resolver
from starlette.convertors import CONVERTOR_TYPES
from starlette.requests import Request
from starlette.routing import Mount, Route, Router

from mock_server._compat import connexion as cx
from mock_server._compat import starlette as st

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "compat", "version": "1"},
    "paths": {
        "/items/{id}": {
            "get": {
                "operationId": "getItem",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}


def _params(function: Any) -> set[str]:
    return set(inspect.signature(function).parameters)


def _route(path: str) -> dict:
    """Send a GET for ``path`` through Connexion's RoutingMiddleware; the scope it passed on."""
    seen: dict = {}

    async def app(scope: dict, receive: Any, send: Any) -> None:
        seen.update(scope)

    routing = cx.RoutingMiddleware(app)
    resolver = Resolver(function_resolver=lambda operation_id: lambda: None)
    routing.add_api(cx.OpenAPISpecification(SPEC), base_path="/api", resolver=resolver)
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [],
    }
    asyncio.run(routing(scope, None, None))
    return seen


# --------------------------------------------------------------------- connexion
def test_routing_context_key_and_contents() -> None:
    """RoutingMiddleware records ``api_base_path`` and ``operation_id`` under
    ``ROUTING_CONTEXT`` in ``scope["extensions"]`` and calls the app it was built with."""
    assert cx.ROUTING_CONTEXT == "connexion_routing"
    scope = _route("/api/items/7")
    assert scope["extensions"][cx.ROUTING_CONTEXT] == {
        "api_base_path": "/api",
        "operation_id": "getItem",
    }
    assert cx.routing_context(scope)["operation_id"] == "getItem"
    assert cx.routing_context({"type": "http"}) == {}
    unrouted = _route("/api/nothing-here")
    assert cx.routing_context(unrouted).get("operation_id") is None


def test_set_routing_context_is_what_routing_would_have_set() -> None:
    routed = _route("/api/items/7")
    scope: dict = {"extensions": {"other": 1}}
    cx.set_routing_context(scope, cx.routing_context(routed))
    assert scope["extensions"] == {
        "other": 1,
        cx.ROUTING_CONTEXT: routed["extensions"][cx.ROUTING_CONTEXT],
    }


def test_routing_middleware_takes_the_next_app_only() -> None:
    assert _params(cx.RoutingMiddleware.__init__) == {"self", "app"}
    assert issubclass(cx.RoutingMiddleware, cx.SpecMiddleware)


def test_spec_middleware_is_the_add_api_protocol() -> None:
    """Connexion calls ``add_api`` on every SpecMiddleware of the stack (our two subclasses)."""
    assert {"add_api", "__call__"} <= set(cx.SpecMiddleware.__abstractmethods__)
    assert {"self", "specification", "kwargs"} <= _params(cx.SpecMiddleware.add_api)


def test_swagger_ui_middleware_is_a_spec_middleware() -> None:
    assert issubclass(cx.SwaggerUIMiddleware, cx.SpecMiddleware)
    assert _params(cx.SwaggerUIMiddleware.__init__) == {"self", "app"}


DEFAULT_STACK = [
    "ServerErrorMiddleware",
    "ExceptionMiddleware",
    "SwaggerUIMiddleware",
    "RoutingMiddleware",
    "SecurityMiddleware",
    "RequestValidationMiddleware",
    "ResponseValidationMiddleware",
    "LifespanMiddleware",
    "ContextMiddleware",
]


@pytest.mark.parametrize(
    "name",
    [
        "ServerErrorMiddleware",
        "ExceptionMiddleware",
        "RequestValidationMiddleware",
        "ResponseValidationMiddleware",
        "LifespanMiddleware",
        "ContextMiddleware",
    ],
)
def test_default_stack_member(name: str) -> None:
    """The classes we list in ``middlewares=`` are Connexion's defaults, in its order (ours
    replaces SecurityMiddleware with the gate)."""
    defaults = ConnexionMiddleware.default_middlewares
    assert [m.__name__ for m in defaults] == DEFAULT_STACK
    assert getattr(cx, name) is defaults[DEFAULT_STACK.index(name)]


def test_openapi_specification_validates_through_validate_spec() -> None:
    calls = []

    class Recording(cx.OpenAPISpecification):
        @classmethod
        def _validate_spec(cls, spec: dict) -> None:
            calls.append(spec["info"]["title"])

    specification = Recording(SPEC)
    assert calls == ["compat"]
    assert specification.spec["paths"]  # the resolved document, as runtime.mount reads it
    assert inspect.ismethod(cx.OpenAPISpecification._validate_spec)


def test_request_body_validator_hooks() -> None:
    v = cx.AbstractRequestBodyValidator
    assert {"schema", "nullable", "encoding", "strict_validation"} <= _params(v.__init__)
    assert _params(v._parse) == {"self", "stream", "scope"}
    assert _params(v._validate) == {"self", "body"}
    assert _params(v.wrap_receive) == {"self", "receive", "scope"}
    assert inspect.iscoroutinefunction(v._parse) and inspect.iscoroutinefunction(v.wrap_receive)

    class Probe(v):
        def _validate(self, body: Any) -> None:
            return None

    assert Probe(schema={}, nullable=True, encoding="utf-8", strict_validation=False)._nullable


def test_response_body_validator_hooks() -> None:
    v = cx.AbstractResponseBodyValidator
    assert {"scope", "schema", "nullable", "encoding"} <= _params(v.__init__)
    assert _params(v._parse) == {"self", "stream"}
    assert _params(v._validate) == {"self", "body"}
    assert not inspect.iscoroutinefunction(v._parse)


def test_parameter_validator_hooks() -> None:
    v = cx.ParameterValidator
    assert {"parameters", "uri_parser", "strict_validation"} <= _params(v.__init__)
    assert _params(v.validate_request) == {"self", "request"}
    probe = v([{"name": "q", "in": "query"}], uri_parser=None)
    assert probe.parameters["query"] == [{"name": "q", "in": "query"}]


def test_media_type_dict_matches_wildcards() -> None:
    table = cx.MediaTypeDict({"*/*json": "json"})
    assert table["application/vnd.api+json"] == "json"
    assert table["application/json"] == "json"


def test_register_api_appends_an_api_record_with_merged_options() -> None:
    middleware = ConnexionMiddleware(lambda scope, receive, send: None)
    specification = cx.OpenAPISpecification(SPEC)
    marker = {"body": {}}
    cx.register_api(middleware, specification, base_path="/api", name="x", validator_map=marker)
    api = middleware.apis[-1]
    assert api.specification is specification and api.base_path == "/api"
    assert api.kwargs["name"] == "x" and api.kwargs["validator_map"] is marker
    assert "resolver" in api.kwargs  # the other options, merged from the middleware's
    assert callable(middleware.options.replace)


def test_argument_name_is_connexions_sanitizer() -> None:
    assert cx.argument_name("page[offset]") == "page_offset"
    assert cx.argument_name("include") == "include"
    assert cx.argument_name("filter[merchant-reference]") == "filter_merchantreference"


def test_dumps_json_bytes_are_asyncapps() -> None:
    """The exact bytes AsyncApp's Jsonifier writes (the mock's responses are compared byte for
    byte across seeds and versions)."""
    assert cx.dumps_json({"a": [1, "ä"], "b": None}) == '{"a": [1, "\\u00e4"], "b": null}\n'


def test_bound_integer_path_parameters() -> None:
    """Connexion registers an unbounded ``int`` convertor; ours stops at Python's digit limit so
    a longer id misses the route instead of raising inside Starlette's router."""
    cx.RoutingMiddleware(lambda scope, receive, send: None)  # registers Connexion's convertor
    cx.bound_integer_path_parameters()
    convertor = CONVERTOR_TYPES["int"]
    assert convertor.convert("-12") == -12
    route = Route("/r/{id:int}", lambda request: None)
    ok = {"type": "http", "method": "GET", "path": "/r/" + "9" * cx.MAX_INTEGER_DIGITS}
    too_long = {**ok, "path": "/r/" + "9" * (cx.MAX_INTEGER_DIGITS + 1)}
    assert route.matches(ok)[0].name == "FULL"
    assert route.matches(too_long)[0].name == "NONE"


# --------------------------------------------------------------------- starlette
def test_path_params_scope_key() -> None:
    """Starlette's router converts and stores path parameters under ``path_params``, which
    ``Request.path_params`` (and so Connexion's parameter validator) reads."""
    assert st.PATH_PARAMS == "path_params"
    router = Router(routes=[Route("/r/{id:int}", lambda request: None)])
    scope = {"type": "http", "method": "GET", "path": "/r/5"}
    _, child = router.routes[0].matches(scope)
    assert child[st.PATH_PARAMS] == {"id": 5}
    scope = {"type": "http", **child}
    assert st.path_params(scope) == {"id": 5} == Request(scope).path_params
    st.update_path_params(scope, {"other": "x"})
    assert Request(scope).path_params == {"id": 5, "other": "x"}
    assert st.path_params({}) == {}


def test_routable_path() -> None:
    """A Starlette ``Mount`` (Connexion mounts each API at its base path) matches no path with
    a line feed (its ``{path:path}`` pattern is ``.*``); the replacement does."""
    route = Mount("/api", routes=[Route("/r/{id}", lambda request: None)])
    raw = "/api/r/a\nb"
    assert route.matches({"type": "http", "method": "GET", "path": raw})[0].name == "NONE"
    routed = st.routable_path(raw)
    assert route.matches({"type": "http", "method": "GET", "path": routed})[0].name == "FULL"
    plain = "/api/r/ab"
    assert st.routable_path(plain) is plain


# --------------------------------------------------------------------- coverage
COVERED = {
    cx: {
        "ROUTING_CONTEXT": test_routing_context_key_and_contents,
        "routing_context": test_routing_context_key_and_contents,
        "set_routing_context": test_set_routing_context_is_what_routing_would_have_set,
        "SpecMiddleware": test_spec_middleware_is_the_add_api_protocol,
        "RoutingMiddleware": test_routing_middleware_takes_the_next_app_only,
        "SwaggerUIMiddleware": test_swagger_ui_middleware_is_a_spec_middleware,
        "ServerErrorMiddleware": test_default_stack_member,
        "ExceptionMiddleware": test_default_stack_member,
        "RequestValidationMiddleware": test_default_stack_member,
        "ResponseValidationMiddleware": test_default_stack_member,
        "LifespanMiddleware": test_default_stack_member,
        "ContextMiddleware": test_default_stack_member,
        "OpenAPISpecification": test_openapi_specification_validates_through_validate_spec,
        "AbstractRequestBodyValidator": test_request_body_validator_hooks,
        "AbstractResponseBodyValidator": test_response_body_validator_hooks,
        "ParameterValidator": test_parameter_validator_hooks,
        "MediaTypeDict": test_media_type_dict_matches_wildcards,
        "register_api": test_register_api_appends_an_api_record_with_merged_options,
        "argument_name": test_argument_name_is_connexions_sanitizer,
        "dumps_json": test_dumps_json_bytes_are_asyncapps,
        "bound_integer_path_parameters": test_bound_integer_path_parameters,
    },
    st: {
        "PATH_PARAMS": test_path_params_scope_key,
        "path_params": test_path_params_scope_key,
        "update_path_params": test_path_params_scope_key,
        "routable_path": test_routable_path,
    },
}


@pytest.mark.parametrize("module", list(COVERED), ids=lambda m: m.__name__)
def test_every_compat_entry_is_covered(module: Any) -> None:
    assert set(module.__all__) == set(COVERED[module])
    for name in module.__all__:
        assert hasattr(module, name), name


# --------------------------------------------------------------------- quarantine
# Connexion modules the mock may import from directly: documented API only.
DOCUMENTED = {"connexion", "connexion.exceptions", "connexion.lifecycle", "connexion.resolver"}
OWNED_ELSEWHERE = {"http_protocol.py"}  # uvicorn's internals: mock_server/_compat/uvicorn.py


def test_no_private_connexion_or_starlette_name_outside_compat() -> None:
    """Outside ``_compat``, mock_server imports only documented Connexion modules, and no
    underscore name or scope key of Connexion's."""
    import ast
    from pathlib import Path

    package = Path(cx.__file__).resolve().parent.parent
    offenders = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] == "_compat" or relative.name in OWNED_ELSEWHERE:
            continue
        source = path.read_text(encoding="utf-8")
        for key in ("connexion_routing", "connexion_context", "_get_current_object"):
            if key in source:
                offenders.append(f"{relative}: {key}")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                root = node.module.split(".")[0]
                if root == "connexion" and node.module not in DOCUMENTED:
                    offenders.append(f"{relative}: from {node.module} import …")
                if root in ("connexion", "starlette"):
                    private = [a.name for a in node.names if a.name.startswith("_")]
                    if private:
                        offenders.append(f"{relative}: {node.module}.{private}")
                if node.module == "starlette.convertors":
                    offenders.append(f"{relative}: starlette.convertors")
    assert not offenders, offenders
