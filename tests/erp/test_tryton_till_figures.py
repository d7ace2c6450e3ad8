"""The ERP's books carry the till's net, tax and discounts to the penny (real sandbox Tryton)."""

from decimal import Decimal
from typing import Any

import pytest

from connectors.erp.errors import ErpTotalsMismatch
from connectors.erp.tryton import TrytonConnector, TrytonRest
from connectors.erp.tryton.documents import TAX_ADJUSTMENT_CODE
from connectors.erp.tryton.invoicing import TAX_ADJUSTMENT_DESCRIPTION
from domain.transaction import PosTransaction
from tests.factories import BUSINESS_DATE, sale_line
from tests.till_tickets import (
    book,
    credit,
    invoice_move_lines,
    plan,
    uk_ticket,
    us_line,
    us_ticket,
)

pytestmark = pytest.mark.erp

REVENUE, ADJUSTMENTS, UK_VAT = "4.1.1", "4.3.3", "2.2.5"
DISCOUNT_ACCOUNTS = {
    "DISC-PROMOTION": "4.3.2",
    "DISC-MANUAL": "4.3.4",
    "DISC-LOYALTY": "4.3.5",
    "DISC-COUPON": "4.3.6",
}


def tea_and_vat(vat: str) -> PosTransaction:
    """Two teas at 3.60 including VAT: Tryton computes 1.20 of VAT on 6.00; the till says
    ``vat``."""
    line = sale_line(1, "100001", "2", "3.60")
    line["taxes"][0]["amount"] = vat
    return uk_ticket([line])


async def test_a_penny_between_the_tills_tax_and_the_erps_is_adjusted_and_reported(
    tryton_connector: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    order = plan(tea_and_vat("1.21"))

    await tryton_connector.reserve(order)
    posting = await tryton_connector.post(order.reference, BUSINESS_DATE)

    assert (posting.net_total, posting.tax_total, posting.gross_total) == (
        Decimal("5.99"),
        Decimal("1.21"),
        Decimal("7.20"),
    )
    assert posting.tax_adjustment == Decimal("0.01")
    figures = posting.reconciliation
    assert figures is not None and figures.adjusted
    assert (figures.erp_net, figures.erp_tax) == (Decimal("6.00"), Decimal("1.20"))
    assert (figures.pos_net, figures.pos_tax) == (Decimal("5.99"), Decimal("1.21"))
    assert posting.refs.invoice_id is not None
    invoice = await tryton_rest.read(
        "account.invoice",
        posting.refs.invoice_id,
        ["taxes.amount", "taxes.manual", "taxes.description"],
    )
    assert sorted((tax["manual"], tax["amount"]) for tax in invoice["taxes"]) == [
        (False, Decimal("1.20")),
        (True, Decimal("0.01")),
    ]
    assert TAX_ADJUSTMENT_DESCRIPTION in {tax["description"] for tax in invoice["taxes"]}
    books = await invoice_move_lines(tryton_rest, posting.refs.invoice_id)
    assert credit(books, UK_VAT) == Decimal("1.21")
    assert credit(books, REVENUE) == Decimal("6.00")
    assert credit(books, ADJUSTMENTS) == Decimal("-0.01")


async def test_a_pound_between_them_is_refused_naming_both_figures(
    tryton_connector: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    order = plan(tea_and_vat("2.20"))

    with pytest.raises(ErpTotalsMismatch) as refused:
        await tryton_connector.reserve(order)

    figures = refused.value.reconciliation
    assert (figures.erp_tax, figures.pos_tax) == (Decimal("1.20"), Decimal("2.20"))
    assert (figures.erp_net, figures.pos_net) == (Decimal("6.00"), Decimal("5.00"))
    assert "tax 1.20" in str(refused.value) and "tax 2.20" in str(refused.value)
    refs = await tryton_connector.find_order(order.reference)
    assert refs is not None and refs.invoice_id is not None
    invoice = await tryton_rest.read("account.invoice", refs.invoice_id, ["taxes.manual"])
    assert not any(tax["manual"] for tax in invoice["taxes"]), "nothing was adjusted"

    await tryton_connector.reserve(order, tolerance=Decimal("1.00"))
    posting = await tryton_connector.post(order.reference, BUSINESS_DATE)

    assert (posting.tax_total, posting.gross_total) == (Decimal("2.20"), Decimal("7.20"))


def _uk_ticket() -> PosTransaction:
    return uk_ticket(
        [sale_line(1, "100001", "3", "1.99"), sale_line(2, "100002", "1", "8.99")],
        tenders=[
            {"type": "card", "amount": "10.00", "reference": "VISA ****4242"},
            {"type": "cash", "amount": "10.00", "change": "5.04"},
        ],
    )


def _us_ticket() -> PosTransaction:
    """Tryton computes 1.46 of sales tax on 16.46; the till truncated each line's tax."""
    return us_ticket(
        [us_line(1, "100001", "3", "2.99", "0.79"), us_line(2, "100002", "1", "7.49", "0.66")],
        tenders=[
            {"type": "card", "amount": "15.00", "reference": "AMEX ****1005"},
            {"type": "cash", "amount": "5.00", "change": "2.09"},
        ],
    )


@pytest.mark.parametrize(
    ("ticket", "warehouse"),
    [(_uk_ticket, "WH-LON"), (_us_ticket, "WH-NYC")],
    ids=["tax-inclusive GBP", "tax-exclusive USD"],
)
async def test_tax_inclusive_and_exclusive_tickets_reconcile_to_the_penny(
    tryton_connector: TrytonConnector, tryton_rest: TrytonRest, ticket: Any, warehouse: str
) -> None:
    txn: PosTransaction = ticket()
    order = plan(txn, warehouse)

    posting = await book(tryton_connector, order)

    assert (posting.net_total, posting.tax_total, posting.gross_total) == (
        txn.totals.net,
        txn.totals.tax,
        txn.totals.gross,
    )
    assert posting.refs.invoice_id is not None
    invoice = await tryton_rest.read(
        "account.invoice",
        posting.refs.invoice_id,
        ["state", "currency.code", "untaxed_amount", "tax_amount", "total_amount"],
    )
    assert invoice["currency"]["code"] == txn.currency
    assert invoice["untaxed_amount"] + invoice["tax_amount"] == txn.totals.gross
    assert (invoice["untaxed_amount"], invoice["tax_amount"]) == (txn.totals.net, txn.totals.tax)
    assert invoice["state"] == "paid"


def _vat_line(
    number: int, sku: str, quantity: str, price: str, vat: str, discount: dict[str, str]
) -> dict[str, Any]:
    return {
        "line_number": number,
        "sku": sku,
        "quantity": quantity,
        "unit_price": price,
        "taxes": [{"code": "UK-STD", "rate": "0.20", "amount": vat}],
        "discounts": [discount],
    }


async def test_each_discount_is_its_own_invoice_line_on_its_own_account(
    tryton_connector: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    # Lines 6.70 + 8.00 + 6.90 after their discounts, less a 2.00 coupon: 19.60, VAT the till
    # computed on each line after its share of the coupon.
    txn = uk_ticket(
        [
            _vat_line(
                1,
                "100001",
                "2",
                "3.60",
                "1.01",
                {"kind": "promotion", "amount": "0.50", "code": "TEA50"},
            ),
            _vat_line(
                2,
                "100002",
                "1",
                "9.00",
                "1.21",
                {
                    "kind": "manual_override",
                    "amount": "1.00",
                    "cashier_id": "C7",
                    "reason": "chipped box",
                },
            ),
            _vat_line(3, "100003", "3", "2.40", "1.04", {"kind": "loyalty", "amount": "0.30"}),
        ],
        discounts=[{"kind": "coupon", "amount": "2.00", "code": "SAVE2"}],
        totals={"net": "16.34", "tax": "3.26", "gross": "19.60"},
        tenders=[{"type": "card", "amount": "19.60", "reference": "VISA ****4242"}],
    )
    order = plan(txn)

    posting = await book(tryton_connector, order)

    assert posting.refs.invoice_id is not None
    invoice = await tryton_rest.read(
        "account.invoice",
        posting.refs.invoice_id,
        [
            "untaxed_amount",
            "total_amount",
            "lines.product.code",
            "lines.description",
            "lines.quantity",
            "lines.unit_price",
            "lines.amount",
            "lines.account.code",
        ],
    )
    lines = {line["product"]["code"]: line for line in invoice["lines"]}
    assert [lines[code]["unit_price"] for code in ("TEA-001", "MUG-001", "BISC-001")] == [
        Decimal("3.0000"),
        Decimal("7.5000"),
        Decimal("2.0000"),
    ], "each good at the till's price, net of VAT: no discount hides in a unit price"
    descriptions = {code: lines[code]["description"] for code in DISCOUNT_ACCOUNTS}
    assert "code TEA50" in descriptions["DISC-PROMOTION"]
    assert "by cashier C7" in descriptions["DISC-MANUAL"]
    assert "reason: chipped box" in descriptions["DISC-MANUAL"]
    assert descriptions["DISC-LOYALTY"].startswith("loyalty")
    assert "code SAVE2" in descriptions["DISC-COUPON"]
    assert {code: lines[code]["account"]["code"] for code in DISCOUNT_ACCOUNTS} == (
        DISCOUNT_ACCOUNTS
    )
    assert all(lines[code]["amount"] < 0 for code in DISCOUNT_ACCOUNTS)
    assert sorted(line["product"]["code"] for line in invoice["lines"]) == sorted(
        ["TEA-001", "MUG-001", "BISC-001", *DISCOUNT_ACCOUNTS, TAX_ADJUSTMENT_CODE]
    ), "3 goods, 4 discounts, and the adjustment of Tryton's net (rounded per line) to the till's"
    assert sum((line["amount"] for line in invoice["lines"]), Decimal(0)) == txn.totals.net
    assert invoice["total_amount"] == txn.totals.gross
    books = await invoice_move_lines(tryton_rest, posting.refs.invoice_id)
    for code, account in DISCOUNT_ACCOUNTS.items():
        assert credit(books, account) == lines[code]["amount"]
