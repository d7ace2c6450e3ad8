"""The Tryton connector books transfers as internal shipments through transit, and supplier
deliveries as supplier shipments against the purchase (the sandbox's WH-LON and WH-LDS)."""

import uuid
from datetime import date
from decimal import Decimal

from connectors.erp.tryton import TrytonConnector
from connectors.erp.tryton.rest import TrytonRest
from domain.outcomes import ExceptionKind
from domain.stock_moves import (
    ErpPurchaseReceipt,
    ErpStockLine,
    ErpTransfer,
    ErpTransferReceipt,
    plan_purchase_receipt,
)
from tests.stock_events.purchases import confirmed_purchase

TODAY = date.today()


async def on_hand(connector: TrytonConnector, product: str, warehouse: str) -> Decimal:
    return (await connector.stock_level(product, warehouse)).on_hand


async def test_a_transfer_ships_through_transit_and_the_shortfall_stays_there(
    tryton_connector: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    reference = f"transfer:S001:{uuid.uuid4().hex[:8]}"
    before = {wh: await on_hand(tryton_connector, "BAG-001", wh) for wh in ("WH-LON", "WH-LDS")}
    transfer = ErpTransfer(
        reference=reference,
        from_warehouse="WH-LON",
        to_warehouse="WH-LDS",
        dispatched_on=TODAY,
        lines=[ErpStockLine(line_number=1, product_code="BAG-001", quantity=Decimal(10))],
    )

    shipped = await tryton_connector.dispatch_transfer(transfer)
    again = await tryton_connector.dispatch_transfer(transfer)
    after_dispatch = await on_hand(tryton_connector, "BAG-001", "WH-LON")
    received = await tryton_connector.receive_transfer(
        ErpTransferReceipt(
            reference=reference,
            received_on=TODAY,
            lines=[ErpStockLine(line_number=1, product_code="BAG-001", quantity=Decimal(9))],
        )
    )

    assert (shipped.state, again.shipment_id) == ("shipped", shipped.shipment_id)
    assert after_dispatch == before["WH-LON"] - 10
    assert received.state == "done"
    assert received.dispatched == {"BAG-001": Decimal(10)}
    assert received.received == {"BAG-001": Decimal(9)}
    assert await on_hand(tryton_connector, "BAG-001", "WH-LON") == before["WH-LON"] - 10
    assert await on_hand(tryton_connector, "BAG-001", "WH-LDS") == before["WH-LDS"] + 9
    shipment = await tryton_rest.read(
        "stock.shipment.internal", received.shipment_id, ["internal_transit_location"]
    )
    assert shipment["internal_transit_location"], "Tryton routed it through transit"


async def test_a_shipped_dispatch_is_undone_by_its_compensation(
    tryton_connector: TrytonConnector,
) -> None:
    reference = f"transfer:S001:{uuid.uuid4().hex[:8]}"
    before = await on_hand(tryton_connector, "CHOC-001", "WH-LON")
    await tryton_connector.dispatch_transfer(
        ErpTransfer(
            reference=reference,
            from_warehouse="WH-LON",
            to_warehouse="WH-LDS",
            dispatched_on=TODAY,
            lines=[ErpStockLine(line_number=1, product_code="CHOC-001", quantity=Decimal(3))],
        )
    )

    await tryton_connector.cancel_transfer_if_present(reference)
    await tryton_connector.cancel_transfer_if_present(reference)

    assert await on_hand(tryton_connector, "CHOC-001", "WH-LON") == before
    assert await tryton_connector.find_transfer(reference) is None


async def test_a_delivery_is_received_against_its_purchase_as_counted(
    tryton_connector: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    number = await confirmed_purchase(tryton_rest, "WH-LON", {"MUG-001": 10, "BISC-001": 5})
    before = {
        code: await on_hand(tryton_connector, code, "WH-LON")
        for code in ("MUG-001", "BISC-001", "TEA-001")
    }
    order = await tryton_connector.purchase_order(number, "WH-LON")
    counted = [
        ErpStockLine(line_number=1, product_code="MUG-001", quantity=Decimal(8)),
        ErpStockLine(line_number=2, product_code="BISC-001", quantity=Decimal(5)),
        ErpStockLine(line_number=3, product_code="TEA-001", quantity=Decimal(2)),
    ]
    plan = plan_purchase_receipt(order, counted)
    receipt = ErpPurchaseReceipt(
        reference=f"po-receipt:S001:{uuid.uuid4().hex[:8]}",
        purchase_order=number,
        warehouse_code="WH-LON",
        received_on=TODAY,
        lines=plan.lines,
    )

    booked = await tryton_connector.receive_purchase(receipt)
    again = await tryton_connector.receive_purchase(receipt)

    assert {line.product_code: line.outstanding for line in order.lines} == {
        "MUG-001": 10,
        "BISC-001": 5,
    }
    assert booked.state == "done"
    assert booked.received == {"MUG-001": 8, "BISC-001": 5, "TEA-001": 2}
    assert again.shipment_id == booked.shipment_id
    assert {
        code: await on_hand(tryton_connector, code, "WH-LON") - before[code] for code in before
    } == {"MUG-001": 8, "BISC-001": 5, "TEA-001": 2}
    later = await tryton_connector.purchase_order(number, "WH-LON")
    assert {line.product_code: line.outstanding for line in later.lines} == {
        "MUG-001": 2,
        "BISC-001": 0,
    }


async def test_a_second_delivery_receives_what_the_first_left_on_order(
    tryton_connector: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    number = await confirmed_purchase(tryton_rest, "WH-LDS", {"TEA-001": 10})
    records = []

    for count in (6, 4):
        order = await tryton_connector.purchase_order(number, "WH-LDS")
        plan = plan_purchase_receipt(
            order, [ErpStockLine(line_number=1, product_code="TEA-001", quantity=Decimal(count))]
        )
        booked = await tryton_connector.receive_purchase(
            ErpPurchaseReceipt(
                reference=f"po-receipt:S002:{uuid.uuid4().hex[:8]}",
                purchase_order=number,
                warehouse_code="WH-LDS",
                received_on=TODAY,
                lines=plan.lines,
            )
        )
        assert booked.received == {"TEA-001": Decimal(count)}
        records.append([(record.kind, record.details) for record in plan.records])

    final = await tryton_connector.purchase_order(number, "WH-LDS")
    assert [line.outstanding for line in final.lines] == [Decimal(0)]
    assert records == [
        [(ExceptionKind.RECEIPT_SHORT, {"TEA-001": "on order 10, counted 6, short 4"})],
        [],
    ], "the second delivery is measured against the 4 left on order"
