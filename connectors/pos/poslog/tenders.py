"""``LineItem/Tender`` -> tenders, with the change handed back set against the cash."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from connectors.pos.poslog.document import Node

_TENDER_TYPES = {"Cash": "cash", "CreditDebit": "card"}


def read_tenders(tenders: Sequence[Node]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    change = Decimal(0)
    for tender in tenders:
        amount = tender.decimal("Amount")
        if tender.find("TenderChange") is not None:
            change += abs(tender.decimal("TenderChange/Amount"))
            continue
        kind = _TENDER_TYPES.get(tender.attribute("TenderType") or "", "other")
        reference = (
            tender.optional_text("Authorization/ReferenceNumber") if kind == "card" else None
        )
        result.append({"type": kind, "amount": amount, "reference": reference})
    if change:
        handed_over = [t for t in result if t["type"] == "cash" and t["amount"] > 0]
        if handed_over:
            handed_over[-1]["change"] = change
        else:
            result.append({"type": "cash", "amount": -change})
    return result
