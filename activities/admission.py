"""A ticket's admission in one local activity: its claim, the ERP codes it maps to and the
day its posting lands on, where the hot path asked for each in a step of its own (each step a
marker in the run's history and a round trip through the worker's workflow thread).

What the mapping or the posting plan cannot settle now is left for the saga's own steps,
which retry and park as they always did: an unmapped code travels back as the business failure
the stock stage parks with, and a posting plan the ERP could not give is planned again by the
books.
"""

import asyncio

from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.errors import failure_in
from activities.finance import FinanceActivities, PostingPlanRequest
from activities.store import ClaimOutcome, StoreActivities
from connectors.erp.errors import ErpError
from domain.mapping import TransactionMapping
from domain.outcomes import BusinessFailure, Submission
from domain.periods import PostingPlan
from domain.screening import screen_totals

PLAN_WITHIN_SECONDS = 2.0
"""The ERP's periods are cached: a plan that needs the ERP longer than this is the books'."""


class Admission(BaseModel):
    claim: ClaimOutcome
    mapping: TransactionMapping | None = None
    unmapped: BusinessFailure | None = None
    plan: PostingPlan | None = None


class AdmissionActivities:
    def __init__(self, store: StoreActivities, finance: FinanceActivities) -> None:
        self._store = store
        self._finance = finance

    @activity.defn(name="ticket.admit")
    async def admit(self, submission: Submission) -> Admission:
        """Claim the ticket; when this run owns it and will book it, map it and plan its
        posting too."""
        txn = submission.transaction
        claim = await asyncio.to_thread(self._store.claim, submission)
        if not claim.is_owner or not txn.is_complete or screen_totals(txn) is not None:
            return Admission(claim=claim)
        admission = Admission(claim=claim)
        try:
            admission.mapping = await asyncio.to_thread(self._store.resolve_mapping, txn)
        except ApplicationError as refusal:
            admission.unmapped = failure_in(refusal)
            if admission.unmapped is None:
                raise
        try:
            admission.plan = await asyncio.wait_for(
                self._finance.plan_posting(PostingPlanRequest(business_date=txn.business_date)),
                PLAN_WITHIN_SECONDS,
            )
        except (ErpError, TimeoutError) as error:
            activity.logger.info("posting plan left to the books: %s", type(error).__name__)
        return admission
