"""Receipt-gap activities: review a terminal's receipt sequence and keep its exception current."""

from datetime import UTC, datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import Engine
from temporalio import activity

from domain.receipts import GapReview, TerminalRef, review_receipts
from store.db import session_scope
from store.receipts import receipts_seen, sync_gap_exception


class GapReviewRequest(BaseModel):
    terminal: TerminalRef
    as_of: datetime
    """The workflow's clock: what counts as overdue is decided in workflow time."""


class ReceiptActivities:
    def __init__(self, engine: Engine, grace: timedelta) -> None:
        self._engine = engine
        self._grace = grace

    @activity.defn(name="receipts.review_gaps")
    def review_gaps(self, request: GapReviewRequest) -> GapReview:
        """Open, update or resolve the terminal's receipt_gap exception; say what is missing."""
        with session_scope(self._engine) as session:
            review = review_receipts(
                receipts_seen(session, request.terminal), now=request.as_of, grace=self._grace
            )
            sync_gap_exception(session, request.terminal, review, datetime.now(UTC))
        return review
