"""The daily KPI line, per store and for the chain: how much of the day went through untouched,
how often something needed a person, how fast it was settled, and what still waits."""

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from pydantic import BaseModel, Field

from domain.reconciliation import ReconciliationReport

CHAIN = "chain"
ONE_DECIMAL = Decimal("0.1")


class OldestOpen(BaseModel):
    kind: str
    opened_at: datetime


class StoreDayFacts(BaseModel):
    """What the store knows of one store's business day (store/kpi.py reads it)."""

    store_id: str
    tickets: int = Field(description="runs of the day: ended (journaled) or parked")
    posted: int
    posted_untouched: int = Field(description="posted without ever parking for a person")
    exceptions: int = Field(description="exceptions opened for the day, every kind")
    resolve_times: list[timedelta] = Field(
        default_factory=list, description="opened to resolved, of the day's settled exceptions"
    )
    reconciliation_differences: int | None = Field(
        default=None, description="None: the day was not reconciled against the ERP"
    )
    oldest_open: OldestOpen | None = Field(
        default=None, description="the store's oldest exception still open, of any day"
    )


class KpiLine(BaseModel):
    scope: str = Field(description="a store id, or 'chain'")
    business_date: date
    tickets: int
    posted: int
    untouched_percent: Decimal | None = Field(description="share of tickets posted untouched")
    exceptions: int
    exceptions_per_1000: Decimal | None
    median_resolve_seconds: float | None
    reconciliation_differences: int | None
    oldest_open_kind: str | None
    oldest_open_age_seconds: float | None

    def figures(self) -> dict[str, str]:
        """The line's figures in words, by the name a table heads them with."""
        untouched = "-" if self.untouched_percent is None else f"{self.untouched_percent}%"
        differences = (
            "not reconciled"
            if self.reconciliation_differences is None
            else str(self.reconciliation_differences)
        )
        oldest = (
            "none"
            if self.oldest_open_age_seconds is None
            else f"{_duration(self.oldest_open_age_seconds)} ({self.oldest_open_kind})"
        )
        return {
            "tickets": str(self.tickets),
            "untouched": untouched,
            "exceptions/1000": "-"
            if self.exceptions_per_1000 is None
            else str(self.exceptions_per_1000),
            "median to resolve": _duration(self.median_resolve_seconds),
            "reconciliation differences": differences,
            "oldest open": oldest,
        }

    def render(self) -> str:
        figures = "  ".join(f"{name} {value}" for name, value in self.figures().items())
        return f"{self.scope:<8} {self.business_date}  {figures}"


def kpi_line(facts: StoreDayFacts, day: date, now: datetime) -> KpiLine:
    return _line(facts.store_id, [facts], day, now)


def chain_line(stores: list[StoreDayFacts], day: date, now: datetime) -> KpiLine:
    return _line(CHAIN, stores, day, now)


def _line(scope: str, stores: list[StoreDayFacts], day: date, now: datetime) -> KpiLine:
    tickets = sum(store.tickets for store in stores)
    exceptions = sum(store.exceptions for store in stores)
    times = [time.total_seconds() for store in stores for time in store.resolve_times]
    reconciled = [
        store.reconciliation_differences
        for store in stores
        if store.reconciliation_differences is not None
    ]
    oldest = min(
        (store.oldest_open for store in stores if store.oldest_open is not None),
        key=lambda item: item.opened_at,
        default=None,
    )
    return KpiLine(
        scope=scope,
        business_date=day,
        tickets=tickets,
        posted=sum(store.posted for store in stores),
        untouched_percent=_ratio(sum(s.posted_untouched for s in stores), tickets, 100),
        exceptions=exceptions,
        exceptions_per_1000=_ratio(exceptions, tickets, 1000),
        median_resolve_seconds=median(times) if times else None,
        reconciliation_differences=sum(reconciled) if reconciled else None,
        oldest_open_kind=oldest.kind if oldest else None,
        oldest_open_age_seconds=(now - oldest.opened_at).total_seconds() if oldest else None,
    )


def differences_by_store(report: ReconciliationReport) -> dict[str, int]:
    """Figures where the POS and the ERP differ, per store, over the report's days."""
    counts: dict[str, int] = {}
    for day in report.days:
        counts[day.store_id] = counts.get(day.store_id, 0) + len(day.differences)
    return counts


def _ratio(part: int, whole: int, per: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * per / whole).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f}h"
    return f"{seconds / 86400:.1f}d"
