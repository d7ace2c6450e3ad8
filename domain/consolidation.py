"""The daily consolidated posting: one journal per store and business day, summed from tickets.

In daily posting mode each ticket moves stock in the ERP at once, and its financial side waits
in the journal until a scheduled run books the whole day as one ERP journal entry:

- debit the tenders by type (what the tills took), and anything not tendered as unpaid;
- credit net revenue per product group and set of taxes, debit discounts by kind;
- credit each tax at the till's amount, with its base (the ERP never recomputes it);
- credit the few pennies by which the tickets' net totals differ from the per-line nets
  (the same rounding a per-ticket posting puts on its tax adjustment line);
- and the cost of the goods issued, read from the ERP's own stock moves when it books.

Late tickets of a day already booked go into a further batch of that day (``#2``, ...).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, Field, model_validator

from domain.breakdown import (
    DiscountFigure,
    RevenueFigure,
    TaxFigure,
    TicketBreakdown,
    discount_figures,
    revenue_figures,
)
from domain.erp_ids import ErpId
from domain.money import Amount

KeyT = TypeVar("KeyT")


class ConsolidationTicket(BaseModel):
    """One journaled ticket as the consolidation reads it."""

    workflow_id: str
    net: Amount
    tax: Amount
    gross: Amount
    breakdown: TicketBreakdown


class ConsolidatedTotals(BaseModel):
    ticket_count: int
    gross: Amount
    net: Amount
    tax: Amount
    tax_by_rate: dict[str, Amount] = Field(default_factory=dict)
    tenders: dict[str, Amount] = Field(default_factory=dict)
    unpaid: Amount = Field(default=Decimal(0), description="gross not covered by tenders")
    revenue: list[RevenueFigure] = Field(default_factory=list)
    discounts: list[DiscountFigure] = Field(default_factory=list)
    taxes: list[TaxFigure] = Field(default_factory=list)
    rounding: Amount = Field(
        default=Decimal(0), description="tickets' net less the per-line nets (pennies)"
    )


class ConsolidationBatch(BaseModel):
    """What the ERP books as one journal entry, and how to find it again."""

    key: str = Field(description="idempotency key, e.g. daily-S001-2026-11-20-1")
    store_id: str
    business_date: date
    currency: str
    stock_references: list[str] = Field(
        default_factory=list,
        description="every ticket's ERP reference: the posting issues what each still reserves"
        " and reads the cost of the goods each issued",
    )
    totals: ConsolidatedTotals
    references_incomplete: bool = Field(
        default=False,
        description="prepared by a release that named tickets booked as sales by their Tryton"
        " sale ids: the posting reads every ticket's reference from the store",
    )

    @model_validator(mode="before")
    @classmethod
    def _from_an_earlier_release(cls, data: Any) -> Any:
        """Earlier releases sent ``sale_ids`` (now ignored) beside ``references``, the tickets
        booked as stock alone; later ones ``stock_references`` too, every ticket."""
        if isinstance(data, dict) and "stock_references" not in data and "references" in data:
            return {
                **data,
                "stock_references": data["references"],
                "references_incomplete": bool(data.get("sale_ids")),
            }
        return data


class ConsolidatedRefs(BaseModel):
    """Where a batch landed in the ERP."""

    key: str
    move_id: ErpId
    move_number: str | None
    posting_date: date
    cost_of_goods: Amount


def batch_key(store_id: str, business_date: date, sequence: int) -> str:
    return f"daily-{store_id}-{business_date.isoformat()}-{sequence}"


def consolidate(tickets: Sequence[ConsolidationTicket]) -> ConsolidatedTotals:
    """Sum tickets into one posting; every ticket must carry its ERP order booking."""
    tax_by_rate: dict[str, Decimal] = defaultdict(Decimal)
    tenders: dict[str, Decimal] = defaultdict(Decimal)
    revenue: dict[tuple[str, tuple[str, ...]], Decimal] = defaultdict(Decimal)
    discounts: dict[tuple[str, tuple[str, ...]], Decimal] = defaultdict(Decimal)
    taxes: dict[str, TaxFigure] = {}
    rounding = Decimal(0)
    for ticket in tickets:
        booking = ticket.breakdown.booking
        if booking is None:
            raise ValueError(f"{ticket.workflow_id} has no ERP booking to consolidate")
        _add(tax_by_rate, ticket.breakdown.tax_by_rate.items())
        _add(tenders, ticket.breakdown.tenders.items())
        _add(revenue, [((r.product_code, tuple(r.tax_codes)), r.net) for r in booking.revenue])
        _add(discounts, [((d.kind, tuple(d.tax_codes)), d.net) for d in booking.discounts])
        for tax in booking.taxes:
            known = taxes.get(tax.erp_tax_code)
            taxes[tax.erp_tax_code] = (
                tax
                if known is None
                else known.model_copy(
                    update={"base": known.base + tax.base, "amount": known.amount + tax.amount}
                )
            )
        booked_net = sum((item.net for item in booking.revenue), Decimal(0)) + sum(
            (item.net for item in booking.discounts), Decimal(0)
        )
        rounding += ticket.net - booked_net
    gross = sum((ticket.gross for ticket in tickets), Decimal(0))
    return ConsolidatedTotals(
        ticket_count=len(tickets),
        gross=gross,
        net=sum((ticket.net for ticket in tickets), Decimal(0)),
        tax=sum((ticket.tax for ticket in tickets), Decimal(0)),
        tax_by_rate=dict(sorted(tax_by_rate.items())),
        tenders=dict(sorted(tenders.items())),
        unpaid=gross - sum(tenders.values(), Decimal(0)),
        revenue=revenue_figures(revenue),
        discounts=discount_figures(discounts),
        taxes=[taxes[code] for code in sorted(taxes)],
        rounding=rounding,
    )


def _add(totals: dict[KeyT, Decimal], items: Iterable[tuple[KeyT, Decimal]]) -> None:
    for key, amount in items:
        totals[key] += amount


class PendingDay(BaseModel):
    """A store's business day with tickets (or a batch) waiting for a consolidated posting."""

    store_id: str
    business_date: date


class DailyPostingRequest(BaseModel):
    """The daily posting workflow's input (a schedule's action passes ``store_id`` only)."""

    store_id: str
    through: date | None = Field(
        default=None, description="last business day to book; default: the day before today"
    )


class BatchOutcome(BaseModel):
    key: str
    store_id: str
    business_date: date
    ticket_count: int
    posted: bool
    move_number: str | None = None
    posting_date: date | None = None
    refusal: str | None = None


class DailyPostingResult(BaseModel):
    store_id: str
    through: date
    batches: list[BatchOutcome]
