"""Hand-written world of the reference Glue backend: an Austrian store, two marketplace merchants.

Nothing here comes from ``mock_server``: other customers, other references (``AT--12``,
``AT--1001``, ``AT--12-R7``), another tax rate (20 %), other products and reasons. Money is in
integer cents and adds up: ``sum* = unit* x quantity``, ``priceToPay = price - discount``, order
totals are sums of their items plus the shipment expense.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

STORE = "AT"
TAX_RATE = 20
SHIPMENT_PRICE = 490
NAMESPACE = uuid.UUID("6f1d3c52-8a0e-4c1b-9e57-2b7a44d0c911")
RETURNABLE_STATE = "delivered"
RETURN_PENDING_STATE = "waiting for return"
RETURNED_STATE = "returned"
# (sku, name, unit gross price in cents, merchant, super attributes, image)
PRODUCTS: list[tuple[str, str, int, str, dict[str, str], str]] = [
    ("210_123", "Bergsteiger Wanderschuh", 12990, "MER000001", {"size": "42"}, "schuh.jpg"),
    ("211_456", "Alpaka Strickmütze", 2495, "MER000002", {"color": "Grau"}, "muetze.jpg"),
    ("212_789", "Thermoskanne 1 l", 3450, "MER000001", {}, "kanne.jpg"),
    ("213_012", "Regenjacke Loden", 18900, "MER000002", {"size": "M"}, "jacke.jpg"),
    ("214_345", "Trekkingstöcke Carbon", 7999, "MER000001", {}, "stoecke.jpg"),
    ("215_678", "Merino Socken 3er", 2199, "MER000002", {"size": "39-42"}, "socken.jpg"),
    ("216_901", "Stirnlampe 300 lm", 4590, "MER000001", {"color": "Rot"}, "lampe.jpg"),
]
# Item states cycle per order position; "delivered" items are returnable.
STATE_CYCLE = ["delivered", "delivered", "shipped", "delivered", "payment pending"]
REASONS: dict[str, list[str]] = {
    "en": ["Arrived damaged", "Wrong size", "Not as described", "Changed my mind", "Arrived late"],
    "de": [
        "Beschädigt angekommen",
        "Falsche Größe",
        "Entspricht nicht der Beschreibung",
        "Meinung geändert",
        "Zu spät angekommen",
    ],
}


@dataclass
class Customer:
    reference: str
    email: str
    password: str
    first_name: str
    last_name: str


@dataclass
class Item:
    uuid: str
    order_reference: str
    sku: str
    name: str
    unit_price: int
    quantity: int
    discount_percent: int
    merchant: str
    super_attributes: dict[str, str]
    image: str
    state: str

    @property
    def unit_discount(self) -> int:
        return self.unit_price * self.discount_percent // 100

    @property
    def unit_to_pay(self) -> int:
        return self.unit_price - self.unit_discount

    @property
    def unit_tax(self) -> int:
        return round(self.unit_to_pay * TAX_RATE / (100 + TAX_RATE))

    @property
    def is_returnable(self) -> bool:
        return self.state == RETURNABLE_STATE

    def attributes(self, order_reference: str | None) -> dict[str, Any]:
        """``RestOrderItemsAttributes``; ``/orders`` sends ``orderReference: null`` (glue-C9)."""
        qty, unit, discount, to_pay, tax = (
            self.quantity,
            self.unit_price,
            self.unit_discount,
            self.unit_to_pay,
            self.unit_tax,
        )
        return {
            "merchantReference": self.merchant,
            "state": self.state,
            "name": self.name,
            "sku": self.sku,
            "sumPrice": unit * qty,
            "quantity": qty,
            "unitGrossPrice": unit,
            "sumGrossPrice": unit * qty,
            "taxRate": f"{TAX_RATE}.00",
            "unitNetPrice": 0,
            "sumNetPrice": 0,
            "unitPrice": unit,
            "unitTaxAmountFullAggregation": tax,
            "sumTaxAmountFullAggregation": tax * qty,
            "refundableAmount": to_pay * qty,
            "canceledAmount": 0,
            "sumSubtotalAggregation": unit * qty,
            "unitSubtotalAggregation": unit,
            "unitProductOptionPriceAggregation": 0,
            "sumProductOptionPriceAggregation": 0,
            "unitExpensePriceAggregation": 0,
            "sumExpensePriceAggregation": None,
            "unitDiscountAmountAggregation": discount,
            "sumDiscountAmountAggregation": discount * qty,
            "unitDiscountAmountFullAggregation": discount,
            "sumDiscountAmountFullAggregation": discount * qty,
            "unitPriceToPayAggregation": to_pay,
            "sumPriceToPayAggregation": to_pay * qty,
            "taxRateAverageAggregation": f"{TAX_RATE}.00",
            "taxAmountAfterCancellation": None,
            "orderReference": order_reference,
            "uuid": self.uuid,
            "isReturnable": self.is_returnable,
            "idShipment": None,
            "bundleItemIdentifier": None,
            "relatedBundleItemIdentifier": None,
            "salesOrderConfiguredBundle": None,
            "salesOrderConfiguredBundleItem": None,
            "salesUnit": None,
            "amount": None,
            "metadata": {
                "superAttributes": self.super_attributes or [],
                "image": f"https://images.example.at/products/{self.image}",
            },
            "calculatedDiscounts": [],
            "productOptions": [],
        }


@dataclass
class Order:
    reference: str
    customer: str
    created_at: str
    items: list[Item]

    def shipment_expense(self) -> dict[str, Any]:
        """The one expense of every order: standard shipping (gross, 20 % tax)."""
        tax = round(SHIPMENT_PRICE * TAX_RATE / (100 + TAX_RATE))
        return {
            "type": "SHIPMENT_EXPENSE_TYPE",
            "name": "Standard",
            "sumPrice": SHIPMENT_PRICE,
            "unitGrossPrice": SHIPMENT_PRICE,
            "sumGrossPrice": SHIPMENT_PRICE,
            "taxRate": f"{TAX_RATE}.00",
            "unitNetPrice": 0,
            "sumNetPrice": 0,
            "canceledAmount": None,
            "unitDiscountAmountAggregation": None,
            "sumDiscountAmountAggregation": None,
            "unitTaxAmount": tax,
            "sumTaxAmount": tax,
            "unitPriceToPayAggregation": SHIPMENT_PRICE,
            "sumPriceToPayAggregation": SHIPMENT_PRICE,
            "taxAmountAfterCancellation": None,
            "idShipment": None,
            "idSalesExpense": int(self.reference[4:]),
        }

    def totals(self) -> dict[str, int]:
        subtotal = sum(i.unit_price * i.quantity for i in self.items)
        discount = sum(i.unit_discount * i.quantity for i in self.items)
        shipment_tax = self.shipment_expense()["sumTaxAmount"]
        returned = [i for i in self.items if i.state in (RETURN_PENDING_STATE, RETURNED_STATE)]
        return {
            "expenseTotal": SHIPMENT_PRICE,
            "discountTotal": discount,
            "taxTotal": sum(i.unit_tax * i.quantity for i in self.items) + shipment_tax,
            "subtotal": subtotal,
            "grandTotal": subtotal - discount + SHIPMENT_PRICE,
            "canceledTotal": 0,
            "remunerationTotal": sum(i.unit_to_pay * i.quantity for i in returned),
        }


@dataclass
class ReturnItem:
    uuid: str
    reason: str | None
    item: Item


@dataclass
class Return:
    number: int
    customer: str
    items: list[ReturnItem]
    refunded: bool

    @property
    def reference(self) -> str:
        return f"{self.customer}-R{self.number}"

    def totals(self) -> dict[str, int]:
        remuneration = sum(r.item.unit_to_pay * r.item.quantity for r in self.items)
        refund = remuneration if self.refunded else 0
        return {"refundTotal": refund, "remunerationTotal": remuneration}


@dataclass
class World:
    customers: dict[str, Customer]  # by e-mail
    orders: dict[str, Order]  # by reference
    items: dict[str, Item]  # by uuid
    returns: dict[str, Return] = field(default_factory=dict)  # by reference

    def returns_of(self, customer: str) -> list[Return]:
        """Newest first (highest ``R{n}`` first, numerically)."""
        mine = [r for r in self.returns.values() if r.customer == customer]
        return sorted(mine, key=lambda r: r.number, reverse=True)

    def orders_of(self, customer: str) -> list[Order]:
        """Newest first."""
        mine = [o for o in self.orders.values() if o.customer == customer]
        return sorted(mine, key=lambda o: o.created_at, reverse=True)

    def add_return(self, customer: str, items: list[tuple[Item, str | None]]) -> Return:
        number = max((r.number for r in self.returns_of(customer)), default=0) + 1
        return_items = []
        for position, (item, reason) in enumerate(items):
            item.state = RETURN_PENDING_STATE
            item_uuid = str(uuid.uuid5(NAMESPACE, f"{customer}-R{number}/{position}"))
            return_items.append(ReturnItem(item_uuid, reason, item))
        created = Return(number, customer, return_items, refunded=False)
        self.returns[created.reference] = created
        return created


# (customer, orders, past returns)
CUSTOMERS: list[tuple[Customer, int, int]] = [
    (Customer("AT--12", "lena.hofer@example.at", "Retoure-Lena-12", "Lena", "Hofer"), 14, 12),
    (Customer("AT--27", "tobias.gruber@example.at", "Retoure-Tobi-27", "Tobias", "Gruber"), 4, 1),
]
ITEMS_PER_ORDER = 3


def build_world() -> World:
    """The initial world; every call builds a fresh, identical one."""
    world = World(customers={}, orders={}, items={})
    order_number = 1001
    product = 0
    for customer, order_count, past_returns in CUSTOMERS:
        world.customers[customer.email] = customer
        for index in range(order_count):
            reference = f"{STORE}--{order_number}"
            day = 1 + (order_number % 28)
            created_at = f"2026-{1 + index % 10:02d}-{day:02d} 10:{index:02d}:17.000000"
            order = Order(reference, customer.reference, created_at, [])
            for position in range(ITEMS_PER_ORDER):
                sku, name, price, merchant, attributes, image = PRODUCTS[product % len(PRODUCTS)]
                product += 1
                item = Item(
                    uuid=str(uuid.uuid5(NAMESPACE, f"{reference}/{position}")),
                    order_reference=reference,
                    sku=sku,
                    name=name,
                    unit_price=price,
                    quantity=1 + (product % 3 == 0),
                    discount_percent=10 if product % 4 == 0 else 0,
                    merchant=merchant,
                    super_attributes=attributes,
                    image=image,
                    state=STATE_CYCLE[(index + position) % len(STATE_CYCLE)],
                )
                order.items.append(item)
                world.items[item.uuid] = item
            world.orders[reference] = order
            order_number += 1
        delivered = [
            i for o in world.orders_of(customer.reference)[::-1] for i in o.items if i.is_returnable
        ]
        for item in delivered[:past_returns]:
            reason = REASONS["en"][item.unit_price % 5]
            past = world.add_return(customer.reference, [(item, reason)])
            past.refunded = True
            item.state = RETURNED_STATE
    return world
