"""The figures a chaos run prints, and whether it passed."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests.chaos.day import Ticket
from tests.chaos.faults import Injected
from tests.chaos.invariant import StoreView, Verdict
from tests.chaos.load import LoadFigures
from tests.chaos.proxy import ProxyFaults
from tests.chaos.schedule import SAGA_STEPS

SHOWN_PROBLEMS = 30
SHOWN_EXCEPTIONS = 20


@dataclass
class Figures:
    tickets: int
    malformed: int
    load_seconds: float = 0.0
    drain_seconds: float = 0.0
    activity_retries: int = 0
    started_runs: int = 0
    expected_runs: int = 0
    mix: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    kills_by_step: Counter[str] = field(default_factory=Counter)
    missed_kills: list[str] = field(default_factory=list)
    verdict: Verdict = field(default_factory=Verdict)
    load: LoadFigures = field(default_factory=LoadFigures)
    malformed_runs: int = 0
    undrained: str = ""
    """why the day did not drain (the books are checked as they are)"""
    problems: list[str] = field(default_factory=list)
    parked_notes: list[str] = field(default_factory=list)
    """why each completed, mapped ticket that was not booked is an open exception"""

    def fill(
        self,
        verdict: Verdict,
        load: LoadFigures,
        injected: Injected,
        proxy: ProxyFaults,
        tickets: list[Ticket],
        bad: list[tuple[dict[str, Any], str]],
        store: StoreView,
    ) -> None:
        self.verdict, self.load = verdict, load
        self.mix = Counter(ticket.kind for ticket in tickets)
        self.expected_runs = len({ticket.workflow_id for ticket in tickets})
        self.faults = Counter(injected.by_kind)
        self.faults["erp_5xx_injected"] = proxy.injected_errors
        self.faults["erp_timeouts_injected"] = proxy.injected_timeouts
        self.faults["postgres_backends_terminated"] = injected.postgres_backends_terminated
        self.faults["submissions_per_ticket"] = 3
        self.faults["malformed_payloads"] = load.malformed_sent
        self.kills_by_step = injected.kills_by_step
        self.missed_kills = injected.missed
        bad_ids = {str(payload.get("transaction_id")) for payload, _ in bad}
        self.malformed_runs = sum(1 for w in store.claimed if w.rsplit(":", 1)[-1] in bad_ids)
        self.problems = [*load.problems, *verdict.problems]
        self.parked_notes = [
            f"{workflow_id}: {'; '.join(store.notes.get(workflow_id, []))}"
            for workflow_id in verdict.parked
        ]
        if self.undrained:
            self.problems.insert(0, f"the day did not drain: {self.undrained}")
        if self.started_runs != self.expected_runs:
            self.problems.append(
                f"Temporal holds {self.started_runs} ticket runs, the day {self.expected_runs}"
            )
        if self.malformed_runs:
            self.problems.append(f"{self.malformed_runs} malformed payloads started a run")
        if load.malformed_refused_naming_field != load.malformed_sent:
            self.problems.append("a malformed payload was not refused with 4xx naming its field")
        for step in SAGA_STEPS:
            if not self.kills_by_step[step]:
                self.problems.append(f"no worker was killed while {step} ran")

    @property
    def passed(self) -> bool:
        return self.verdict.ok and not self.problems


def render(figures: Figures) -> str:
    verdict = figures.verdict
    mix = ", ".join(f"{kind} {count}" for kind, count in sorted(figures.mix.items()))
    faults = ", ".join(f"{kind} {count}" for kind, count in sorted(figures.faults.items()))
    kills = ", ".join(f"{step} {n}" for step, n in sorted(figures.kills_by_step.items()))
    lines = [
        "chaos figures",
        f"  tickets            {figures.tickets} ({mix})",
        f"  runs started       {figures.started_runs} (distinct tickets {figures.expected_runs})",
        f"  answers            {dict(sorted(figures.load.answers.items()))}",
        f"  faults injected    {faults}",
        f"  workers killed in  {kills}",
        f"  kills missed       {', '.join(figures.missed_kills) or 'none'}",
        f"  retries            {figures.activity_retries} activity attempts beyond the first,"
        f" {figures.load.resends} submissions sent again",
        f"  malformed          {figures.load.malformed_sent} sent,"
        f" {figures.load.malformed_refused_naming_field} refused 4xx naming the field,"
        f" {figures.malformed_runs} started a run",
        f"  load               {figures.load_seconds:.0f} s",
        f"  drain              {figures.drain_seconds:.0f} s after the last fault",
        f"  posted once        {verdict.posted_once}",
        f"  open exceptions    {verdict.open_exceptions} (completed tickets not booked)",
        *(f"    {note}" for note in figures.parked_notes[:SHOWN_EXCEPTIONS]),
        f"  lost               {verdict.lost}",
        f"  posted twice       {verdict.posted_twice}",
    ]
    if figures.problems:
        lines.append(f"  problems           {len(figures.problems)}")
        lines += [f"    {problem}" for problem in figures.problems[:SHOWN_PROBLEMS]]
    lines.append("PASS" if figures.passed else "FAIL")
    return "\n".join(lines)
