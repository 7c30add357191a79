"""Connexion 3.3 internals the mock relies on, in one place.

Documented and used directly elsewhere: ``ConnexionMiddleware(app, middlewares=…)``,
``add_error_handler``, ``Resolver``, ``connexion.exceptions``, ``ConnexionRequest``/``Response``.
Everything below is private or undocumented; each entry of ``__all__`` has a test in
``tests/test_compat_mock.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from connexion.datastructures import MediaTypeDict
from connexion.decorators.parameter import sanitized
from connexion.frameworks.starlette import IntegerConverter
from connexion.jsonifier import Jsonifier
from connexion.middleware.abstract import ROUTING_CONTEXT, SpecMiddleware
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.main import API, ConnexionMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.spec import OpenAPISpecification
from connexion.validators import (
    AbstractRequestBodyValidator,
    AbstractResponseBodyValidator,
    ParameterValidator,
)
from starlette.convertors import register_url_convertor
from starlette.types import Scope

__all__ = [
    "ROUTING_CONTEXT",
    "AbstractRequestBodyValidator",
    "AbstractResponseBodyValidator",
    "ContextMiddleware",
    "ExceptionMiddleware",
    "LifespanMiddleware",
    "MediaTypeDict",
    "OpenAPISpecification",
    "ParameterValidator",
    "RequestValidationMiddleware",
    "ResponseValidationMiddleware",
    "RoutingMiddleware",
    "ServerErrorMiddleware",
    "SpecMiddleware",
    "SwaggerUIMiddleware",
    "argument_name",
    "bound_integer_path_parameters",
    "dumps_json",
    "register_api",
    "routing_context",
    "set_routing_context",
]

_NO_ROUTING: Mapping[str, Any] = {}


def routing_context(scope: Scope) -> Mapping[str, Any]:
    """What Connexion's routing resolved for ``scope``: ``api_base_path`` and
    ``operation_id`` (None when no documented path matched); empty before routing."""
    return scope.get("extensions", {}).get(ROUTING_CONTEXT, _NO_ROUTING)


def set_routing_context(scope: Scope, routing: Mapping[str, Any]) -> None:
    """Record a routing result in ``scope``, in place, as Connexion's ``RoutingOperation`` does."""
    scope.setdefault("extensions", {})[ROUTING_CONTEXT] = dict(routing)


def register_api(
    app: Any, specification: OpenAPISpecification, *, base_path: str, name: str, **options: Any
) -> None:
    """Add an API built from our own ``specification`` object to a ``ConnexionMiddleware`` (or
    an app holding one in ``.middleware``): the two steps of ``ConnexionMiddleware.add_api``,
    which has no hook for the specification class."""
    middleware: ConnexionMiddleware = getattr(app, "middleware", app)
    merged = middleware.options.replace(**options)
    middleware.apis.append(API(specification, base_path=base_path, name=name, **vars(merged)))


def argument_name(parameter: str) -> str:
    """The handler argument Connexion passes a parameter as (``page[offset]`` → ``page_offset``)."""
    return sanitized(parameter)


_JSONIFIER = Jsonifier()


def dumps_json(document: Any) -> str:
    """A handler's return value serialized as Connexion's ``AsyncApp`` does it."""
    return _JSONIFIER.dumps(document)


# Python refuses to parse longer decimal strings (ValueError), so a longer id must miss the
# route (404) instead of failing inside Starlette's router (500).
MAX_INTEGER_DIGITS = sys.int_info.default_max_str_digits or 4300


class _BoundedIntegerConverter(IntegerConverter):
    regex = rf"[+-]?[0-9]{{1,{MAX_INTEGER_DIGITS}}}"


def bound_integer_path_parameters() -> None:
    """Make integer path parameters match at most ``MAX_INTEGER_DIGITS`` digits.

    Connexion's ``RoutingMiddleware.__init__`` registers its unbounded ``int`` convertor with
    Starlette; call this after it and before routes are added (in ``add_api``)."""
    register_url_convertor("int", _BoundedIntegerConverter())
