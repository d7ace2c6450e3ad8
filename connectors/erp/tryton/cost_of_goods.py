"""The cost of the goods a day's tickets issued, read from the stock moves Tryton valued when
their shipments were done: the tickets are found by their ERP references (a sale's, or a
shipment's booked alone in daily mode), so the batch carries no Tryton id."""

from collections import defaultdict
from decimal import Decimal
from typing import Any

from connectors.erp.tryton.rest import TrytonRest
from connectors.erp.tryton.states import DONE
from domain.money import round_money

_REFERENCES_PER_SEARCH = 40
"""References (about 30 characters each) that keep a search's URL within what gunicorn and
proxies accept: the domain nests them in an OR, which ``TrytonRest.search`` does not split."""


async def issued_cost(
    rest: TrytonRest, references: list[str], company_currency: str
) -> dict[str, Decimal]:
    """Cost per product code of what the tickets booked under ``references`` issued, less
    what their returns took back, in the company's currency (Tryton's cost prices are)."""
    costs: dict[str, Decimal] = defaultdict(Decimal)
    for start in range(0, len(references), _REFERENCES_PER_SEARCH):
        chunk = references[start : start + _REFERENCES_PER_SEARCH]
        for move in await _done_moves(rest, chunk):
            value = Decimal(str(move["internal_quantity"])) * (move["cost_price"] or Decimal(0))
            if move["to_location"]["type"] == "customer":
                costs[move["product"]["code"]] += value
            elif move["from_location"]["type"] == "customer":
                costs[move["product"]["code"]] -= value
    return {code: round_money(value, company_currency) for code, value in sorted(costs.items())}


async def _done_moves(rest: TrytonRest, references: list[str]) -> list[Any]:
    sales = await rest.search("sale.sale", [("reference", "in", references)], ["id"])
    issued: list[Any] = [
        [
            ("shipment.reference", "in", references, "stock.shipment.out"),
            ["OR", ("origin", "=", None), ("origin", "like", "stock.move,%")],
        ]
    ]
    if sales:
        issued.append([("sale", "in", [sale["id"] for sale in sales])])
    return await rest.search(
        "stock.move",
        [["OR", *issued], ("state", "=", DONE)],
        [
            "product.code",
            "internal_quantity",
            "cost_price",
            "from_location.type",
            "to_location.type",
        ],
    )
