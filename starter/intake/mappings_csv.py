"""Read a mappings CSV (headers: kind,store_id,terminal_id,pos_code,erp_code,factor)."""

import csv
from pathlib import Path

from pydantic import ValidationError

from domain.mapping import MappingRow

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
        rows: list[MappingRow] = []
        errors: list[str] = []
        for line_number, raw in enumerate(reader, start=2):
            values = {key: value for key, value in raw.items() if key and value not in (None, "")}
            try:
                rows.append(MappingRow.model_validate(values))
            except ValidationError as error:
                errors += [
                    f"{path}:{line_number}: {'.'.join(str(part) for part in issue['loc'])}: "
                    f"{issue['msg']}"
                    for issue in error.errors()
                ]
    if errors:
        raise MappingFileError("\n".join(errors))
    for row in rows:
        if row.kind.value in ("sku", "barcode", "tax") and not row.pos_code:
            raise MappingFileError(f"{path}: a {row.kind.value} mapping needs pos_code")
        if row.kind.value == "location" and not row.store_id:
            raise MappingFileError(f"{path}: a location mapping needs store_id")
    return rows
