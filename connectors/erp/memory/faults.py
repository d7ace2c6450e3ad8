"""What can go wrong with a call to the memory ERP: latency, random transient failures, and
faults a test scripts for one step (and one reference), before or after the step takes effect.
"""

import asyncio
import random
from dataclasses import dataclass

from connectors.erp.errors import ErpUnavailable
from domain.ids import workflow_of_reference

STEPS = frozenset(
    {
        "ping",
        "check_codes",
        "create_customer_if_missing",
        "reserve",
        "reserve_many",
        "release_if_present",
        "post",
        "cancel_posting_if_present",
        "pay",
        "void_payments_if_present",
        "returnable_quantity",
        "commit",
        "return_stock_if_present",
        "find_order",
        "stock_level",
        "periods_from",
        "close_period",
        "reopen_period",
        "posted_invoices",
        "post_consolidated",
        "consolidated_moves",
        "dispatch_transfer",
        "cancel_transfer_if_present",
        "find_transfer",
        "receive_transfer",
        "purchase_order",
        "receive_purchase",
        "cancel_purchase_receipt_if_present",
    }
)
"""The ERP's methods, by the names a fault is scripted for and ``MemoryErp.calls`` counts."""


@dataclass
class ScriptedFault:
    step: str
    error: Exception
    times: int | None
    reference: str | None
    after_effect: bool
    raised: int = 0

    def matches(self, step: str, reference: str | None, after_effect: bool) -> bool:
        if (self.step, self.after_effect) != (step, after_effect):
            return False
        if self.reference is None:
            return True
        return reference is not None and self.reference in (
            reference,
            workflow_of_reference(reference),
        )

    @property
    def spent(self) -> bool:
        return self.times is not None and self.raised >= self.times


class Faults:
    def __init__(self) -> None:
        self._scripted: list[ScriptedFault] = []

    @property
    def pending(self) -> list[ScriptedFault]:
        return list(self._scripted)

    def script(
        self,
        step: str,
        error: Exception | None,
        times: int | None,
        reference: str | None,
        after_effect: bool,
    ) -> None:
        if step not in STEPS:
            raise ValueError(f"no ERP step {step!r}; one of {', '.join(sorted(STEPS))}")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None: until cleared)")
        scripted = error or ErpUnavailable(f"scripted: the ERP is unavailable for {step}")
        self._scripted.append(ScriptedFault(step, scripted, times, reference, after_effect))

    def clear(self, step: str | None = None) -> None:
        self._scripted = [fault for fault in self._scripted if step not in (None, fault.step)]

    def raise_if_scripted(self, step: str, reference: str | None, *, after_effect: bool) -> None:
        """The first scripted fault for this step and reference, raised (and used up once)."""
        for fault in self._scripted:
            if fault.matches(step, reference, after_effect):
                fault.raised += 1
                if fault.spent:
                    self._scripted.remove(fault)
                raise fault.error


class CallConditions:
    """Latency (with seeded jitter) and a seeded rate of transient failures, on every call."""

    def __init__(self, latency: float, jitter: float, failure_rate: float, seed: int) -> None:
        if latency < 0 or jitter < 0 or not 0 <= failure_rate <= 1:
            raise ValueError("latency and jitter must be >= 0, the failure rate in [0, 1]")
        self.latency = latency
        self.jitter = jitter
        self.failure_rate = failure_rate
        self.slow_steps: dict[str, float] = {}
        """Seconds more a call of each step takes (a test's slow ERP)."""
        self._random = random.Random(seed)

    async def pass_through(self, step: str) -> None:
        """Wait out the call's latency, then maybe fail it before it does anything."""
        delay = self.latency + (self._random.uniform(0, self.jitter) if self.jitter else 0.0)
        delay += self.slow_steps.get(step, 0.0)
        await asyncio.sleep(delay)
        if self.failure_rate and self._random.random() < self.failure_rate:
            raise ErpUnavailable(f"the memory ERP failed {step} transiently")
