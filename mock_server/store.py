"""Where mock state lives: one seeded world per API, swapped atomically on reset."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

WorldT = TypeVar("WorldT")


class StateStore(Generic[WorldT]):
    """Holds the current world of one API.

    Readers take ``store.world`` once per request and work on that object; writers hold
    ``store.lock`` while they check and change it. :meth:`reset` builds a fresh world first and
    swaps the reference under the lock, so no request ever sees a half-reset world.
    """

    def __init__(self, factory: Callable[[int], WorldT], seed: int) -> None:
        self._factory = factory
        self.seed = seed
        self.lock = threading.RLock()
        self.world: WorldT = factory(seed)
        self.version = 0  # bumped by every change a read could see (see cache.ResponseCache)

    def touch(self) -> None:
        """Record that the world changed (call with ``lock`` held)."""
        self.version += 1

    def reset(self, seed: int | None = None) -> None:
        """Back to the seeded world (optionally of another seed)."""
        fresh = self._factory(self.seed if seed is None else seed)
        with self.lock:
            if seed is not None:
                self.seed = seed
            self.world = fresh
            self.version += 1
