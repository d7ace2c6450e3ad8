"""Tryton's accounting periods (``account.period``): their state, and closing or reopening one.

Only standard periods count (adjustment periods overlap them and hold year-end entries).
Closing is Tryton's own ``close`` button: it refuses while the period holds draft moves.
"""

from datetime import date

from connectors.erp.errors import ErpRejected
from connectors.erp.tryton.rest import Record, TrytonRest
from connectors.erp.tryton.states import CLOSED, OPEN
from domain.periods import ErpPeriod

_FIELDS = ["name", "start_date", "end_date", "state"]
_AHEAD = 24
"""How many periods from a date on are read: enough to find the next open one."""


class TrytonPeriods:
    def __init__(self, rest: TrytonRest, company_id: int) -> None:
        self._rest = rest
        self._company_id = company_id

    async def periods_from(self, day: date) -> list[ErpPeriod]:
        records = await self._rest.search(
            "account.period",
            [
                ("fiscalyear.company", "=", self._company_id),
                ("type", "=", "standard"),
                ("end_date", ">=", day),
            ],
            _FIELDS,
            order=[("start_date", "ASC")],
            limit=_AHEAD,
        )
        return [_period(record) for record in records]

    async def close(self, erp_id: str) -> ErpPeriod:
        period = await self._read(erp_id)
        if period.state == OPEN:
            await self._rest.click("account.period", int(erp_id), "close")
            period = await self._read(erp_id)
        if period.state == OPEN:
            raise ErpRejected(f"Tryton left period {period.name} open")
        return period

    async def reopen(self, erp_id: str) -> ErpPeriod:
        period = await self._read(erp_id)
        if period.state == CLOSED:
            await self._rest.click("account.period", int(erp_id), "reopen")
            period = await self._read(erp_id)
        if period.state != OPEN:
            raise ErpRejected(f"period {period.name} is {period.state}: it cannot be reopened")
        return period

    async def _read(self, erp_id: str) -> ErpPeriod:
        return _period(await self._rest.read("account.period", int(erp_id), _FIELDS))


def _period(record: Record) -> ErpPeriod:
    return ErpPeriod(
        erp_id=str(record["id"]),
        name=record["name"],
        start_date=record["start_date"],
        end_date=record["end_date"],
        state=record["state"],
    )
