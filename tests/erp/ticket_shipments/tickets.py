"""The tickets these tests book, and what they read back of them."""

from decimal import Decimal

from connectors.erp.base import ReserveRequest
from connectors.erp.tryton import TrytonConnector
from connectors.erp.tryton.ticket_shipments import TicketShipments
from domain.erp_order import ErpOrder, ErpOrderRefs
from tests.factories import sale_line
from tests.till_tickets import plan, uk_ticket

STOCKED = ["BISC-001", "TEA-001"]
"""The goods these tickets sell, at WH-LON."""


def tea_sale(quantity: str = "1") -> ErpOrder:
    return plan(uk_ticket([sale_line(1, "100001", quantity, "3.60")]))


async def available_tea(connector: TrytonConnector) -> Decimal:
    return (await connector.stock_level("TEA-001", "WH-LON")).available


async def reserve_one(connector: TrytonConnector, order: ErpOrder) -> ErpOrderRefs:
    [outcome] = await connector.reserve_many([ReserveRequest(order)])
    assert isinstance(outcome, ErpOrderRefs), outcome
    return outcome


async def tea_beyond_stock(connector: TrytonConnector) -> tuple[ErpOrder, Decimal]:
    """A ticket of biscuits (line 1) and of 2 more tea than Tryton counts (line 2), which
    Tryton reserves in part: it splits the tea's move."""
    available = await available_tea(connector)
    assert available > 0
    beyond_stock = available + 2
    lines = [sale_line(1, "100003", "1", "1.70"), sale_line(2, "100001", str(beyond_stock), "3.60")]
    return plan(uk_ticket(lines)), beyond_stock


def ticket_shipments(connector: TrytonConnector) -> TicketShipments:
    shipments = connector._ticket_shipments
    assert shipments is not None, "the daily connector books tickets as shipments"
    return shipments
