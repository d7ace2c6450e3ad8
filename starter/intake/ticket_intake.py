"""Where tills' transactions enter tillsync (HTTP ingest, replay): each one starts its workflow,
then its receipt number is noted for receipt-gap detection."""

import logging

from sqlalchemy import Engine
from temporalio.client import Client

from connectors.pos.base import Skipped
from domain.receipts import TerminalRef
from domain.transaction import PosTransaction
from starter.intake.receipt_tracking import ReceiptTracker
from starter.intake.submission import SubmitResult, Submitter

log = logging.getLogger(__name__)


class Intake:
    def __init__(self, client: Client, engine: Engine, task_queue: str) -> None:
        self._submitter = Submitter(client, engine, task_queue)
        self._receipts = ReceiptTracker(client, engine, task_queue)

    async def submit(
        self, txn: PosTransaction, *, track_receipt: bool
    ) -> tuple[SubmitResult, bool]:
        """Start the transaction's workflow (or find it already started); returns the result
        and whether it is new. Raises RPCError when Temporal does not accept the start."""
        result, started = await self._submitter.submit(txn)
        if track_receipt:
            terminal = TerminalRef(store_id=txn.store_id, terminal_id=txn.terminal_id)
            try:
                await self._receipts.seen(terminal, txn.receipt_number, txn.transaction_id)
            except Exception:
                # The workflow runs whatever happens here; the number may show as a gap.
                log.exception(
                    "%s started, but its receipt %s was not noted",
                    txn.workflow_id,
                    txn.receipt_number,
                )
        return result, started

    async def note_skipped(self, skipped: Skipped) -> None:
        """A record that posts nothing (a sign-on) still used up a receipt number."""
        if skipped.store_id and skipped.terminal_id and skipped.receipt_number is not None:
            await self._receipts.seen(
                TerminalRef(store_id=skipped.store_id, terminal_id=skipped.terminal_id),
                skipped.receipt_number,
                skipped.transaction_id or "",
            )
