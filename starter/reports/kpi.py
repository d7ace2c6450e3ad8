"""The day's KPI lines, one per store and then the chain's (domain/kpi.py), read from the store
for ``tillsync kpi`` and the sync-health page alike."""

import asyncio
from datetime import UTC, date, datetime

from sqlalchemy import Engine

from domain.kpi import KpiLine, chain_line, kpi_line
from store.db import session_scope
from store.kpi import store_day_facts


async def day_kpis(
    engine: Engine, day: date, reconciliation: dict[str, int] | None
) -> list[KpiLine]:
    """``reconciliation``: differences per store, when the day was reconciled with the ERP."""

    def read() -> list[KpiLine]:
        now = datetime.now(UTC)
        with session_scope(engine) as session:
            facts = store_day_facts(session, day, reconciliation)
        return [*(kpi_line(store, day, now) for store in facts), chain_line(facts, day, now)]

    return await asyncio.to_thread(read)
