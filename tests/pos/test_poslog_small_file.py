"""The ARTS POSLog adapter on NCR's small sample file (tests/data/poslog/SMALL.xml), and on
variations of it: a transaction it cannot convert, the transaction flags, the file's defaults,
and the documents it refuses."""

import re
from datetime import date, datetime
from decimal import Decimal

import pytest

from connectors.pos.errors import PayloadError
from connectors.pos.poslog import parse_poslog
from domain.transaction import DiscountKind, TenderType, TransactionStatus
from tests.sample_data import POSLOG_DIR

SMALL = POSLOG_DIR / "SMALL.xml"


def test_the_small_file_is_one_discounted_weighed_card_sale() -> None:
    result = parse_poslog(SMALL)
    assert [skip.reason for skip in result.skipped] == [
        "control transaction: OperatorSignOn (Valid SignOn)"
    ]
    (txn,) = result.transactions
    assert (txn.transaction_id, txn.store_id, txn.terminal_id, txn.receipt_number) == (
        "9-34-20170930-161",
        "9",
        "34",
        161,
    )
    assert txn.business_date == date(2017, 9, 30)
    assert txn.occurred_at == datetime(2017, 10, 1, 2, 2, 54)
    assert txn.cashier_id == "94"
    (line,) = txn.lines
    assert (line.sku, line.description) == ("00000000067591", "APPLE HONEYCRISP ORG")
    assert (line.quantity, line.unit, line.unit_price) == (Decimal("0.42"), "lb", Decimal("2.99"))
    (discount,) = line.discounts
    assert (discount.kind, discount.code, discount.amount) == (
        DiscountKind.PROMOTION,
        "5123",
        Decimal("0.19"),
    )
    (tender,) = txn.tenders
    assert (tender.type, tender.amount, tender.reference) == (
        TenderType.CARD,
        Decimal("1.07"),
        "344665",
    )
    assert (txn.totals.net, txn.totals.tax, txn.totals.gross) == (
        Decimal("1.07"),
        Decimal("0.00"),
        Decimal("1.07"),
    )


def _small(old: str, new: str) -> bytes:
    text = SMALL.read_text()
    assert old in text
    return text.replace(old, new, 1).encode()


def test_a_transaction_that_cannot_be_converted_is_rejected_with_the_element() -> None:
    # point the 5123 percent-off reward at a line that does not exist
    payload = re.sub(
        "(<PromotionID>5123</PromotionID>.*?<acs:OperatorSequenceReference>)2<",
        r"\g<1>9<",
        SMALL.read_text(),
        count=1,
    ).encode()
    result = parse_poslog(payload)
    assert result.transactions == [] and len(result.skipped) == 1
    (rejected,) = result.rejects
    assert (rejected.source_index, rejected.transaction_id) == (1, "9-34-20170930-161")
    (error,) = rejected.errors
    assert error.field == (
        "RetailTransaction/LineItem[SequenceNumber=5]/LoyaltyReward/acs:OperatorSequenceReference"
    )
    assert "acs:OperatorSequence 9" in error.reason
    assert rejected.raw.startswith("<ns0:Transaction")


def test_an_unknown_line_item_rejects_the_transaction() -> None:
    text = re.sub(
        "<acs:CRMCustomVariable>.*?</acs:CRMCustomVariable>",
        "<acs:GiftCardActivation/>",
        SMALL.read_text(),
        count=1,
    )
    (rejected,) = parse_poslog(text.encode()).rejects
    (error,) = rejected.errors
    assert error.field == "RetailTransaction/LineItem[SequenceNumber=10]/acs:GiftCardActivation"
    assert error.reason == "this line item is not supported"


def _small_sale_with(attribute: str) -> bytes:
    """SMALL.xml with ``attribute`` on the sale's Transaction element."""
    text = SMALL.read_text()
    sale = text.index("<Transaction>", text.index("</Transaction>"))
    return (
        text[:sale] + f"<Transaction {attribute}>" + text[sale + len("<Transaction>") :]
    ).encode()


@pytest.mark.parametrize(
    ("attribute", "status"),
    [
        ('CancelFlag="true"', TransactionStatus.VOIDED),
        ('SuspendFlag="true"', TransactionStatus.SUSPENDED),
        ('CancelFlag="false"', TransactionStatus.COMPLETED),
    ],
)
def test_status_comes_from_the_transaction_flags(attribute: str, status: TransactionStatus) -> None:
    (txn,) = parse_poslog(_small_sale_with(attribute)).transactions
    assert txn.status is status


def test_training_transactions_are_skipped() -> None:
    result = parse_poslog(_small_sale_with('TrainingModeFlag="true"'))
    assert result.transactions == []
    assert result.skipped[1].reason == "training mode transaction"


def test_currency_defaults_to_usd_and_weight_unit_follows_the_file() -> None:
    payload = _small("<CurrencyCode>USD</CurrencyCode><RetailTransaction", "<RetailTransaction")
    payload = payload.replace(b"<Quantity>0.42", b'<Quantity UnitOfMeasureCode="KGM">0.42')
    (txn,) = parse_poslog(payload).transactions
    assert txn.currency == "USD"
    assert txn.lines[0].unit == "kg"


def test_refuses_doctype_and_entities() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE POSLog [<!ENTITY a "aaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><POSLog>&b;</POSLog>'
    )
    with pytest.raises(PayloadError, match="DOCTYPE"):
        parse_poslog(bomb)
    with pytest.raises(PayloadError, match="DOCTYPE"):
        parse_poslog(b'<!DOCTYPE POSLog SYSTEM "file:///etc/passwd"><POSLog/>')


def test_refuses_oversized_malformed_and_foreign_documents() -> None:
    with pytest.raises(PayloadError, match="limit"):
        parse_poslog(SMALL, max_bytes=1000)
    with pytest.raises(PayloadError, match="limit"):
        parse_poslog(SMALL.read_bytes(), max_bytes=1000)
    with pytest.raises(PayloadError, match="well-formed"):
        parse_poslog(b"<POSLog><Transaction></POSLog>")
    with pytest.raises(PayloadError, match="not the ARTS POSLog"):
        parse_poslog(b"<Orders/>")
