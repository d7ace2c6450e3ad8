"""Sample data the tests read: real POS files (kept with their licences) and the demo's
mappings."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine

from connectors.erp.memory import MemoryErp
from connectors.erp.tryton_sandbox.catalog import CatalogPlan
from domain.mapping import MappingRow
from domain.transaction import PosTransaction
from starter.intake.catalog import plan_from_transactions
from starter.intake.mappings_csv import read_mappings
from store.db import create_store_engine, session_scope
from store.mappings import import_mappings

DATA_DIR = Path(__file__).resolve().parent / "data"
POSLOG_DIR = DATA_DIR / "poslog"
"""NCR's ARTS POSLog samples (BSD-3-Clause, see LICENSE there), copied from shared/data/poslog."""
SITOO_ORDERS = DATA_DIR / "sitoo" / "orders.json"


def poslog_store_catalog(transactions: list[PosTransaction], store_id: str = "9") -> CatalogPlan:
    """The POSLog day's items as the tests load them: store 9 at the New York warehouse, 1000
    of each in stock, taxed like New York sales tax."""
    return plan_from_transactions(
        transactions,
        warehouse_code="WH-NYC",
        store_id=store_id,
        quantity=Decimal(1000),
        counted_on=None,
        tax_like="US-NY",
    )


EXAMPLE_MAPPINGS = Path(__file__).resolve().parents[1] / "examples" / "mappings.csv"


def example_store(url: str, extra: Sequence[MappingRow] = ()) -> Engine:
    """A store at ``url`` holding the demo's mappings (examples/mappings.csv) and ``extra``."""
    engine = create_store_engine(url)
    with session_scope(engine) as session:
        import_mappings(session, [*read_mappings(EXAMPLE_MAPPINGS), *extra])
    return engine


@contextmanager
def open_example_store(url: str, extra: Sequence[MappingRow] = ()) -> Iterator[Engine]:
    """``example_store`` for the length of a ``with`` (a fixture's life), disposed after."""
    engine = example_store(url, extra)
    try:
        yield engine
    finally:
        engine.dispose()


DEMO_WAREHOUSES = {"WH-LON", "WH-LDS", "WH-NYC"}
DEMO_PRODUCTS = {"TEA-001", "MUG-001", "BISC-001", "COF-001", "BAG-001", "CHOC-001"}
"""What the demo's mappings (examples/mappings.csv) point at."""
KNOWN_CUSTOMER = "LOYAL-0001"
"""The only loyalty customer the demo's memory ERP knows."""


def demo_memory_erp(on_hand: Decimal = Decimal(1000)) -> MemoryErp:
    """A memory ERP with what the demo's mappings point at, ``on_hand`` of each product in
    each warehouse, and one loyalty customer."""
    return MemoryErp(
        warehouses=DEMO_WAREHOUSES,
        products=DEMO_PRODUCTS,
        customers={KNOWN_CUSTOMER},
        stock={
            (warehouse, code): on_hand for warehouse in DEMO_WAREHOUSES for code in DEMO_PRODUCTS
        },
    )
