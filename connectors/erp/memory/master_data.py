"""The memory ERP's item records, promotions and tax rates, each stamped with its write date."""

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from domain.master_data import ErpItem, ErpMasterData, ErpPromotion, RemovedItem


class MasterRecords:
    """``put_*`` stamps the record with the time of writing (``clock``), as an ERP's write date;
    ``on_new_item`` is told each item code so the ERP accepts orders for it."""

    def __init__(
        self,
        on_new_item: Callable[[str], None],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._items: dict[str, ErpItem] = {}
        self._promotions: dict[str, ErpPromotion] = {}
        self._tax_rates: dict[str, Decimal] = {}
        self._removed: dict[str, RemovedItem] = {}
        self._on_new_item = on_new_item
        self._clock = clock

    def put_item(self, item: ErpItem) -> ErpItem:
        stamped = item.model_copy(update={"written_at": self._clock()})
        self._items[item.code] = stamped
        self._removed.pop(item.code, None)
        self._on_new_item(item.code)
        return stamped

    def remove_item(self, code: str) -> RemovedItem:
        """Deactivate the item: it is read as removed from now on."""
        removed = RemovedItem(code=code, written_at=self._clock())
        self._items.pop(code, None)
        self._removed[code] = removed
        return removed

    def put_promotion(self, promotion: ErpPromotion) -> ErpPromotion:
        stamped = promotion.model_copy(update={"written_at": self._clock()})
        self._promotions[promotion.code] = stamped
        return stamped

    def set_tax_rate(self, name: str, rate: Decimal) -> None:
        self._tax_rates[name] = rate

    def since(self, since: datetime | None) -> ErpMasterData:
        def changed(written_at: datetime) -> bool:
            return since is None or written_at >= since

        return ErpMasterData(
            since=since,
            items=tuple(item for item in self._items.values() if changed(item.written_at)),
            promotions=tuple(
                promotion
                for promotion in self._promotions.values()
                if changed(promotion.written_at)
            ),
            tax_rates=dict(self._tax_rates),
            removed=tuple(item for item in self._removed.values() if changed(item.written_at)),
        )
