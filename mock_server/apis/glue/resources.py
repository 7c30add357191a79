"""JSON:API documents of the Glue API, built from the world (what data a response carries)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .world import CURRENCY, Customer, Order, OrderItem, Return, World

VND = "application/vnd.api+json"


def order_item_attributes(item: OrderItem, world: World, order_reference: str | None) -> dict:
    """`RestOrderItemsAttributes` of one item; sums are unit x quantity."""
    q = item.quantity
    unit_tax = item.unit_tax
    return {
        "merchantReference": item.merchant_reference,
        "state": _state(item, world),  # the same item reads the same everywhere
        "name": item.name,
        "sku": item.sku,
        "sumPrice": item.unit_gross * q,
        "quantity": q,
        "unitGrossPrice": item.unit_gross,
        "sumGrossPrice": item.unit_gross * q,
        "taxRate": item.tax_rate,
        "unitNetPrice": 0,
        "sumNetPrice": 0,
        "unitPrice": item.unit_gross,
        "unitTaxAmountFullAggregation": unit_tax,
        "sumTaxAmountFullAggregation": unit_tax * q,
        "refundableAmount": item.sum_to_pay,
        "canceledAmount": 0,
        "sumSubtotalAggregation": item.unit_gross * q,
        "unitSubtotalAggregation": item.unit_gross,
        "unitProductOptionPriceAggregation": 0,
        "sumProductOptionPriceAggregation": 0,
        "unitExpensePriceAggregation": 0,
        "sumExpensePriceAggregation": None,
        "unitDiscountAmountAggregation": item.unit_discount,
        "sumDiscountAmountAggregation": item.unit_discount * q,
        "unitDiscountAmountFullAggregation": item.unit_discount,
        "sumDiscountAmountFullAggregation": item.unit_discount * q,
        "unitPriceToPayAggregation": item.unit_to_pay,
        "sumPriceToPayAggregation": item.sum_to_pay,
        "taxRateAverageAggregation": item.tax_rate,
        "taxAmountAfterCancellation": None,
        "orderReference": order_reference,
        "uuid": item.uuid,
        "isReturnable": world.is_returnable(item),
        "idShipment": item.id_shipment,
        "bundleItemIdentifier": None,
        "relatedBundleItemIdentifier": None,
        "salesOrderConfiguredBundle": None,
        "salesOrderConfiguredBundleItem": None,
        "metadata": {"superAttributes": item.super_attributes or [], "image": item.image},
        "salesUnit": None,
        "calculatedDiscounts": _discounts(item),
        "productOptions": [],
        "amount": None,
    }


def _discounts(item: OrderItem) -> list[dict]:
    if not item.unit_discount:
        return []
    return [
        {
            "unitAmount": item.unit_discount,
            "sumAmount": item.unit_discount * item.quantity,
            "displayName": "10% Discount for all orders above",
            "description": "Get a 10% discount on all orders above certain value depending on "
            "the currency and net/gross price.",
            "voucherCode": None,
            "quantity": item.quantity,
        }
    ]


def order_totals(order: Order) -> dict:
    """Totals that add up from the items and the shipment expense."""
    subtotal = sum(i.unit_gross * i.quantity for i in order.items)
    discount = sum(i.unit_discount * i.quantity for i in order.items)
    expense_tax = round(order.shipment_price * 19 / 119)
    return {
        "expenseTotal": order.shipment_price,
        "discountTotal": discount,
        "taxTotal": sum(i.unit_tax * i.quantity for i in order.items) + expense_tax,
        "subtotal": subtotal,
        "grandTotal": subtotal - discount + order.shipment_price,
        "canceledTotal": 0,
    }


def order_summary(order: Order, base: str) -> dict:
    return {
        "type": "orders",
        "id": order.reference,
        "attributes": {
            "createdAt": order.created_at.strftime("%Y-%m-%d %H:%M:%S.%f"),
            "totals": order_totals(order),
            "currencyIsoCode": CURRENCY,
            "priceMode": "GROSS_MODE",
        },
        "links": {"self": f"{base}/orders/{order.reference}"},
    }


def order_detail(order: Order, customer: Customer, world: World, base: str) -> dict:
    summary = order_summary(order, base)
    attributes = summary["attributes"]
    totals = attributes["totals"]
    totals["remunerationTotal"] = sum(
        i.sum_to_pay for i in order.items if i.uuid in world.returned_items
    )
    address = _address(customer)
    attributes.update(
        {
            "merchantReferences": sorted({i.merchant_reference for i in order.items}),
            "itemStates": sorted({_state(i, world) for i in order.items}),
            "billingAddress": address,
            "shippingAddress": address,
            "items": [
                order_item_attributes(i, world, None) | {"state": _state(i, world)}
                for i in order.items
            ],
            "expenses": [_expense(order)],
            "payments": [
                {
                    "amount": totals["grandTotal"],
                    "paymentProvider": "DummyPayment",
                    "paymentMethod": order.payment_method,
                }
            ],
            "shipments": [],
            "calculatedDiscounts": [],
            "bundleItems": [],
        }
    )
    return summary


def _state(item: OrderItem, world: World) -> str:
    return "returned" if item.uuid in world.returned_items else item.state


def _address(customer: Customer) -> dict:
    return {
        "salutation": customer.salutation,
        "firstName": customer.first_name,
        "middleName": None,
        "lastName": customer.last_name,
        "address1": customer.street,
        "address2": customer.house_number,
        "address3": None,
        "company": None,
        "city": customer.city,
        "zipCode": customer.zip_code,
        "poBox": None,
        "phone": customer.phone,
        "cellPhone": None,
        "description": None,
        "comment": None,
        "email": customer.email,
        "country": "Germany",
        "iso2Code": "DE",
    }


def _expense(order: Order) -> dict:
    price = order.shipment_price
    tax = round(price * 19 / 119)
    return {
        "type": "SHIPMENT_EXPENSE_TYPE",
        "name": order.shipment_method,
        "sumPrice": price,
        "unitGrossPrice": price,
        "sumGrossPrice": price,
        "taxRate": "19.00",
        "unitNetPrice": 0,
        "sumNetPrice": 0,
        "canceledAmount": None,
        "unitDiscountAmountAggregation": None,
        "sumDiscountAmountAggregation": None,
        "unitTaxAmount": tax,
        "sumTaxAmount": tax,
        "unitPriceToPayAggregation": price,
        "sumPriceToPayAggregation": price,
        "taxAmountAfterCancellation": None,
        "idShipment": order.id_shipment,
        "idSalesExpense": order.id_shipment,
    }


def return_totals(ret: Return, world: World) -> dict:
    remuneration = sum(world.items[i.order_item_uuid].sum_to_pay for i in ret.items)
    return {"refundTotal": remuneration if ret.refunded else 0, "remunerationTotal": remuneration}


def return_resource(
    ret: Return, world: World, base: str, *, embed_items: bool, relationships: bool
) -> dict:
    """A `returns` resource; ``embed_items`` adds the documented `returnItems` (glue-C3)."""
    attributes: dict[str, Any] = {
        "returnReference": ret.reference,
        "store": ret.store,
        "customerReference": ret.customer_reference,
        "merchantReference": ret.merchant_reference,
        "returnTotals": return_totals(ret, world),
    }
    if embed_items:
        attributes["returnItems"] = [
            {
                "uuid": ri.uuid,
                "reason": ri.reason,
                "orderItem": order_item_attributes(
                    world.items[ri.order_item_uuid],
                    world,
                    world.items[ri.order_item_uuid].order_reference,
                ),
            }
            for ri in ret.items
        ]
    resource: dict[str, Any] = {
        "type": "returns",
        "id": ret.reference,
        "attributes": attributes,
        "links": {"self": f"{base}/returns/{ret.reference}"},
    }
    if relationships:
        resource["relationships"] = {
            "return-items": {"data": [{"type": "return-items", "id": i.uuid} for i in ret.items]}
        }
    return resource


def included_for(returns: Sequence[Return], world: World, base: str, include: set[str]) -> list:
    """The compound-document `included` array for ``include`` (return-items, order-items)."""
    if "return-items" not in include:
        return []
    with_items = "order-items" in include
    included: list[dict] = []
    for ret in returns:
        for ri in ret.items:
            resource: dict[str, Any] = {
                "type": "return-items",
                "id": ri.uuid,
                "attributes": {
                    "uuid": ri.uuid,
                    "reason": ri.reason,
                    "orderItemUuid": ri.order_item_uuid,
                },
                "links": {"self": f"{base}/returns/{ret.reference}/return-items/{ri.uuid}"},
            }
            if with_items:
                resource["relationships"] = {
                    "order-items": {"data": [{"type": "order-items", "id": ri.order_item_uuid}]}
                }
            included.append(resource)
        if with_items:
            for ri in ret.items:
                item = world.items[ri.order_item_uuid]
                included.append(
                    {
                        "type": "order-items",
                        "id": item.uuid,
                        "attributes": order_item_attributes(item, world, item.order_reference),
                        "links": {
                            "self": f"{base}/orders/{item.order_reference}/order-items/{item.uuid}"
                        },
                    }
                )
    return included


def collection_links(
    base: str, path: str, query: list[tuple[str, str]], total: int, page: tuple[int, int] | None
) -> dict:
    """Collection links as Glue writes them: self, last, first, prev, next (glue-A5)."""
    own = [(k, v) for k, v in query if k not in ("page[offset]", "page[limit]")]
    self_query = "&".join(f"{k}={v}" for k, v in query)
    links = {"self": f"{base}/{path}" + (f"?{self_query}" if self_query else "")}
    if page is None or total == 0:
        return links
    offset, limit = page
    prefix = "".join(f"{k}={v}&" for k, v in own)

    def link(at: int) -> str:
        return f"{base}/{path}?{prefix}page[offset]={at}&page[limit]={limit}"

    links["last"] = link(limit * ((total + limit - 1) // limit - 1))
    links["first"] = link(0)
    if offset > 0:
        links["prev"] = link(max(offset - limit, 0))
    if offset + limit < total:
        links["next"] = link(offset + limit)
    return links
