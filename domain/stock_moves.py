"""What tillsync asks an ERP to book for a stock event, ERP-neutral, and the pure rules that
build it: a stock event's lines in ERP products and units, the differences between what was
sent (or ordered) and what was counted, and the exceptions those differences open."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from domain.erp_ids import ErpId
from domain.mapping import TransactionMapping
from domain.money import Amount
from domain.outcomes import BusinessFailure, ExceptionKind
from domain.stock_events import StockLine


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ErpStockLine(_Frozen):
    line_number: int
    product_code: str
    quantity: Amount = Field(description="in the ERP product's unit, never negative")


class ErpTransfer(_Frozen):
    reference: str = Field(description="the transfer's key: its dispatch and receipt share it")
    from_warehouse: str
    to_warehouse: str
    dispatched_on: date
    lines: list[ErpStockLine]


class ErpTransferReceipt(_Frozen):
    reference: str
    received_on: date
    lines: list[ErpStockLine]


class ErpPurchaseLine(_Frozen):
    line_id: ErpId = Field(description="the ERP's purchase line id")
    product_code: str
    ordered: Amount
    outstanding: Amount = Field(description="ordered, less what earlier receipts took in")


class ErpPurchaseOrder(_Frozen):
    number: str
    warehouse_code: str
    lines: list[ErpPurchaseLine]


class ErpReceiptLine(_Frozen):
    product_code: str
    quantity: Amount
    purchase_line_id: ErpId | None = Field(description="None: an item not on the order")


class ErpPurchaseReceipt(_Frozen):
    reference: str
    purchase_order: str
    warehouse_code: str
    received_on: date
    lines: list[ErpReceiptLine]


class ErpStockRefs(BaseModel):
    """Where a stock event landed in the ERP: its shipment, and the quantities it booked per
    product: a transfer's dispatched ones, and once received what arrived; a supplier
    shipment's received ones."""

    reference: str
    shipment_id: ErpId
    state: str
    dispatched: dict[str, Amount] = Field(default_factory=dict)
    received: dict[str, Amount] = Field(default_factory=dict)


class Difference(_Frozen):
    product_code: str
    expected: Amount
    counted: Amount

    @property
    def gap(self) -> Decimal:
        """Positive: more came than expected; negative: less."""
        return self.counted - self.expected


def plain(quantity: Decimal) -> Decimal:
    """``quantity`` without trailing zeros (10.0000 -> 10, 2.500 -> 2.5), never in exponent
    form: how quantities are booked, journaled and named in exceptions."""
    if quantity == quantity.to_integral_value():
        return quantity.quantize(Decimal(1))
    return quantity.normalize()


def erp_lines(lines: Iterable[StockLine], mapping: TransactionMapping) -> list[ErpStockLine]:
    """The event's lines as ERP products, in the ERP's unit (a pack counts its factor)."""
    return [
        ErpStockLine(
            line_number=line.line_number,
            product_code=mapping.line(line.line_number).product_code,
            quantity=plain(line.quantity * mapping.line(line.line_number).factor),
        )
        for line in lines
    ]


def totals_by_product(lines: Iterable[ErpStockLine]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        totals[line.product_code] += line.quantity
    return {code: plain(total) for code, total in totals.items()}


def differences(expected: dict[str, Decimal], counted: dict[str, Decimal]) -> list[Difference]:
    """Every product whose counted quantity is not the expected one, by product code."""
    return [
        Difference(
            product_code=code,
            expected=plain(expected.get(code, Decimal(0))),
            counted=plain(counted.get(code, Decimal(0))),
        )
        for code in sorted(expected.keys() | counted.keys())
        if expected.get(code, Decimal(0)) != counted.get(code, Decimal(0))
    ]


def transfer_records(
    transfer_reference: str, dispatched: dict[str, Decimal], received: dict[str, Decimal]
) -> list[BusinessFailure]:
    """What a transfer's differences leave for inventory: one record for what is missing,
    one for what came beyond the dispatch (more of an item, or an item never sent)."""
    found = differences(dispatched, received)
    short = [item for item in found if item.gap < 0]
    over = [item for item in found if item.gap > 0]
    records: list[BusinessFailure] = []
    if short:
        records.append(
            BusinessFailure(
                kind=ExceptionKind.TRANSFER_SHORT,
                message=f"transfer {transfer_reference} arrived short: "
                + ", ".join(f"{-item.gap} x {item.product_code}" for item in short)
                + " missing (left in transit)",
                details={
                    item.product_code: f"dispatched {item.expected}, received {item.counted},"
                    f" missing {-item.gap}"
                    for item in short
                },
            )
        )
    if over:
        records.append(
            BusinessFailure(
                kind=ExceptionKind.TRANSFER_OVER,
                message=f"transfer {transfer_reference} brought more than was dispatched: "
                + ", ".join(f"{item.gap} x {item.product_code}" for item in over),
                details={
                    item.product_code: f"dispatched {item.expected}, received {item.counted},"
                    f" extra {item.gap}"
                    for item in over
                },
            )
        )
    return records


class PurchaseReceiptPlan(_Frozen):
    lines: list[ErpReceiptLine]
    records: list[BusinessFailure]


def plan_purchase_receipt(
    order: ErpPurchaseOrder, counted: Iterable[ErpStockLine]
) -> PurchaseReceiptPlan:
    """The supplier shipment that books what was counted against the order: each product's
    count fills its outstanding purchase lines in order (beyond them, the last line takes the
    over delivery); a product not on the order is received on its own. Short, over and
    unordered products each become one record for inventory."""
    count = totals_by_product(counted)
    by_product: dict[str, list[ErpPurchaseLine]] = defaultdict(list)
    for line in order.lines:
        if line.outstanding > 0:
            by_product[line.product_code].append(line)
    receipt: list[ErpReceiptLine] = []
    for code, quantity in sorted(count.items()):
        open_lines = by_product.get(code, [])
        if not open_lines:
            if quantity > 0:
                receipt.append(
                    ErpReceiptLine(product_code=code, quantity=quantity, purchase_line_id=None)
                )
            continue
        left = quantity
        for position, line in enumerate(open_lines):
            last = position == len(open_lines) - 1
            take = left if last else min(left, line.outstanding)
            if take > 0:
                receipt.append(
                    ErpReceiptLine(product_code=code, quantity=take, purchase_line_id=line.line_id)
                )
            left -= take
    outstanding = {
        code: sum((line.outstanding for line in lines), Decimal(0))
        for code, lines in by_product.items()
    }
    found = differences(outstanding, count)
    ordered = set(by_product)
    short = [item for item in found if item.gap < 0]
    over = [item for item in found if item.gap > 0 and item.product_code in ordered]
    unordered = [item for item in found if item.gap > 0 and item.product_code not in ordered]
    number = order.number
    records = [
        record
        for record in (
            _record(
                ExceptionKind.RECEIPT_SHORT,
                f"purchase {number} delivered short (the rest stays on order): ",
                short,
                lambda item: f"on order {item.expected}, counted {item.counted}, short {-item.gap}",
            ),
            _record(
                ExceptionKind.RECEIPT_OVER,
                f"purchase {number} delivered beyond the order: ",
                over,
                lambda item: f"on order {item.expected}, counted {item.counted}, over {item.gap}",
            ),
            _record(
                ExceptionKind.RECEIPT_UNORDERED,
                f"purchase {number} brought items it does not order: ",
                unordered,
                lambda item: f"not on the order, counted {item.counted}",
            ),
        )
        if record is not None
    ]
    return PurchaseReceiptPlan(lines=receipt, records=records)


def _record(
    kind: ExceptionKind,
    message: str,
    items: list[Difference],
    describe: Callable[[Difference], str],
) -> BusinessFailure | None:
    if not items:
        return None
    return BusinessFailure(
        kind=kind,
        message=message + ", ".join(f"{item.product_code} ({describe(item)})" for item in items),
        details={item.product_code: describe(item) for item in items},
    )
