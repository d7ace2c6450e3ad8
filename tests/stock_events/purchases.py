"""Purchase orders seeded in the sandbox Tryton through REST, as a buyer would confirm them."""

import asyncio
from decimal import Decimal

from connectors.erp.tryton.rest import TrytonRest
from connectors.erp.tryton_sandbox.seed.parties import SUPPLIER_CODE


async def confirmed_purchase(rest: TrytonRest, warehouse_code: str, lines: dict[str, int]) -> str:
    """A confirmed purchase from the sandbox's supplier into ``warehouse_code`` of ``lines``
    (product code -> quantity); its number, once Tryton created the moves to receive."""
    [supplier] = await rest.search("party.party", [("code", "=", SUPPLIER_CODE)], ["addresses"])
    [warehouse] = await rest.search(
        "stock.location", [("code", "=", warehouse_code), ("type", "=", "warehouse")], ["id"]
    )
    products = {
        record["code"]: record
        for record in await rest.search(
            "product.product", [("code", "in", list(lines))], ["code", "default_uom", "cost_price"]
        )
    }
    purchase_id = await rest.create(
        "purchase.purchase",
        {
            "party": supplier["id"],
            "invoice_address": supplier["addresses"][0],
            "warehouse": warehouse["id"],
            "lines": [
                [
                    "create",
                    [
                        {
                            "product": products[code]["id"],
                            "unit": products[code]["default_uom"],
                            "quantity": Decimal(quantity),
                            "unit_price": products[code]["cost_price"],
                            "description": code,
                        }
                        for code, quantity in lines.items()
                    ],
                ]
            ],
        },
    )
    await rest.click("purchase.purchase", purchase_id, "quote")
    await rest.click("purchase.purchase", purchase_id, "confirm")
    async with asyncio.timeout(30):
        while True:
            purchase = await rest.read("purchase.purchase", purchase_id, ["number", "moves"])
            if len(purchase["moves"]) == len(lines):
                return str(purchase["number"])
            await asyncio.sleep(0.2)
