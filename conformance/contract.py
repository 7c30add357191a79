"""Which contract each API of the harness checks.

Interim home of the API → contract mapping; the per-API profiles take it over.
Loading, ``$ref`` resolution and the questions asked of a contract live in :mod:`api_contracts`.
"""

from __future__ import annotations

from pathlib import Path

from api_contracts import Contract, ContractError, ErrorCodes, Operation, spec_path

SPEC_FILES = {
    "glue": "glue-returns.openapi.yaml",
    "sendcloud": "sendcloud-returns-v2.openapi.yaml",
}
APIS = tuple(SPEC_FILES)

__all__ = ["APIS", "Contract", "ContractError", "ErrorCodes", "Operation", "load_contract"]


def load_contract(api: str, path: Path | str | None = None) -> Contract:
    """The contract of ``api`` from ``path`` (default: the bundled ``specs/`` document)."""
    if api not in SPEC_FILES:
        raise ContractError(f"unknown API {api!r} (choose from {', '.join(APIS)})")
    return Contract.load(path if path is not None else spec_path(SPEC_FILES[api]), api)
