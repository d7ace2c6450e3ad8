"""Chores on the sandbox ERP, as a Tryton accountant or buyer would do them by hand."""

from datetime import date
from decimal import Decimal
from typing import Any

from connectors.erp.tryton import TrytonRest
from connectors.erp.tryton.rpc import TrytonRpc


async def open_fiscal_year(rest: TrytonRest, company_id: int, year: int) -> int:
    """A calendar fiscal year with monthly periods, its own move and invoice sequences, and
    anglo-saxon stock accounting, like the sandbox's seeded years. Returns its id."""
    move_sequence = await _sequence(rest, company_id, "Account Move", year)
    invoice_sequence = await _sequence(rest, company_id, "Invoice", year)
    invoice_sequences: dict[str, Any] = {
        "company": company_id,
        **{
            name: invoice_sequence
            for name in (
                "out_invoice_sequence",
                "out_credit_note_sequence",
                "in_invoice_sequence",
                "in_credit_note_sequence",
            )
        },
    }
    fiscal_year = await rest.create(
        "account.fiscalyear",
        {
            "name": str(year),
            "company": company_id,
            "start_date": date(year, 1, 1),
            "end_date": date(year, 12, 31),
            "move_sequence": move_sequence,
            "account_stock_method": "anglo_saxon",
            "invoice_sequences": [["create", [invoice_sequences]]],
        },
    )
    await rest.click("account.fiscalyear", fiscal_year, "create_period")
    return fiscal_year


async def _sequence(rest: TrytonRest, company_id: int, type_name: str, year: int) -> int:
    [sequence_type] = await rest.search(
        "ir.sequence.type", [("name", "=", type_name)], ["id"], limit=1
    )
    return await rest.create(
        "ir.sequence.strict",
        {
            "name": f"{type_name} {year}",
            "sequence_type": sequence_type["id"],
            "company": company_id,
        },
    )


async def set_cost_price(rest: TrytonRest, rpc: TrytonRpc, code: str, cost: str) -> None:
    """Tryton's own Modify Cost Price wizard, as a buyer would run it."""
    [product] = await rest.search("product.product", [("code", "=", code)], ["id"])
    await rpc.run_wizard(
        "product.modify_cost_price",
        "product.product",
        [product["id"]],
        state="modify",
        data={"start": {"date": date.today(), "cost_price": cost}},
    )


async def location_quantity(rest: TrytonRest, code: str, location_code: str) -> Decimal:
    [location] = await rest.search("stock.location", [("code", "=", location_code)], ["id"])
    [product] = await rest.search(
        "product.product",
        [("code", "=", code)],
        ["quantity"],
        context={"locations": [location["id"]]},
    )
    return Decimal(str(product["quantity"]))
