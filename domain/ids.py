"""Workflow ids and ERP references, built and read in one place, unambiguous whatever the ids
a till sends (any printable character, domain/fields.py).

A transaction's workflow id is ``pos:<store>:<terminal>:<transaction>``. In each part ``%``
becomes ``%25``, ``:`` ``%3A`` and ``~`` ``%7E``, so that ``:`` only ever separates parts and
``~`` never appears: store ``S001``, terminal ``X:T1`` and store ``S001:X``, terminal ``T1``
get different ids, while the ``-`` of everyday ids (``S001-T1-001001``) reads as it is. Runs
started before this format (``pos-<store>-<terminal>-<transaction>``, ambiguous when a part
held ``-``) keep their ids and references (``workflow.patched``); the store's claim per
(store, terminal, transaction) still finds a ticket replayed across the change a duplicate.

An ERP reference is the run's workflow id, then ``~<attempt>`` from the second attempt on: a
retry after compensation books anew under a new key (the first attempt's documents were
released, not deleted), a replay or reset of an attempt reuses its key.
"""

TICKET_REFERENCE_PREFIXES = ("pos:", "pos-")
"""Every ticket's ERP reference starts with one of these (``pos-``: runs of the old format)."""

_ESCAPED = str.maketrans({"%": "%25", ":": "%3A", "~": "%7E"})
_ATTEMPT = "~"


def _part(value: str) -> str:
    return value.translate(_ESCAPED)


def length_in_an_id(value: str) -> int:
    """The characters ``value`` takes as a part of a workflow id, escaped."""
    return len(_part(value))


def transaction_workflow_id(store_id: str, terminal_id: str, transaction_id: str) -> str:
    return f"pos:{_part(store_id)}:{_part(terminal_id)}:{_part(transaction_id)}"


def legacy_workflow_id(store_id: str, terminal_id: str, transaction_id: str) -> str:
    """The id before this format: runs started under it keep it and its ERP references."""
    return f"pos-{store_id}-{terminal_id}-{transaction_id}"


def erp_reference(workflow_id: str, attempt: int) -> str:
    """The idempotency key of one saga attempt of the ticket whose workflow id this is (never
    a run id: a ticket started again under another id books under the same references)."""
    return workflow_id if attempt == 1 else f"{workflow_id}{_ATTEMPT}{attempt}"


def workflow_of_reference(reference: str) -> str:
    """The workflow id an ERP reference was booked under, whatever its attempt."""
    return reference.split(_ATTEMPT, 1)[0]


STOCK_EVENT_PREFIXES = ("transfer_dispatch:", "transfer_receipt:", "purchase_receipt:")


def stock_event_workflow_id(event_type: str, store_id: str, event_id: str) -> str:
    """``<event type>:<store>:<event>``: a stock event's run, parts escaped like a ticket's."""
    return f"{event_type}:{_part(store_id)}:{_part(event_id)}"


def transfer_reference(from_store_id: str, transfer_id: str) -> str:
    """The ERP reference of a transfer, shared by its dispatch and its receipt."""
    return f"transfer:{_part(from_store_id)}:{_part(transfer_id)}"


def purchase_receipt_reference(store_id: str, event_id: str) -> str:
    """The ERP reference of the supplier shipment a purchase receipt books."""
    return f"po-receipt:{_part(store_id)}:{_part(event_id)}"


def is_ticket_reference(reference: str) -> bool:
    """Whether an ERP reference is a ticket's (not a consolidated batch's or another system's)."""
    return reference.startswith(TICKET_REFERENCE_PREFIXES)
