"""OpenAPI 3.1 support for Connexion 3, through its extension points.

Connexion validates documents against its bundled 3.0 meta-schema and validates bodies and
parameters with Draft 4. This module swaps in:

* :class:`OpenAPI31Specification` — the document is checked with openapi-spec-validator
  (which knows 3.1), then handed to Connexion's normal machinery;
* JSON Schema 2020-12 validators (type arrays, ``const``, numeric ``exclusiveMinimum``, …)
  with format checking, built once per schema instead of once per request, registered through
  ``validator_map``. They raise typed errors so each API can word them in its own envelope.

Connexion has no hook for the specification class, so :func:`add_api` appends the API record
itself — the same two steps as ``ConnexionMiddleware.add_api`` — instead of patching Connexion.
Connexion's private names (the validators' ``_parse``/``_validate`` hooks, the specification's
``_validate_spec``, the API record) come through :mod:`mock_server._compat.connexion`.
"""

from __future__ import annotations

import asyncio
import json
import re
import weakref
from collections.abc import AsyncIterator, Iterator
from itertools import islice
from typing import Any
from urllib.parse import parse_qsl

from connexion import AsyncApp, ConnexionMiddleware
from connexion.exceptions import (
    BadRequestProblem,
    InvalidSpecification,
    NonConformingResponseBody,
)
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from openapi_spec_validator import validate as validate_openapi
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from starlette.types import Receive, Scope

from ._compat.connexion import (
    AbstractRequestBodyValidator,
    AbstractResponseBodyValidator,
    MediaTypeDict,
    OpenAPISpecification,
    ParameterValidator,
    register_api,
)
from .errors import MalformedBodyError, RequestBodyError, RequestParameterError

_FORMAT_CHECKER = Draft202012Validator.FORMAT_CHECKER
_ASCII_INTEGER = re.compile(r"[+-]?[0-9]+")
_validators: dict[int, tuple[Any, Draft202012Validator]] = {}
MAX_ERRORS = 16  # errors examined per instance: one is reported, so the rest is waste
OFFLOAD_BYTES = 64 * 1024  # bodies larger than this are validated in a worker thread
_heavy_validations: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def heavy_validation_slot() -> asyncio.Semaphore:
    """One large body validated at a time per event loop: the worker thread shares the GIL
    with the loop, so more of them would slow every other request down."""
    loop = asyncio.get_running_loop()
    slot = _heavy_validations.get(loop)
    if slot is None:
        slot = _heavy_validations[loop] = asyncio.Semaphore(1)
    return slot


def schema_validator(schema: dict) -> Draft202012Validator:
    """A cached 2020-12 validator for an already ``$ref``-resolved schema."""
    cached = _validators.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = (schema, Draft202012Validator(schema, format_checker=_FORMAT_CHECKER))
        _validators[id(schema)] = cached
    return cached[1]


def first_error(validator: Draft202012Validator, instance: Any) -> ValidationError | None:
    """The most relevant of the first ``MAX_ERRORS`` validation errors, or None when
    ``instance`` is valid.

    ``iter_errors`` is lazy, so a body of 350,000 invalid items costs 16 errors' work, not
    350,000 (``best_match`` over all of them took 8 s of CPU on the event loop).
    Raises :class:`MalformedBodyError` for documents nested so deeply that validating (or
    describing the error) would exhaust the interpreter's recursion limit.
    """
    try:
        return best_match(islice(validator.iter_errors(instance), MAX_ERRORS))
    except RecursionError as exc:
        raise MalformedBodyError("body is nested too deeply") from exc


def pointer_of(error: ValidationError) -> str:
    """JSON pointer of the failing spot in the instance."""
    return "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in error.absolute_path)


class OpenAPI31Specification(OpenAPISpecification):
    """An OpenAPI 3.0 or 3.1 document, validated with openapi-spec-validator."""

    @classmethod
    def _validate_spec(cls, spec: dict) -> None:
        try:
            validate_openapi(spec)
        except OpenAPIValidationError as exc:
            raise InvalidSpecification(f"invalid OpenAPI document: {exc.message}") from exc


class JSONBodyValidator(AbstractRequestBodyValidator):
    """Request bodies: strict UTF-8 JSON, then JSON Schema 2020-12.

    A valid 1 MiB body takes JSON Schema most of a second to walk; bodies over
    ``OFFLOAD_BYTES`` are therefore validated in a worker thread, one at a time (and decoded one
    at a time, which bounds the memory of many at once), so the event loop keeps
    serving other requests meanwhile. (Invalid bodies stop at ``MAX_ERRORS``.)
    """

    def __init__(self, *, schema: dict, nullable: bool = False, **kwargs: Any) -> None:
        super().__init__(schema=schema, nullable=nullable, **kwargs)
        self._validator = schema_validator(schema)
        self._validated = False  # validated off the loop already (one validator per request)

    async def wrap_receive(self, receive: Receive, *, scope: Scope) -> tuple[Receive, Scope]:
        try:
            return await super().wrap_receive(receive, scope=scope)
        except BadRequestProblem as exc:
            if type(exc) is BadRequestProblem:  # Connexion's own "RequestBody is required"
                raise MalformedBodyError("request body must not be empty") from exc
            raise

    async def _parse(self, stream: AsyncIterator[bytes], scope: Scope) -> Any:
        raw = b"".join([chunk async for chunk in stream])
        if len(raw) <= OFFLOAD_BYTES:
            return self._decode(raw)
        # A large body: decoded and validated one at a time (a 1 MiB document of small items
        # is some 20 MiB of Python objects), and walked in a worker thread. (Read outside the
        # slot: a client slow to send its body must not hold it.)
        async with heavy_validation_slot():
            body = self._decode(raw)
            if body is not None:
                await asyncio.to_thread(self._check, body)
                self._validated = True
        return body

    @staticmethod
    def _decode(raw: bytes) -> Any:
        if not raw.strip():
            return None
        try:
            return json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise MalformedBodyError(f"body is not valid UTF-8: {exc.reason}") from exc
        except RecursionError as exc:
            raise MalformedBodyError("body is nested too deeply") from exc
        except ValueError as exc:
            raise MalformedBodyError(f"body is not valid JSON: {exc}") from exc

    def _validate(self, body: Any) -> None:
        if not self._validated:
            self._check(body)

    def _check(self, body: Any) -> None:
        if body is None and not self._nullable:
            raise MalformedBodyError("request body must not be empty")
        error = first_error(self._validator, body)
        if error is not None:
            pointer = pointer_of(error)
            required, instance = error.validator_value, error.instance
            if (
                error.validator == "required"
                and isinstance(required, list)
                and isinstance(instance, dict)
            ):
                missing = next(k for k in required if k not in instance)
                pointer = f"{pointer}/{missing}"
            raise RequestBodyError(pointer, str(error.validator), error.message)


class JSONResponseValidator(AbstractResponseBodyValidator):
    """Response bodies: JSON Schema 2020-12 (used when response validation is on)."""

    def __init__(self, scope: Scope, *, schema: dict, **kwargs: Any) -> None:
        super().__init__(scope, schema=schema, **kwargs)
        self._validator = schema_validator(schema)

    def _parse(self, stream: Iterator[bytes]) -> Any:
        raw = b"".join(stream)
        try:
            return json.loads(raw) if raw else None
        except ValueError as exc:
            raise NonConformingResponseBody(f"response body is not JSON: {exc}") from exc

    def _validate(self, body: Any) -> None:
        error = first_error(self._validator, body)
        if error is not None:
            raise NonConformingResponseBody(
                f"response does not conform to the contract: {error.message} "
                f"(at {pointer_of(error) or '/'})"
            )


class Parameter2020Validator(ParameterValidator):
    """Parameters: JSON Schema 2020-12 on the values Connexion's URI parser coerced."""

    _getters = {
        "query": lambda request, name: request.query_params.get(name),
        "path": lambda request, name: request.path_params.get(name.replace("-", "_")),
        "header": lambda request, name: request.headers.get(name),
        "cookie": lambda request, name: request.cookies.get(name),
    }

    def validate_request(self, request: Any) -> None:
        for location, getter in self._getters.items():
            for param in self.parameters.get(location, []):
                value = getter(request, param["name"])
                if value is None:
                    if param.get("required"):
                        raise RequestParameterError(location, param["name"], "is required")
                    continue
                error = first_error(schema_validator(param.get("schema", {})), value)
                if error is not None:
                    raise RequestParameterError(location, param["name"], error.message)
                if location == "query" and param.get("schema", {}).get("type") == "integer":
                    self._check_ascii_integer(request, param["name"])

    @staticmethod
    def _check_ascii_integer(request: Any, name: str) -> None:
        """Python's int() also reads non-ASCII digits ('١٢'); an OpenAPI integer does not."""
        raw = request.scope.get("query_string", b"").decode("latin-1")
        for key, value in parse_qsl(raw, keep_blank_values=True):
            if key == name and not _ASCII_INTEGER.fullmatch(value.strip()):
                raise RequestParameterError("query", name, f"{value!r} is not of type 'integer'")


VALIDATOR_MAP = {
    "parameter": Parameter2020Validator,
    "body": MediaTypeDict({"*/*json": JSONBodyValidator}),
    "response": MediaTypeDict({"*/*json": JSONResponseValidator}),
}


def add_api(
    app: AsyncApp | ConnexionMiddleware, spec: dict, *, base_path: str, name: str, **options: Any
) -> OpenAPI31Specification:
    """Register a 3.1 (or 3.0) document on a Connexion app or middleware, as their ``add_api``
    does for 3.0."""
    specification = OpenAPI31Specification(spec)
    register_api(
        app, specification, base_path=base_path, name=name, validator_map=VALIDATOR_MAP, **options
    )
    return specification
