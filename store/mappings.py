"""Mappings from POS codes to ERP codes: import, and resolution for one transaction."""

from collections.abc import Iterable

from sqlalchemy import bindparam
from sqlalchemy import select as select_columns
from sqlmodel import Session, or_, select

from domain.mapping import CodedLine, MappingKind, MappingRow, TransactionMapping
from domain.mapping import MissingMappings as MissingMappings
from domain.mapping import resolve_codes as resolve_code_rows
from domain.mapping import resolve_mapping as resolve_rows
from domain.transaction import PosTransaction
from store.tables import Mapping
from store.till_data import item_mapping_rows


def import_mappings(session: Session, rows: Iterable[MappingRow]) -> tuple[int, int]:
    """Insert or update rows by (kind, store, terminal, pos code). Returns (added, updated)."""
    added = updated = 0
    for row in rows:
        existing = session.exec(
            select(Mapping).where(
                Mapping.kind == row.kind.value,
                Mapping.store_id == row.store_id,
                Mapping.terminal_id == row.terminal_id,
                Mapping.pos_code == row.pos_code,
            )
        ).first()
        if existing is None:
            session.add(Mapping(**row.model_dump(mode="python") | {"kind": row.kind.value}))
            added += 1
        else:
            existing.erp_code = row.erp_code
            existing.factor = row.factor
            session.add(existing)
            updated += 1
        session.flush()
    return added, updated


def resolve_mapping(session: Session, txn: PosTransaction) -> TransactionMapping | MissingMappings:
    """The store's and the chain's rows, then those the ERP's items imply, resolved by
    ``domain.mapping.resolve_mapping``."""
    codes = [code for line in txn.lines for code in (line.sku, line.barcode) if code]
    return resolve_rows(
        applicable_rows(session, txn.store_id, txn.lines), txn, item_mapping_rows(session, codes)
    )


def resolve_codes(
    session: Session, store_id: str, terminal_id: str, lines: Iterable[CodedLine]
) -> TransactionMapping | MissingMappings:
    """The store's and the chain's rows, then those the ERP's items imply, resolved for any
    coded lines (a stock event's)."""
    lines = list(lines)
    codes = [code for line in lines for code in (line.sku, line.barcode) if code]
    return resolve_code_rows(
        applicable_rows(session, store_id, lines),
        store_id,
        terminal_id,
        lines,
        item_mapping_rows(session, codes),
    )


def applicable_rows(
    session: Session, store_id: str, lines: Iterable[CodedLine]
) -> list[MappingRow]:
    """The rows that can apply to the store and the lines' codes: its locations and taxes, and
    the rows of the codes the lines name (not every product the chain maps)."""
    lines = list(lines)
    codes = {
        "stores": ["", store_id],
        "skus": sorted({line.sku for line in lines if line.sku}),
        "barcodes": sorted({line.barcode for line in lines if line.barcode}),
    }
    return [
        MappingRow(
            kind=MappingKind(row.kind),
            store_id=row.store_id,
            terminal_id=row.terminal_id,
            pos_code=row.pos_code,
            erp_code=row.erp_code,
            factor=row.factor,
        )
        for row in session.connection().execute(_APPLICABLE, codes)
    ]


_MAPPINGS = Mapping.__table__.c  # type: ignore[attr-defined]
_APPLICABLE = select_columns(
    _MAPPINGS.kind,
    _MAPPINGS.store_id,
    _MAPPINGS.terminal_id,
    _MAPPINGS.pos_code,
    _MAPPINGS.erp_code,
    _MAPPINGS.factor,
).where(
    _MAPPINGS.store_id.in_(bindparam("stores", expanding=True)),
    or_(
        _MAPPINGS.kind.in_([MappingKind.LOCATION.value, MappingKind.TAX.value]),
        (_MAPPINGS.kind == MappingKind.SKU.value)
        & _MAPPINGS.pos_code.in_(bindparam("skus", expanding=True)),
        (_MAPPINGS.kind == MappingKind.BARCODE.value)
        & _MAPPINGS.pos_code.in_(bindparam("barcodes", expanding=True)),
    ),
)
"""``applicable_rows``' query on the table, built once: a ticket's mapping is read on its hot
path, where the ORM's entities cost four times the query."""


def store_warehouse(session: Session, store_id: str) -> str | None:
    """The ERP warehouse of the store as a whole (its row without a terminal)."""
    row = session.exec(
        select(Mapping).where(
            Mapping.kind == MappingKind.LOCATION.value,
            Mapping.store_id == store_id,
            Mapping.terminal_id == "",
        )
    ).first()
    return row.erp_code if row else None


def mapped_store_ids(session: Session) -> list[str]:
    """The stores that have a warehouse mapping, sorted."""
    rows = session.exec(
        select(Mapping.store_id).where(Mapping.kind == MappingKind.LOCATION.value)
    ).all()
    return sorted({store for store in rows if store})
