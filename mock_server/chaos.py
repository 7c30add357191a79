"""Chaos on purpose: added latency and injected faults (``--latency``, ``--fault-rate``,
``Prefer: delay=``), as Prism keeps them apart from the negotiator."""

from __future__ import annotations

import asyncio
import random

from .control import Preferences
from .errors import ApiError


class Chaos:
    """Delays and faults of one mock process; the fault sequence is seeded (reproducible)."""

    def __init__(self, latency_ms: int, fault_rate: float, seed: int) -> None:
        self.latency_ms = latency_ms
        self.fault_rate = fault_rate
        self.faults = random.Random(seed)

    async def apply(self, prefs: Preferences) -> None:
        """Wait the configured and the requested delay, then maybe raise an injected fault."""
        delay = self.latency_ms + prefs.delay_ms
        if delay:
            await asyncio.sleep(delay / 1000)
        if self.fault_rate and self.faults.random() < self.fault_rate:
            raise ApiError(500, f"Injected fault (--fault-rate {self.fault_rate}).")
