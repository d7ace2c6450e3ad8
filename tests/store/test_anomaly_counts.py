"""The anomaly flags' counts, made by the database (GROUP BY over the ticket facts; the
product lists unnested in SQL), the same on SQLite and PostgreSQL: per cashier, per store,
and the products that went quiet, within the span only."""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine

from domain.anomalies import CashierTally, ProductSales, QuietCriteria
from store.anomalies import cashier_tallies, quiet_product_sales, unreferenced_returns
from store.db import session_scope
from tests.store_records import record_ticket_facts

DAY = date(2026, 11, 20)
START = DAY - timedelta(days=13)


def _ticket(
    engine: Engine,
    number: int,
    day: date,
    *,
    store: str = "S001",
    cashier: str | None = "C1",
    **counts: Any,
) -> None:
    with session_scope(engine) as session:
        record_ticket_facts(session, store, number, day, cashier, **counts)


def test_cashiers_and_stores_are_counted_within_the_span(store_engine: Engine) -> None:
    _ticket(store_engine, 1, DAY, refunds=3)  # three refunded lines: one ticket with a refund
    _ticket(store_engine, 2, DAY, overrides=1)
    _ticket(store_engine, 3, DAY - timedelta(days=2))
    _ticket(store_engine, 4, DAY, cashier="C2", refunds=1, overrides=2)
    _ticket(store_engine, 5, DAY, store="S002", cashier="D1", unreferenced=2)
    _ticket(store_engine, 6, DAY, store="S002", cashier="D1", unreferenced=3)
    _ticket(store_engine, 7, DAY, cashier=None, refunds=1)  # no cashier: not a cashier's
    _ticket(store_engine, 8, START - timedelta(days=1), refunds=1, unreferenced=9)  # before
    _ticket(store_engine, 9, DAY + timedelta(days=1), refunds=1)  # after the span

    with session_scope(store_engine) as session:
        tallies = cashier_tallies(session, START, DAY)
        unreferenced = unreferenced_returns(session, START, DAY)

    assert tallies == [
        CashierTally("S001", "C1", tickets=3, refund_tickets=1, override_tickets=1),
        CashierTally("S001", "C2", tickets=1, refund_tickets=1, override_tickets=1),
        CashierTally("S002", "D1", tickets=2, refund_tickets=0, override_tickets=0),
    ]
    assert unreferenced == {"S002": 5}


def test_the_products_that_went_quiet_are_found_by_the_database(store_engine: Engine) -> None:
    number = 0
    for days_ago, products in [(d, ("TEA", "MUG")) for d in range(3, 10)] + [
        (d, ("MUG",)) for d in range(3)
    ]:
        number += 1
        _ticket(store_engine, number, DAY - timedelta(days=days_ago), products=products)
    for days_ago in (5, 9):  # sold on two days only: not a product that usually sells
        number += 1
        _ticket(store_engine, number, DAY - timedelta(days=days_ago), products=("RARE",))
    for _ in range(3):  # several tickets of one day count as one day
        number += 1
        _ticket(store_engine, number, DAY - timedelta(days=4), products=("TEA",))
    number += 1
    _ticket(store_engine, number, DAY - timedelta(days=5), store="S002", products=("TEA",))

    with session_scope(store_engine) as session:
        quiet = quiet_product_sales(
            session, START, DAY, QuietCriteria(min_sale_days=5, last_sold_by=DAY - timedelta(3))
        )
        none_quiet_yet = quiet_product_sales(
            session, START, DAY, QuietCriteria(min_sale_days=5, last_sold_by=DAY - timedelta(4))
        )

    assert quiet == [ProductSales("S001", "TEA", sale_days=7, last_sold=DAY - timedelta(3))]
    assert none_quiet_yet == []
