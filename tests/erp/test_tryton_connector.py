"""TrytonConnector against the real sandbox Tryton ERP (one server for the session).

Tests share the database, so each books under its own reference and compares stock levels
before and after rather than against absolute quantities.
"""

import asyncio
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from connectors.erp.errors import ErpUnavailable, ErpUnknownCodes
from connectors.erp.tryton import TrytonConnector, TrytonRest
from connectors.erp.tryton_sandbox import TrytonServer
from domain.erp_order import ErpDiscountLine, ErpOrder, ErpProductLine, ErpTax, StockLevel
from domain.money import round_money
from domain.transaction import DiscountKind

pytestmark = pytest.mark.erp

VAT_RATE = Decimal("0.20")
COST_PRICES = {"TEA-001": Decimal("1.20"), "MUG-001": Decimal("3.00"), "BISC-001": Decimal("0.70")}
REVENUE_ACCOUNT, DISCOUNT_ACCOUNT, VAT_ACCOUNT, COGS_ACCOUNT = "4.1.1", "4.3.2", "2.2.5", "5.2.1"
BASKET = [("TEA-001", "2", "2.50"), ("MUG-001", "1", "6.25"), ("BISC-001", "3", "1.70")]


def _vat(net: Decimal) -> ErpTax:
    return ErpTax(
        erp_tax_code="VAT20", rate=VAT_RATE, pos_amount=round_money(net * VAT_RATE, "GBP")
    )


def make_order(
    lines: list[tuple[str, str, str]], *, basket_discount: str | None = None
) -> ErpOrder:
    """A GBP cash sale at the London store; lines are (product code, quantity, net price)."""
    reference = f"pos-test-{uuid4().hex[:12]}"
    product_lines = []
    for number, (code, quantity, price) in enumerate(lines, start=1):
        net = round_money(Decimal(quantity) * Decimal(price), "GBP")
        product_lines.append(
            ErpProductLine(
                pos_line_number=number,
                product_code=code,
                description=f"{code} x {quantity}",
                quantity=Decimal(quantity),
                unit_price=Decimal(price),
                net_amount=net,
                taxes=[_vat(net)],
            )
        )
    discount_lines = []
    if basket_discount is not None:
        discount = -Decimal(basket_discount)
        discount_lines.append(
            ErpDiscountLine(
                kind=DiscountKind.PROMOTION,
                applies_to_line=None,
                description="PROMO basket discount",
                net_amount=discount,
                taxes=[_vat(discount)],
            )
        )
    taxed: list[ErpProductLine | ErpDiscountLine] = [*product_lines, *discount_lines]
    net_total = sum((line.net_amount for line in taxed), Decimal(0))
    tax_total = sum((tax.pos_amount for line in taxed for tax in line.taxes), Decimal(0))
    return ErpOrder(
        reference=reference,
        transaction_id=reference,
        store_id="S001",
        terminal_id="T1",
        warehouse_code="WH-LON",
        customer_code=None,
        sale_date=date.today(),
        currency="GBP",
        product_lines=product_lines,
        discount_lines=discount_lines,
        net_total=net_total,
        tax_total=tax_total,
        gross_total=net_total + tax_total,
        description=f"POS sale {reference}",
    )


async def tea_level(connector: TrytonConnector) -> StockLevel:
    return await connector.stock_level("TEA-001", "WH-LON")


async def invoice_move_lines(rest: TrytonRest, invoice_id: str) -> list[dict[str, Any]]:
    invoice = await rest.read("account.invoice", invoice_id, ["move"])
    return await rest.search(
        "account.move.line", [("move", "=", invoice["move"])], ["account.code", "debit", "credit"]
    )


def balance(lines: list[dict[str, Any]], account_code: str) -> Decimal:
    """Credit minus debit on one account."""
    return sum(
        (
            line["credit"] - line["debit"]
            for line in lines
            if line["account"]["code"] == account_code
        ),
        Decimal(0),
    )


async def test_reserve_lowers_available_but_not_on_hand(tryton_connector: TrytonConnector) -> None:
    before = await tea_level(tryton_connector)

    refs = await tryton_connector.reserve(make_order([("TEA-001", "3", "2.50")]))

    after = await tea_level(tryton_connector)
    assert refs.sale_id is not None and refs.shipment_ids and refs.invoice_id is not None
    assert after.on_hand == before.on_hand
    assert after.available == before.available - 3


async def test_reserve_twice_books_one_sale(
    tryton_connector: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    order = make_order(BASKET)
    before = await tea_level(tryton_connector)

    first = await tryton_connector.reserve(order)
    second = await tryton_connector.reserve(order)

    assert second == first
    assert await tryton_connector.find_order(order.reference) == first
    sales = await tryton_rest.search("sale.sale", [("reference", "=", order.reference)], ["id"])
    assert len(sales) == 1
    assert (await tea_level(tryton_connector)).available == before.available - 2


async def test_post_books_revenue_vat_and_cogs(
    tryton_connector: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    order = make_order(BASKET, basket_discount="1.00")
    await tryton_connector.reserve(order)

    result = await tryton_connector.post(order.reference, date.today())

    assert (result.net_total, result.tax_total, result.gross_total) == (
        Decimal("15.35"),
        Decimal("3.07"),
        Decimal("18.42"),
    )
    assert (result.net_total, result.tax_total) == (order.net_total, order.tax_total)
    assert result.refs.invoice_number and result.refs.posting_date == date.today()
    assert result.refs.invoice_id is not None
    lines = await invoice_move_lines(tryton_rest, result.refs.invoice_id)
    assert balance(lines, REVENUE_ACCOUNT) == Decimal("16.35")
    assert balance(lines, DISCOUNT_ACCOUNT) == Decimal("-1.00")
    assert balance(lines, VAT_ACCOUNT) == Decimal("3.07")
    cogs = sorted(line["debit"] for line in lines if line["account"]["code"] == COGS_ACCOUNT)
    assert cogs == sorted(COST_PRICES[code] * Decimal(quantity) for code, quantity, _ in BASKET)
    assert await tryton_connector.post(order.reference, date.today()) == result


async def test_commit_issues_the_reserved_stock(tryton_connector: TrytonConnector) -> None:
    order = make_order(BASKET)
    before = await tea_level(tryton_connector)
    await tryton_connector.reserve(order)
    await tryton_connector.post(order.reference, date.today())

    refs = await tryton_connector.commit(order.reference)

    after = await tea_level(tryton_connector)
    assert after.on_hand == before.on_hand - 2
    assert after.available == before.available - 2
    assert await tryton_connector.commit(order.reference) == refs
    assert await tea_level(tryton_connector) == after


async def test_release_restores_availability(
    tryton_connector: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    order = make_order(BASKET)
    before = await tea_level(tryton_connector)
    refs = await tryton_connector.reserve(order)

    await tryton_connector.release_if_present(order.reference)
    await tryton_connector.release_if_present(order.reference)
    await tryton_connector.release_if_present("pos-test-never-booked")

    assert await tea_level(tryton_connector) == before
    assert refs.sale_id is not None
    sale = await tryton_rest.read("sale.sale", refs.sale_id, ["state", "invoices.state"])
    assert sale["state"] == "done"
    assert [invoice["state"] for invoice in sale["invoices"]] == ["cancelled"]


async def test_compensations_undo_post_and_commit(
    tryton_connector: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    order = make_order(BASKET)
    before = await tea_level(tryton_connector)
    await tryton_connector.reserve(order)
    posted = await tryton_connector.post(order.reference, date.today())
    await tryton_connector.commit(order.reference)

    for _ in range(2):
        await tryton_connector.return_stock_if_present(order.reference)
        await tryton_connector.cancel_posting_if_present(order.reference)

    assert await tea_level(tryton_connector) == before
    assert posted.refs.invoice_id is not None
    invoice = await tryton_rest.read(
        "account.invoice", posted.refs.invoice_id, ["state", "cancel_move"]
    )
    assert invoice["state"] == "cancelled"
    reversal = await tryton_rest.search(
        "account.move.line",
        [("move", "=", invoice["cancel_move"])],
        ["account.code", "debit", "credit"],
    )
    original = await invoice_move_lines(tryton_rest, posted.refs.invoice_id)
    for account in (REVENUE_ACCOUNT, VAT_ACCOUNT, COGS_ACCOUNT):
        assert balance(reversal, account) == -balance(original, account) != 0


async def test_unknown_product_code_is_refused(tryton_connector: TrytonConnector) -> None:
    order = make_order([("TEA-001", "1", "2.50"), ("NOPE-404", "1", "1.00")])

    with pytest.raises(ErpUnknownCodes) as refused:
        await tryton_connector.reserve(order)

    assert (refused.value.kind, refused.value.codes) == ("product", ["NOPE-404"])
    assert await tryton_connector.find_order(order.reference) is None
    with pytest.raises(ErpUnknownCodes):
        await tryton_connector.check_codes("WH-NOWHERE", ["TEA-001"])


async def test_erp_outage_is_unavailable_then_recovers(
    tryton_server: TrytonServer, tryton_connector: TrytonConnector
) -> None:
    order = make_order([("TEA-001", "1", "2.50")])
    await tryton_connector.ping()
    url = tryton_server.url

    await asyncio.to_thread(tryton_server.stop)
    try:
        with pytest.raises(ErpUnavailable):
            await tryton_connector.ping()
        with pytest.raises(ErpUnavailable):
            await tryton_connector.reserve(order)
    finally:
        await asyncio.to_thread(tryton_server.start)

    assert tryton_server.url == url
    await tryton_connector.ping()
    refs = await tryton_connector.reserve(order)
    assert refs.sale_id is not None
