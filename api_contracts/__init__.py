"""OpenAPI contracts of the mocked APIs and the one module that reads them.

``specs/`` (at the top of the repository) holds the documents; :mod:`api_contracts.contract`
loads, resolves and queries them for the mock, the linter, the harness, the tests and the bench.
"""

from .contract import (
    HTTP_METHODS,
    Contract,
    ContractError,
    ErrorCodes,
    Operation,
    error_codes_of,
    load_document,
    parse_document,
    read_document,
    resolve_pointer,
    resolve_refs,
    spec_path,
)

__all__ = [
    "HTTP_METHODS",
    "Contract",
    "ContractError",
    "ErrorCodes",
    "Operation",
    "error_codes_of",
    "load_document",
    "parse_document",
    "read_document",
    "resolve_pointer",
    "resolve_refs",
    "spec_path",
]
