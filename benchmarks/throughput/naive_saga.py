"""The naive baseline: a samples-style saga of five remote activities in sequence, each
returning at once (no ERP, no store). Kept apart from the benchmark's driver so the workflow
sandbox imports nothing but this module."""

from datetime import timedelta

from temporalio import activity, workflow

STEPS = ("reserve", "post", "pay", "commit", "journal")


@activity.defn(name="naive.reserve")
async def reserve(reference: str) -> str:
    return f"reserved {reference}"


@activity.defn(name="naive.post")
async def post(reference: str) -> str:
    return f"posted {reference}"


@activity.defn(name="naive.pay")
async def pay(reference: str) -> str:
    return f"paid {reference}"


@activity.defn(name="naive.commit")
async def commit(reference: str) -> str:
    return f"committed {reference}"


@activity.defn(name="naive.journal")
async def journal(reference: str) -> str:
    return f"journaled {reference}"


@activity.defn(name="naive.undo")
async def undo(reference: str) -> str:
    return f"undone {reference}"


ACTIVITIES = [reserve, post, pay, commit, journal, undo]


@workflow.defn(name="NaiveSaga")
class NaiveSagaWorkflow:
    """Each step registers its compensation; a failure would run them newest first."""

    @workflow.run
    async def run(self, reference: str) -> list[str]:
        done: list[str] = []
        compensations: list[str] = []
        try:
            for step in (reserve, post, pay, commit, journal):
                done.append(
                    await workflow.execute_activity(
                        step, reference, start_to_close_timeout=timedelta(seconds=30)
                    )
                )
                compensations.append(reference)
        except Exception:
            for undo_reference in reversed(compensations):
                await workflow.execute_activity(
                    undo, undo_reference, start_to_close_timeout=timedelta(seconds=30)
                )
            raise
        return done


@workflow.defn(name="EmptyRun")
class EmptyRunWorkflow:
    """The floor of any design that gives each ticket a workflow of its own: a run that
    starts and returns, with no activity, no marker and no search attribute."""

    @workflow.run
    async def run(self, reference: str) -> str:
        return reference
