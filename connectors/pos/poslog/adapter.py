"""``parse_poslog``: every Transaction of a POSLog document converted, skipped or rejected."""

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from connectors.pos.base import AdapterResult, Reject, Skipped, kind_of, reject
from connectors.pos.errors import ConversionError, PayloadError
from connectors.pos.guards import check_record_count
from connectors.pos.poslog.document import (
    ARTS_NS,
    DEFAULT_MAX_BYTES,
    NAMESPACES,
    Node,
    load_document,
    short_name,
)
from connectors.pos.poslog.rewards import apply_rewards
from connectors.pos.poslog.taxes import allocate_taxes
from connectors.pos.poslog.tenders import read_tenders
from connectors.pos.poslog.ticket import read_line_items
from domain.transaction import PosTransaction, TransactionStatus

DEFAULT_CURRENCY = "USD"


def parse_poslog(
    source: bytes | Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    weight_unit: str = "lb",
    max_records: int | None = None,
) -> AdapterResult:
    """Convert every Transaction of a POSLog document; raise PayloadError if it is unreadable
    or holds more than ``max_records`` transactions."""
    root = load_document(source, max_bytes)
    if root.tag != f"{{{ARTS_NS}}}POSLog":
        raise PayloadError(f"the root element is {root.tag}, not the ARTS POSLog")
    transactions: list[PosTransaction] = []
    rejects: list[Reject] = []
    skipped: list[Skipped] = []
    elements = root.findall("Transaction", NAMESPACES)
    check_record_count(elements, max_records)
    for index, element in enumerate(elements):
        node = Node(element, "")
        transaction_id = None
        try:
            header = _Header.read(node)
            transaction_id = header.transaction_id
            skip_reason = _skip_reason(node)
            if skip_reason:
                skipped.append(
                    Skipped(
                        source_index=index,
                        transaction_id=transaction_id,
                        reason=skip_reason,
                        store_id=header.store_id,
                        terminal_id=header.terminal_id,
                        receipt_number=header.receipt_number,
                    )
                )
            else:
                transactions.append(_convert(node, header, weight_unit))
        except (ConversionError, ValidationError) as error:
            raw = ET.tostring(element, encoding="unicode")
            rejects.append(reject(index, transaction_id, error, raw))
    return AdapterResult(transactions=transactions, rejects=rejects, skipped=skipped)


@dataclass(frozen=True)
class _Header:
    store_id: str
    terminal_id: str
    receipt_number: int
    business_date: date
    occurred_at: datetime
    cashier_id: str | None
    currency: str

    @property
    def transaction_id(self) -> str:
        day = f"{self.business_date:%Y%m%d}"
        return f"{self.store_id}-{self.terminal_id}-{day}-{self.receipt_number}"

    @classmethod
    def read(cls, node: Node) -> "_Header":
        when = "BeginDateTime" if node.optional_text("BeginDateTime") else "EndDateTime"
        try:
            business_date = date.fromisoformat(node.text("BusinessDayDate"))
        except ValueError as error:
            raise ConversionError("BusinessDayDate", str(error)) from None
        try:
            occurred_at = datetime.fromisoformat(node.text(when))
        except ValueError as error:
            raise ConversionError(when, str(error)) from None
        return cls(
            store_id=node.text("RetailStoreID"),
            terminal_id=node.text("WorkstationID"),
            receipt_number=node.integer("SequenceNumber"),
            business_date=business_date,
            occurred_at=occurred_at,
            cashier_id=node.optional_text("OperatorID"),
            currency=node.optional_text("CurrencyCode") or DEFAULT_CURRENCY,
        )


def _skip_reason(node: Node) -> str | None:
    if node.flag("TrainingModeFlag"):
        return "training mode transaction"
    control = node.find("ControlTransaction")
    if control is None:
        return None
    kinds = [
        short_name(child.tag) for child in control.element if short_name(child.tag) != "ReasonCode"
    ]
    reason = control.optional_text("ReasonCode")
    return f"control transaction: {', '.join(kinds) or 'empty'}" + (
        f" ({reason})" if reason else ""
    )


def _convert(node: Node, header: _Header, weight_unit: str) -> PosTransaction:
    retail = node.find("RetailTransaction")
    if retail is None:
        raise ConversionError("RetailTransaction", "missing, and not a ControlTransaction either")
    ticket = read_line_items(retail, header.currency, weight_unit)
    basket = apply_rewards(ticket.lines, ticket.rewards)
    allocate_taxes(ticket.lines, ticket.taxes, header.currency)
    gross = retail.decimal("Total[@TotalType='TransactionGrandAmount']")
    tax_total = "Total[@TotalType='TransactionTaxAmount']"
    tax = (
        retail.decimal(tax_total)
        if retail.optional_text(tax_total) is not None
        else sum((tax_line.decimal("Amount") for tax_line in ticket.taxes), Decimal(0))
    )
    return PosTransaction.model_validate(
        {
            "transaction_id": header.transaction_id,
            "store_id": header.store_id,
            "terminal_id": header.terminal_id,
            "receipt_number": header.receipt_number,
            "business_date": header.business_date,
            "occurred_at": header.occurred_at,
            "cashier_id": header.cashier_id,
            "offline": node.flag("OfflineFlag"),
            "kind": kind_of(line.quantity for line in ticket.lines),
            "status": _status(node, retail),
            "currency": header.currency,
            "prices_include_tax": False,
            "lines": [line.as_dict() for line in ticket.lines],
            "discounts": basket,
            "tenders": read_tenders(ticket.tenders),
            "totals": {"net": gross - tax, "tax": tax, "gross": gross},
        }
    )


def _status(node: Node, retail: Node) -> TransactionStatus:
    if node.flag("CancelFlag") or node.flag("VoidFlag"):
        return TransactionStatus.VOIDED
    if node.flag("SuspendFlag") or retail.flag("SuspendFlag"):
        return TransactionStatus.SUSPENDED
    return TransactionStatus.COMPLETED
