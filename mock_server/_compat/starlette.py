"""Starlette behaviour the mock relies on beyond its documentation, in one place.

Each entry of ``__all__`` has a test in ``tests/test_compat_mock.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.types import Scope

__all__ = ["PATH_PARAMS", "path_params", "routable_path", "update_path_params"]

PATH_PARAMS = "path_params"  # the scope key Starlette's router fills and ``Request`` reads
_NONE: Mapping[str, Any] = {}


def path_params(scope: Scope) -> Mapping[str, Any]:
    """Path parameters the router converted (e.g. ``int`` for ``{id:int}``)."""
    return scope.get(PATH_PARAMS, _NONE)


def update_path_params(scope: Scope, params: Mapping[str, Any]) -> None:
    """Add path parameters to ``scope`` in place, as Starlette's ``Route`` does."""
    scope.setdefault(PATH_PARAMS, {}).update(params)


def routable_path(path: str) -> str:
    """``path`` with line feeds replaced: a Starlette ``Mount`` (Connexion mounts each API at
    its base path) matches no path with one (its ``{path:path}`` pattern is ``.*``), so such an
    id would match no route at all instead of routing as an id that merely does not exist
    (where auth and the API's 404 still apply)."""
    return path.replace("\n", "\ufffd") if "\n" in path else path
