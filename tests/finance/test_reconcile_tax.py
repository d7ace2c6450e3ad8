"""Tax per tax on the ERP side, read back from Tryton: an invoice's taxes and a consolidated
entry's tax lines by the ERP tax (VAT20, VAT0: the names the tills' codes map to), so a day is
compared tax by tax, and a tax difference names the tax and the ticket behind it."""

from datetime import date
from decimal import Decimal

import pytest
from temporalio.client import Client

from domain.outcomes import Outcome
from domain.settings import Settings
from starter.control.daily_posting import run_daily_posting
from starter.intake.submission import Submitter
from starter.reports.reconciliation import reconcile_day
from tests.e2e.helpers import new_id, submit_and_wait
from tests.factories import make_sale, sale_line

pytestmark = [pytest.mark.erp, pytest.mark.temporal]

STORE = "S203"


def two_tax_lines() -> list[dict[str, object]]:
    """Biscuits at VAT20 (0.40 of 2.40), mugs zero-rated (UK-ZERO maps to VAT0)."""
    return [
        sale_line(1, "100005", "2", "1.20"),
        sale_line(2, "100003", "1", "2.40", rate="0", tax_code="UK-ZERO"),
    ]


async def test_per_ticket_invoices_show_tax_by_the_erp_tax(
    submitter: Submitter, client: Client, finance_settings: Settings
) -> None:
    day = date(2025, 9, 29)
    txn = make_sale(new_id(), two_tax_lines(), store_id=STORE, business_date=day)
    assert (await submit_and_wait(submitter, client, txn)).outcome is Outcome.POSTED

    [agreed] = (await reconcile_day(finance_settings, day, STORE)).days

    assert agreed.pos.tax_by_code == {"VAT0": Decimal(0), "VAT20": Decimal("0.40")}
    assert agreed.erp.tax_by_code == {"VAT0": Decimal(0), "VAT20": Decimal("0.40")}
    assert agreed.erp.itemised and agreed.differences == []


async def test_a_late_ticket_is_a_tax_difference_of_its_own_tax(
    daily_submitter: Submitter, client: Client, daily_settings: Settings
) -> None:
    day = date(2025, 9, 30)
    first = make_sale(new_id(), two_tax_lines(), store_id=STORE, business_date=day)
    assert (await submit_and_wait(daily_submitter, client, first)).outcome is Outcome.POSTED
    booked = await run_daily_posting(client, daily_settings.task_queue, STORE, through=day)
    assert [batch.ticket_count for batch in booked.batches] == [1]
    late = make_sale(
        new_id(),
        [sale_line(1, "100001", "1", "3.60")],
        store_id=STORE,
        receipt_number=2,
        business_date=day,
    )
    assert (await submit_and_wait(daily_submitter, client, late)).outcome is Outcome.POSTED

    [day_report] = (await reconcile_day(daily_settings, day, STORE)).days

    erp_tax = {code: amount for code, amount in day_report.erp.tax_by_code.items() if amount}
    assert erp_tax == {"VAT20": Decimal("0.40")}, "the consolidated entry's VAT20 line"
    differences = {item.metric: item for item in day_report.differences}
    vat20 = differences["tax VAT20"]
    assert (vat20.pos, vat20.erp, vat20.behind) == (
        Decimal("1.00"),
        Decimal("0.40"),
        [late.transaction_id],
    )
    assert "tax VAT0" not in differences, "the zero-rated tax agrees"
