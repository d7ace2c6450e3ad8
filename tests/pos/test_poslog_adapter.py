"""The ARTS POSLog adapter on NCR's sample day (tests/data/poslog/POSLog.xml); its small sample
file and variations of it: test_poslog_small_file.py."""

import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from connectors.pos.base import AdapterResult
from connectors.pos.canonical import parse_canonical
from connectors.pos.poslog import ACS_NS, ARTS_NS, parse_poslog
from domain.totals import expected_totals, line_amount, tender_total
from domain.transaction import (
    DiscountKind,
    PosTransaction,
    TenderType,
    TransactionKind,
    TransactionStatus,
)
from tests.sample_data import POSLOG_DIR

DATA = POSLOG_DIR
POSLOG = DATA / "POSLog.xml"
NS = {"": ARTS_NS, "acs": ACS_NS}


@pytest.fixture(scope="module")
def poslog() -> AdapterResult:
    return parse_poslog(POSLOG)


@pytest.fixture(scope="module")
def by_id(poslog: AdapterResult) -> dict[str, PosTransaction]:
    return {txn.transaction_id: txn for txn in poslog.transactions}


def _text(element: ET.Element, path: str) -> str:
    text = element.findtext(path, namespaces=NS)
    assert text is not None, path
    return text


def _file_transactions() -> dict[str, ET.Element]:
    """The file's RetailTransactions by our transaction id, read without the adapter."""
    result = {}
    for txn in ET.parse(POSLOG).getroot().findall("Transaction", NS):
        retail = txn.find("RetailTransaction", NS)
        if retail is not None:
            store, terminal, sequence, day = (
                _text(txn, name)
                for name in ("RetailStoreID", "WorkstationID", "SequenceNumber", "BusinessDayDate")
            )
            result[f"{store}-{terminal}-{day.replace('-', '')}-{sequence}"] = retail
    return result


def _total(retail: ET.Element, total_type: str) -> Decimal:
    return Decimal(_text(retail, f"Total[@TotalType='{total_type}']"))


def test_converts_every_retail_transaction_and_skips_the_control_ones(
    poslog: AdapterResult,
) -> None:
    assert len(poslog.transactions) == 42
    assert poslog.rejects == []
    assert len(poslog.skipped) == 9
    kinds = Counter(skip.reason.split(":")[1].split("(")[0].strip() for skip in poslog.skipped)
    assert kinds == {"OperatorSignOn": 4, "OperatorSignOff": 3, "NoSale": 2}
    assert all(skip.reason.startswith("control transaction") for skip in poslog.skipped)


def test_gross_equals_the_files_grand_amount_for_every_retail_transaction(
    by_id: dict[str, PosTransaction],
) -> None:
    file_transactions = _file_transactions()
    assert set(by_id) == set(file_transactions)
    for transaction_id, retail in file_transactions.items():
        txn = by_id[transaction_id]
        assert txn.totals.gross == _total(retail, "TransactionGrandAmount"), transaction_id
        assert txn.totals.tax == _total(retail, "TransactionTaxAmount"), transaction_id


def test_totals_are_consistent_with_lines_and_tenders(poslog: AdapterResult) -> None:
    for txn in poslog.transactions:
        assert expected_totals(txn) == txn.totals, txn.transaction_id
        assert tender_total(txn) == txn.totals.gross, txn.transaction_id


def test_the_day_exported_as_canonical_json_replays_to_the_same_transactions(
    poslog: AdapterResult,
) -> None:
    """What a replay of the converted day reads back: money as decimal strings, no penny lost."""
    exported = "\n".join(txn.model_dump_json() for txn in poslog.transactions).encode()
    replayed = parse_canonical(exported)
    assert replayed.rejects == []
    assert replayed.transactions == poslog.transactions


def test_the_header_gives_store_terminal_currency_date_and_rising_receipts(
    poslog: AdapterResult,
) -> None:
    terminals = {txn.terminal_id for txn in poslog.transactions}
    control_terminals = {str(skip.transaction_id).split("-")[1] for skip in poslog.skipped}
    assert terminals | control_terminals == {"1", "2", "3", "5", "31", "32", "34"}
    for terminal in terminals:
        receipts = [
            txn.receipt_number for txn in poslog.transactions if txn.terminal_id == terminal
        ]
        assert receipts == sorted(set(receipts))
    assert {txn.store_id for txn in poslog.transactions} == {"9"}
    assert {txn.currency for txn in poslog.transactions} == {"USD"}
    assert {txn.prices_include_tax for txn in poslog.transactions} == {False}
    assert {txn.status for txn in poslog.transactions} == {TransactionStatus.COMPLETED}
    assert {txn.business_date for txn in poslog.transactions} == {date(2017, 10, 1)}


def test_items_are_identified_by_their_gtin(poslog: AdapterResult) -> None:
    in_file = {item.text for item in ET.parse(POSLOG).getroot().iterfind(".//Sale/ItemID", NS)}
    converted = {line.sku for txn in poslog.transactions for line in txn.lines}
    assert len(in_file) == 386
    # two items were only rung up and then voided
    assert in_file - converted == {"00000000062367", "00000000010214"}
    assert len(converted) == 384
    for txn in poslog.transactions:
        for line in txn.lines:
            assert line.barcode == line.sku
            assert line.sku is not None and len(line.sku) == 14


def test_weighed_items_have_decimal_quantities_in_pounds(poslog: AdapterResult) -> None:
    weighed = [line for txn in poslog.transactions for line in txn.lines if line.unit == "lb"]
    assert len(weighed) == 164  # 168 weighed lines in the file, less 2 voids and what they void
    assert all(line.quantity.as_tuple().exponent == -2 for line in weighed)
    assert sum(1 for line in weighed if line.quantity % 1) == 163
    units = Counter(line.unit for txn in poslog.transactions for line in txn.lines)
    assert set(units) == {"lb", "unit"}


def test_line_voids_drop_the_void_and_the_voided_line(by_id: dict[str, PosTransaction]) -> None:
    numbers = {line.line_number for line in by_id["9-1-20171001-376"].lines}
    assert {16, 19} <= numbers and not {17, 18} & numbers
    numbers = {line.line_number for line in by_id["9-3-20171001-92"].lines}
    assert {7, 10} <= numbers and not {8, 9} & numbers


def test_unit_price_is_the_price_the_customer_paid(by_id: dict[str, PosTransaction]) -> None:
    # "2 for 6.00": RegularSalesUnitPrice 6.00, ExtendedAmount 3.00
    line = by_id["9-3-20171001-86"].lines[0]
    assert (line.quantity, line.unit_price) == (Decimal(1), Decimal("3.00"))
    # scale label: 0.56 lb, RegularSalesUnitPrice 10.99, ExtendedAmount 6.48
    line = next(ln for ln in by_id["9-1-20171001-376"].lines if ln.sku == "00204601000005")
    assert (line.quantity, line.unit_price) == (Decimal("0.56"), Decimal("11.57"))
    # a pack of 12 for 5.69 needs a third decimal
    line = next(ln for ln in by_id["9-2-20171001-300"].lines if ln.line_number == 18)
    assert (line.quantity, line.unit_price) == (Decimal(12), Decimal("0.474"))


def test_a_negative_item_is_a_returned_line(by_id: dict[str, PosTransaction]) -> None:
    txn = by_id["9-34-20171001-101"]
    assert txn.kind is TransactionKind.EXCHANGE
    assert (txn.lines[0].quantity, txn.lines[0].unit_price) == (Decimal(-1), Decimal("2.00"))
    assert txn.totals.gross == Decimal("11.88")


def test_rewards_become_promotion_discounts_on_their_lines(
    poslog: AdapterResult, by_id: dict[str, PosTransaction]
) -> None:
    discounts = Counter(
        (discount.kind, discount.code, discount.description)
        for txn in poslog.transactions
        for line in txn.lines
        for discount in line.discounts
    )
    assert discounts == {
        (DiscountKind.PROMOTION, "5081", "PercentOff (loyalty members only)"): 231,
        (DiscountKind.PROMOTION, "1465", "PercentOff"): 8,
        (DiscountKind.PROMOTION, "5168", "FreeItem"): 5,
        (DiscountKind.PROMOTION, "1037", "FreeItem"): 1,
    }
    # every transaction-level summary matched its detail records: no basket discounts
    assert all(txn.discounts == [] for txn in poslog.transactions)
    line = by_id["9-1-20171001-377"].lines[0]
    assert (line.sku, line.discounts[0].amount) == ("00093966000856", Decimal("0.35"))
    buy_one_get_one = by_id["9-34-20171001-102"].lines[0]
    assert buy_one_get_one.discounts[0].amount == Decimal("14.54")


def test_transaction_tax_is_allocated_to_the_taxable_lines(
    by_id: dict[str, PosTransaction],
) -> None:
    txn = by_id["9-31-20171001-114"]
    taxes = {line.line_number: line.taxes for line in txn.lines}
    assert {number: [t.amount for t in lines] for number, lines in taxes.items() if lines} == {
        2: [Decimal("0.35")],
        3: [Decimal("0.35")],
        5: [Decimal("0.12")],
        7: [Decimal("0.12")],
    }
    assert {(t.code, t.rate) for lines in taxes.values() for t in lines} == {
        ("1", Decimal("0.10129"))
    }


def test_tax_bases_equal_the_files_taxable_amounts(by_id: dict[str, PosTransaction]) -> None:
    taxed = 0
    for transaction_id, retail in _file_transactions().items():
        taxable = retail.findtext("LineItem/Tax/TaxableAmount", namespaces=NS)
        if taxable is None:
            continue
        txn = by_id[transaction_id]
        base = sum(line_amount(line, txn.currency) for line in txn.lines if line.taxes)
        assert base == Decimal(taxable), transaction_id
        taxed += 1
    assert taxed == 23


def test_cash_change_is_kept_and_cash_back_is_a_negative_cash_tender(
    by_id: dict[str, PosTransaction],
) -> None:
    (cash,) = by_id["9-34-20171001-100"].tenders
    assert (cash.type, cash.amount, cash.change) == (
        TenderType.CASH,
        Decimal("20.00"),
        Decimal("2.62"),
    )
    card, cash_back = by_id["9-3-20171001-91"].tenders
    assert (card.type, card.amount, card.reference) == (TenderType.CARD, Decimal("34.78"), "34007")
    assert (cash_back.type, cash_back.amount) == (TenderType.CASH, Decimal("-10.00"))
