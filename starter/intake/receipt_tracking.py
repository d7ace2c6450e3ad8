"""Note each receipt number that arrives and wake the terminal's gap watcher when it matters."""

import asyncio
import logging
from datetime import UTC, datetime

from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.service import RPCError

from domain.receipts import TerminalRef
from store.db import session_scope
from store.receipts import record_receipt
from workflows.receipt_gaps import ReceiptGapsWorkflow

log = logging.getLogger(__name__)


class ReceiptTracker:
    def __init__(self, client: Client, engine: Engine, task_queue: str) -> None:
        self._client = client
        self._engine = engine
        self._task_queue = task_queue

    async def seen(self, terminal: TerminalRef, receipt_number: int, transaction_id: str) -> None:
        """Record the number; if it is out of sequence, signal (or start) the gap watcher."""
        out_of_sequence = await asyncio.to_thread(
            self._record, terminal, receipt_number, transaction_id
        )
        if not out_of_sequence:
            return
        try:
            await self._client.start_workflow(
                ReceiptGapsWorkflow.run,
                terminal,
                id=terminal.watcher_id,
                task_queue=self._task_queue,
                start_signal="receipt_seen",
            )
        except RPCError as error:
            # The number is recorded; the next out-of-sequence receipt of this terminal (or
            # the watcher's own timer) reviews the gaps again.
            log.warning("could not wake the receipt-gap watcher %s: %s", terminal.watcher_id, error)

    def _record(self, terminal: TerminalRef, receipt_number: int, transaction_id: str) -> bool:
        with session_scope(self._engine) as session:
            return record_receipt(
                session, terminal, receipt_number, transaction_id, datetime.now(UTC)
            )
