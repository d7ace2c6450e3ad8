"""Finance's side of the memory ERP: daily consolidated postings, and what stands posted.

Tax is read back by the ERP tax each amount was booked as, the key the POS side uses."""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from connectors.erp.memory.ledger import MemoryOrder, StockState, document_ids
from connectors.erp.memory.periods import Periods
from connectors.erp.memory.sales import Sales
from domain.breakdown import rate_key
from domain.consolidation import ConsolidatedRefs, ConsolidationBatch
from domain.erp_order import ErpDiscountLine, ErpProductLine
from domain.ids import is_ticket_reference
from domain.reconciliation import ErpInvoiceFigures, ErpMoveFigures, Figures


@dataclass(frozen=True)
class ConsolidatedMove:
    move_id: str
    batch: ConsolidationBatch
    refs: ConsolidatedRefs


class ConsolidatedBook:
    def __init__(self, periods: Periods, sales: Sales, unit_costs: Mapping[str, Decimal]) -> None:
        self._periods = periods
        self._sales = sales
        self._unit_costs = dict(unit_costs)
        self._by_key: dict[str, ConsolidatedMove] = {}
        self._by_id: dict[str, ConsolidatedMove] = {}
        self._ids: Iterator[str] = document_ids()

    def __iter__(self) -> Iterator[ConsolidatedMove]:
        return iter(list(self._by_key.values()))

    def post(self, batch: ConsolidationBatch, posting_date: date) -> ConsolidatedRefs:
        found = self._by_key.get(batch.key)
        if found is not None:
            return found.refs
        self._periods.require_open(posting_date, f"the daily posting {batch.key}")
        move_id = next(self._ids)
        refs = ConsolidatedRefs(
            key=batch.key,
            move_id=move_id,
            move_number=f"JE{move_id:0>6}",
            posting_date=posting_date,
            cost_of_goods=self._cost_of_goods(batch.stock_references),
        )
        move = ConsolidatedMove(move_id=move_id, batch=batch, refs=refs)
        self._by_key[batch.key] = move
        self._by_id[move_id] = move
        return refs

    def moves(self, move_ids: Iterable[str]) -> list[ErpMoveFigures]:
        found = (self._by_id.get(move_id) for move_id in sorted(set(move_ids), key=_in_order))
        return [_move_figures(move) for move in found if move is not None]

    def _cost_of_goods(self, references: list[str]) -> Decimal:
        """What the day's sales issued (less what their returns received), at unit cost."""
        cost = Decimal(0)
        for reference in references:
            order = self._sales.find(reference)
            if order is None or order.stock is not StockState.ISSUED:
                continue
            for line in order.order.product_lines:
                cost += line.quantity * self._unit_costs.get(line.product_code, Decimal(0))
        return cost


def _in_order(document_id: str) -> tuple[int, str]:
    """The memory ERP's ids in the order it gave them ("9" before "10")."""
    return (len(document_id), document_id)


def _move_figures(move: ConsolidatedMove) -> ErpMoveFigures:
    totals = move.batch.totals
    tax_by_rate: defaultdict[str, Decimal] = defaultdict(Decimal)
    tax_by_code: defaultdict[str, Decimal] = defaultdict(Decimal)
    for figure in totals.taxes:
        tax_by_rate[rate_key(figure.rate)] += figure.amount
        tax_by_code[figure.erp_tax_code] += figure.amount
    gross = sum(totals.tenders.values(), Decimal(0)) + totals.unpaid
    tax = sum(tax_by_rate.values(), Decimal(0))
    return ErpMoveFigures(
        move_id=move.move_id,
        number=move.refs.move_number,
        posted=True,
        posting_date=move.refs.posting_date,
        figures=Figures(
            gross=gross,
            net=gross - tax,
            tax=tax,
            tax_by_rate=dict(sorted(tax_by_rate.items())),
            tax_by_code=dict(sorted(tax_by_code.items())),
            tenders=dict(sorted(totals.tenders.items())),
        ),
    )


def posted_invoices(
    orders: Iterable[MemoryOrder], start: date, end: date
) -> list[ErpInvoiceFigures]:
    """The standing invoices of POS sales dated in [start, end], with the tenders paying them."""
    standing = sorted(
        (
            order
            for order in orders
            if order.standing
            and is_ticket_reference(order.reference)
            and start <= order.order.sale_date <= end
        ),
        key=lambda order: (order.order.sale_date, _in_order(order.sale_id)),
    )
    return [
        ErpInvoiceFigures(
            sale_reference=order.reference,
            business_date=order.order.sale_date,
            invoice_number=order.refs().invoice_number,
            posting_date=order.posting_date,
            figures=_invoice_figures(order),
        )
        for order in standing
    ]


def _invoice_figures(order: MemoryOrder) -> Figures:
    tax_by_rate: defaultdict[str, Decimal] = defaultdict(Decimal)
    tax_by_code: defaultdict[str, Decimal] = defaultdict(Decimal)
    lines: list[ErpProductLine | ErpDiscountLine] = [
        *order.order.product_lines,
        *order.order.discount_lines,
    ]
    for line in lines:
        for tax in line.taxes:
            tax_by_rate[rate_key(tax.rate)] += tax.pos_amount
            tax_by_code[tax.erp_tax_code] += tax.pos_amount
    tenders: defaultdict[str, Decimal] = defaultdict(Decimal)
    for payment in order.active_payments:
        tenders[payment.tender_type.value] += payment.amount
    figures = order.reconciliation
    return Figures(
        count=1,
        gross=figures.pos_net + figures.pos_tax,
        net=figures.pos_net,
        tax=figures.pos_tax,
        tax_by_rate=dict(tax_by_rate),
        tax_by_code=dict(sorted(tax_by_code.items())),
        tenders=dict(sorted(tenders.items())),
    )
