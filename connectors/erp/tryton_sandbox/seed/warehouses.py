"""Store warehouses with one-step shipments, a damaged-goods location each, and opening stock."""

from datetime import date
from decimal import Decimal
from typing import Any

from proteus import Model

from connectors.erp.tryton_sandbox.seed.accounting import Accounts

WAREHOUSES = {"WH-LON": "London store", "WH-LDS": "Leeds store", "WH-NYC": "New York store"}
OPENING_QUANTITY = 100


def create_warehouses() -> list[Any]:
    """Input = output = storage, so a customer shipment is assigned, packed and done in place.

    The damaged-goods location hangs off the warehouse, not off its storage: stock there is
    never counted as available nor picked for a sale.
    """
    Location = Model.get("stock.location")
    (lost_found,) = Location.find([("type", "=", "lost_found")], limit=1)
    warehouses = []
    for code, name in WAREHOUSES.items():
        storage = Location(name=f"{name} storage", code=f"{code}-STO", type="storage")
        storage.save()
        warehouse = Location(
            name=name,
            code=code,
            type="warehouse",
            input_location=storage,
            output_location=storage,
            storage_location=storage,
            lost_found_location=lost_found,
        )
        warehouse.save()
        Location(
            name=f"{name} damaged goods", code=f"{code}-DMG", type="storage", parent=warehouse
        ).save()
        warehouses.append(warehouse)
    return warehouses


def stock_opening_inventory(warehouses: list[Any], goods: list[Any], on: date) -> None:
    """Count OPENING_QUANTITY of every product into every warehouse's storage."""
    Inventory = Model.get("stock.inventory")
    for warehouse in warehouses:
        inventory = Inventory(location=warehouse.storage_location, date=on)
        for product in goods:
            inventory.lines.new(product=product, quantity=OPENING_QUANTITY)
        inventory.click("confirm")


def book_opening_stock_to_equity(accounts: Accounts, on: date) -> None:
    """The inventories credited the stock interim account; move that opening value to equity."""
    Journal = Model.get("account.journal")
    Move = Model.get("account.move")
    Period = Model.get("account.period")
    accounts.stock_interim.reload()
    value: Decimal = accounts.stock_interim.credit - accounts.stock_interim.debit
    (journal,) = Journal.find([("code", "=", "MISC")])
    (period,) = Period.find([("start_date", "<=", on), ("end_date", ">=", on)])
    move = Move(journal=journal, period=period, date=on, description="Opening stock")
    move.lines.new(account=accounts.stock_interim, debit=value, credit=Decimal(0))
    move.lines.new(account=accounts.equity, debit=Decimal(0), credit=value)
    move.click("post")
