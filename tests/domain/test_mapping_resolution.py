"""Mapping resolution, a pure rule: the most specific row that applies to the ticket's store and
terminal wins; a row for another terminal (or store) never applies."""

from decimal import Decimal

from domain.mapping import (
    MappingKind,
    MappingRow,
    MissingMappings,
    TransactionMapping,
    resolve_mapping,
)
from domain.outcomes import BusinessFailure, ExceptionKind
from domain.transaction import PosTransaction
from tests.factories import make_sale, sale_line

LOCATION, SKU, BARCODE, TAX = (
    MappingKind.LOCATION,
    MappingKind.SKU,
    MappingKind.BARCODE,
    MappingKind.TAX,
)
ROWS = [
    MappingRow(kind=LOCATION, store_id="S001", erp_code="WH-LON"),
    MappingRow(kind=LOCATION, store_id="S001", terminal_id="T2", erp_code="WH-POPUP"),
    MappingRow(kind=SKU, pos_code="100001", erp_code="TEA"),
    MappingRow(kind=SKU, store_id="S001", pos_code="100001", erp_code="TEA-LON", factor=Decimal(6)),
    MappingRow(kind=TAX, pos_code="UK-STD", erp_code="VAT20"),
    MappingRow(kind=TAX, store_id="S001", terminal_id="T2", pos_code="UK-STD", erp_code="VAT20-T2"),
    MappingRow(kind=TAX, store_id="S002", pos_code="UK-STD", erp_code="VAT20-S002"),
]


def _ticket(terminal_id: str, store_id: str = "S001", sku: str = "100001") -> PosTransaction:
    return make_sale(
        "T-1", [sale_line(1, sku, "1", "3.60")], store_id=store_id, terminal_id=terminal_id
    )


def _resolved(txn: PosTransaction) -> TransactionMapping:
    mapping = resolve_mapping(ROWS, txn)
    assert isinstance(mapping, TransactionMapping)
    return mapping


def test_a_tax_mapping_for_terminal_t2_is_not_applied_to_a_t1_ticket() -> None:
    assert _resolved(_ticket("T1")).erp_tax_code("UK-STD") == "VAT20"
    assert _resolved(_ticket("T2")).erp_tax_code("UK-STD") == "VAT20-T2"


def test_terminal_beats_store_beats_chain_for_every_kind() -> None:
    t1, t2 = _resolved(_ticket("T1")), _resolved(_ticket("T2"))

    assert (t1.warehouse_code, t2.warehouse_code) == ("WH-LON", "WH-POPUP")
    assert (t1.line(1).product_code, t1.line(1).factor) == ("TEA-LON", Decimal(6))


def test_another_stores_rows_never_apply() -> None:
    mapping = resolve_mapping(
        [*ROWS, MappingRow(kind=LOCATION, store_id="S002", erp_code="WH-S002")],
        _ticket("T1", store_id="S002"),
    )

    assert isinstance(mapping, TransactionMapping)
    assert (mapping.warehouse_code, mapping.erp_tax_code("UK-STD")) == ("WH-S002", "VAT20-S002")
    assert mapping.line(1).product_code == "TEA"


def test_what_is_missing_is_named() -> None:
    missing = resolve_mapping(ROWS, _ticket("T1", store_id="S404", sku="NOPE"))

    assert missing == MissingMappings(location="store S404 terminal T1", line_codes={1: "NOPE"})


def test_a_missing_location_parks_before_missing_products() -> None:
    where = {"store_id": "S404"}
    missing = MissingMappings(location="store S404 terminal T1", line_codes={2: "NOPE"})

    assert missing.failure(where) == BusinessFailure(
        kind=ExceptionKind.UNMAPPED_LOCATION,
        message="no ERP warehouse is mapped for store S404 terminal T1",
        details=where,
    )


def test_missing_products_are_named_by_line_in_line_order() -> None:
    missing = MissingMappings(line_codes={3: "GONE", 1: "NOPE"})

    assert missing.failure({"store_id": "S001"}) == BusinessFailure(
        kind=ExceptionKind.UNMAPPED_SKU,
        message="no ERP product is mapped for line 1 (NOPE), line 3 (GONE)",
        details={"line 1": "NOPE", "line 3": "GONE"},
    )


def test_a_barcode_maps_when_the_sku_does_not() -> None:
    rows = [*ROWS, MappingRow(kind=BARCODE, pos_code="5000112637991", erp_code="CHOC")]
    txn = make_sale("T-1", [sale_line(1, "NOPE", "1", "3.60")])
    line = txn.lines[0].model_copy(update={"barcode": "5000112637991"})
    txn = txn.model_copy(update={"lines": [line]})

    mapping = resolve_mapping(rows, txn)

    assert isinstance(mapping, TransactionMapping)
    assert mapping.line(1).product_code == "CHOC"


def test_the_erps_items_map_themselves_and_a_hand_made_row_still_wins() -> None:
    from domain.mapping import item_mapping_rows

    derived = [
        *item_mapping_rows("NEW-001", ["5012345678900"], Decimal(12)),
        *item_mapping_rows("100001", [], Decimal(1)),
    ]
    by_code = resolve_mapping(ROWS, _ticket("T1", sku="NEW-001"), derived)
    assert isinstance(by_code, TransactionMapping)
    assert (by_code.lines[0].product_code, by_code.lines[0].factor) == ("NEW-001", Decimal(12))
    by_barcode = resolve_mapping(ROWS, _ticket("T1", sku="5012345678900"), derived)
    assert isinstance(by_barcode, MissingMappings)  # a SKU field is not read as a barcode
    hand_made = resolve_mapping(ROWS, _ticket("T1"), derived)
    assert isinstance(hand_made, TransactionMapping)
    assert hand_made.lines[0].product_code == "TEA-LON"
    assert isinstance(resolve_mapping(ROWS, _ticket("T1", sku="GONE-1")), MissingMappings)
