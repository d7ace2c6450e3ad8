"""Stock a compensation gave back, and the store's tills told: the goods are theirs to sell
again (activities/available.py debounces and coalesces it with the store's other stock
changes, as after a reservation). A ticket's released reservation, a transfer's cancelled
dispatch."""

from collections.abc import Iterable

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.available import AvailableActivities, StockChange
    from activities.erp import ErpActivities
    from activities.stock_erp import StockErpActivities
    from domain.erp_order import ErpOrder
    from workflows.activity_calls import compensation


async def release_and_tell(reference: str, order: ErpOrder) -> None:
    codes = (line.product_code for line in order.product_lines)
    await release_codes_and_tell(reference, order.store_id, codes)


async def release_codes_and_tell(
    reference: str, store_id: str, product_codes: Iterable[str]
) -> None:
    """Release the reservation booked under ``reference``, of these products of the store."""
    await compensation(ErpActivities.release_if_present, reference)
    await tell_tills(store_id, product_codes)


async def cancel_dispatch_and_tell(
    reference: str, store_id: str, product_codes: Iterable[str]
) -> None:
    """Bring a transfer's dispatched goods back to the sending store, and tell its tills."""
    await compensation(StockErpActivities.cancel_transfer_if_present, reference)
    await tell_tills(store_id, product_codes)


async def tell_tills(store_id: str, product_codes: Iterable[str]) -> None:
    """Signal the store's available-to-sell publisher that these products' stock changed (a
    compensation's step: retried until it is taken)."""
    items = sorted(set(product_codes))
    if items:
        await compensation(
            AvailableActivities.stock_changed, StockChange(store_id=store_id, item_codes=items)
        )
