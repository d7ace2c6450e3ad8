"""The pure rules behind sync health: lag, the settled day, the KPI line, anomaly flags."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from domain.anomalies import (
    AnomalyThresholds,
    CashierTally,
    ProductSales,
    QuietCriteria,
    cashier_flags,
    phantom_inventory_flags,
)
from domain.kpi import OldestOpen, StoreDayFacts, chain_line, kpi_line
from domain.sync_health import is_silent, settled_business_day, silent_for, sync_lag_seconds

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
DAY = date(2026, 11, 20)


@dataclass
class Mark:
    newest_seen_till_time: datetime
    first_seen_till_time: datetime
    newest_posted_till_time: datetime | None


def test_lag_is_the_till_time_between_the_newest_seen_and_the_newest_posted() -> None:
    seen = datetime(2026, 11, 20, 12, 30)
    assert (
        sync_lag_seconds(Mark(seen, seen - timedelta(hours=3), seen - timedelta(minutes=7))) == 420
    )
    assert sync_lag_seconds(Mark(seen, seen - timedelta(hours=3), None)) == 3 * 3600
    assert sync_lag_seconds(Mark(seen, seen, seen + timedelta(minutes=1))) == 0


def test_a_store_is_silent_by_the_arrival_of_its_newest_ticket_not_its_till_time() -> None:
    arrived = datetime(2026, 11, 21, 8, 0)  # SQLite's zone-less UTC
    assert silent_for(arrived, NOW) == timedelta(hours=1)
    assert silent_for(None, NOW) is None, "never heard from"
    assert silent_for(NOW + timedelta(seconds=3), NOW) == timedelta(0), "a clock a bit ahead"
    assert is_silent(arrived, NOW, timedelta(minutes=30))
    assert not is_silent(arrived, NOW, timedelta(hours=1)), "silent beyond, not at, the limit"
    assert not is_silent(None, NOW, timedelta(minutes=30))


def test_the_settled_day_waits_for_the_daily_posting() -> None:
    assert settled_business_day(datetime(2026, 11, 21, 2, 30, tzinfo=UTC), 2) == date(2026, 11, 19)
    assert settled_business_day(datetime(2026, 11, 21, 3, 0, tzinfo=UTC), 2) == DAY


def _store(store_id: str, **figures: object) -> StoreDayFacts:
    defaults: dict[str, object] = {
        "tickets": 0,
        "posted": 0,
        "posted_untouched": 0,
        "exceptions": 0,
    }
    return StoreDayFacts.model_validate({"store_id": store_id, **defaults, **figures})


def test_the_kpi_line_of_a_store_and_of_the_chain() -> None:
    s1 = _store(
        "S001",
        tickets=400,
        posted=398,
        posted_untouched=396,
        exceptions=4,
        resolve_times=[timedelta(minutes=10), timedelta(minutes=30)],
        reconciliation_differences=0,
        oldest_open=OldestOpen(kind="unmapped_sku", opened_at=NOW - timedelta(hours=5)),
    )
    s2 = _store(
        "S002",
        tickets=100,
        posted=100,
        posted_untouched=100,
        resolve_times=[timedelta(hours=2)],
        reconciliation_differences=2,
        oldest_open=OldestOpen(kind="receipt_gap", opened_at=NOW - timedelta(days=2)),
    )
    line = kpi_line(s1, DAY, NOW)
    assert line.untouched_percent == Decimal("99.0")
    assert line.exceptions_per_1000 == Decimal("10.0")
    assert line.median_resolve_seconds == 1200
    assert line.oldest_open_kind == "unmapped_sku"
    assert line.oldest_open_age_seconds == 5 * 3600
    chain = chain_line([s1, s2], DAY, NOW)
    assert (chain.scope, chain.tickets, chain.posted) == ("chain", 500, 498)
    assert chain.untouched_percent == Decimal("99.2")
    assert chain.exceptions_per_1000 == Decimal("8.0")
    assert chain.median_resolve_seconds == 1800
    assert chain.reconciliation_differences == 2
    assert chain.oldest_open_kind == "receipt_gap"
    assert "untouched 99.2%" in chain.render()
    assert "oldest open 2.0d (receipt_gap)" in chain.render()


def test_a_day_without_tickets_has_no_shares_and_was_not_reconciled() -> None:
    line = kpi_line(_store("S003"), DAY, NOW)
    assert line.untouched_percent is None and line.exceptions_per_1000 is None
    assert "not reconciled" in line.render()


def _tally(cashier: str, tickets: int, refunds: int) -> CashierTally:
    return CashierTally("S001", cashier, tickets, refunds, 0)


def test_a_cashier_is_flagged_against_the_others_norm_and_not_below_the_minimum() -> None:
    limits = AnomalyThresholds(min_events=5, ratio=Decimal(3))
    tallies = [_tally(c, 20, 10 if c == "C9" else 1) for c in ("C1", "C2", "C9")]
    assert [flag.subject for flag in cashier_flags(tallies, limits)] == ["C9"]
    few = [_tally("C1", 20, 0), _tally("C9", 20, 4)]
    assert cashier_flags(few, limits) == []
    alone = [_tally("C9", 20, 20)]
    assert cashier_flags(alone, limits) == [], "a store's only cashier has no norm to exceed"
    none_else = [_tally(c, 6, 6 if c == "C9" else 0) for c in ("C1", "C2", "C9")]
    [flag] = cashier_flags(none_else, limits)
    assert flag.explanation.endswith("while the store's 2 other cashiers rang none")


def test_a_product_that_stopped_selling_with_stock_left_is_a_probable_phantom() -> None:
    limits = AnomalyThresholds(quiet_days=3, min_sale_days=5)
    assert QuietCriteria.of(DAY, limits) == QuietCriteria(5, DAY - timedelta(days=3))
    quiet = [ProductSales("S001", "TEA", 7, DAY - timedelta(days=3))]
    assert phantom_inventory_flags(quiet, {("S001", "TEA"): Decimal(0)}, DAY) == []
    assert phantom_inventory_flags(quiet, {}, DAY) == [], "not read: not flagged"
    [flag] = phantom_inventory_flags(quiet, {("S001", "TEA"): Decimal("12.0")}, DAY)
    assert flag.subject == "TEA" and "counts 12 on hand" in flag.explanation
    assert "none in the last 3 days" in flag.explanation
