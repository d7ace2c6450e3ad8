"""Read a mappings CSV (headers: kind,store_id,terminal_id,pos_code,erp_code,factor)."""

import csv
from pathlib import Path

from domain.mapping import MappingRow
from starter.intake.csv_rows import validated_rows
from store.db import create_store_engine, session_scope
from store.mappings import import_mappings

HEADERS = ("kind", "store_id", "terminal_id", "pos_code", "erp_code", "factor")
REQUIRED_HEADERS = {"kind", "erp_code"}


class MappingFileError(ValueError):
    """A mappings file that cannot be imported; names the row, the field and the reason."""


def read_mappings(path: Path) -> list[MappingRow]:
    """All rows, or MappingFileError listing every bad row (nothing is imported then)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        headers = set(reader.fieldnames or ())
        missing = REQUIRED_HEADERS - headers
        unknown = headers - set(HEADERS)
        if missing or unknown:
            raise MappingFileError(
                f"{path}: headers must be {','.join(HEADERS)}"
                + (f"; missing {', '.join(sorted(missing))}" if missing else "")
                + (f"; unknown {', '.join(sorted(unknown))}" if unknown else "")
            )
        rows, errors = validated_rows(path, reader, MappingRow)
    if errors:
        raise MappingFileError("\n".join(errors))
    for row in rows:
        if row.kind.value in ("sku", "barcode", "tax") and not row.pos_code:
            raise MappingFileError(f"{path}: a {row.kind.value} mapping needs pos_code")
        if row.kind.value == "location" and not row.store_id:
            raise MappingFileError(f"{path}: a location mapping needs store_id")
    return rows


def import_mappings_file(store_url: str, path: Path) -> tuple[int, int]:
    """Read the file whole (MappingFileError when a row is bad, and the store is not opened),
    then import its rows into the store: (added, updated)."""
    rows = read_mappings(path)
    with session_scope(create_store_engine(store_url)) as session:
        return import_mappings(session, rows)
