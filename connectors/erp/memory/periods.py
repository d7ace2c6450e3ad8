"""Monthly accounting periods that exist for any date, all open until closed.

A period's ERP id is ``YYYYMM`` ("202611" for November 2026): stable, and readable in a test's
assertion.
"""

from datetime import date, timedelta

from connectors.erp.errors import ErpRejected
from domain.periods import ErpPeriod

PERIODS_AHEAD = 24
"""How many periods ``periods_from`` lists from a date on (as many as the Tryton books read)."""


class Periods:
    def __init__(self) -> None:
        self._states: dict[str, str] = {}

    def of(self, day: date) -> ErpPeriod:
        return self._period(f"{day.year:04d}{day.month:02d}")

    def from_day(self, day: date) -> list[ErpPeriod]:
        first = day.replace(day=1)
        periods: list[ErpPeriod] = []
        for _ in range(PERIODS_AHEAD):
            periods.append(self.of(first))
            first = _next_month(first)
        return periods

    def close(self, erp_id: str) -> ErpPeriod:
        self._period(erp_id)
        self._states[erp_id] = "closed"
        return self._period(erp_id)

    def reopen(self, erp_id: str) -> ErpPeriod:
        self._period(erp_id)
        self._states.pop(erp_id, None)
        return self._period(erp_id)

    def require_open(self, day: date, what: str) -> None:
        period = self.of(day)
        if not period.is_open:
            raise ErpRejected(
                f"period {period.name} is {period.state}: cannot post {what} on {day}"
            )

    def _period(self, erp_id: str) -> ErpPeriod:
        digits = erp_id.isascii() and erp_id.isdigit() and len(erp_id) == 6
        year, month = divmod(int(erp_id), 100) if digits else (0, 0)
        if not (1 <= month <= 12 and 1 <= year < 9999):
            raise ErpRejected(f"the ERP has no period with id {erp_id}")
        start = date(year, month, 1)
        return ErpPeriod(
            erp_id=erp_id,
            name=f"{year:04d}-{month:02d}",
            start_date=start,
            end_date=_next_month(start) - timedelta(days=1),
            state=self._states.get(erp_id, "open"),
        )


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)
