"""Mappings from POS codes to ERP codes: import, and resolution for one transaction."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from domain.mapping import LineMapping, MappingKind, MappingRow, TransactionMapping
from domain.transaction import PosTransaction
from store.tables import Mapping


@dataclass
class MissingMappings:
    """What a transaction needs that no mapping provides."""

    location: str | None = None
    line_codes: dict[int, str] = field(default_factory=dict)


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
    rows = session.exec(select(Mapping).where(col(Mapping.store_id).in_(["", txn.store_id]))).all()
    # Most specific first: terminal over store, store over chain-wide.
    ranked = sorted(rows, key=lambda row: (row.terminal_id != "", row.store_id != ""), reverse=True)

    def lookup(kind: MappingKind, pos_code: str) -> Mapping | None:
        return next(
            (
                row
                for row in ranked
                if row.kind == kind.value
                and row.pos_code == pos_code
                and row.terminal_id in ("", txn.terminal_id)
            ),
            None,
        )

    missing = MissingMappings()
    location = lookup(MappingKind.LOCATION, "")
    if location is None:
        missing.location = f"store {txn.store_id} terminal {txn.terminal_id}"
    lines: list[LineMapping] = []
    for line in txn.lines:
        product = (lookup(MappingKind.SKU, line.sku) if line.sku else None) or (
            lookup(MappingKind.BARCODE, line.barcode) if line.barcode else None
        )
        if product is None:
            missing.line_codes[line.line_number] = line.sku or line.barcode or ""
            continue
        lines.append(
            LineMapping(
                line_number=line.line_number, product_code=product.erp_code, factor=product.factor
            )
        )
    if missing.location or missing.line_codes or location is None:
        return missing
    tax_codes = {
        row.pos_code: row.erp_code for row in reversed(ranked) if row.kind == MappingKind.TAX.value
    }
    return TransactionMapping(warehouse_code=location.erp_code, lines=lines, tax_codes=tax_codes)
