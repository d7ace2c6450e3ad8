"""CPU seconds spent by the benchmark's own processes, by part, from /proc (Linux).

A shared, noisy box slows every part's wall clock, but a part's CPU time per ticket moves much
less: it says what a ticket costs the worker, the Temporal server and the ERP, which is what
capacity planning needs (docs/scaling.md). PostgreSQL's backends are the machine's, not ours,
and are not counted."""

import os
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

_PROC = Path("/proc")
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PARTS = ("worker and driver", "Temporal server", "ERP server")


def _part(pid: int, command: str) -> str:
    if pid == os.getpid():
        return PARTS[0]
    if "temporal" in command and "server" in command:
        return PARTS[1]
    if "trytond" in command or "gunicorn" in command:
        return PARTS[2]
    return "other"


def _processes() -> dict[int, tuple[int, float, str]]:
    """Every process: parent pid, CPU seconds (user + system), command line."""
    found: dict[int, tuple[int, float, str]] = {}
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        found[int(entry.name)] = (
            int(fields[1]),
            (int(fields[11]) + int(fields[12])) / _TICKS,
            command,
        )
    return found


def cpu_by_part() -> dict[str, float]:
    """CPU seconds so far of this process and its descendants, summed by part."""
    processes = _processes()
    children: dict[int, list[int]] = defaultdict(list)
    for pid, (parent, _, _) in processes.items():
        children[parent].append(pid)
    totals: dict[str, float] = defaultdict(float)
    pending = [os.getpid()]
    while pending:
        pid = pending.pop()
        if pid in processes:
            _, seconds, command = processes[pid]
            totals[_part(pid, command)] += seconds
        pending.extend(children.get(pid, []))
    return dict(totals)


@dataclass
class CpuSpent:
    seconds: dict[str, float] = field(default_factory=dict)

    def per_ticket_line(self, tickets: int) -> str:
        """CPU ms a ticket, by part (parts that ended during the window are undercounted)."""
        share = max(tickets, 1)
        parts = [
            f"{name} {self.seconds.get(name, 0.0) * 1000 / share:.0f}"
            for name in PARTS
            if name in self.seconds
        ]
        total = sum(self.seconds.values()) * 1000 / share
        return f"  CPU ms per ticket:  {', '.join(parts)}  (all: {total:.0f})"


@contextmanager
def cpu_spent() -> Iterator[CpuSpent]:
    """The CPU seconds spent by part between entering and leaving."""
    spent = CpuSpent()
    before = cpu_by_part()
    try:
        yield spent
    finally:
        after = cpu_by_part()
        spent.seconds = {
            part: after[part] - before.get(part, 0.0) for part in after if part != "other"
        }
