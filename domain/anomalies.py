"""Anomaly flags a store manager acts on, computed from the journal's ticket facts: cashiers
refunding or overriding prices well above their store's norm, products that stopped selling
while the ERP still counts them on the shelf (probable phantom inventory), and stores taking
many returns without a receipt. Each flag says in words why it was raised. The store counts
the facts in SQL (store.anomalies); the rules here read those counts."""

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
class CashierTally:
    """One cashier's tickets at a store over the lookback (counted by the store, in SQL)."""

    store_id: str
    cashier_id: str
    tickets: int
    refund_tickets: int
    """tickets with at least one refunded line"""
    override_tickets: int
    """tickets with at least one manual price override"""


_EVENTS: dict[AnomalyKind, tuple[str, Callable[[CashierTally], int]]] = {
    AnomalyKind.CASHIER_REFUNDS: ("refunds", lambda tally: tally.refund_tickets),
    AnomalyKind.CASHIER_OVERRIDES: ("price overrides", lambda tally: tally.override_tickets),
}


def cashier_flags(tallies: Iterable[CashierTally], limits: AnomalyThresholds) -> list[AnomalyFlag]:
    """Cashiers whose share of tickets with a refund (or a manual price override) is above
    ``ratio`` times the median share of the store's other cashiers, with at least
    ``min_events`` such tickets."""
    by_store: dict[str, dict[str, CashierTally]] = defaultdict(dict)
    for tally in tallies:
        if tally.cashier_id and tally.tickets > 0:
            by_store[tally.store_id][tally.cashier_id] = tally
    flags: list[AnomalyFlag] = []
    for kind, (what, counts) in _EVENTS.items():
        for store_id, cashiers in sorted(by_store.items()):
            events = {c: counts(tally) for c, tally in cashiers.items()}
            rates = {c: Decimal(events[c]) / tally.tickets for c, tally in cashiers.items()}
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
    counts: Mapping[str, int], limits: AnomalyThresholds
) -> list[AnomalyFlag]:
    """Stores that took more than ``unreferenced_returns_max`` returns without a receipt;
    ``counts``: returned lines without a receipt over the lookback, by store."""
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


@dataclass(frozen=True)
class QuietCriteria:
    """Which products went quiet: sold on at least ``min_sale_days`` days of the lookback and
    on none after ``last_sold_by``. The store applies it in its query (store.anomalies)."""

    min_sale_days: int
    last_sold_by: date

    @classmethod
    def of(cls, today: date, limits: AnomalyThresholds) -> "QuietCriteria":
        """Products that usually sell and sold nothing in the last ``quiet_days``: the ones
        whose ERP stock is worth a look."""
        return cls(limits.min_sale_days, today - timedelta(days=limits.quiet_days))


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
