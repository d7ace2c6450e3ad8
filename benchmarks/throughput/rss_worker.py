"""A tillsync worker process on the in-memory ERP, for measuring its memory from outside:

    python -m benchmarks.throughput.rss_worker --address 127.0.0.1:7233 --task-queue Q \
        --data-dir DIR [--store-url URL]

``worker.build_worker`` with a MemoryErp as connector and books; prints ``ready`` once it
polls, and stops on SIGTERM or SIGINT, or when the process that started it is gone.
"""

import argparse
import asyncio
import contextlib
import os
import signal
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

from temporalio.client import Client

from benchmarks.codec import bench_data_converter
from connectors.erp.memory import MemoryErp
from domain.settings import Settings
from worker import build_worker, exit_without_teardown


async def main(arguments: argparse.Namespace) -> None:
    client = await Client.connect(
        arguments.address, namespace=arguments.namespace, data_converter=bench_data_converter()
    )
    settings = Settings(
        data_dir=Path(arguments.data_dir),
        task_queue=arguments.task_queue,
        store_url=arguments.store_url,
    )
    erp = MemoryErp(default_stock=Decimal(100_000_000))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    parent = os.getppid()
    with ThreadPoolExecutor(max_workers=settings.max_concurrent_activities) as executor:
        async with build_worker(client, settings, erp, erp, executor):
            print("ready", flush=True)
            while not stop.is_set() and os.getppid() == parent:  # never outlive the benchmark
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 1.0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--address", required=True)
    parser.add_argument("--namespace", default="default")
    parser.add_argument("--task-queue", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--store-url", default="")
    asyncio.run(main(parser.parse_args()))
    exit_without_teardown(0)
