"""The two ways daily mode reserves a batch of tickets in Tryton, A/B on one sandbox: through
tillsync's Tryton module (two JSON-RPC requests a batch) and through Tryton's own methods (eight;
what a Tryton without the module gets). Rounds alternate which path goes first, on the same
SQLite sandbox (one gunicorn process), so the box's noise falls on both alike. Prints, a path:
wall milliseconds a batch (median and best), requests a batch, and the Tryton server's CPU
milliseconds a ticket; then the module's figures as ratios of the other path's.

    .venv/bin/python -m benchmarks.reservation_paths [--rounds 12] [--batch 15]

A batch is ``--batch`` fresh 3-line tickets at one store (a lane's batch at peak, as
docs/scaling.md sizes it); stock is counted up first, so no reservation is forced.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

from benchmarks.throughput.cpu_meter import cpu_by_part
from benchmarks.throughput.measure import TODAY, ticket
from benchmarks.throughput.tryton import sqlite_erp
from benchmarks.throughput.tryton_stock import stock_up
from connectors.erp.tryton.client import TrytonClient
from connectors.erp.tryton.ticket_shipments import TicketShipments
from domain.erp_order import ErpOrderRefs
from tests.till_tickets import plan

PATHS = ("module", "client")
ERP_SERVER = "ERP server"


@dataclass
class PathFigures:
    milliseconds: list[float] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    erp_cpu_seconds: float = 0.0
    tickets: int = 0

    def median_ms(self) -> float:
        return statistics.median(self.milliseconds)

    def median_requests(self) -> float:
        return statistics.median(self.requests)

    def erp_cpu_ms_a_ticket(self) -> float:
        return self.erp_cpu_seconds * 1000 / max(self.tickets, 1)


async def _one_batch(
    client: TrytonClient, shipments: TicketShipments, figures: PathFigures, terminal: str, size: int
) -> None:
    numbers = count(figures.tickets + 1)
    orders = [plan(ticket(terminal, next(numbers))) for _ in range(size)]
    sent, cpu = client.requests_sent, cpu_by_part().get(ERP_SERVER, 0.0)
    started = time.perf_counter()
    outcomes = await shipments.reserve(orders)
    figures.milliseconds.append((time.perf_counter() - started) * 1000)
    figures.erp_cpu_seconds += cpu_by_part().get(ERP_SERVER, 0.0) - cpu
    figures.requests.append(client.requests_sent - sent)
    figures.tickets += size
    refused = [outcome for outcome in outcomes if not isinstance(outcome, ErpOrderRefs)]
    if refused:
        raise SystemExit(f"{terminal}: Tryton refused {len(refused)} of {size}: {refused[0]!r}")


async def _measure(rounds: int, size: int) -> dict[str, PathFigures]:
    with tempfile.TemporaryDirectory(prefix="tillsync-reservation-paths-") as folder:
        async with sqlite_erp(Path(folder)) as server:
            info = server.info
            client = info.client(60.0)
            try:
                assert client.rpc is not None, "the sandbox serves JSON-RPC"
                await stock_up(client.rpc, TODAY)
                paths = {path: TicketShipments(client.rpc, client.codes) for path in PATHS}
                paths["module"].with_module = True
                paths["client"].with_module = False
                warm = {path: PathFigures() for path in PATHS}
                for path, shipments in paths.items():
                    await _one_batch(client, shipments, warm[path], f"W{path[0].upper()}", size)
                figures = {path: PathFigures() for path in PATHS}
                for round_ in range(rounds):
                    order = PATHS if round_ % 2 == 0 else PATHS[::-1]
                    for path in order:
                        terminal = f"R{path[0].upper()}"
                        await _one_batch(client, paths[path], figures[path], terminal, size)
            finally:
                await client.aclose()
    return figures


def _report(figures: dict[str, PathFigures], rounds: int, size: int) -> None:
    print(f"{rounds} rounds of a batch of {size} three-line tickets a path, alternating first")
    print(f"{'path':<8}{'median ms':>11}{'best ms':>9}{'requests':>10}{'Tryton CPU ms/ticket':>22}")
    for path, figure in figures.items():
        print(
            f"{path:<8}{figure.median_ms():>11.0f}"
            f"{min(figure.milliseconds):>9.0f}{figure.median_requests():>10.0f}"
            f"{figure.erp_cpu_ms_a_ticket():>22.1f}"
        )
    module, client = figures["module"], figures["client"]
    print(
        "module / client:"
        f" wall {module.median_ms() / client.median_ms():.2f}x,"
        f" requests {module.median_requests() / client.median_requests():.2f}x,"
        f" Tryton CPU {module.erp_cpu_ms_a_ticket() / client.erp_cpu_ms_a_ticket():.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--batch", type=int, default=15)
    arguments = parser.parse_args()
    figures = asyncio.run(_measure(arguments.rounds, arguments.batch))
    _report(figures, arguments.rounds, arguments.batch)


if __name__ == "__main__":
    main()
