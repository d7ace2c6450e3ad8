"""The anomaly flags on the sync-health page: a day where one cashier refunds ten times as
often as the others shows that cashier, and only them, with the flag's explanation, in the
overview's anomaly panel (the alerts link to it: #anomalies)."""

import html
import re
from datetime import UTC, datetime, timedelta
from typing import cast

import httpx
from sqlalchemy import Engine
from temporalio.client import Client

from domain.reconciliation import ReconciliationReport
from domain.settings import Settings
from starter.health_page.app import create_app
from store.db import session_scope
from tests.memory_erp.health_page import PASSWORD, operators
from tests.store_records import record_ticket_facts


def _seed_refunds(engine: Engine) -> None:
    """Three days at S-ANOM: 20 tickets a day per cashier; C4 refunds on 10 a day, the
    others on 1."""
    today = datetime.now(UTC).date()
    with session_scope(engine) as session:
        for days_ago in range(3):
            day = today - timedelta(days=days_ago)
            for cashier in ("C1", "C2", "C3", "C4"):
                for ticket in range(20):
                    record_ticket_facts(
                        session,
                        "S-ANOM",
                        f"{day}-{cashier}-{ticket}",
                        day,
                        cashier,
                        refunds=int(ticket < (10 if cashier == "C4" else 1)),
                    )


async def test_the_page_shows_the_cashier_who_refunds_ten_times_the_others(
    store_engine: Engine,
) -> None:
    _seed_refunds(store_engine)

    async def no_reconciliation(*_: object) -> ReconciliationReport:
        raise AssertionError("the overview reconciles nothing")

    app = create_app(Settings(), cast(Client, None), store_engine, no_reconciliation, operators())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://page"
    ) as http:
        page = await http.get("/", auth=("sam", PASSWORD))
    assert page.status_code == 200, page.text
    panel = page.text.split('<section class="panel" id="anomalies"', 1)[1].split("</section>")[0]
    rows = [
        [
            html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", panel.split("<tbody>", 1)[1], re.S)
    ]
    assert rows == [
        [
            "S-ANOM",
            "cashier_refunds",
            "C4",
            "cashier C4 at S-ANOM: 30 refunds (50.0% of their tickets) in 28 days, 10.0x the"
            " store's norm of 5.0% (median of 3 other cashiers; flagged above 3x)",
        ]
    ]
