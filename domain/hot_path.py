"""When a ticket's run goes straight from its claim to the books: the rules its saga follows
(workflows/ticket_stages.py), stated once for it and for the admission that runs ahead of it
in the same step when they hold (activities/admission.py)."""

from domain.erp_order import ErpOrder
from domain.periods import PostingMode
from domain.transaction import PosTransaction


def names_originals(txn: PosTransaction) -> bool:
    """A line returns goods of a named sale: the run looks the original up in the journal, and
    an offline till's return may have to wait for it."""
    return any(line.return_of for line in txn.lines)


def journaled_once_reserved(order: ErpOrder, mode: PostingMode) -> bool:
    """A daily-mode sale that returns nothing is journaled as soon as it is reserved: the day's
    consolidated posting issues its stock with the money."""
    return mode is not PostingMode.PER_TRANSACTION and order.returns_nothing
