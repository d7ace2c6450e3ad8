"""The memory ERP's master data: records stamped with their write date, read since a
watermark; a new item becomes a product the ERP accepts orders for."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from connectors.erp.memory import MemoryErp
from connectors.erp.memory.master_data import MasterRecords
from domain.master_data import ErpItem, ErpPromotion

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _item(code: str) -> ErpItem:
    return ErpItem(
        code=code, description=code, unit="Unit", list_price=Decimal(1), written_at=EPOCH
    )


async def test_master_data_since_a_watermark_holds_what_was_written_from_it() -> None:
    clock = iter(EPOCH + timedelta(minutes=minute) for minute in range(10))
    added: list[str] = []
    records = MasterRecords(added.append, clock=lambda: next(clock))
    tea = records.put_item(_item("TEA"))
    mug = records.put_item(_item("MUG"))
    promotion = records.put_promotion(
        ErpPromotion(code="P1", formula="unit_price * 0.5", written_at=EPOCH)
    )
    records.set_tax_rate("VAT20", Decimal("0.2"))

    everything = records.since(None)
    from_mug = records.since(mug.written_at)

    assert [item.code for item in everything.items] == ["TEA", "MUG"]
    assert everything.watermark == promotion.written_at
    assert [item.code for item in from_mug.items] == ["MUG"]
    assert [p.code for p in from_mug.promotions] == ["P1"]
    assert records.since(promotion.written_at + timedelta(seconds=1)).items == ()
    assert tea.written_at < mug.written_at and added == ["TEA", "MUG"]
    assert everything.tax_rates == {"VAT20": Decimal("0.2")}


async def test_a_new_item_is_a_product_the_erp_knows() -> None:
    erp = MemoryErp(warehouses={"WH"}, products={"TEA"})
    erp.master.put_item(_item("NEW"))

    await erp.check_codes("WH", ["TEA", "NEW"])
    data = await erp.master_data(None)

    assert [item.code for item in data.items] == ["NEW"]
    assert erp.calls["master_data"] == 1
