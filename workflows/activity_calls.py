"""How workflows call activities: one place for each kind's timeouts, heartbeat and retries.

- ``erp_step``: a forward step that waits on the ERP. It heartbeats, so a dead worker's step
  moves on in seconds; transient failures retry with backoff for days (then the caller parks).
- ``compensation``: an undo in the ERP; it retries for as long as it takes.
- ``store_step``: a (synchronous) write or read of the store's database.
- ``local_step``: a short store step run by the worker that runs the workflow, inside its
  workflow task (no task queue round trip); ``local_erp_step`` the same for an ERP step, with
  the ERP's retries. Once retries grow long they back off on timers.
"""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, TimeoutError

with workflow.unsafe.imports_passed_through():
    from workflows import policies

OwnerT = TypeVar("OwnerT")
ArgT = TypeVar("ArgT")
ResultT = TypeVar("ResultT")


async def erp_step(activity: Callable[[OwnerT, ArgT], Awaitable[ResultT]], arg: ArgT) -> ResultT:
    return await _heartbeating_erp(activity, arg, policies.ERP_SCHEDULE_TO_CLOSE)


async def compensation(activity: Callable[[OwnerT, ArgT], Awaitable[None]], arg: ArgT) -> None:
    await _heartbeating_erp(activity, arg, policies.COMPENSATION_SCHEDULE_TO_CLOSE)


async def _heartbeating_erp(
    activity: Callable[[OwnerT, ArgT], Awaitable[ResultT]],
    arg: ArgT,
    schedule_to_close: timedelta,
) -> ResultT:
    return await workflow.execute_activity_method(
        activity,
        arg,
        start_to_close_timeout=policies.ERP_START_TO_CLOSE,
        heartbeat_timeout=policies.ERP_HEARTBEAT_TIMEOUT,
        schedule_to_close_timeout=schedule_to_close,
        retry_policy=policies.ERP_RETRY,
    )


async def store_step(
    activity: Callable[[OwnerT, ArgT], ResultT] | Callable[[OwnerT, ArgT], Awaitable[ResultT]],
    arg: ArgT,
) -> ResultT:
    return await workflow.execute_activity_method(
        activity,
        arg,
        start_to_close_timeout=policies.STORE_START_TO_CLOSE,
        schedule_to_close_timeout=policies.STORE_SCHEDULE_TO_CLOSE,
        retry_policy=policies.STORE_RETRY,
    )


async def local_step(
    activity: Callable[[OwnerT, ArgT], ResultT] | Callable[[OwnerT, ArgT], Awaitable[ResultT]],
    arg: ArgT,
) -> ResultT:
    return await _local(
        activity,
        arg,
        policies.LOCAL_START_TO_CLOSE,
        policies.STORE_SCHEDULE_TO_CLOSE,
        policies.STORE_RETRY,
    )


async def local_erp_step(
    activity: Callable[[OwnerT, ArgT], Awaitable[ResultT]], arg: ArgT
) -> ResultT:
    """An ERP step inside the workflow task: no round trip through the task queue, at the
    price of no heartbeat (a dead worker is noticed by the workflow task's own timeout)."""
    return await _local(
        activity,
        arg,
        policies.ERP_START_TO_CLOSE,
        policies.ERP_SCHEDULE_TO_CLOSE,
        policies.ERP_RETRY,
    )


async def local_once_then(
    remote: Callable[[Callable[[OwnerT, ArgT], Any], ArgT], Awaitable[ResultT]],
    activity: Callable[[OwnerT, ArgT], ResultT] | Callable[[OwnerT, ArgT], Awaitable[ResultT]],
    arg: ArgT,
) -> ResultT:
    """The step once inside the workflow task (the usual case: no task queue round trip);
    when it has not finished within LOCAL_BUDGET, or failed, the ``remote`` step
    (``erp_step``, ``store_step``), which retries as an activity of its own: a slow or failing
    ERP or store never holds the workflow task. (A local activity's own retries would: its
    schedule-to-close timeout does not end them.) The step must be idempotent: the attempt
    given up may still land. A refusal (a business failure, or any error that no retry would
    change) is the caller's, as it would be from the ``remote`` step."""
    try:
        return await _local(
            activity, arg, policies.LOCAL_BUDGET, policies.LOCAL_BUDGET, policies.LOCAL_ONCE
        )
    except (ActivityError, ApplicationError, TimeoutError) as error:
        # Live, the SDK wraps a local activity's timeout in an ActivityError; replayed from its
        # marker, the timeout comes bare: both must take this branch.
        cause = error.cause if isinstance(error, ActivityError) else error
        if isinstance(cause, ApplicationError) and cause.non_retryable:
            raise
    return await remote(activity, arg)


async def _local(
    activity: Callable[[OwnerT, ArgT], ResultT] | Callable[[OwnerT, ArgT], Awaitable[ResultT]],
    arg: ArgT,
    start_to_close: timedelta,
    schedule_to_close: timedelta,
    retry_policy: RetryPolicy,
) -> ResultT:
    result: ResultT = await workflow.execute_local_activity_method(
        activity,
        arg,
        start_to_close_timeout=start_to_close,
        schedule_to_close_timeout=schedule_to_close,
        retry_policy=retry_policy,
    )
    return result
