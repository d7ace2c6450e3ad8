"""``tillsync stock-snapshot`` and ``tillsync stock-ledger`` through the real command line, on the
sandbox Tryton: in daily posting mode the ledger agrees with the ERP before the day's posting
(the sold goods still on hand, reserved) and after it (issued); per-transaction mode closes a
span with the next day's snapshot, and prints CSV and a table for people."""

import csv
import io
import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine
from temporalio.client import Client

from connectors.erp.tryton import TrytonConnector
from domain.outcomes import Outcome
from domain.settings import Settings
from starter.control.daily_posting import run_daily_posting
from starter.intake.submission import Submitter
from tests.e2e.helpers import new_id, stock, submit_and_wait
from tests.factories import make_sale, sale_line
from tests.finance.cli import tillsync, tillsync_run

pytestmark = [pytest.mark.erp, pytest.mark.temporal]

WAREHOUSE = "WH-LDS"  # the finance stores' warehouse


def _lines(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {line["product_code"]: line for line in report["lines"]}


def _moved(line: dict[str, Any]) -> dict[str, Decimal]:
    return {cause: Decimal(quantity) for cause, quantity in line["movements"].items()}


def _ledger_of(store: str, day: date) -> list[str]:
    return ["stock-ledger", "--store", store, "--from", str(day)]


async def _ledger(settings: Settings, client: Client, *args: str) -> tuple[int, dict[str, Any]]:
    code, out = await tillsync(settings, client, "stock-ledger", *args, "--json")
    return code, json.loads(out)


async def test_daily_mode_the_ledger_agrees_before_and_after_the_days_posting(
    client: Client,
    daily_settings: Settings,
    daily_submitter: Submitter,
    daily_engine: Engine,
    tryton_connector: TrytonConnector,
) -> None:
    store, day = "S202", date(2025, 5, 7)  # a day no other test rings, in a period none closes
    skus = ["--sku", "TEA-001", "--sku", "MUG-001"]
    # Earlier days the store left waiting are issued now, not with this day's posting.
    await run_daily_posting(client, daily_settings.task_queue, store, through=day - timedelta(1))
    code, said = await tillsync(
        daily_settings, client, "stock-snapshot", "--store", store, "--day", str(day), *skus
    )
    assert (code, said.strip()) == (0, f"2 items of {WAREHOUSE} recorded as the opening of {day}")
    tea_before = await stock(tryton_connector, "TEA-001", WAREHOUSE)
    tickets = [
        make_sale(
            new_id(), [sale_line(1, "100001", "3", "3.60")], store_id=store, business_date=day
        ),
        make_sale(
            new_id(),
            [sale_line(1, "100001", "1", "3.60"), sale_line(2, "100002", "2", "9.00")],
            store_id=store,
            receipt_number=2,
            business_date=day,
        ),
    ]
    for txn in tickets:
        assert (await submit_and_wait(daily_submitter, client, txn)).outcome is Outcome.POSTED
    assert await stock(tryton_connector, "TEA-001", WAREHOUSE) == tea_before, "only reserved"

    # Other tests' tickets of this warehouse are dated later: the span closes with a snapshot.
    closing = ["stock-snapshot", "--store", store, "--day", str(day + timedelta(1)), *skus]
    assert (await tillsync(daily_settings, client, *closing))[0] == 0
    code, before = await _ledger(
        daily_settings, client, "--store", store, "--from", str(day), "--to", str(day), *skus
    )

    assert code == 0, before
    assert (before["warehouse_code"], before["erp_read"]) == (WAREHOUSE, str(day + timedelta(1)))
    tea, mugs = _lines(before)["TEA-001"], _lines(before)["MUG-001"]
    assert _moved(tea) == {"sale": Decimal(-4)} and _moved(mugs) == {"sale": Decimal(-2)}
    assert Decimal(tea["closing"]) == Decimal(tea["opening"]) - 4
    assert Decimal(tea["erp_on_hand"]) == tea_before, "the ERP's on-hand still holds them"
    assert Decimal(tea["erp_reserved"]) >= 4
    assert Decimal(tea["difference"]) == Decimal(mugs["difference"]) == Decimal(0)

    posted = await run_daily_posting(client, daily_settings.task_queue, store, through=day)
    assert [batch.posted for batch in posted.batches if str(day) in batch.key] == [True], posted
    assert await stock(tryton_connector, "TEA-001", WAREHOUSE) == tea_before - 4, "issued"

    assert (await tillsync(daily_settings, client, *closing))[0] == 0
    code, after = await _ledger(
        daily_settings, client, "--store", store, "--from", str(day), "--to", str(day), *skus
    )

    assert code == 0, after
    tea_after = _lines(after)["TEA-001"]
    assert Decimal(tea_after["erp_on_hand"]) == tea_before - 4
    assert Decimal(tea_after["erp_reserved"]) == Decimal(tea["erp_reserved"]) - 4
    assert Decimal(tea_after["closing"]) == Decimal(tea["closing"])
    assert Decimal(tea_after["difference"]) == Decimal(0)


async def test_a_span_closed_by_the_next_days_snapshot_in_csv_and_as_a_table(
    client: Client,
    finance_settings: Settings,
    submitter: Submitter,
    finance_engine: Engine,
    tryton_connector: TrytonConnector,
) -> None:
    store, day = "S203", date(2025, 5, 8)  # a day no other test rings, in a period none closes
    next_day = str(day + timedelta(days=1))
    code, said = await tillsync(
        finance_settings, client, "stock-snapshot", "--store", store, "--day", str(day), "--json"
    )
    assert code == 0 and json.loads(said)["items"] >= 6, said
    sale = make_sale(
        new_id(), [sale_line(1, "100003", "5", "2.40")], store_id=store, business_date=day
    )
    assert (await submit_and_wait(submitter, client, sale)).outcome is Outcome.POSTED
    assert (
        await tillsync(
            finance_settings, client, "stock-snapshot", "--store", store, "--day", next_day
        )
    )[0] == 0
    late = make_sale(
        new_id(),
        [sale_line(1, "100003", "2", "2.40")],
        store_id=store,
        receipt_number=2,
        business_date=day + timedelta(days=1),
    )
    assert (await submit_and_wait(submitter, client, late)).outcome is Outcome.POSTED

    code, text = await tillsync(
        finance_settings, client, *_ledger_of(store, day), "--to", str(day), "--csv"
    )

    assert code == 0, text
    rows = {row["product"]: row for row in csv.DictReader(io.StringIO(text))}
    biscuits = rows["BISC-001"]
    assert Decimal(biscuits["sale"]) == Decimal(-5), "the next day's sale is not in it"
    assert Decimal(biscuits["difference"]) == Decimal(0)
    assert Decimal(biscuits["closing"]) == Decimal(biscuits["opening"]) - 5
    assert set(rows) >= {"TEA-001", "MUG-001", "BISC-001"}

    code, table = await tillsync(
        finance_settings, client, *_ledger_of(store, day), "--to", str(day), "--sku", "BISC-001"
    )
    assert code == 0, table
    assert f"Stock ledger of {store} ({WAREHOUSE}), {day} to {day}" in table
    assert "BISC-001" in table and "every line explained" in table
    biscuit_row = next(line for line in table.splitlines() if "BISC-001" in line)
    assert "-5" in biscuit_row and "-7" not in biscuit_row


async def test_a_day_without_an_opening_snapshot_is_refused_naming_the_command(
    client: Client, finance_settings: Settings, finance_engine: Engine
) -> None:
    code, out, err = await tillsync_run(
        finance_settings, client, "stock-ledger", "--store", "S203", "--from", "2024-01-02"
    )
    assert (code, out) == (2, "")
    assert "no snapshot opens 2024-01-02 at WH-LDS" in err
    assert "tillsync stock-snapshot --store S203 --day 2024-01-02" in err
