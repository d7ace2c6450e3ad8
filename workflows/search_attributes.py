"""Search attributes that make runs findable in the Temporal UI. No personal data here:
search attributes are never encrypted."""

from datetime import UTC, datetime, time

from temporalio.common import SearchAttributeKey, TypedSearchAttributes

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
            STORE_ID.value_set(txn.store_id),
            TERMINAL_ID.value_set(txn.terminal_id),
            TXN_KIND.value_set(txn.kind.value),
            BUSINESS_DATE.value_set(datetime.combine(txn.business_date, time(0), tzinfo=UTC)),
            SYNC_STAGE.value_set("received"),
        ]
    )
