"""The invoice date that keeps Tryton's customer invoice numbers chronological.

Tryton refuses to number a customer invoice dated before one already numbered in the same
fiscal year's sequence. A replayed (older) sale therefore takes the latest numbered invoice
date of its fiscal year as its document date, while its accounting date, which decides the
period and the books, stays the posting date.
"""

from datetime import date

from connectors.erp.tryton.rest import TrytonRest


async def invoice_numbering_date(rest: TrytonRest, company_id: int, posting_date: date) -> date:
    """The ``invoice_date`` for a customer invoice of ``company_id`` posted on ``posting_date``."""
    fiscal_years = await rest.search(
        "account.fiscalyear",
        [
            ("company", "=", company_id),
            ("start_date", "<=", posting_date),
            ("end_date", ">=", posting_date),
        ],
        ["end_date"],
    )
    if not fiscal_years:
        return posting_date
    later = await rest.search(
        "account.invoice",
        [
            ("company", "=", company_id),
            ("type", "=", "out"),
            ("number", "!=", None),
            ("invoice_date", ">", posting_date),
            ("invoice_date", "<=", fiscal_years[0]["end_date"]),
        ],
        ["invoice_date"],
        order=[("invoice_date", "DESC")],
        limit=1,
    )
    latest: date = later[0]["invoice_date"] if later else posting_date
    return latest
