"""The books of a ticket booked as a Tryton sale: its invoice posted on the posting date, the
tenders paid against it, and the undoing of both (TrytonConnector's post, pay and their
compensations)."""

import asyncio
from datetime import date

from connectors.erp.errors import ErpRejected, ErpUnavailable
from connectors.erp.tryton.client import TrytonClient
from connectors.erp.tryton.documents import INVOICE_FIELDS, InvoiceRecord
from connectors.erp.tryton.invoicing import InvoiceTaxes
from connectors.erp.tryton.numbering import invoice_numbering_date
from connectors.erp.tryton.payments import InvoicePayments
from connectors.erp.tryton.sales import TrytonSales
from connectors.erp.tryton.states import CANCELLED, DRAFT_INVOICE_STATES, STANDING_INVOICE_STATES
from domain.erp_order import ErpOrderRefs, ErpPayment, ErpPostingResult

_NUMBERING_ATTEMPTS = 3
_NUMBERED_AFTER = "you must set an invoice date after"  # Tryton's msg_invoice_number_after


class InvoicePosting:
    def __init__(
        self, client: TrytonClient, sales: TrytonSales, invoice_taxes: InvoiceTaxes
    ) -> None:
        self._rest = client.rest
        self._company_id = client.company_id
        self._sales = sales
        self._invoice_taxes = invoice_taxes
        self._payments = InvoicePayments(client.rest, client.rpc, client.company_id)
        self._posting = asyncio.Lock()

    async def post(self, reference: str, posting_date: date) -> ErpPostingResult:
        sale = await self._sales.require(reference)
        invoice = sale.invoice
        if invoice is None:
            raise ErpRejected(f"sale {sale.number} for {reference} has no invoice to post")
        if invoice.state == CANCELLED:
            raise ErpRejected(f"the invoice of {reference} was cancelled")
        if invoice.state in DRAFT_INVOICE_STATES:
            # Tryton numbers the company's invoices one at a time (its strict sequence is
            # locked until the post commits; the others get 503): this worker's posts queue
            # here rather than compete for it.
            async with self._posting:
                invoice = await self._post_invoice(invoice.id, posting_date)
        reconciliation = await self._invoice_taxes.booked_figures(invoice.id)
        return ErpPostingResult(
            refs=sale.refs(reference, invoice),
            net_total=invoice.untaxed_amount,
            tax_total=invoice.tax_amount,
            gross_total=invoice.total_amount,
            tax_adjustment=reconciliation.tax_adjustment,
            reconciliation=reconciliation,
        )

    async def _post_invoice(self, invoice_id: int, posting_date: date) -> InvoiceRecord:
        """Date and post a draft invoice. Another worker may number an invoice dated later
        between choosing the date and posting: Tryton refuses, and the date is chosen again."""
        for attempt in range(1, _NUMBERING_ATTEMPTS + 1):
            dates = {
                "invoice_date": await invoice_numbering_date(
                    self._rest, self._company_id, posting_date
                ),
                "accounting_date": posting_date,
            }
            await self._rest.write("account.invoice", invoice_id, dates)
            try:
                posted = await self._rest.click(
                    "account.invoice", invoice_id, "post", INVOICE_FIELDS
                )
            except ErpRejected as refusal:
                if attempt < _NUMBERING_ATTEMPTS and _NUMBERED_AFTER in str(refusal):
                    continue
                raise
            return InvoiceRecord.parse(posted)
        raise AssertionError("unreachable")

    async def pay(self, reference: str, payments: list[ErpPayment]) -> ErpOrderRefs:
        """Record the till's tenders as payments of the posted invoice, each on its tender
        type's account; the invoice ends paid. Idempotent."""
        sale = await self._sales.require(reference)
        invoice = sale.invoice
        if invoice is None or invoice.state not in STANDING_INVOICE_STATES:
            raise ErpRejected(f"the invoice of {reference} must be posted before it is paid")
        await self._payments.pay(reference, invoice.id, payments)
        return (await self._sales.read(sale.id)).refs(reference)

    async def void_payments_if_present(self, reference: str) -> None:
        """Undo ``pay``: reverse the tenders' payments; the invoice is posted and unpaid."""
        sale = await self._sales.find(reference)
        for invoice in sale.invoices if sale else []:
            if invoice.state in STANDING_INVOICE_STATES:
                await self._payments.void_if_present(reference, invoice.id)

    async def cancel_posting_if_present(self, reference: str) -> None:
        """Also voids the invoice's payments first: a paid invoice cannot be cancelled."""
        sale = await self._sales.find(reference)
        for invoice in sale.invoices if sale else []:
            if invoice.state in STANDING_INVOICE_STATES:
                await self._payments.void_if_present(reference, invoice.id)
                cancelled = await self._rest.click("account.invoice", invoice.id, "cancel")
                if cancelled["state"] != CANCELLED:  # Tryton skips an invoice still paid
                    raise ErpUnavailable(
                        f"Tryton left the invoice of {reference} {cancelled['state']}"
                    )
