"""What the model accepts fits the store on both backends: the longest keys (escaped into the
workflow id and the ERP reference of a late attempt), the largest receipt number and amounts.
On PostgreSQL an overflow would fail the run's store step on every retry."""

from datetime import UTC, datetime
from decimal import Decimal

from pydantic import ValidationError
from sqlalchemy import Engine

from domain.erp_order import ErpOrderRefs
from domain.ids import erp_reference
from domain.limits import MAX_CODE_LENGTH, MAX_SEQUENCE_NUMBER
from domain.outcomes import ExceptionKind, Outcome
from domain.receipts import TerminalRef
from domain.transaction import PosTransaction
from store.claims import ClaimKey, claim_transaction, count_duplicates, record_duplicate
from store.db import session_scope
from store.exceptions import list_exceptions, open_exception
from store.journal import find_entry, record_outcome
from store.receipts import record_receipt
from tests.factories import make_sale, sale_line

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
LARGEST_PRICE = "9999999999.99"


def _largest_ticket() -> PosTransaction:
    """The ticket with the most ``:`` (each escaped to three characters in its workflow id) in
    its store, terminal and transaction ids that the model accepts, and the largest numbers."""
    for length in range(MAX_CODE_LENGTH, 0, -1):
        key = "x" + ":" * (length - 1)
        try:
            return make_sale(
                key,
                [sale_line(1, "100001", "1", LARGEST_PRICE)],
                store_id=key,
                terminal_id=key,
                receipt_number=MAX_SEQUENCE_NUMBER,
            )
        except ValidationError:
            continue
    raise AssertionError("no key accepted")


def test_the_longest_ids_and_largest_numbers_accepted_are_stored(store_engine: Engine) -> None:
    txn = _largest_ticket()
    key = ClaimKey(txn.store_id, txn.terminal_id, txn.transaction_id)
    late_attempt = erp_reference(txn.workflow_id, 999)

    with session_scope(store_engine) as session:
        claim_transaction(
            session, key, workflow_id=txn.workflow_id, submission_id="s", payload_hash="h", now=NOW
        )
        record_duplicate(session, key, txn.workflow_id, NOW, detected_by="starter")
        open_exception(
            session,
            kind=ExceptionKind.ERP_REJECTED,
            store_id=txn.store_id,
            terminal_id=txn.terminal_id,
            transaction_id=txn.transaction_id,
            workflow_id=txn.workflow_id,
            message="refused",
            now=NOW,
        )
        record_outcome(
            session, txn, outcome=Outcome.POSTED, refs=ErpOrderRefs(reference=late_attempt), now=NOW
        )
        terminal = TerminalRef(store_id=txn.store_id, terminal_id=txn.terminal_id)
        record_receipt(session, terminal, MAX_SEQUENCE_NUMBER, txn.transaction_id, NOW)

    with session_scope(store_engine) as session:
        entry = find_entry(session, txn.workflow_id)
        assert entry is not None
        assert (entry.erp_reference, entry.receipt_number) == (late_attempt, MAX_SEQUENCE_NUMBER)
        assert entry.gross_total == Decimal(LARGEST_PRICE)
        assert count_duplicates(session, key) == 1
        (exception,) = list_exceptions(session, store_id=txn.store_id)
        assert exception.workflow_id == txn.workflow_id
