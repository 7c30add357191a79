"""The seeded Sendcloud world: returns with their outgoing and incoming parcels."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from faker import Faker

CEST = timezone(timedelta(hours=2))
RETURN_COUNT = 45
# (parcel_status id, message, global_status_slug) in the order a return parcel goes through.
STAGES = (
    (1000, "Ready to send", "ready-to-send"),
    (3, "En route to sorting center", "en-route-to-sorting-center"),
    (11, "Delivered", "delivered"),
)
REFUND_TYPES = (
    ("money", "Money back", True),
    ("credit", "Store credit", False),
    ("exchange", "Exchange", True),
)
DELIVERY_OPTIONS = ("drop_off_point", "drop_off_labelless", "in_store", "pickup")
CARRIERS = (("dhl", "JVGL", 994), ("postnl", "3SYZXG", 8), ("dpd", "0582", 1311))


@dataclass
class SendcloudWorld:
    """All Sendcloud data for one seed (read-only in API v2)."""

    seed: int
    returns: list[dict]  # Return objects, oldest first
    public_key: str
    secret_key: str
    oauth_token: str

    def by_id(self, return_id: int) -> dict | None:
        index = return_id - self.returns[0]["id"] if self.returns else -1
        return self.returns[index] if 0 <= index < len(self.returns) else None


def build_world(seed: int) -> SendcloudWorld:
    """Make ``RETURN_COUNT`` returns for ``seed``, with statuses, costs and refunds that agree."""
    fake = Faker("nl_NL")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    first_id = rng.randint(1000, 9000)
    brand = fake.company()
    shop_email = f"returns@{fake.domain_name()}"
    created = datetime(2025, 10, 1, 9, 0, 0, tzinfo=CEST)
    returns = []
    for offset in range(RETURN_COUNT):
        created += timedelta(minutes=rng.randint(30, 3000), microseconds=rng.randint(0, 999999))
        returns.append(_make_return(fake, rng, first_id + offset, created, brand, shop_email))
    key = hashlib.sha256(f"sendcloud-{seed}".encode()).hexdigest()
    return SendcloudWorld(seed, returns, key[:32], key[32:], "scoauth-" + key[:24])


def _parcel(
    fake: Faker, rng: random.Random, stage: tuple, sender: tuple, order: str, brand: str
) -> dict:
    carrier, prefix, method = rng.choice(CARRIERS)
    tracking = f"{prefix}{rng.randint(10**11, 10**12 - 1)}"
    status, _, slug = stage
    return {
        "tracking_url": f"https://tracking.sendcloud.sc/forward?carrier={carrier}&code={tracking}",
        "tracking_number": tracking,
        "parcel_status": status,
        "global_status_slug": slug,
        "brand_name": brand,
        "order_number": order,
        "from_email": sender[0],
        "deleted": False,
        "collo_count": 1,
        "from_country": sender[2],
        "from_name": sender[1],
        "shipping_method": method,
        "extra_data": {},
    }


def _make_return(
    fake: Faker, rng: random.Random, return_id: int, created: datetime, brand: str, shop_email: str
) -> dict:
    stage = rng.choice(STAGES)
    delivered = stage[2] == "delivered"
    order = f"EU{rng.randint(10**9, 10**10 - 1)}"
    customer = (fake.free_email(), fake.name(), rng.choice(("NL", "BE", "DE")))
    items_cost = round(rng.uniform(9.95, 249.0), 2)
    fee = rng.choice((0.0, 0.0, 3.5, 4.95))
    code, label, require_message = rng.choice(REFUND_TYPES)
    option = rng.choice(DELIVERY_OPTIONS)
    refund: dict = {
        "total_refund": f"{items_cost - fee:.2f}",  # a plain decimal string (sendcloud-F9)
        "message": fake.sentence(nb_words=5) if require_message else "",
        "refund_type": {"code": code, "label": label, "require_message": require_message},
    }
    result: dict = {
        "id": return_id,
        "created_at": created.isoformat(),
        "reason": rng.randint(1, 8),
        "outgoing_parcel": return_id * 3 + 11,
        "incoming_parcel": return_id * 3 + 12,
        "message": fake.sentence(nb_words=6),
        "refund": refund,
        "is_cancellable": stage[0] == STAGES[0][0],
        "return_fee": fee,
        "return_fee_currency": "EUR",
        "label_cost": rng.choice((4.95, 6.95)),
        "label_currency": "EUR",
        "items_cost": items_cost,
        "delivery_option": option,
        "images": [],
        "rule_modifications": [],
        "outgoing_parcel_data": _parcel(
            fake, rng, STAGES[2], (shop_email, brand, "NL"), order, brand
        ),
        "incoming_parcel_data": _parcel(fake, rng, stage, customer, order, brand),
        "incoming_parcel_status": {
            "id": stage[0],
            "message": stage[1],
            "global_status_slug": stage[2],
        },
    }
    if option == "in_store":
        result["store_location"] = rng.randint(1, 5)
    if delivered:
        delivered_at = created + timedelta(hours=rng.randint(20, 96))
        result["delivered_at"] = delivered_at.isoformat()
        refunded = delivered_at + timedelta(hours=rng.randint(1, 48))
        refund["refunded_at"] = int(refunded.timestamp() * 1000)
    if rng.random() < 0.3:
        result["images"].append(
            {
                "uploaded_image": f"https://returns-media.example.com/{return_id}/image.png",
                "thumbnail_image": f"https://returns-media.example.com/{return_id}/thumb.png",
                "product_id": str(rng.randint(100000, 999999)),
                "description": fake.sentence(nb_words=7),
            }
        )
    if rng.random() < 0.5:
        result["rule_modifications"].append(
            {
                "rule_name": "my_ship_with_rule",
                "field": "ship_with",
                "value": "PostNL Return",
                "action": "ship_with",
                "friendly_name": "Return method",
                "priority": 1,
                "item_id": None,
            }
        )
    return result
