"""ERP references are opaque strings; payloads of earlier releases held Tryton's integer ids
(recorded histories, activity results in flight) and still decode, each id as its string."""

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from domain.consolidation import ConsolidatedRefs, ConsolidatedTotals, ConsolidationBatch
from domain.erp_order import ErpOrderRefs
from domain.periods import ErpPeriod
from domain.reconciliation import ErpMoveFigures, Figures
from domain.stock_moves import ErpPurchaseLine, ErpReceiptLine, ErpStockRefs


def test_an_order_booked_by_an_earlier_release_keeps_its_ids_as_strings() -> None:
    refs = ErpOrderRefs.model_validate_json(
        '{"reference": "pos:S1:T1:A", "sale_id": 12, "sale_number": "SO12",'
        ' "shipment_ids": [13, 14], "invoice_id": 15, "return_shipment_ids": [16],'
        ' "payment_move_ids": [17, 18]}'
    )

    assert (refs.sale_id, refs.shipment_ids, refs.invoice_id) == ("12", ["13", "14"], "15")
    assert (refs.return_shipment_ids, refs.payment_move_ids) == (["16"], ["17", "18"])
    assert ErpOrderRefs.model_validate_json(refs.model_dump_json()) == refs
    assert '"sale_id":"12"' in refs.model_dump_json()


def test_periods_moves_and_shipments_of_an_earlier_release_keep_their_ids_as_strings() -> None:
    period = ErpPeriod.model_validate(
        {
            "erp_id": 5,
            "name": "2026-11",
            "start_date": "2026-11-01",
            "end_date": "2026-11-30",
            "state": "open",
        }
    )
    refs = ConsolidatedRefs.model_validate(
        {
            "key": "daily-S1-2026-11-20-1",
            "move_id": 40,
            "move_number": "JE40",
            "posting_date": "2026-11-21",
            "cost_of_goods": "2.20",
        }
    )
    move = ErpMoveFigures.model_validate(
        {
            "move_id": 40,
            "number": None,
            "posted": True,
            "posting_date": "2026-11-21",
            "figures": Figures().model_dump(mode="json"),
        }
    )
    shipment = ErpStockRefs.model_validate({"reference": "t:1", "shipment_id": 7, "state": "done"})
    line = ErpPurchaseLine.model_validate(
        {"line_id": 3, "product_code": "TEA", "ordered": "5", "outstanding": "5"}
    )
    received = ErpReceiptLine.model_validate(
        {"product_code": "TEA", "quantity": "5", "purchase_line_id": 3}
    )

    assert [period.erp_id, refs.move_id, move.move_id, shipment.shipment_id] == [
        "5",
        "40",
        "40",
        "7",
    ]
    assert (line.line_id, received.purchase_line_id) == ("3", "3")


@pytest.mark.parametrize("bad", ["", True, 1.5, "x" * 65])
def test_an_erp_id_is_a_short_non_empty_string(bad: object) -> None:
    with pytest.raises(ValidationError, match="sale_id"):
        ErpOrderRefs.model_validate({"reference": "r", "sale_id": bad})


def _batch(**legacy: object) -> ConsolidationBatch:
    totals = ConsolidatedTotals(ticket_count=3, gross=Decimal(9), net=Decimal(9), tax=Decimal(0))
    return ConsolidationBatch.model_validate(
        {
            "key": "daily-S1-2026-11-20-1",
            "store_id": "S1",
            "business_date": date(2026, 11, 20),
            "currency": "GBP",
            "totals": totals.model_dump(mode="json"),
            **legacy,
        }
    )


def test_a_batch_that_named_its_sales_by_tryton_ids_is_marked_for_the_store_to_complete() -> None:
    before = _batch(sale_ids=[101, 102], references=["pos:S1:T1:C"])

    assert (before.stock_references, before.references_incomplete) == (["pos:S1:T1:C"], True)
    assert "sale_ids" not in before.model_dump()
    assert ConsolidationBatch.model_validate_json(before.model_dump_json()).references_incomplete


def test_a_batch_with_every_tickets_reference_needs_nothing_from_the_store() -> None:
    stock_alone = _batch(sale_ids=[], references=["pos:S1:T1:A", "pos:S1:T1:B"])
    with_every_reference = _batch(
        sale_ids=[101], references=[], stock_references=["pos:S1:T1:A", "pos:S1:T1:B"]
    )
    now = _batch(stock_references=["pos:S1:T1:A"])

    assert not stock_alone.references_incomplete
    assert stock_alone.stock_references == ["pos:S1:T1:A", "pos:S1:T1:B"]
    assert not with_every_reference.references_incomplete
    assert with_every_reference.stock_references == ["pos:S1:T1:A", "pos:S1:T1:B"]
    assert not now.references_incomplete
