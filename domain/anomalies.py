"""Anomaly flags a store manager acts on, computed from the journal's ticket facts: cashiers
refunding or overriding prices well above their store's norm, products that stopped selling
while the ERP still counts them on the shelf (probable phantom inventory), and stores taking
many returns without a receipt. Each flag says in words why it was raised."""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from statistics import median

from pydantic import BaseModel

from domain.settings import Settings


class AnomalyKind(StrEnum):
    CASHIER_REFUNDS = "cashier_refunds"
    CASHIER_OVERRIDES = "cashier_overrides"
    PHANTOM_INVENTORY = "phantom_inventory"
    UNREFERENCED_RETURNS = "unreferenced_returns"


class AnomalyFlag(BaseModel):
    kind: AnomalyKind
    store_id: str
    subject: str | None = None
    """the cashier or the ERP product flagged (None: the store itself)"""
    explanation: str


class AnomalyThresholds(BaseModel):
    lookback_days: int = 28
    ratio: Decimal = Decimal(3)
    min_events: int = 5
    quiet_days: int = 3
    min_sale_days: int = 5
    unreferenced_returns_max: int = 5

    @classmethod
    def from_settings(cls, settings: Settings) -> "AnomalyThresholds":
        return cls(
            lookback_days=settings.anomaly_lookback_days,
            ratio=settings.anomaly_ratio,
            min_events=settings.anomaly_min_events,
            quiet_days=settings.phantom_quiet_days,
            min_sale_days=settings.phantom_min_sale_days,
            unreferenced_returns_max=settings.unreferenced_returns_max,
        )


@dataclass(frozen=True)
class TicketFact:
    """A journaled ticket, as the flags read it (store.tables.TicketFacts)."""

    store_id: str
    business_date: date
    cashier_id: str | None
    refund_lines: int
    manual_overrides: int
    unreferenced_return_lines: int
    products: tuple[str, ...] = ()


def _refunds(fact: TicketFact) -> bool:
    return fact.refund_lines > 0


def _overrides(fact: TicketFact) -> bool:
    return fact.manual_overrides > 0


_EVENTS: dict[AnomalyKind, tuple[str, Callable[[TicketFact], bool]]] = {
    AnomalyKind.CASHIER_REFUNDS: ("refunds", _refunds),
    AnomalyKind.CASHIER_OVERRIDES: ("price overrides", _overrides),
}


def cashier_flags(facts: Iterable[TicketFact], limits: AnomalyThresholds) -> list[AnomalyFlag]:
    """Cashiers whose share of tickets with a refund (or a manual price override) is above
    ``ratio`` times the median share of the store's other cashiers, with at least
    ``min_events`` such tickets."""
    tickets: dict[str, dict[str, list[TicketFact]]] = defaultdict(lambda: defaultdict(list))
    for fact in facts:
        if fact.cashier_id:
            tickets[fact.store_id][fact.cashier_id].append(fact)
    flags: list[AnomalyFlag] = []
    for kind, (what, counts) in _EVENTS.items():
        for store_id, cashiers in sorted(tickets.items()):
            events = {c: sum(1 for fact in rung if counts(fact)) for c, rung in cashiers.items()}
            rates = {c: Decimal(events[c]) / len(rung) for c, rung in cashiers.items()}
            for cashier in sorted(cashiers):
                others = [rate for other, rate in rates.items() if other != cashier]
                if not others or events[cashier] < limits.min_events:
                    continue
                norm = Decimal(median(others))
                if norm and rates[cashier] <= norm * limits.ratio:
                    continue
                flags.append(
                    AnomalyFlag(
                        kind=kind,
                        store_id=store_id,
                        subject=cashier,
                        explanation=_cashier_explanation(
                            cashier,
                            store_id,
                            what,
                            events[cashier],
                            rates[cashier],
                            norm,
                            len(others),
                            limits,
                        ),
                    )
                )
    return flags


def _cashier_explanation(
    cashier: str,
    store_id: str,
    what: str,
    count: int,
    rate: Decimal,
    norm: Decimal,
    others: int,
    limits: AnomalyThresholds,
) -> str:
    share = f"{count} {what} ({_percent(rate)} of their tickets) in {limits.lookback_days} days"
    if not norm:
        return (
            f"cashier {cashier} at {store_id}: {share}, while the store's {others} other"
            f" cashiers rang none"
        )
    times = (rate / norm).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return (
        f"cashier {cashier} at {store_id}: {share}, {times}x the store's norm of"
        f" {_percent(norm)} (median of {others} other cashiers; flagged above {limits.ratio}x)"
    )


def unreferenced_return_flags(
    facts: Iterable[TicketFact], limits: AnomalyThresholds
) -> list[AnomalyFlag]:
    """Stores that took more than ``unreferenced_returns_max`` returns without a receipt."""
    counts: dict[str, int] = defaultdict(int)
    for fact in facts:
        counts[fact.store_id] += fact.unreferenced_return_lines
    return [
        AnomalyFlag(
            kind=AnomalyKind.UNREFERENCED_RETURNS,
            store_id=store_id,
            explanation=f"{store_id} took {count} returned lines without a receipt in"
            f" {limits.lookback_days} days (flagged above {limits.unreferenced_returns_max})",
        )
        for store_id, count in sorted(counts.items())
        if count > limits.unreferenced_returns_max
    ]


@dataclass(frozen=True)
class ProductSales:
    store_id: str
    product_code: str
    sale_days: int
    last_sold: date


def quiet_products(
    facts: Iterable[TicketFact], today: date, limits: AnomalyThresholds
) -> list[ProductSales]:
    """Products that sold on at least ``min_sale_days`` days at a store and not at all in the
    last ``quiet_days``: the ones whose ERP stock is worth a look."""
    days: dict[tuple[str, str], set[date]] = defaultdict(set)
    for fact in facts:
        for product in fact.products:
            days[(fact.store_id, product)].add(fact.business_date)
    quiet_since = today - timedelta(days=limits.quiet_days)
    return [
        ProductSales(store, product, len(sold), max(sold))
        for (store, product), sold in sorted(days.items())
        if len(sold) >= limits.min_sale_days and max(sold) <= quiet_since
    ]


def phantom_inventory_flags(
    quiet: Iterable[ProductSales], on_hand: Mapping[tuple[str, str], Decimal], today: date
) -> list[AnomalyFlag]:
    """Of the quiet products, those the ERP still counts on hand at the store: probable
    phantom inventory (the shelf is empty, the books are not). ``on_hand`` by (store, product);
    a product missing from it was not read and is not flagged."""
    flags = []
    for sales in quiet:
        stock = on_hand.get((sales.store_id, sales.product_code))
        if stock is None or stock <= 0:
            continue
        silent = (today - sales.last_sold).days
        flags.append(
            AnomalyFlag(
                kind=AnomalyKind.PHANTOM_INVENTORY,
                store_id=sales.store_id,
                subject=sales.product_code,
                explanation=f"{sales.product_code} sold on {sales.sale_days} days at"
                f" {sales.store_id}, none in the last {silent} days, yet the ERP counts"
                f" {stock.normalize():f} on hand there: count the shelf",
            )
        )
    return flags


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"
