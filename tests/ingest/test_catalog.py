"""``tillsync catalog load``: a CSV catalog (or a POS file's items) into the sandbox ERP, counted
into a warehouse, with the SKU mappings that lead the till's codes there."""

import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from connectors.erp.tryton import TrytonConnector, TrytonRest
from connectors.erp.tryton_sandbox import TrytonSandboxInfo
from connectors.erp.tryton_sandbox.catalog import CatalogPlan
from connectors.pos.poslog import parse_poslog
from domain.mapping import MappingKind
from starter.intake.catalog import (
    CatalogFileError,
    effective_tax_rates,
    load_catalog,
    read_catalog_csv,
)
from store.db import create_store_engine, session_scope
from store.tables import Mapping
from tests.sample_data import POSLOG_DIR, poslog_store_catalog

POSLOG = POSLOG_DIR / "POSLog.xml"


@pytest.fixture
def store(tmp_path: Path) -> Engine:
    return create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")


def test_a_bad_catalog_row_is_named(tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text("code,name,unit,list_price,cost_price\nA-1,Apple,unit,1.5,0.5\nB-1,,unit,x,0\n")

    with pytest.raises(CatalogFileError) as raised:
        read_catalog_csv(path)

    assert f"{path}:3: name" in str(raised.value)
    assert f"{path}:3: list_price" in str(raised.value)


def test_a_poslog_file_gives_its_items_and_the_effective_rate_of_its_tax_code() -> None:
    transactions = parse_poslog(POSLOG).transactions

    plan = poslog_store_catalog(transactions)

    assert len(plan.items) == len({line.sku for txn in transactions for line in txn.lines})
    assert {item.unit for item in plan.items} == {"unit", "lb"}
    assert effective_tax_rates(transactions) == {"1": Decimal("0.1010")}
    assert [(tax.pos_code, tax.erp_name) for tax in plan.taxes] == [("1", "POS9-TAX1")]
    assert (plan.books_from, plan.counted_on) == (date(2017, 10, 1), date(2017, 9, 30))


@pytest.mark.erp
async def test_a_csv_catalog_is_loaded_counted_and_mapped_once(
    tmp_path: Path,
    store: Engine,
    tryton_rest: TrytonRest,
    tryton_connector: TrytonConnector,
    erp_sandbox: TrytonSandboxInfo,
) -> None:
    suffix = uuid.uuid4().hex[:6].upper()
    path = tmp_path / "catalog.csv"
    path.write_text(
        "code,name,unit,list_price,cost_price,pos_code,barcode\n"
        f"JAM-{suffix},Strawberry jam,unit,3.20,1.10,J{suffix},50{suffix}\n"
        f"CHEESE-{suffix},Cheddar by weight,kg,14.00,6.50,,\n"
    )
    plan = CatalogPlan(
        items=read_catalog_csv(path),
        warehouse_code="WH-LDS",
        store_id="S002",
        quantity=Decimal(40),
        counted_on=date(2026, 11, 1),
    )

    first = await load_catalog(tryton_rest, erp_sandbox.company_id, store, plan)
    again = await load_catalog(tryton_rest, erp_sandbox.company_id, store, plan)

    assert sorted(first.products.created) == sorted([f"JAM-{suffix}", f"CHEESE-{suffix}"])
    assert (again.products.created, len(again.products.existing)) == ([], 2)
    [cheese] = await tryton_rest.search(
        "product.product",
        [("code", "=", f"CHEESE-{suffix}")],
        ["default_uom.name", "template.list_price", "cost_price"],
    )
    assert cheese["default_uom"]["name"] == "Kilogram"
    assert (cheese["template"]["list_price"], cheese["cost_price"]) == (
        Decimal("14.00"),
        Decimal("6.50"),
    )
    level = await tryton_connector.stock_level(f"JAM-{suffix}", "WH-LDS")
    assert level.on_hand == Decimal(40), "a recount sets the quantity, it does not add"
    with session_scope(store) as session:
        rows = {
            (row.kind, row.store_id, row.pos_code, row.erp_code)
            for row in session.exec(select(Mapping)).all()
        }
    assert rows == {
        (MappingKind.SKU.value, "", f"J{suffix}", f"JAM-{suffix}"),
        (MappingKind.BARCODE.value, "", f"50{suffix}", f"JAM-{suffix}"),
        (MappingKind.SKU.value, "", f"CHEESE-{suffix}", f"CHEESE-{suffix}"),
        (MappingKind.LOCATION.value, "S002", "", "WH-LDS"),
    }
