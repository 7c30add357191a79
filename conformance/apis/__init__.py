"""The APIs the harness knows: one package per API (like ``mock_server/apis/``), one registry.

Adding an API is one package ``conformance/apis/<api>/`` whose ``profile.py`` defines a
:class:`~conformance.profile.ApiProfile` as ``PROFILE``; :data:`BUILT_IN` finds it.
Everything shared — the CLI's ``--api`` choices, the pytest plugin, the placeholder pattern of
the corpora — is read from here. An API defined outside the package joins in-process with
:func:`register` (and leaves with :func:`unregister`, or both at once with :func:`registered`),
or, for the ``conformance`` command and the pytest plugin, from an installed distribution that
names its profile in the ``conformance.apis`` entry-point group (``name = "module:PROFILE"``).
"""

from __future__ import annotations

import pkgutil
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from importlib.metadata import entry_points
from importlib.util import find_spec
from pathlib import Path

from api_contracts import Contract

from ..profile import ApiProfile, Placeholder, UsageError


def _built_in() -> tuple[str, ...]:
    """The packages under conformance/apis/ that define a profile, by name."""
    return tuple(
        sorted(
            module.name
            for module in pkgutil.iter_modules(__path__)
            if module.ispkg and find_spec(f"{__name__}.{module.name}.profile") is not None
        )
    )


# Found, not listed: a new API is one new package, nothing here changes.
BUILT_IN = _built_in()

_PROFILES: dict[str, ApiProfile] = {}
_PATTERN: list[re.Pattern[str]] = []  # cache of placeholder_pattern(), reset by register()


ENTRY_POINT_GROUP = "conformance.apis"


def _load_built_in() -> None:
    if _PROFILES:
        return
    for package in BUILT_IN:
        profile: ApiProfile = import_module(f"{__name__}.{package}.profile").PROFILE
        _PROFILES[profile.name] = profile
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            plugin = entry.load()
            _validate(plugin)
        except Exception as exc:  # one broken plugin must not take the others down
            warnings.warn(f"API {entry.name!r} ({entry.value}) not loaded: {exc}", stacklevel=2)
            continue
        _PROFILES.setdefault(plugin.name, plugin)


def _validate(profile: object) -> None:
    if not isinstance(profile, ApiProfile):
        raise TypeError(f"{profile!r} is not an ApiProfile")
    if not re.fullmatch(r"[a-z][a-z0-9_-]*", profile.name):
        raise ValueError(f"API name {profile.name!r}: lower-case letters, digits, - and _")
    for placeholder in profile.placeholders:
        if not placeholder.name.startswith(profile.name + "."):
            raise ValueError(f"placeholder {placeholder.name!r} must start with {profile.name}.")


def register(profile: ApiProfile) -> None:
    """Make ``profile`` known (an API defined outside this package, e.g. by a test)."""
    _load_built_in()
    _validate(profile)
    _PROFILES[profile.name] = profile
    _PATTERN.clear()


def unregister(name: str) -> None:
    """Forget an API that :func:`register` added (a test's), so no other test sees it."""
    if name in BUILT_IN:
        raise ValueError(f"{name!r} is built in")
    _PROFILES.pop(name, None)
    _PATTERN.clear()


@contextmanager
def registered(profile: ApiProfile) -> Iterator[ApiProfile]:
    """``profile`` is known inside the block only (a test's API, registered and forgotten)."""
    register(profile)
    try:
        yield profile
    finally:
        unregister(profile.name)


def profiles() -> Iterator[ApiProfile]:
    _load_built_in()
    yield from _PROFILES.values()


def api_names() -> tuple[str, ...]:
    """The ``--api`` choices."""
    _load_built_in()
    return tuple(_PROFILES)


def profile_for(api: str) -> ApiProfile:
    """The profile of ``api``; :class:`UsageError` naming the choices for an unknown one."""
    _load_built_in()
    found = _PROFILES.get(api)
    if found is None:
        raise UsageError(f"unknown API {api!r} (choose from {', '.join(_PROFILES)})")
    return found


def load_contract(api: str, path: Path | str | None = None) -> Contract:
    """The contract of ``api`` from ``path`` (default: the profile's bundled contract)."""
    return profile_for(api).load_contract(path)


def placeholders() -> dict[str, Placeholder]:
    """Every placeholder of every API by name."""
    return {p.name: p for profile in profiles() for p in profile.placeholders}


def placeholder_pattern() -> re.Pattern[str]:
    """``{{api.name}}`` for the registered APIs (group 1: ``api.name``)."""
    if not _PATTERN:
        names = "|".join(re.escape(name) for name in api_names())
        _PATTERN.append(re.compile(r"\{\{((?:" + names + r")\.[A-Za-z]+)\}\}"))
    return _PATTERN[0]


__all__ = [
    "ApiProfile",
    "api_names",
    "load_contract",
    "placeholder_pattern",
    "placeholders",
    "profile_for",
    "profiles",
    "register",
    "registered",
    "unregister",
]
