"""The memory ERP keeps the connector's promises: idempotent writes, compensations that undo only
what exists, one outcome per order of a batch, the till's figures within tolerance, returns
against their original, periods, and the faults a test scripts."""

import time
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from connectors.erp.base import ErpBooks, ErpConnector, ReserveRequest
from connectors.erp.errors import (
    ErpRejected,
    ErpReturnRefused,
    ErpTotalsMismatch,
    ErpUnavailable,
    ErpUnknownCodes,
)
from connectors.erp.factory import create_erp
from connectors.erp.memory import InvoiceState, MemoryErp, StockState
from domain.erp_order import ErpOrderRefs, ErpProductLine
from domain.settings import Settings
from domain.transaction import ItemCondition
from tests.factories import BUSINESS_DATE, sale_line
from tests.memory_erp.orders import LONDON, book, erp_order, product_line, tea_sale, undo
from tests.till_tickets import plan, uk_ticket


def test_one_object_is_both_protocols_and_the_factory_builds_it(tmp_path: Any) -> None:
    erp = MemoryErp()
    connector: ErpConnector = erp
    books: ErpBooks = erp
    assert connector is erp and books is erp
    made_connector, made_books = create_erp(Settings(data_dir=tmp_path, erp_kind="memory"))
    assert isinstance(made_connector, MemoryErp) and made_connector is made_books


async def test_reserve_is_idempotent_by_reference(erp: MemoryErp) -> None:
    before = time.monotonic()
    first = await erp.reserve(tea_sale("pos-a"))
    second = await erp.reserve(tea_sale("pos-a"))

    assert first == second and first.sale_id is not None
    assert erp.stock_of("TEA-001", LONDON).available == 8, "reserved once"
    assert erp.stock_of("TEA-001", LONDON).on_hand == 10, "nothing left the shelf yet"
    assert erp.effects("pos-a") == {"reserved": 1}
    assert erp.calls["reserve"] == 2
    reserved_at = erp.reserved_at("pos-a")
    assert reserved_at is not None and before <= reserved_at <= time.monotonic()


async def test_a_sale_posts_pays_and_commits_once_however_often_each_step_runs(
    erp: MemoryErp,
) -> None:
    order = tea_sale("pos-b")
    refs = await book(erp, order)
    posting = await erp.post("pos-b", date(2027, 1, 5))
    again = await book(erp, order)

    assert again == refs and refs.invoice_id is not None and refs.payment_move_ids
    assert posting.refs.posting_date == BUSINESS_DATE, "the first posting stands"
    assert (posting.net_total, posting.tax_total, posting.gross_total) == (
        Decimal("6.00"),
        Decimal("1.20"),
        Decimal("7.20"),
    )
    assert erp.effects("pos-b") == {"reserved": 1, "posted": 1, "paid": 1, "committed": 1}
    assert erp.order("pos-b").invoice is InvoiceState.PAID
    level = erp.stock_of("TEA-001", LONDON)
    assert (level.on_hand, level.available) == (Decimal(8), Decimal(8)), "issued once, unreserved"
    assert erp.posted_twice() == [] and erp.standing_postings() == {"pos-b": 1}
    [invoice] = await erp.posted_invoices(BUSINESS_DATE, BUSINESS_DATE)
    assert invoice.figures.tenders == {"card": Decimal("7.20")}
    assert invoice.figures.tax_by_rate == {"20%": Decimal("1.20")}


async def test_compensations_undo_what_exists_and_are_idempotent(erp: MemoryErp) -> None:
    await book(erp, tea_sale("pos-c"))
    await undo(erp, "pos-c")
    await undo(erp, "pos-c")
    await undo(erp, "pos-never-booked")

    order = erp.order("pos-c")
    assert (order.stock, order.invoice, order.cancelled) == (
        StockState.RETURNED,
        InvoiceState.CANCELLED,
        True,
    )
    assert erp.effects("pos-c") == {
        "reserved": 1,
        "posted": 1,
        "paid": 1,
        "committed": 1,
        "stock_returned": 1,
        "payments_voided": 1,
        "posting_cancelled": 1,
        "released": 1,
    }
    level = erp.stock_of("TEA-001", LONDON)
    assert (level.on_hand, level.available) == (Decimal(10), Decimal(10))
    assert erp.standing_postings() == {}
    assert await erp.find_order("pos-never-booked") is None


async def test_a_released_reservation_frees_the_stock_and_refuses_later_steps(
    erp: MemoryErp,
) -> None:
    await erp.reserve(tea_sale("pos-d", "3"))
    await erp.release_if_present("pos-d")

    assert erp.stock_of("TEA-001", LONDON).available == 10
    for step in (
        erp.reserve(tea_sale("pos-d")),
        erp.post("pos-d", BUSINESS_DATE),
        erp.commit("pos-d"),
        erp.post("pos-unknown", BUSINESS_DATE),
    ):
        with pytest.raises(ErpRejected):
            await step


async def test_unknown_codes_are_named_and_nothing_is_reserved(erp: MemoryErp) -> None:
    with pytest.raises(ErpUnknownCodes) as warehouse:
        await erp.check_codes("WH-NOWHERE", ["TEA-001"])
    with pytest.raises(ErpUnknownCodes) as products:
        await erp.reserve(
            erp_order(
                "pos-e",
                product_line(1, "TEA-001", "1", "3.00"),
                product_line(2, "GHOST-2", "1", "1.00"),
                product_line(3, "GHOST-1", "1", "1.00"),
            )
        )
    assert (warehouse.value.kind, warehouse.value.codes) == ("warehouse", ["WH-NOWHERE"])
    assert (products.value.kind, products.value.codes) == ("product", ["GHOST-1", "GHOST-2"])
    assert erp.orders() == [] and erp.stock_of("TEA-001", LONDON).available == 10

    erp.add_codes(products=["GHOST-1"])
    await erp.check_codes(LONDON, ["GHOST-1"])
    await MemoryErp().check_codes("ANY", ["CODE"])


def test_stock_keys_are_warehouse_then_product() -> None:
    with pytest.raises(ErpUnknownCodes):
        MemoryErp(
            warehouses={LONDON}, products={"TEA-001"}, stock={("TEA-001", LONDON): Decimal(1)}
        )


async def test_reserving_beyond_stock_is_forced_and_said(erp: MemoryErp) -> None:
    refs = await erp.reserve(tea_sale("pos-f", "12"))

    assert refs.reserved_beyond_stock
    assert erp.stock_of("TEA-001", LONDON).available == -2
    erp.set_on_hand("TEA-001", LONDON, Decimal(20))
    assert not (await erp.reserve(tea_sale("pos-g", "1"))).reserved_beyond_stock


async def test_reserve_many_is_one_call_with_one_outcome_per_order(erp: MemoryErp) -> None:
    erp.fail("reserve", ErpUnavailable("flaky line"), reference="pos-h3")
    outcomes = await erp.reserve_many(
        [
            ReserveRequest(tea_sale("pos-h1")),
            ReserveRequest(erp_order("pos-h2", product_line(1, "GHOST", "1", "1.00"))),
            ReserveRequest(tea_sale("pos-h3")),
            ReserveRequest(
                erp_order("pos-h4", product_line(1, "MUG-001", "1", "7.50", pos_tax="1.60"))
            ),
            ReserveRequest(tea_sale("pos-h5", "1")),
        ]
    )

    kinds = [type(outcome).__name__ for outcome in outcomes]
    assert kinds == [
        "ErpOrderRefs",
        "ErpUnknownCodes",
        "ErpUnavailable",
        "ErpTotalsMismatch",
        "ErpOrderRefs",
    ]
    assert (erp.calls["reserve_many"], erp.calls["reserve"], erp.batched_orders) == (1, 0, 5)
    assert erp.stock_of("TEA-001", LONDON).available == 7
    assert [order.reference for order in erp.orders()] == ["pos-h1", "pos-h5"]
    [retried] = await erp.reserve_many([ReserveRequest(tea_sale("pos-h3"))])
    assert isinstance(retried, ErpOrderRefs)


async def test_the_tills_tax_within_tolerance_is_kept_and_reported_at_post(
    erp: MemoryErp,
) -> None:
    # The ERP computes 20% of 7.50 = 1.50; the till rang 1.51.
    penny = erp_order("pos-i", product_line(1, "MUG-001", "1", "7.50", pos_tax="1.51"))
    await erp.reserve(penny)
    posting = await erp.post("pos-i", BUSINESS_DATE)

    assert (posting.tax_total, posting.gross_total) == (Decimal("1.51"), Decimal("9.01"))
    assert posting.tax_adjustment == Decimal("0.01")
    assert posting.reconciliation is not None and posting.reconciliation.adjusted

    two_pence = erp_order("pos-j", product_line(1, "MUG-001", "1", "7.50", pos_tax="1.52"))
    with pytest.raises(ErpTotalsMismatch) as refused:
        await erp.reserve(two_pence)
    assert refused.value.tolerance == Decimal("0.01")
    assert (refused.value.reconciliation.erp_tax, refused.value.reconciliation.pos_tax) == (
        Decimal("1.50"),
        Decimal("1.52"),
    )
    assert await erp.find_order("pos-j") is None, "refused before anything was booked"
    await erp.reserve(two_pence, Decimal("0.02"))


async def test_a_till_ticket_planned_like_the_saga_books_to_the_penny(erp: MemoryErp) -> None:
    txn = uk_ticket([sale_line(1, "100001", "3", "3.60"), sale_line(2, "100002", "1", "9.00")])
    order = plan(txn)

    await erp.reserve(order)
    posting = await erp.post(order.reference, BUSINESS_DATE)

    assert posting.gross_total == txn.totals.gross
    assert (posting.net_total, posting.tax_total) == (txn.totals.net, txn.totals.tax)


def returned_line(
    number: int, product: str, quantity: str, original: str, line: int, **extra: Any
) -> ErpProductLine:
    return product_line(
        number,
        product,
        quantity,
        "3.00",
        return_of_transaction_id=original,
        return_of_line_number=line,
        return_of_reference=original,
        **extra,
    )


async def test_returns_are_checked_against_their_original_and_restocked_by_condition(
    erp: MemoryErp,
) -> None:
    await book(erp, tea_sale("pos-k", "3"))
    for refused in (
        returned_line(1, "TEA-001", "-4", "pos-k", 1),
        returned_line(1, "TEA-001", "-1", "pos-k", 2),
        returned_line(1, "MUG-001", "-1", "pos-k", 1),
        returned_line(1, "TEA-001", "-1", "pos-missing", 1),
    ):
        with pytest.raises(ErpReturnRefused):
            await erp.reserve(erp_order("pos-k-refund", refused))

    await book(erp, erp_order("pos-k-r1", returned_line(1, "TEA-001", "-1", "pos-k", 1)))
    damaged = returned_line(1, "TEA-001", "-1", "pos-k", 1, condition=ItemCondition.DAMAGED)
    await book(erp, erp_order("pos-k-r2", damaged))
    await erp.reserve(erp_order("pos-k-r3", returned_line(1, "TEA-001", "-1", "pos-k", 1)))
    await erp.release_if_present("pos-k-r3")

    returnable = await erp.returnable_quantity("pos-k", 1)
    assert (returnable.sold, returnable.returned) == (Decimal(3), Decimal(2))
    assert returnable.remaining == 1
    assert erp.stock_of("TEA-001", LONDON).on_hand == 10 - 3 + 1, "resaleable back on sale"
    assert erp.stock_of("TEA-001", LONDON + "-DMG").on_hand == 1, "damaged goods kept apart"
    with pytest.raises(ErpReturnRefused):
        await erp.reserve(erp_order("pos-k-r4", returned_line(1, "TEA-001", "-2", "pos-k", 1)))
