"""An ERP in memory that implements both ErpConnector and ErpBooks: for fast saga tests and
benchmarks, with configurable latency, transient failures and scripted faults."""

from connectors.erp.memory.connector import MemoryErp
from connectors.erp.memory.faults import STEPS, ScriptedFault
from connectors.erp.memory.ledger import (
    DAMAGED_SUFFIX,
    InvoiceState,
    MemoryOrder,
    MemoryPayment,
    StockState,
)

__all__ = [
    "DAMAGED_SUFFIX",
    "STEPS",
    "InvoiceState",
    "MemoryErp",
    "MemoryOrder",
    "MemoryPayment",
    "ScriptedFault",
    "StockState",
]
