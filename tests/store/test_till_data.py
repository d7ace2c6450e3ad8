"""What the store keeps for the tills, on SQLite and PostgreSQL: a store's records and the
deltas a till pulls, the items' own mappings under the hand-made ones, and available-to-sell."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine

from domain.mapping import MappingKind, MappingRow, TransactionMapping, item_mapping_rows
from domain.master_data import ErpItem, ErpMasterData, StoreArticle, StoreTerms, store_articles
from domain.publication import AvailableQuantity
from store.db import session_scope
from store.mappings import import_mappings, resolve_mapping
from store.till_data import (
    master_data_since,
    read_available,
    save_available,
    save_item_mappings,
    save_store_records,
)
from tests.factories import make_sale, sale_line

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TERMS = StoreTerms(store_id="S001")


def _articles(*items: ErpItem, rates: dict[str, Decimal] | None = None) -> list[StoreArticle]:
    data = ErpMasterData(since=None, items=items, tax_rates=rates or {"VAT20": Decimal("0.2")})
    return store_articles(data, TERMS)


def _item(code: str, price: str, written_at: datetime) -> ErpItem:
    return ErpItem(
        code=code,
        description=code,
        unit="Unit",
        tax_codes=("VAT20",),
        list_price=Decimal(price),
        written_at=written_at,
    )


def test_a_delta_holds_what_changed_after_the_watermark(store_engine: Engine) -> None:
    tea, mug = _item("TEA", "2.50", T0), _item("MUG", "7.50", T0 + timedelta(seconds=1))
    with session_scope(store_engine) as session:
        assert save_store_records(session, "S001", _articles(tea, mug), []) == 2
        snapshot = master_data_since(session, "S001", None)
        assert [a.code for a in snapshot.articles] == ["TEA", "MUG"]
        assert snapshot.watermark is not None
        assert save_store_records(session, "S001", _articles(tea, mug), []) == 0, "unchanged"
        assert master_data_since(session, "S001", snapshot.watermark).articles == []
        later = _item("TEA", "3.00", T0 + timedelta(minutes=5))
        assert save_store_records(session, "S001", _articles(later), []) == 1
        delta = master_data_since(session, "S001", snapshot.watermark)
        assert [(a.code, a.unit_price) for a in delta.articles] == [("TEA", Decimal("3.60"))]
        # A tax rate changed in the ERP: the item's write date did not move, the till's
        # price did; the record is dated after the latest so the next delta carries it.
        cheaper = _articles(later, rates={"VAT20": Decimal("0.1")})
        assert save_store_records(session, "S001", cheaper, []) == 1
        again = master_data_since(session, "S001", delta.watermark)
        assert [(a.code, a.unit_price) for a in again.articles] == [("TEA", Decimal("3.30"))]
        assert master_data_since(session, "S002", None).articles == []


def test_the_items_own_mappings_come_after_hand_made_rows(store_engine: Engine) -> None:
    with session_scope(store_engine) as session:
        import_mappings(
            session,
            [
                MappingRow(kind=MappingKind.LOCATION, store_id="S001", erp_code="WH-LON"),
                MappingRow(kind=MappingKind.SKU, pos_code="TEA", erp_code="TEA-HAND"),
            ],
        )
        rows = item_mapping_rows("TEA", [], Decimal(1)) + item_mapping_rows(
            "DOZEN-EGGS", ["5000000000017"], Decimal(12)
        )
        assert save_item_mappings(session, rows) == 3
        assert save_item_mappings(session, rows) == 0
        ticket = make_sale(
            "T-1", [sale_line(1, "TEA", "1", "3.00"), sale_line(2, "DOZEN-EGGS", "1", "3.00")]
        )
        mapping = resolve_mapping(session, ticket)
        assert isinstance(mapping, TransactionMapping)
        assert [(line.product_code, line.factor) for line in mapping.lines] == [
            ("TEA-HAND", Decimal(1)),
            ("DOZEN-EGGS", Decimal(12)),
        ]


def test_available_to_sell_keeps_the_newest_per_item(store_engine: Engine) -> None:
    with session_scope(store_engine) as session:
        save_available(
            session, "S001", [AvailableQuantity(item_code="TEA", available=Decimal(5), read_at=T0)]
        )
        save_available(
            session,
            "S001",
            [
                AvailableQuantity(item_code="TEA", available=Decimal(4), read_at=T0),
                AvailableQuantity(item_code="MUG", available=Decimal(9), read_at=T0),
            ],
        )
        assert [(q.item_code, q.available) for q in read_available(session, "S001")] == [
            ("MUG", Decimal(9)),
            ("TEA", Decimal(4)),
        ]
        assert [q.item_code for q in read_available(session, "S001", ["TEA"])] == ["TEA"]
