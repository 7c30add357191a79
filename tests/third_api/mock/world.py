"""The seeded world of the third API: returns, oldest first, and the bearer token."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

RETURN_COUNT = 25
FIRST_ID = 101
REASONS = ("damaged", "wrong_item", "not_as_described", "changed_mind")
STATUSES = ("requested", "received", "refunded")


def return_id(number: int) -> str:
    return f"ret_{number:06d}"


@dataclass
class ThirdWorld:
    """All data of one seed; ``create`` adds returns (the caller holds the store's lock)."""

    seed: int
    token: str
    returns: list[dict] = field(default_factory=list)
    by_id: dict[str, dict] = field(default_factory=dict)
    created: int = 0

    def add(self, entry: dict) -> dict:
        self.returns.append(entry)
        self.by_id[entry["id"]] = entry
        return entry

    def next_id(self) -> str:
        return return_id(FIRST_ID + len(self.returns))


def seeded_token(seed: int) -> str:
    return "third-" + hashlib.sha256(f"third-{seed}".encode()).hexdigest()[:24]


def build_world(seed: int, token: str | None = None) -> ThirdWorld:
    """``RETURN_COUNT`` returns for ``seed`` (same seed, same world)."""
    rng = random.Random(f"third-{seed}")
    world = ThirdWorld(seed, token or seeded_token(seed))
    created = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for _ in range(RETURN_COUNT):
        created += timedelta(minutes=rng.randint(5, 600))
        world.add(
            {
                "id": world.next_id(),
                "orderNumber": f"ORD-{rng.randint(1000, 9999)}",
                "reason": rng.choice(REASONS),
                "status": rng.choice(STATUSES),
                "createdAt": created.isoformat().replace("+00:00", "Z"),
                "note": None,
            }
        )
    return world
