"""A ticket's reservation undone, and the store's tills told: the released goods are theirs to
sell again (activities/available.py debounces and coalesces it with the store's other stock
changes, as after a reservation)."""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.available import AvailableActivities, StockChange
    from activities.erp import ErpActivities
    from domain.erp_order import ErpOrder
    from workflows.activity_calls import compensation


async def release_and_tell(reference: str, order: ErpOrder) -> None:
    await compensation(ErpActivities.release_if_present, reference)
    items = sorted({line.product_code for line in order.product_lines})
    if items:
        await compensation(
            AvailableActivities.stock_changed,
            StockChange(store_id=order.store_id, item_codes=items),
        )
