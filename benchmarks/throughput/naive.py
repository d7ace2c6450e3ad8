"""Phase 1, the naive baseline: closed-loop throughput of the samples-style 5-step saga on its
own task queue and worker, on the same Temporal dev server as everything else, in rounds that
alternate with phase 2's; then, after the first, the floor of a run per ticket: a workflow that
starts and returns, measured the same way."""

import uuid
from collections.abc import Sequence
from typing import Any

from temporalio.worker import Worker

from benchmarks.throughput.cpu_meter import cpu_spent
from benchmarks.throughput.measure import Bench, closed_loop, warm_up
from benchmarks.throughput.naive_saga import ACTIVITIES, STEPS, EmptyRunWorkflow, NaiveSagaWorkflow

TASK_QUEUE = "bench-naive"


async def run_naive(bench: Bench, round_: int = 0) -> None:
    print(
        f"\n== 1. Naive baseline: {len(STEPS)} activities in sequence, each returning at once"
        f" (round {round_ + 1} of {bench.counts.rounds})"
    )
    rate, line, cpu = await _closed_loop_rate(bench, NaiveSagaWorkflow, ACTIVITIES, len(STEPS))
    best = bench.best_round("naive_rate", rate, round_)
    print(f"  closed loop, {line} = {rate:.1f} workflows/s (best round {best:.1f})\n{cpu}")
    if round_ > 0:
        return
    # What one workflow per ticket costs before it does anything: the ceiling of any such
    # design's throughput on this box.
    floor, line, cpu = await _closed_loop_rate(bench, EmptyRunWorkflow, [], None)
    bench.figures["floor_rate"] = floor
    print(
        f"  the floor of a run per ticket (a workflow that starts and returns), {line}"
        f" = {floor:.1f} workflows/s = {floor / rate:.2f}x this naive round\n{cpu}"
    )


async def _closed_loop_rate(
    bench: Bench, workflow: Any, activities: Sequence[Any], steps: int | None
) -> tuple[float, str, str]:
    """Workflows/s of ``workflow`` (run with its id as argument) at the bench's concurrency,
    a line of what was run, and one of its CPU per run."""
    client = bench.env.client
    count, in_flight = bench.counts.naive, bench.counts.in_flight
    prefix = f"{workflow.__name__}-{bench.run_tag}-{uuid.uuid4().hex[:6]}"

    async def one(number: int) -> None:
        reference = f"{prefix}-{number}"
        result = await client.execute_workflow(
            workflow.run, reference, id=reference, task_queue=TASK_QUEUE
        )
        assert (len(result) if steps is not None else result) == (steps or reference), result

    async with Worker(
        client, task_queue=TASK_QUEUE, workflows=[workflow], activities=list(activities)
    ):
        await warm_up(in_flight, in_flight, lambda number: one(count + number))
        with cpu_spent() as cpu:
            elapsed, _ = await closed_loop(count, in_flight, one)
    ran = f"{in_flight} in flight: {count} workflows in {elapsed:.1f} s"
    return count / elapsed, ran, cpu.per_ticket_line(count)
