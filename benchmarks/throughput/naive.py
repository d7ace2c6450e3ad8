"""Phase 1, the naive baseline: closed-loop throughput of the samples-style 5-step saga on its
own task queue and worker, on the same Temporal dev server as everything else; then the floor
of a run per ticket: a workflow that starts and returns, measured the same way."""

import uuid

from temporalio.worker import Worker

from benchmarks.throughput.cpu_meter import cpu_spent
from benchmarks.throughput.measure import Bench, closed_loop, warm_up
from benchmarks.throughput.naive_saga import ACTIVITIES, STEPS, EmptyRunWorkflow, NaiveSagaWorkflow

TASK_QUEUE = "bench-naive"


async def run_naive(bench: Bench) -> None:
    client = bench.env.client
    count, in_flight = bench.counts.naive, bench.counts.in_flight
    prefix = f"naive-{bench.run_tag}-{uuid.uuid4().hex[:6]}"

    async def one(number: int) -> None:
        result = await client.execute_workflow(
            NaiveSagaWorkflow.run,
            f"{prefix}-{number}",
            id=f"{prefix}-{number}",
            task_queue=TASK_QUEUE,
        )
        assert len(result) == len(STEPS), result

    print(f"\n== 1. Naive baseline: {len(STEPS)} activities in sequence, each returning at once")
    async with Worker(
        client, task_queue=TASK_QUEUE, workflows=[NaiveSagaWorkflow], activities=ACTIVITIES
    ):
        await warm_up(in_flight, in_flight, lambda number: one(count + number))
        with cpu_spent() as cpu:
            elapsed, _ = await closed_loop(count, in_flight, one)
    rate = count / elapsed
    bench.figures["naive_rate"] = rate
    print(
        f"  closed loop, {in_flight} in flight: {count} workflows in {elapsed:.1f} s"
        f" = {rate:.1f} workflows/s"
    )
    print(cpu.per_ticket_line(count))
    await run_floor(bench)


async def run_floor(bench: Bench) -> None:
    """What one workflow per ticket costs before it does anything: the ceiling of any such
    design's throughput on this box, against the naive baseline of this run."""
    client = bench.env.client
    count, in_flight = bench.counts.naive, bench.counts.in_flight
    prefix = f"floor-{bench.run_tag}-{uuid.uuid4().hex[:6]}"

    async def one(number: int) -> None:
        reference = f"{prefix}-{number}"
        result = await client.execute_workflow(
            EmptyRunWorkflow.run, reference, id=reference, task_queue=TASK_QUEUE
        )
        assert result == reference, result

    async with Worker(client, task_queue=TASK_QUEUE, workflows=[EmptyRunWorkflow]):
        await warm_up(in_flight, in_flight, lambda number: one(count + number))
        with cpu_spent() as cpu:
            elapsed, _ = await closed_loop(count, in_flight, one)
    rate = count / elapsed
    bench.figures["floor_rate"] = rate
    print(
        f"  the floor of a run per ticket (a workflow that starts and returns), {in_flight} in"
        f" flight: {count} in {elapsed:.1f} s = {rate:.1f} workflows/s"
        f" = {rate / bench.figures['naive_rate']:.2f}x the naive baseline"
    )
    print(cpu.per_ticket_line(count))
