"""The sandbox's opening stock (100 of each good) is a demo's, not a benchmark's: the basket
sells 3 biscuits a ticket, so past the 34th ticket every reservation would be forced beyond
stock, an ERP path (and an exception a ticket) that a stocked store never takes. The phase
counts a store's worth of stock first, as a stock take would."""

from datetime import date

from connectors.erp.tryton.rpc import TrytonRpc

BENCH_STOCK = 1_000_000


async def stock_up(rpc: TrytonRpc, on: date, quantity: int = BENCH_STOCK) -> None:
    """Count ``quantity`` of every good into every warehouse's storage (an inventory each)."""
    warehouses = await rpc.call(
        "stock.location",
        "search_read",
        [("type", "=", "warehouse")],
        0,
        None,
        None,
        ["storage_location"],
    )
    goods = await rpc.call("product.product", "search", [("type", "=", "goods")])
    lines = [{"product": product, "quantity": float(quantity)} for product in goods]
    inventories = await rpc.call(
        "stock.inventory",
        "create",
        [
            {"location": warehouse["storage_location"], "date": on, "lines": [["create", lines]]}
            for warehouse in warehouses
        ],
    )
    await rpc.call("stock.inventory", "confirm", inventories)
