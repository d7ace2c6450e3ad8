"""Timeouts and retry policies of the saga's activities."""

from datetime import timedelta

from temporalio.common import RetryPolicy

# Transient ERP failures (down, 5xx, timeouts) retry with backoff for days: the transaction
# waits rather than being lost. When this runs out the run parks as erp_unavailable.
ERP_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
)
# Long enough for a batch of reservations waiting its turn behind the ERP call cap; a dead
# worker is noticed by the heartbeat (or the workflow task's timeout for local steps) instead.
ERP_START_TO_CLOSE = timedelta(minutes=10)
# ERP activities heartbeat every 2 s: a worker that died mid-call is noticed in seconds.
ERP_HEARTBEAT_TIMEOUT = timedelta(seconds=10)
ERP_SCHEDULE_TO_CLOSE = timedelta(days=7)

# Compensations must eventually succeed: they retry without limit.
COMPENSATION_SCHEDULE_TO_CLOSE = timedelta(days=30)

STORE_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
)
STORE_START_TO_CLOSE = timedelta(seconds=60)
STORE_SCHEDULE_TO_CLOSE = timedelta(days=7)
# A local step runs inside the workflow task; the worker keeps that task alive meanwhile.
LOCAL_START_TO_CLOSE = timedelta(seconds=30)
# How long a step may hold the workflow task before it moves to an activity of its own (one
# attempt, no retries): well inside the 10 s workflow task timeout, whose heartbeat (at 8 s)
# a loaded worker can miss, and the task is then run again, steps and all, by another worker.
LOCAL_BUDGET = timedelta(seconds=5)
LOCAL_ONCE = RetryPolicy(maximum_attempts=1)

# A return replayed before its original sale re-checks the journal with backoff.
ORIGINAL_FIRST_RECHECK = timedelta(seconds=5)
ORIGINAL_MAX_RECHECK = timedelta(minutes=15)
