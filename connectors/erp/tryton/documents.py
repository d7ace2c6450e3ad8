"""The Tryton documents the connector reads back (sales, invoices, parties, products,
warehouses), parsed into small typed values, and the codes and names it finds them by (their
states: states.py)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from connectors.erp.tryton.rest import Record
from connectors.erp.tryton.states import CANCELLED
from domain.erp_order import ErpOrderRefs
from domain.transaction import DiscountKind, TenderType

CASH_SALE_CODE = "CASH-SALE"


def order_customer_code(party_code: object) -> str | None:
    """A document's customer as ErpOrder names it: None for the cash-sale customer."""
    return None if party_code in (None, CASH_SALE_CODE) else str(party_code)


DISCOUNT_PRODUCT_CODES = {
    DiscountKind.PROMOTION: "DISC-PROMOTION",
    DiscountKind.MANUAL_OVERRIDE: "DISC-MANUAL",
    DiscountKind.LOYALTY: "DISC-LOYALTY",
    DiscountKind.COUPON: "DISC-COUPON",
}
TAX_ADJUSTMENT_CODE = "TAX-ADJUST"
PAYMENT_METHOD_NAMES = {
    TenderType.CASH: "POS cash",
    TenderType.CARD: "POS card",
    TenderType.GIFT_CARD: "POS gift card",
    TenderType.VOUCHER: "POS voucher",
    TenderType.STORE_CREDIT: "POS store credit",
    TenderType.OTHER: "POS other tender",
}
INVOICE_FIELDS = [
    "state",
    "number",
    "invoice_date",
    "accounting_date",
    "untaxed_amount",
    "tax_amount",
    "total_amount",
    "payment_lines.move",
    "reconciliation_lines.move",
]
SALE_FIELDS = [
    "number",
    "state",
    "shipments.state",
    "shipment_returns.state",
    "party.code",
    *(f"invoices.{field}" for field in INVOICE_FIELDS),
]


@dataclass(frozen=True)
class WarehouseRecord:
    id: int
    storage_id: int
    output_id: int


@dataclass(frozen=True)
class ProductRecord:
    id: int
    unit_id: int
    is_stocked: bool = True
    """Goods move stock; services (discounts, gift cards) do not."""


@dataclass(frozen=True)
class PartyRecord:
    id: int
    address_id: int | None


@dataclass(frozen=True)
class InvoiceRecord:
    id: int
    number: str | None
    state: str
    posting_date: date | None
    untaxed_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal
    payment_move_ids: list[int]

    @classmethod
    def parse(cls, record: Record) -> "InvoiceRecord":
        return cls(
            id=record["id"],
            number=record["number"],
            state=record["state"],
            posting_date=record.get("accounting_date") or record.get("invoice_date"),
            untaxed_amount=record["untaxed_amount"],
            tax_amount=record["tax_amount"],
            total_amount=record["total_amount"],
            # Cash back (money out on a paid invoice) settles by reconciliation alone, with no
            # payment lines: its moves are found among the invoice's reconciliation lines.
            payment_move_ids=sorted(
                {
                    line["move"]
                    for line in [*record["payment_lines"], *record["reconciliation_lines"]]
                }
            ),
        )


@dataclass(frozen=True)
class SaleRecord:
    id: int
    number: str | None
    state: str
    shipments: dict[int, str]
    shipment_returns: dict[int, str]
    invoices: list[InvoiceRecord]
    customer_code: str | None = None
    """the party the sale is booked to; None: the cash-sale customer"""

    @classmethod
    def parse(cls, record: Record) -> "SaleRecord":
        party = (record.get("party") or {}).get("code")
        return cls(
            id=record["id"],
            number=record["number"],
            state=record["state"],
            shipments={shipment["id"]: shipment["state"] for shipment in record["shipments"]},
            shipment_returns={
                shipment["id"]: shipment["state"] for shipment in record["shipment_returns"]
            },
            invoices=[InvoiceRecord.parse(invoice) for invoice in record["invoices"]],
            customer_code=None if party in (None, CASH_SALE_CODE) else str(party),
        )

    @property
    def invoice(self) -> InvoiceRecord | None:
        """The invoice that stands: the first one not cancelled, else the latest."""
        standing = [invoice for invoice in self.invoices if invoice.state != CANCELLED]
        if standing:
            return standing[0]
        return self.invoices[-1] if self.invoices else None

    def refs(self, reference: str, invoice: InvoiceRecord | None = None) -> ErpOrderRefs:
        invoice = invoice or self.invoice
        return ErpOrderRefs(
            reference=reference,
            sale_id=str(self.id),
            sale_number=self.number,
            shipment_ids=[str(id_) for id_ in self.shipments],
            return_shipment_ids=[str(id_) for id_ in self.shipment_returns],
            invoice_id=str(invoice.id) if invoice else None,
            invoice_number=invoice.number if invoice else None,
            posting_date=invoice.posting_date if invoice and invoice.number else None,
            payment_move_ids=[str(id_) for id_ in invoice.payment_move_ids] if invoice else [],
            customer_code=self.customer_code,
        )
