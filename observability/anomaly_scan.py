"""The anomaly flags of the recent days: the journal's facts, and the ERP's stock of the
products that went quiet (domain/anomalies.py). For the page, the CLI and the metrics."""

import asyncio
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Engine

from connectors.erp.base import ErpConnector
from domain.anomalies import (
    AnomalyFlag,
    AnomalyThresholds,
    ProductSales,
    QuietCriteria,
    cashier_flags,
    phantom_inventory_flags,
    unreferenced_return_flags,
)
from store.anomalies import (
    cashier_tallies,
    quiet_product_sales,
    store_warehouses,
    unreferenced_returns,
)
from store.db import session_scope

MAX_STOCK_READS = 200
"""ERP stock readings per scan: the quiet products that sold on the most days first."""


async def scan_anomalies(
    engine: Engine, erp: ErpConnector | None, limits: AnomalyThresholds, today: date
) -> list[AnomalyFlag]:
    """Every flag over the lookback ending ``today``; without ``erp``, no phantom inventory."""

    def read() -> tuple[list[AnomalyFlag], list[ProductSales], dict[str, str]]:
        start = today - timedelta(days=limits.lookback_days - 1)
        with session_scope(engine) as session:
            tallies = cashier_tallies(session, start, today)
            unreferenced = unreferenced_returns(session, start, today)
            quiet = quiet_product_sales(session, start, today, QuietCriteria.of(today, limits))
            warehouses = store_warehouses(session)
        flags = cashier_flags(tallies, limits) + unreferenced_return_flags(unreferenced, limits)
        return flags, quiet, warehouses

    flags, quiet, warehouses = await asyncio.to_thread(read)
    if erp is None:
        return flags
    quiet = sorted(quiet, key=lambda sales: -sales.sale_days)[:MAX_STOCK_READS]
    on_hand = await _on_hand(erp, quiet, warehouses)
    return flags + phantom_inventory_flags(quiet, on_hand, today)


async def _on_hand(
    erp: ErpConnector, quiet: list[ProductSales], warehouses: dict[str, str]
) -> dict[tuple[str, str], Decimal]:
    on_hand: dict[tuple[str, str], Decimal] = {}
    for sales in quiet:
        warehouse = warehouses.get(sales.store_id)
        if warehouse is None:
            continue
        level = await erp.stock_level(sales.product_code, warehouse)
        on_hand[(sales.store_id, sales.product_code)] = level.on_hand
    return on_hand
