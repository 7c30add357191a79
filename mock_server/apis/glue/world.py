"""The seeded Glue world: customers, orders with items, and returns, made with Faker.

Everything is derived from one integer seed, so the same seed always gives the same world.
Money is in integer cents and adds up: sums are unit x quantity, order totals are the sums of
their items plus expenses, return totals are the sums of the returned items.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from faker import Faker

STORE = "DE"
CURRENCY = "EUR"
RETURNABLE_STATE = "delivered"
MERCHANTS = ("MER000001", "MER000002", "MER000005")

# A slice of Spryker's demo catalogue: (sku, name, gross price in cents, image id, tax rate).
CATALOGUE = (
    ("078_24602396", "Sony Xperia Z3 Compact", 25584, "norm/medium/24602396-8292", "19.00"),
    ("035_17360369", "Canon PowerShot N", 29747, "gallery_mediums/17360369_3328", "19.00"),
    ("066_23294028", "Samsung Galaxy S5 mini", 39353, "gallery_mediums/23294028_3275", "19.00"),
    ("001_25904006", "Canon IXUS 160", 9999, "norm/medium/25904006-8438", "19.00"),
    ("009_30692991", "Sony Cyber-shot DSC-WX220", 14799, "norm/medium/30692991-4950", "19.00"),
    ("012_25904598", "Canon PowerShot SX610", 18480, "norm/medium/25904598-4186", "19.00"),
    ("021_21081475", "Sony Cyber-shot DSC-W830", 10580, "norm/medium/21081475-3324", "19.00"),
    ("027_26976107", "Samsung Galaxy Tab A", 26090, "norm/medium/26976107-9233", "19.00"),
    ("057_32007641", "Lenovo Yoga 3 Pro", 89900, "norm/medium/32007641-1016", "19.00"),
    ("086_30521602", "Sony SmartWatch 3", 15999, "norm/medium/30521602-2218", "19.00"),
    ("110_19682159", "HP Slate 7 Extreme", 21900, "norm/medium/19682159-5530", "19.00"),
    ("134_29759322", "Acer Liquid Jade", 27950, "norm/medium/29759322-6313", "19.00"),
    ("152_25620812", "Kindle Paperwhite", 11999, "norm/medium/25620812-2291", "7.00"),
    ("166_26201934", "Tolino Vision 3 HD", 12900, "norm/medium/26201934-7412", "7.00"),
    ("190_25111438", "Fujifilm FinePix XP80", 16998, "norm/medium/25111438-3381", "19.00"),
)
ITEM_STATES = (RETURNABLE_STATE,) * 5 + ("shipped", "payment pending", "canceled")
SHIPMENT_METHODS = (("Standard", 490), ("Express", 590))


@dataclass
class Customer:
    """A shop customer who can log in."""

    reference: str
    id_customer: int
    email: str
    password: str
    salutation: str
    first_name: str
    last_name: str
    street: str
    house_number: str
    zip_code: str
    city: str
    phone: str


@dataclass
class OrderItem:
    """One sales order item (quantity may be above 1, prices are per unit)."""

    uuid: str
    order_reference: str
    sku: str
    name: str
    image: str
    quantity: int
    unit_gross: int
    unit_discount: int
    tax_rate: str
    merchant_reference: str
    state: str
    id_shipment: int
    super_attributes: dict[str, str]

    @property
    def unit_to_pay(self) -> int:
        return self.unit_gross - self.unit_discount

    @property
    def sum_to_pay(self) -> int:
        return self.unit_to_pay * self.quantity

    @property
    def unit_tax(self) -> int:
        rate = float(self.tax_rate)
        return round(self.unit_to_pay * rate / (100 + rate))


@dataclass
class Order:
    """A customer's order."""

    reference: str
    customer_reference: str
    created_at: datetime
    items: list[OrderItem]
    shipment_method: str
    shipment_price: int
    id_shipment: int
    payment_method: str


@dataclass
class ReturnItem:
    """One returned order item."""

    uuid: str
    order_item_uuid: str
    reason: str | None


@dataclass
class Return:
    """A return: items of one customer, from one merchant."""

    reference: str
    customer_reference: str
    store: str
    items: list[ReturnItem]
    merchant_reference: str | None
    refunded: bool = False


@dataclass
class World:
    """All Glue data for one seed. Mutable: created returns and item states live here."""

    seed: int
    customers: dict[str, Customer]  # by reference
    orders: dict[str, Order]  # by reference, in creation order
    items: dict[str, OrderItem]  # by uuid
    returns: dict[str, Return]  # by reference, in creation order
    return_counters: dict[str, int] = field(default_factory=dict)  # customer → last R{n}
    returned_items: set[str] = field(default_factory=set)
    uuid_sequence: int = 0

    def new_uuid(self) -> str:
        """The next return-item UUID: the n-th one of a seed is always the same."""
        self.uuid_sequence += 1
        digest = hashlib.sha256(f"{self.seed}:return-item:{self.uuid_sequence}".encode()).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))

    def customer_by_email(self, email: str) -> Customer | None:
        return next((c for c in self.customers.values() if c.email == email.lower()), None)

    def is_returnable(self, item: OrderItem) -> bool:
        return item.state == RETURNABLE_STATE and item.uuid not in self.returned_items


def build_world(seed: int) -> World:
    """Make the world for ``seed``: three customers, their orders and some past returns."""
    fake = Faker("de_DE")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    customers = _make_customers(fake)
    world = World(seed=seed, customers=customers, orders={}, items={}, returns={})
    start = datetime(2025, 9, 1, 8, 0, 0)
    order_number = 0
    for customer in customers.values():
        for index in range(rng.randint(4, 6)):
            order_number += 1
            created = start + timedelta(minutes=rng.randint(0, 60 * 24 * 400))
            order = _make_order(fake, rng, world, customer, order_number, created, index == 0)
            world.orders[order.reference] = order
            world.items.update((item.uuid, item) for item in order.items)
    world.orders = dict(sorted(world.orders.items(), key=lambda kv: kv[1].created_at))
    for customer in customers.values():
        _seed_returns(fake, rng, world, customer)
    return world


def _make_customers(fake: Faker) -> dict[str, Customer]:
    people = [
        ("Ms", "Sonia", "Wagner", "sonia@spryker.com"),
        ("Mr", "Spencor", "Hopkin", "spencor.hopkin@spryker.com"),
    ]
    first, last = fake.first_name(), fake.last_name()
    people.append(("Mr" if fake.boolean() else "Ms", first, last, fake.free_email()))
    customers = {}
    for number, (salutation, first_name, last_name, email) in enumerate(people, start=1):
        reference = f"{STORE}--{number}"
        customers[reference] = Customer(
            reference=reference,
            id_customer=number,
            email=email.lower(),
            password="change123",
            salutation=salutation,
            first_name=first_name,
            last_name=last_name,
            street=fake.street_name(),
            house_number=fake.building_number(),
            zip_code=fake.postcode(),
            city=fake.city(),
            phone=fake.phone_number(),
        )
    return customers


def _make_order(
    fake: Faker,
    rng: random.Random,
    world: World,
    customer: Customer,
    number: int,
    created: datetime,
    mixed_merchants: bool,
) -> Order:
    reference = f"{STORE}--{number}"
    method, price = rng.choice(SHIPMENT_METHODS)
    count = 2 if mixed_merchants else rng.randint(1, 4)
    items = []
    for position in range(count):
        sku, name, gross, image, rate = rng.choice(CATALOGUE)
        # The first order of every customer has two delivered items of two merchants.
        merchant = MERCHANTS[position % 2] if mixed_merchants else rng.choice(MERCHANTS[:2])
        state = RETURNABLE_STATE if mixed_merchants else rng.choice(ITEM_STATES)
        discount = round(gross * 0.1) if rng.random() < 0.4 else 0
        items.append(
            OrderItem(
                uuid=fake.uuid4(),
                order_reference=reference,
                sku=sku,
                name=name,
                image=f"https://images.icecat.biz/img/{image}.jpg",
                quantity=1 if rng.random() < 0.8 else 2,
                unit_gross=gross,
                unit_discount=discount,
                tax_rate=rate,
                merchant_reference=merchant,
                state=state,
                id_shipment=number,
                super_attributes={"color": fake.safe_color_name().capitalize()}
                if rng.random() < 0.5
                else {},
            )
        )
    return Order(
        reference=reference,
        customer_reference=customer.reference,
        created_at=created,
        items=items,
        shipment_method=method,
        shipment_price=price,
        id_shipment=number,
        payment_method=rng.choice(("Invoice", "Credit Card")),
    )


def _seed_returns(fake: Faker, rng: random.Random, world: World, customer: Customer) -> None:
    """Past returns: one or two per customer, from orders other than the first one."""
    candidates = [
        item
        for order in world.orders.values()
        if order.customer_reference == customer.reference
        for item in order.items[0:1]
        if world.is_returnable(item) and item.id_shipment != _first_order_number(world, customer)
    ]
    for item in candidates[: rng.randint(1, 2)]:
        create_return(
            world,
            customer.reference,
            [(item, rng.choice(("Damaged", "Wrong Item", "No longer needed")))],
            refunded=True,
        )


def _first_order_number(world: World, customer: Customer) -> int:
    return min(
        o.id_shipment for o in world.orders.values() if o.customer_reference == customer.reference
    )


def create_return(
    world: World,
    customer_reference: str,
    items: list[tuple[OrderItem, str | None]],
    refunded: bool = False,
) -> Return:
    """Record a return of ``items`` (already checked) and make them non-returnable."""
    number = world.return_counters.get(customer_reference, 0) + 1
    world.return_counters[customer_reference] = number
    reference = f"{customer_reference}-R{number}"
    created = Return(
        reference=reference,
        customer_reference=customer_reference,
        store=STORE,
        items=[ReturnItem(world.new_uuid(), item.uuid, reason) for item, reason in items],
        merchant_reference=items[0][0].merchant_reference,
        refunded=refunded,
    )
    world.returns[reference] = created
    world.returned_items.update(item.uuid for item, _ in items)
    return created
