"""A ticket's admission in one local activity: its claim, the ERP codes it maps to and the
day its posting lands on, where the hot path asked for each in a step of its own (each step a
marker in the run's history and a round trip through the worker's workflow thread). Since
patch ``express-admission`` the same step goes on, when the saga would do the same next, to
reserve the ticket's stock and, for a daily-mode sale, to journal it (domain/hot_path.py): a
sale's whole hot path in one step.

What the admission cannot settle now is left for the saga's own steps, which retry and park as
they always did: an unmapped code travels back as the business failure the stock stage parks
with, a posting plan the ERP could not give is planned again by the books, and a reservation
that failed or took too long is made again by the stock stage under the same reference (the
ERP finds the one booked; a refusal is refused again, and parks).
"""

import asyncio
from datetime import UTC, datetime
from typing import NamedTuple

from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.erp import ErpActivities
from activities.errors import failure_in
from activities.finance import FinanceActivities
from activities.store import (
    ClaimOutcome,
    OutcomeRecord,
    StoreActivities,
    claim_in,
    unmapped_failure,
)
from connectors.erp.errors import ErpError
from domain.erp_order import ErpOrder, ErpOrderRefs
from domain.hot_path import journaled_once_reserved, names_originals
from domain.mapping import MissingMappings, TransactionMapping
from domain.order_plan import plan_erp_order
from domain.outcomes import BusinessFailure, Outcome, Submission
from domain.periods import DateRange, PostingPlan
from domain.screening import screen_totals
from domain.transaction import PosTransaction
from store.db import session_scope
from store.mappings import resolve_mapping

PLAN_WITHIN_SECONDS = 2.0
"""The ERP's periods are cached: a plan that needs the ERP longer than this is the books'."""
RESERVE_WITHIN_SECONDS = 2.0
"""A reservation the ERP has not answered by then is the stock stage's, which waits for the
same one (the worker's batcher keys it by its reference) without holding the workflow task."""


class Admission(BaseModel):
    claim: ClaimOutcome
    mapping: TransactionMapping | None = None
    unmapped: BusinessFailure | None = None
    plan: PostingPlan | None = None
    reserved_under: str | None = Field(
        default=None,
        description="ticket.admit_and_reserve: the reference it sent a reservation under",
    )
    reservation: ErpOrderRefs | None = Field(
        default=None, description="what the ERP reserved (neither this nor a refusal: no answer)"
    )
    refusal: BusinessFailure | None = Field(
        default=None, description="the ERP refused the reservation (it parks the stock stage)"
    )
    reserved_at: datetime | None = None
    reserved_codes: list[str] = Field(
        default_factory=list, description="the ERP product codes it reserved or tried to"
    )
    journaled: bool = Field(
        default=False, description="ticket.admit_and_reserve journaled the sale posted"
    )


class AdmissionRequest(BaseModel):
    submission: Submission
    reference: str = Field(description="the ERP reference of the run's first attempt")


class _StoreReads(NamedTuple):
    claim: ClaimOutcome
    mapping: TransactionMapping | MissingMappings | None
    closing: list[DateRange]


class AdmissionActivities:
    def __init__(
        self, store: StoreActivities, finance: FinanceActivities, erp: ErpActivities
    ) -> None:
        self._store = store
        self._finance = finance
        self._erp = erp

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

    @activity.defn(name="ticket.admit_and_reserve")
    async def admit_and_reserve(self, request: AdmissionRequest) -> Admission:
        """``admit``; then, if the stock stage would reserve the ticket next, reserve it under
        the request's reference; then, if the books would journal it next, journal it."""
        admission = await self.admit(request.submission)
        txn = request.submission.transaction
        if admission.mapping is None or names_originals(txn):
            return admission
        order = plan_erp_order(txn, admission.mapping, request.reference)
        admission.reserved_under = request.reference
        admission.reserved_codes = sorted({line.product_code for line in order.product_lines})
        try:
            reservation = await asyncio.wait_for(self._erp.reserve(order), RESERVE_WITHIN_SECONDS)
        except Exception as error:
            admission.refusal = _refusal_in(error)
            if admission.refusal is None:  # slow, down: the stock stage's own step retries
                activity.logger.info("reservation left to the stock stage: %r", error)
            return admission
        admission.reservation, admission.reserved_at = reservation, datetime.now(UTC)
        if self._journals_at_once(order, admission):
            admission.journaled = await self._journal_posted(txn, order, admission)
        return admission

    @staticmethod
    def _journals_at_once(order: ErpOrder, admission: Admission) -> bool:
        """The books would journal it next: nothing for people to review came of the
        reservation (the saga records that first)."""
        reservation = admission.reservation
        return (
            admission.plan is not None
            and journaled_once_reserved(order, admission.plan.mode)
            and reservation is not None
            and not reservation.reserved_beyond_stock
            and reservation.unknown_customer is None
        )

    async def _journal_posted(
        self, txn: PosTransaction, order: ErpOrder, admission: Admission
    ) -> bool:
        """The journal row the saga would write for the sale; False (the saga writes it) when
        the store refused it."""
        assert admission.plan is not None, "a journaled sale was planned"
        record = OutcomeRecord(
            transaction=txn,
            outcome=Outcome.POSTED,
            refs=admission.reservation,
            order=order,
            posting_mode=admission.plan.mode,
            reserved_at=admission.reserved_at,
        )
        try:
            await asyncio.to_thread(self._store.record_outcome, record)
        except SQLAlchemyError as error:
            activity.logger.info("journal left to the saga: %s", type(error).__name__)
            return False
        return True

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


def _refusal_in(error: Exception) -> BusinessFailure | None:
    """The business failure of a refusal no retry would change (ErpActivities.reserve's)."""
    if isinstance(error, ApplicationError) and error.non_retryable:
        return failure_in(error)
    return None
