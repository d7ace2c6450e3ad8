"""One store's master data sync, run by its Temporal Schedule (or on demand from the CLI):
read what the ERP changed since the store's watermark, then push to the store's webhook what
it has not taken yet.

The push retries with backoff (``publish_attempts`` tries); when every one failed, the
failure is an exception in the store (``till_publish_failed``, owner IT) and the run ends:
nothing is lost, because the store's pushed watermark did not move and the next run sends
the same delta (and more). The next push that succeeds resolves the exception.
"""

from datetime import timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.master_data import (
        MasterDataPushResult,
        MasterDataRead,
        MasterDataReadResult,
        PublishFailure,
    )

MASTER_DATA_WORKFLOW = "MasterDataSync"
_QUICK = timedelta(seconds=30)


class MasterDataSyncRequest(BaseModel):
    store_id: str
    full: bool = False
    publish_attempts: int = 5


class MasterDataSyncResult(BaseModel):
    read: MasterDataReadResult
    pushed: MasterDataPushResult | None = None
    failure: str | None = None


def masterdata_schedule_id(store_id: str) -> str:
    return f"masterdata-{store_id}"


@workflow.defn(name=MASTER_DATA_WORKFLOW)
class MasterDataSyncWorkflow:
    @workflow.run
    async def run(self, request: MasterDataSyncRequest) -> MasterDataSyncResult:
        read = await workflow.execute_activity(
            "masterdata.read",
            MasterDataRead(store_id=request.store_id, full=request.full),
            result_type=MasterDataReadResult,
            start_to_close_timeout=timedelta(minutes=10),
            heartbeat_timeout=timedelta(minutes=1),
            schedule_to_close_timeout=timedelta(hours=1),
        )
        try:
            pushed = await workflow.execute_activity(
                "masterdata.push",
                request.store_id,
                result_type=MasterDataPushResult,
                start_to_close_timeout=timedelta(minutes=2),
                retry_policy=RetryPolicy(
                    initial_interval=timedelta(seconds=2),
                    backoff_coefficient=2.0,
                    maximum_interval=timedelta(minutes=1),
                    maximum_attempts=request.publish_attempts,
                ),
            )
        except ActivityError as error:
            reason = str(error.cause or error)
            await workflow.execute_activity(
                "masterdata.record_failure",
                PublishFailure(store_id=request.store_id, message=reason),
                start_to_close_timeout=_QUICK,
            )
            return MasterDataSyncResult(read=read, failure=reason)
        await workflow.execute_activity(
            "masterdata.resolve_failure", request.store_id, start_to_close_timeout=_QUICK
        )
        return MasterDataSyncResult(read=read, pushed=pushed)
