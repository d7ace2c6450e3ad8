"""A ticket's admission in one local activity: its claim, the ERP codes it maps to and the
day its posting lands on, where the hot path asked for each in a step of its own (each step a
marker in the run's history and a round trip through the worker's workflow thread).

What the mapping or the posting plan cannot settle now is left for the saga's own steps,
which retry and park as they always did: an unmapped code travels back as the business failure
the stock stage parks with, and a posting plan the ERP could not give is planned again by the
books.
"""

import asyncio
from typing import NamedTuple

from pydantic import BaseModel
from temporalio import activity

from activities.finance import FinanceActivities
from activities.store import ClaimOutcome, StoreActivities, claim_in, unmapped_failure
from connectors.erp.errors import ErpError
from domain.mapping import MissingMappings, TransactionMapping
from domain.outcomes import BusinessFailure, Submission
from domain.periods import DateRange, PostingPlan
from domain.screening import screen_totals
from store.db import session_scope
from store.mappings import resolve_mapping

PLAN_WITHIN_SECONDS = 2.0
"""The ERP's periods are cached: a plan that needs the ERP longer than this is the books'."""


class Admission(BaseModel):
    claim: ClaimOutcome
    mapping: TransactionMapping | None = None
    unmapped: BusinessFailure | None = None
    plan: PostingPlan | None = None


class _StoreReads(NamedTuple):
    claim: ClaimOutcome
    mapping: TransactionMapping | MissingMappings | None
    closing: list[DateRange]


class AdmissionActivities:
    def __init__(self, store: StoreActivities, finance: FinanceActivities) -> None:
        self._store = store
        self._finance = finance

    @activity.defn(name="ticket.admit")
    async def admit(self, submission: Submission) -> Admission:
        """Claim the ticket; when this run owns it and will book it, map it and plan its
        posting too."""
        txn = submission.transaction
        reads = await asyncio.to_thread(self._in_store, submission)
        admission = Admission(claim=reads.claim)
        if reads.mapping is None:
            return admission
        if isinstance(reads.mapping, TransactionMapping):
            admission.mapping = reads.mapping
        else:
            admission.unmapped = unmapped_failure(txn, reads.mapping)
        try:
            admission.plan = await asyncio.wait_for(
                self._finance.plan_within(txn.business_date, reads.closing), PLAN_WITHIN_SECONDS
            )
        except (ErpError, TimeoutError) as error:
            activity.logger.info("posting plan left to the books: %s", type(error).__name__)
        return admission

    def _in_store(self, submission: Submission) -> _StoreReads:
        """The claim, then (a booking run's) the mapping and the closing marks, in one store
        transaction: the claim's write first, so that SQLite takes its lock before reading."""
        txn = submission.transaction
        with session_scope(self._store.engine) as session:
            claim = claim_in(session, submission)
            if not claim.is_owner or not txn.is_complete or screen_totals(txn) is not None:
                return _StoreReads(claim, None, [])
            return _StoreReads(
                claim,
                resolve_mapping(session, txn),
                self._finance.closing_ranges_in(session, txn.business_date),
            )
