"""Undocumented Hypothesis names the harness relies on (see ``tests/test_compat_harness.py``).

* ``hypothesis.internal.conjecture.providers``: ``_get_local_constants`` (the literals of the
  local source code Hypothesis mixes into generated data), ``CONSTANTS_CACHE`` (their cache,
  with a ``.cache`` dict) and ``Constants`` (an empty set of them).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["without_local_constants"]


@contextmanager
def without_local_constants() -> Iterator[None]:
    """Draw without the literals of the *local* source code.

    Hypothesis mixes literals of whatever is imported under the current directory into
    generated data; that would make a corpus depend on where and beside what it was generated.
    Inside this block it sees none, so one seed is one corpus everywhere.
    """
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - a Hypothesis without the feature
        yield
        return
    original = getattr(providers, "_get_local_constants", None)
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    if original is None or cache is None or not hasattr(providers, "Constants"):
        yield  # pragma: no cover
        return
    empty = providers.Constants()
    providers._get_local_constants = lambda: empty
    cache.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.cache.clear()
