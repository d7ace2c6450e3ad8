"""A consolidated posting's journal entry (account.move) as Tryton holds it, read back."""

from collections import defaultdict
from decimal import Decimal
from typing import Any

from connectors.erp.tryton import TrytonRest


async def read_move(rest: TrytonRest, move_id: str) -> dict[str, Any]:
    return await rest.read(
        "account.move",
        move_id,
        [
            "state",
            "date",
            "number",
            "lines.description",
            "lines.debit",
            "lines.credit",
            "lines.amount_second_currency",
            "lines.tax_lines.type",
            "lines.tax_lines.amount",
            "lines.tax_lines.tax.name",
        ],
    )


def line_amounts(move: dict[str, Any], field: str | None = None) -> dict[str, Decimal]:
    """Each line's debit less credit (or ``field``, where set), by its description."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in move["lines"]:
        if field is None:
            totals[line["description"]] += line["debit"] - line["credit"]
        elif line[field] is not None:
            totals[line["description"]] += line[field]
    return dict(totals)


def tax_lines(move: dict[str, Any], kind: str) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in move["lines"]:
        for tax_line in line["tax_lines"]:
            if tax_line["type"] == kind:
                totals[tax_line["tax"]["name"]] += tax_line["amount"]
    return dict(totals)
