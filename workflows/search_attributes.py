"""Search attributes that make runs findable in the Temporal UI. No personal data here:
search attributes are never encrypted."""

from datetime import UTC, datetime, time

from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

from domain.transaction import PosTransaction

STORE_ID = SearchAttributeKey.for_keyword("StoreId")
TERMINAL_ID = SearchAttributeKey.for_keyword("TerminalId")
TXN_KIND = SearchAttributeKey.for_keyword("TxnKind")
BUSINESS_DATE = SearchAttributeKey.for_datetime("BusinessDate")
SYNC_STAGE = SearchAttributeKey.for_keyword("SyncStage")
EXCEPTION_KIND = SearchAttributeKey.for_keyword("ExceptionKind")

ALL = (STORE_ID, TERMINAL_ID, TXN_KIND, BUSINESS_DATE, SYNC_STAGE, EXCEPTION_KIND)


def initial_attributes(txn: PosTransaction) -> TypedSearchAttributes:
    """What a run is born with; the workflow keeps SyncStage and ExceptionKind up to date."""
    return TypedSearchAttributes(
        [
            SearchAttributePair(STORE_ID, txn.store_id),
            SearchAttributePair(TERMINAL_ID, txn.terminal_id),
            SearchAttributePair(TXN_KIND, txn.kind.value),
            SearchAttributePair(
                BUSINESS_DATE, datetime.combine(txn.business_date, time(0), tzinfo=UTC)
            ),
            SearchAttributePair(SYNC_STAGE, "received"),
        ]
    )
