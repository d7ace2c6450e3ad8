"""Mappings resolve most-specific first and say exactly what is missing."""

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from domain.mapping import MappingKind, MappingRow, TransactionMapping
from starter.intake.mappings_csv import MappingFileError, read_mappings
from store.db import session_scope
from store.mappings import MissingMappings, applicable_rows, import_mappings, resolve_mapping
from tests.factories import make_sale, sale_line

EXAMPLE_MAPPINGS = Path(__file__).parents[2] / "examples" / "mappings.csv"


def test_example_mappings_resolve_a_demo_sale(store_engine: Engine) -> None:
    with session_scope(store_engine) as session:
        assert import_mappings(session, read_mappings(EXAMPLE_MAPPINGS)) == (10, 0)
        assert import_mappings(session, read_mappings(EXAMPLE_MAPPINGS)) == (0, 10)
    txn = make_sale("T-1", [sale_line(1, "100001", "1", "3.60")])
    with session_scope(store_engine) as session:
        mapping = resolve_mapping(session, txn)
    assert isinstance(mapping, TransactionMapping)
    assert mapping.warehouse_code == "WH-LON"
    assert mapping.line(1).product_code == "TEA-001"
    assert mapping.erp_tax_code("UK-STD") == "VAT20"


def test_terminal_override_and_missing_codes(store_engine: Engine) -> None:
    rows = [
        MappingRow(kind=MappingKind.LOCATION, store_id="S001", erp_code="WH-LON"),
        MappingRow(kind=MappingKind.LOCATION, store_id="S001", terminal_id="T9", erp_code="WH-POP"),
        MappingRow(kind=MappingKind.SKU, pos_code="P1", erp_code="X", factor=Decimal(6)),
    ]
    with session_scope(store_engine) as session:
        import_mappings(session, rows)
        popup = make_sale("T-2", [sale_line(1, "P1", "1", "1.20")], terminal_id="T9")
        resolved = resolve_mapping(session, popup)
        assert isinstance(resolved, TransactionMapping)
        assert (resolved.warehouse_code, resolved.line(1).factor) == ("WH-POP", Decimal(6))

        unknown = make_sale("T-3", [sale_line(1, "NOPE", "1", "1.20")], store_id="S404")
        missing = resolve_mapping(session, unknown)
    assert isinstance(missing, MissingMappings)
    assert missing.location == "store S404 terminal T1"
    assert missing.line_codes == {1: "NOPE"}


def test_bad_csv_rows_name_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("kind,store_id,pos_code,erp_code,factor\nsku,,P1,X,0\nshelf,,P2,Y,1\n")
    with pytest.raises(MappingFileError) as caught:
        read_mappings(bad)
    message = str(caught.value)
    assert "bad.csv:2: factor" in message
    assert "bad.csv:3: kind" in message


def test_a_tax_mapping_for_one_terminal_is_not_applied_to_another(store_engine: Engine) -> None:
    rows = [
        MappingRow(kind=MappingKind.LOCATION, store_id="S001", erp_code="WH-LON"),
        MappingRow(kind=MappingKind.SKU, pos_code="P1", erp_code="X"),
        MappingRow(
            kind=MappingKind.TAX, store_id="S001", terminal_id="T2", pos_code="UK", erp_code="T2"
        ),
    ]
    with session_scope(store_engine) as session:
        import_mappings(session, rows)
        on_t1 = resolve_mapping(session, make_sale("T-1", [sale_line(1, "P1", "1", "1.20")]))
        on_t2 = resolve_mapping(
            session, make_sale("T-2", [sale_line(1, "P1", "1", "1.20")], terminal_id="T2")
        )
    assert isinstance(on_t1, TransactionMapping) and isinstance(on_t2, TransactionMapping)
    assert (on_t1.erp_tax_code("UK"), on_t2.erp_tax_code("UK")) == ("UK", "T2")


def test_a_ticket_reads_the_rows_of_its_own_codes_not_the_chains_whole_catalogue(
    store_engine: Engine,
) -> None:
    """A chain maps tens of thousands of SKUs; a ticket's mapping reads its store's location
    and tax rows and the rows of the codes it names, and resolves as it would from them all."""
    catalogue = [
        MappingRow(kind=MappingKind.SKU, pos_code=f"C{number:05}", erp_code=f"ERP-{number:05}")
        for number in range(2_000)
    ]
    rows = [
        MappingRow(kind=MappingKind.LOCATION, store_id="S001", erp_code="WH-LON"),
        MappingRow(kind=MappingKind.LOCATION, store_id="S002", erp_code="WH-MAN"),
        MappingRow(kind=MappingKind.TAX, pos_code="UK-STD", erp_code="VAT20"),
        MappingRow(kind=MappingKind.SKU, store_id="S001", pos_code="C00007", erp_code="LOCAL-7"),
        MappingRow(kind=MappingKind.BARCODE, pos_code="5000000000007", erp_code="ERP-00042"),
        *catalogue,
    ]
    ticket = make_sale(
        "T-4",
        [
            sale_line(1, "C00007", "1", "1.00"),
            sale_line(2, "C01999", "1", "1.00"),
            sale_line(3, "NOT-MAPPED", "1", "1.00", barcode="5000000000007"),
        ],
    )
    with session_scope(store_engine) as session:
        import_mappings(session, rows)
        read = applicable_rows(session, "S001", ticket.lines)
        resolved = resolve_mapping(session, ticket)

    assert sorted((row.kind.value, row.store_id, row.pos_code) for row in read) == [
        ("barcode", "", "5000000000007"),
        ("location", "S001", ""),
        ("sku", "", "C00007"),
        ("sku", "", "C01999"),
        ("sku", "S001", "C00007"),
        ("tax", "", "UK-STD"),
    ]
    assert isinstance(resolved, TransactionMapping)
    assert [resolved.line(number).product_code for number in (1, 2, 3)] == [
        "LOCAL-7",
        "ERP-01999",
        "ERP-00042",
    ]
    assert (resolved.warehouse_code, resolved.erp_tax_code("UK-STD")) == ("WH-LON", "VAT20")
