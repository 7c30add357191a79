"""The mocked APIs: every package here whose ``__init__`` defines an ``ApiDefinition`` as
``DEFINITION`` is served. Found, not listed, so a new API is one new package (like the harness's
``conformance/apis/``); the order is by name, which keeps the start-up banner stable."""

from __future__ import annotations

import pkgutil
from importlib import import_module

from ..api import ApiDefinition


def _discover() -> tuple[ApiDefinition, ...]:
    found = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.ispkg:
            definition = getattr(import_module(f"{__name__}.{module.name}"), "DEFINITION", None)
            if isinstance(definition, ApiDefinition):
                found.append(definition)
    return tuple(found)


ALL_APIS: tuple[ApiDefinition, ...] = _discover()
