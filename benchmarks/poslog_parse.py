"""How POSLog parsing grows with a ticket's size: the shapes that once made it quadratic (voids
matching no sale, summary rewards without detail), at sizes doubling up to the line-item cap
(the largest document is about 1.3 MB). Prints seconds per size and per 1,000 line items: flat
per-item figures mean linear work.

    .venv/bin/python -m benchmarks.poslog_parse [--repeat 3]
"""

import argparse
import time

from starter.intake.formats import SourceFormat, parse_payload
from tests import poslog_builders as poslog

SIZES = (125, 250, 500, 1000, 1333)
"""Sales per ticket (each with a void and a reward: 3 line items); 1,333 is under the cap."""


def _seconds(body: bytes, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        parse_payload(SourceFormat.POSLOG, body, max_bytes=len(body))
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs per size")
    repeat = parser.parse_args().repeat
    print(f"{'sales':>6} {'line items':>10} {'bytes':>10} {'seconds':>8} {'s/1000 items':>12}")
    for sales in SIZES:
        body = poslog.quadratic_day(sales)
        seconds = _seconds(body, repeat)
        items = 3 * sales
        per_thousand = seconds / items * 1000
        print(f"{sales:>6} {items:>10} {len(body):>10} {seconds:>8.3f} {per_thousand:>12.4f}")


if __name__ == "__main__":
    main()
