"""The seeded fault schedule of a chaos run (pure): which fault, at what share of the load."""

import random
from dataclasses import dataclass

SAGA_STEPS = (
    "ticket.admit_and_reserve",
    "returns.find_originals",
    "erp.reserve",
    "erp.book",
    "store.open_exception",
    "store.record_outcome",
)
"""The activities a store day's tickets run in daily posting mode: a worker is killed while
each is in flight. (ticket.admit_and_reserve claims, maps and plans the posting, and reserves
and journals a sale: erp.reserve and store.record_outcome run on their own for returns,
exchanges, incomplete tickets and retries; ticket.admit, store.claim, store.resolve_mapping and
finance.plan_posting only for runs started before it.)"""
POSTING_STEPS = ("daily.prepare_batch", "daily.post_batch")
"""The day's posting's activities: a worker is killed in each too, once the day is in."""

WORKER_KILL = "worker_kill"
ERP_DOWN = "erp_down"
ERP_FLAKY = "erp_5xx_and_timeouts"
TEMPORAL_RESTART = "temporal_restart"
POSTGRES_DROP = "postgres_connections_dropped"
TIMED_KINDS = (WORKER_KILL, ERP_DOWN, ERP_FLAKY, TEMPORAL_RESTART, POSTGRES_DROP)


@dataclass(frozen=True)
class Fault:
    at: float
    """share of the day's tickets submitted when it is due (0 to 1)"""
    kind: str
    step: str = ""
    """the activity in flight when a worker is killed"""
    seconds: float = 0.0
    """how long an ERP fault lasts"""


@dataclass(frozen=True)
class FaultPlan:
    erp_down_seconds: float
    erp_flaky_seconds: float
    postgres_drops: int
    extra_kills: int
    """kills beyond one per saga step, at steps drawn at random"""


FULL = FaultPlan(erp_down_seconds=60, erp_flaky_seconds=45, postgres_drops=4, extra_kills=4)
SHORT = FaultPlan(erp_down_seconds=15, erp_flaky_seconds=15, postgres_drops=1, extra_kills=0)


def kill_armed(step: str) -> str:
    """The file whose presence arms a kill in ``step``, beside the workers' activity logs."""
    return f"kill-{step}.armed"


def fault_schedule(seed: int, plan: FaultPlan) -> list[Fault]:
    """Every saga step's worker kill, the ERP down and flaky, Temporal restarted and the
    store's connections dropped, at seeded points between 5% and 85% of the load, in order."""
    rng = random.Random(seed)

    def when() -> float:
        return round(rng.uniform(0.05, 0.85), 4)

    steps = [*SAGA_STEPS, *(rng.choice(SAGA_STEPS) for _ in range(plan.extra_kills))]
    faults = [Fault(when(), WORKER_KILL, step=step) for step in steps]
    faults.append(Fault(when(), ERP_DOWN, seconds=plan.erp_down_seconds))
    faults.append(Fault(when(), ERP_FLAKY, seconds=plan.erp_flaky_seconds))
    faults.append(Fault(when(), TEMPORAL_RESTART))
    faults += [Fault(when(), POSTGRES_DROP) for _ in range(plan.postgres_drops)]
    return sorted(faults, key=lambda fault: (fault.at, fault.kind, fault.step))
