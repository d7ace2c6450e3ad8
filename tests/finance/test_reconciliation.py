"""The reconciliation report finds receipt numbers that never arrived, and tender differences:
a late cash ticket of a day whose consolidated posting was already booked, and a ticket whose
invoice payment was voided in the ERP."""

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from temporalio.client import Client

from connectors.erp.tryton import TrytonConnector
from domain.outcomes import Outcome
from domain.receipts import ReceiptGap
from domain.settings import Settings
from starter.control.daily_posting import run_daily_posting
from starter.intake.submission import Submitter
from starter.reports.reconciliation import reconcile_day
from tests.e2e.helpers import new_id, submit_and_wait
from tests.factories import make_sale, sale_line
from tests.finance.cli import tillsync

pytestmark = [pytest.mark.erp, pytest.mark.temporal]

STORE, DAY = "S202", date(2025, 9, 18)


async def test_reconciliation_finds_a_missing_receipt_and_a_tender_difference(
    daily_submitter: Submitter, client: Client, daily_settings: Settings, tmp_path: Path
) -> None:
    card_sales = [
        make_sale(
            new_id(),
            [sale_line(1, "100005", "2", "1.20")],
            store_id=STORE,
            receipt_number=number,
            business_date=DAY,
        )
        for number in (1, 2, 4)
    ]
    for txn in card_sales:
        assert (await submit_and_wait(daily_submitter, client, txn)).outcome is Outcome.POSTED
    booked = await run_daily_posting(client, daily_settings.task_queue, STORE, through=DAY)
    assert [batch.ticket_count for batch in booked.batches] == [3]

    late_cash = make_sale(
        new_id(),
        [sale_line(1, "100001", "1", "3.60"), sale_line(2, "100005", "1", "1.20")],
        store_id=STORE,
        receipt_number=5,
        business_date=DAY,
        tenders=[{"type": "cash", "amount": "5.00", "change": "0.20"}],
    )
    assert (await submit_and_wait(daily_submitter, client, late_cash)).outcome is Outcome.POSTED

    html, csv_file = tmp_path / "reconcile.html", tmp_path / "reconcile.csv"
    code, text = await tillsync(
        daily_settings,
        client,
        "reconcile",
        "--date",
        DAY.isoformat(),
        "--store",
        STORE,
        "--html",
        str(html),
        "--csv",
        str(csv_file),
    )

    assert code == 0
    [day] = (await reconcile_day(daily_settings, DAY, STORE)).days
    assert day.receipt_gaps == [ReceiptGap(store_id=STORE, terminal_id="T1", missing=[3])]
    differences = {item.metric: item for item in day.differences}
    cash = differences["tender cash"]
    assert (cash.pos, cash.erp, cash.behind) == (
        Decimal("4.80"),
        Decimal(0),
        [late_cash.transaction_id],
    )
    assert "tender card" not in differences, "the card tenders were all booked"
    assert differences["gross"].behind == [late_cash.transaction_id]
    assert (day.pos.count, day.erp.count) == (4, 3)

    assert "missing 3" in text and "tender cash" in text and late_cash.transaction_id in text
    rows = list(csv.DictReader(io.StringIO(csv_file.read_text())))
    [cash_row] = [row for row in rows if row["figure"] == "tender cash"]
    assert (cash_row["pos"], cash_row["erp"], cash_row["difference"]) == ("4.80", "0.00", "4.80")
    assert (cash_row["status"], cash_row["behind"]) == ("differs", late_cash.transaction_id)
    [card_row] = [row for row in rows if row["figure"] == "tender card"]
    assert (card_row["pos"], card_row["erp"], card_row["status"]) == ("7.20", "7.20", "ok")
    [gap_row] = [row for row in rows if row["figure"] == "missing receipts T1"]
    assert gap_row["behind"] == "3"
    page = html.read_text()
    assert f"<h2>Store {STORE}, {DAY}" in page
    assert "<tr class='differs'><td>tender cash</td><td>4.80</td><td>0.00</td>" in page
    assert "receipts 3 never arrived" in page

    # The next run books the late ticket as the day's second posting: POS and ERP agree.
    supplement = await run_daily_posting(client, daily_settings.task_queue, STORE, through=DAY)
    assert [(batch.key, batch.ticket_count) for batch in supplement.batches] == [
        (f"daily-{STORE}-{DAY}-2", 1)
    ]
    [settled] = (await reconcile_day(daily_settings, DAY, STORE)).days
    assert settled.differences == []
    assert settled.receipt_gaps == day.receipt_gaps, "receipt 3 still never arrived"


async def test_per_ticket_tenders_are_read_from_the_payments_of_each_invoice(
    submitter: Submitter,
    client: Client,
    finance_settings: Settings,
    tryton_connector: TrytonConnector,
) -> None:
    store, day = "S201", date(2025, 9, 24)
    by_card = make_sale(
        new_id(), [sale_line(1, "100005", "2", "1.20")], store_id=store, business_date=day
    )
    by_cash_and_gift_card = make_sale(
        new_id(),
        [sale_line(1, "100001", "1", "3.60"), sale_line(2, "100005", "1", "1.20")],
        store_id=store,
        receipt_number=2,
        business_date=day,
        tenders=[
            {"type": "gift_card", "amount": "2.00", "reference": "GC-77"},
            {"type": "cash", "amount": "3.00", "change": "0.20"},
        ],
    )
    statuses = [
        await submit_and_wait(submitter, client, txn) for txn in (by_card, by_cash_and_gift_card)
    ]
    assert [status.outcome for status in statuses] == [Outcome.POSTED, Outcome.POSTED]

    [agreed] = (await reconcile_day(finance_settings, day, store)).days
    assert agreed.differences == []
    assert agreed.erp.tenders == {
        "card": Decimal("2.40"),
        "cash": Decimal("2.80"),
        "gift_card": Decimal("2.00"),
    }

    # Finance voids the card payment in the ERP (a chargeback, say): the reversal is read too.
    card_status = statuses[0]
    assert card_status.erp is not None
    await tryton_connector.void_payments_if_present(card_status.erp.reference)

    [voided] = (await reconcile_day(finance_settings, day, store)).days
    differences = {item.metric: item for item in voided.differences}
    assert set(differences) == {"tender card"}
    card = differences["tender card"]
    assert (card.pos, card.erp, card.behind) == (
        Decimal("2.40"),
        Decimal(0),
        [by_card.transaction_id],
    )
