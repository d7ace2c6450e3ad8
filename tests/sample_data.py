"""Real sample files the tests read, kept in the repository with their licences."""

from decimal import Decimal
from pathlib import Path

from domain.transaction import PosTransaction
from starter.catalog import CatalogPlan, plan_from_transactions

POSLOG_DIR = Path(__file__).resolve().parent / "data" / "poslog"
"""NCR's ARTS POSLog samples (BSD-3-Clause, see LICENSE there), copied from shared/data/poslog."""


def poslog_store_catalog(transactions: list[PosTransaction]) -> CatalogPlan:
    """The POSLog day's items as the tests load them: store 9 at the New York warehouse, 1000
    of each in stock, taxed like New York sales tax."""
    return plan_from_transactions(
        transactions,
        warehouse_code="WH-NYC",
        store_id="9",
        quantity=Decimal(1000),
        counted_on=None,
        tax_like="US-NY",
    )
