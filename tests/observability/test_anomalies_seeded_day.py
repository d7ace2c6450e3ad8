"""Anomaly flags on a seeded day: one cashier refunds ten times as often as the others, a
product that sold every day went quiet while the ERP still counts it, a store takes many
returns without a receipt. Through the store's tables and the memory ERP's stock."""

import asyncio
import os
import re
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Engine
from sqlmodel import Session

from connectors.erp.memory import MemoryErp
from domain.anomalies import AnomalyKind, AnomalyThresholds
from domain.mapping import MappingKind, MappingRow
from observability.anomaly_scan import scan_anomalies
from observability.health_refresher import publish_anomalies
from store.db import session_scope
from store.mappings import import_mappings
from tests.store_records import record_ticket_facts

TODAY = date(2026, 11, 20)
CASHIERS = ["C1", "C2", "C3", "C4"]
LIMITS = AnomalyThresholds(lookback_days=14, quiet_days=3, min_sale_days=5)


def _seed(engine: Engine) -> None:
    """Ten days at S001: 20 tickets a day per cashier; C4 refunds on 10 tickets a day, the
    others on one. TEA-001 sells daily until four days ago; MUG-001 sells every day. S002
    takes seven unreferenced returns."""
    with session_scope(engine) as session:
        import_mappings(
            session,
            [
                MappingRow(kind=MappingKind.LOCATION, store_id="S001", erp_code="WH-LON"),
                MappingRow(kind=MappingKind.LOCATION, store_id="S002", erp_code="WH-LDS"),
            ],
        )
        number = 0
        for days_ago in range(10):
            day = TODAY - timedelta(days=days_ago)
            for cashier in CASHIERS:
                refunds = 10 if cashier == "C4" else 1
                for ticket in range(20):
                    number += 1
                    products = ["MUG-001"] + (["TEA-001"] if days_ago >= 4 else [])
                    _ticket(session, number, "S001", day, cashier, ticket < refunds, products)
        for _ in range(7):
            number += 1
            _ticket(session, number, "S002", TODAY, "D1", True, [], unreferenced=True)


def _ticket(
    session: Session,
    number: int,
    store: str,
    day: date,
    cashier: str,
    refund: bool,
    products: list[str],
    *,
    unreferenced: bool = False,
) -> None:
    refunds, returns = int(refund), int(unreferenced)
    record_ticket_facts(
        session,
        store,
        number,
        day,
        cashier,
        refunds=refunds,
        unreferenced=returns,
        products=products,
    )


@pytest.fixture
def seeded(store_engine: Engine) -> Engine:
    _seed(store_engine)
    return store_engine


async def test_the_cashier_refunding_ten_times_the_others_is_flagged(seeded: Engine) -> None:
    erp = MemoryErp(
        warehouses={"WH-LON", "WH-LDS"},
        products={"TEA-001", "MUG-001"},
        stock={("WH-LON", "TEA-001"): Decimal(24), ("WH-LON", "MUG-001"): Decimal(5)},
    )
    flags = await scan_anomalies(seeded, erp, LIMITS, TODAY)

    refunds = [flag for flag in flags if flag.kind is AnomalyKind.CASHIER_REFUNDS]
    assert [(flag.store_id, flag.subject) for flag in refunds] == [("S001", "C4")]
    assert refunds[0].explanation == (
        "cashier C4 at S001: 100 refunds (50.0% of their tickets) in 14 days, 10.0x the"
        " store's norm of 5.0% (median of 3 other cashiers; flagged above 3x)"
    )
    assert not [flag for flag in flags if flag.kind is AnomalyKind.CASHIER_OVERRIDES]

    phantom = [flag for flag in flags if flag.kind is AnomalyKind.PHANTOM_INVENTORY]
    assert [(flag.store_id, flag.subject) for flag in phantom] == [("S001", "TEA-001")]
    assert "none in the last 4 days" in phantom[0].explanation
    assert "the ERP counts 24 on hand" in phantom[0].explanation

    unreferenced = [flag for flag in flags if flag.kind is AnomalyKind.UNREFERENCED_RETURNS]
    assert [flag.store_id for flag in unreferenced] == ["S002"]
    assert "7 returned lines without a receipt" in unreferenced[0].explanation

    publish_anomalies(flags)
    flagged = {"store": "S001", "kind": "cashier_refunds"}
    assert REGISTRY.get_sample_value("tillsync_anomaly_flags", flagged) == 1
    store = {"store": "S002", "kind": "unreferenced_returns"}
    assert REGISTRY.get_sample_value("tillsync_anomaly_flags", store) == 1


async def test_an_empty_shelf_in_the_erp_too_is_no_phantom(seeded: Engine) -> None:
    erp = MemoryErp(warehouses={"WH-LON", "WH-LDS"}, products={"TEA-001", "MUG-001"})
    flags = await scan_anomalies(seeded, erp, LIMITS, TODAY)
    assert not [flag for flag in flags if flag.kind is AnomalyKind.PHANTOM_INVENTORY]
    assert await scan_anomalies(seeded, None, LIMITS, TODAY) == [
        flag for flag in flags if flag.kind is not AnomalyKind.PHANTOM_INVENTORY
    ]


async def test_tillsync_anomalies_explains_each_flag(seeded: Engine) -> None:
    url = seeded.url.render_as_string(hide_password=False)
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "starter.cli.app", "anomalies", "--day", str(TODAY), "--no-erp"],
        capture_output=True,
        text=True,
        env={**os.environ, "TILLSYNC_STORE_URL": url, "TILLSYNC_ANOMALY_LOOKBACK_DAYS": "14"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].strip() == "2 anomalies over the 14 days to " + str(TODAY)
    rows = [
        [cell.strip() for cell in re.split("[│┃]", line)[1:-1]]
        for line in lines
        if re.search("[│┃]", line)
    ]
    assert rows == [
        ["kind", "store", "subject", "explanation"],
        [
            "cashier_refunds",
            "S001",
            "C4",
            "cashier C4 at S001: 100 refunds (50.0% of their tickets) in 14 days, 10.0x the"
            " store's norm of 5.0% (median of 3 other cashiers; flagged above 3x)",
        ],
        [
            "unreferenced_returns",
            "S002",
            "-",
            "S002 took 7 returned lines without a receipt in 14 days (flagged above 5)",
        ],
    ]
