"""The closing table: each target, the figure this run measured, and whether it was met.

Nothing is judged but what this run measured; a phase that did not run (``--only``), was
skipped or failed reads "not measured". Under ``--quick`` or ``--backlog`` the counts are
scaled down, which the table says beside the figure.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.throughput.measure import Bench, Counts

MEMORY_VS_NAIVE = 2.0
RESERVED_P99_SECONDS = 0.300
TRYTON_RATE = 10.0
TRYTON_RESERVED_P99_SECONDS = 2.0
RSS_MB = 300.0
FULL = Counts()


@dataclass
class Row:
    target: str
    needs: tuple[str, ...]
    measured: Callable[[dict[str, float]], str]
    met: Callable[[dict[str, float]], bool]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _rows() -> list[Row]:
    rows = [
        Row(
            f"in-memory >= {MEMORY_VS_NAIVE:g}x naive baseline throughput",
            ("memory_rate", "naive_rate"),
            lambda f: (
                f"{f['memory_rate'] / f['naive_rate']:.2f}x"
                f" ({f['memory_rate']:.1f} vs {f['naive_rate']:.1f}/s, best rounds)"
            ),
            lambda f: f["memory_rate"] / f["naive_rate"] >= MEMORY_VS_NAIVE,
        ),
        Row(
            f"p99 submit->reserved <= {_ms(RESERVED_P99_SECONDS)} at half rate",
            ("memory_open_reserved_p99",),
            lambda f: _ms(f["memory_open_reserved_p99"]),
            lambda f: f["memory_open_reserved_p99"] <= RESERVED_P99_SECONDS,
        ),
    ]
    for backend, label in (("sqlite", "SQLite"), ("postgres", "PostgreSQL")):
        rows.append(_tryton_row(f"{backend}-daily", f"{label}, daily posting"))
        rows.append(_tryton_row(backend, f"{label}, per ticket"))
    rows += [
        Row(
            "backlog drained: 0 lost, 0 posted twice",
            ("backlog_lost", "backlog_twice", "backlog_seconds"),
            lambda f: (
                f"{f['backlog_lost']:.0f} lost, {f['backlog_twice']:.0f} twice,"
                + (
                    f" {f['backlog_seconds']:.0f} s for {f['backlog_count']:.0f}"
                    if math.isfinite(f["backlog_seconds"])
                    else f" not drained ({f['backlog_count']:.0f})"
                )
            ),
            lambda f: (
                f["backlog_lost"] == 0
                and f["backlog_twice"] == 0
                and math.isfinite(f["backlog_seconds"])
            ),
        ),
        Row(
            f"worker RSS <= {RSS_MB:g} MB with {FULL.parked} parked",
            ("rss_mb", "rss_parked"),
            lambda f: f"{f['rss_mb']:.0f} MB with {f['rss_parked']:.0f} parked",
            lambda f: f["rss_mb"] <= RSS_MB,
        ),
    ]
    return rows


def _tryton_row(variant: str, label: str) -> Row:
    rate, p99 = f"tryton_{variant}_rate", f"tryton_{variant}_reserved_p99"

    def measured(f: dict[str, float]) -> str:
        return f"{f[rate]:.2f}/s, p99 {f[p99]:.2f} s"

    def met(f: dict[str, float]) -> bool:
        return f[rate] >= TRYTON_RATE and f[p99] <= TRYTON_RESERVED_P99_SECONDS

    target = (
        f"Tryton ({label}) >= {TRYTON_RATE:g}/s, reserved p99 <= {TRYTON_RESERVED_P99_SECONDS:g} s"
    )
    return Row(target, (rate, p99), measured, met)


def _scaled(bench: Bench, row: Row) -> str:
    counts = bench.counts
    if "backlog_lost" in row.needs and counts.backlog < FULL.backlog:
        return f"  (scaled: target is at {FULL.backlog})"
    if "rss_mb" in row.needs and counts.parked < FULL.parked:
        return f"  (scaled: target is at {FULL.parked})"
    return "  (--quick counts)" if bench.quick else ""


def print_summary(bench: Bench) -> None:
    figures = bench.figures
    print("\n== Summary (every figure measured in this run, on one Temporal dev server)")
    print(f"  {'target':<52} {'measured':<40} result")
    for row in _rows():
        if all(name in figures for name in row.needs):
            measured = row.measured(figures)
            result = ("met" if row.met(figures) else "NOT MET") + _scaled(bench, row)
        else:
            reason = next(
                (note for key, note in bench.notes.items() if key in "/".join(row.needs)),
                "not run",
            )
            measured, result = "-", f"not measured ({reason})"
        print(f"  {row.target:<52} {measured:<40} {result}")
    naive, memory = bench.rounds_of("naive_rate"), bench.rounds_of("memory_rate")
    if len(naive) > 1 or len(memory) > 1:
        print(
            "  closed-loop rounds, alternating: naive baseline"
            f" {', '.join(f'{rate:.1f}' for rate in naive)}/s; in-memory"
            f" {', '.join(f'{rate:.1f}' for rate in memory)}/s"
        )
