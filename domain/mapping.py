"""How POS identifiers translate into ERP codes: the mappings an integration team maintains."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from domain.money import Amount
from domain.outcomes import BusinessFailure, ExceptionKind
from domain.transaction import PosTransaction


class MappingKind(StrEnum):
    LOCATION = "location"
    SKU = "sku"
    BARCODE = "barcode"
    TAX = "tax"


class MappingRow(BaseModel):
    """One row of a mappings CSV (headers: kind,store_id,terminal_id,pos_code,erp_code,factor).

    - location: store_id (terminal_id optional: a terminal-specific override) -> erp_code, the
      ERP warehouse code; pos_code is empty.
    - sku / barcode: pos_code -> erp_code, the ERP product code; factor is how many ERP units
      one POS unit holds (a 6-pack sold as one POS unit has factor 6). store_id is empty for
      a chain-wide mapping, or set for a store-specific one.
    - tax: pos_code (the till's tax code) -> erp_code (the ERP tax); without one the POS
      code is taken as the ERP tax's name.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    kind: MappingKind
    store_id: str = ""
    terminal_id: str = ""
    pos_code: str = ""
    erp_code: str = Field(min_length=1)
    factor: Amount = Field(default=Decimal(1), gt=0)


class LineMapping(BaseModel):
    model_config = ConfigDict(frozen=True)

    line_number: int
    product_code: str
    factor: Amount = Decimal(1)


class TransactionMapping(BaseModel):
    """Everything the ERP needs to know about where a transaction's codes point."""

    model_config = ConfigDict(frozen=True)

    warehouse_code: str
    lines: list[LineMapping]
    tax_codes: dict[str, str] = Field(default_factory=dict, description="POS tax code -> ERP")

    def line(self, line_number: int) -> LineMapping:
        return next(line for line in self.lines if line.line_number == line_number)

    def erp_tax_code(self, pos_tax_code: str) -> str:
        return self.tax_codes.get(pos_tax_code, pos_tax_code)


@dataclass
class MissingMappings:
    """What a transaction needs that no mapping provides."""

    location: str | None = None
    line_codes: dict[int, str] = field(default_factory=dict)

    def failure(self, location_details: dict[str, str]) -> BusinessFailure:
        """What parks the run: the missing location first (``location_details`` say whose),
        else the lines whose codes no mapping knows."""
        if self.location:
            return BusinessFailure(
                kind=ExceptionKind.UNMAPPED_LOCATION,
                message=f"no ERP warehouse is mapped for {self.location}",
                details=location_details,
            )
        lines = sorted(self.line_codes.items())
        return BusinessFailure(
            kind=ExceptionKind.UNMAPPED_SKU,
            message="no ERP product is mapped for "
            + ", ".join(f"line {number} ({code})" for number, code in lines),
            details={f"line {number}": code for number, code in self.line_codes.items()},
        )


def _specificity(row: MappingRow) -> tuple[bool, bool]:
    """Terminal over store, store over chain-wide."""
    return row.terminal_id != "", row.store_id != ""


class CodedLine(Protocol):
    """A line that names a product by SKU or barcode (a ticket's, a stock event's)."""

    @property
    def line_number(self) -> int: ...
    @property
    def sku(self) -> str | None: ...
    @property
    def barcode(self) -> str | None: ...


def resolve_mapping(
    rows: Iterable[MappingRow], txn: PosTransaction, derived: Iterable[MappingRow] = ()
) -> TransactionMapping | MissingMappings:
    """Where the ticket's codes point (``resolve_codes`` for its store, terminal and lines)."""
    return resolve_codes(rows, txn.store_id, txn.terminal_id, txn.lines, derived)


def resolve_codes(
    rows: Iterable[MappingRow],
    store_id: str,
    terminal_id: str,
    coded_lines: Iterable[CodedLine],
    derived: Iterable[MappingRow] = (),
) -> TransactionMapping | MissingMappings:
    """For each kind and POS code, the most specific row that applies to the store and
    terminal (a row for another terminal never applies). ``derived`` rows (those the ERP's
    items imply) count only for a code no hand-made row maps, wherever that row applies: a
    hand-made mapping always wins."""
    applicable = [
        row
        for row in rows
        if row.store_id in ("", store_id) and row.terminal_id in ("", terminal_id)
    ]
    chosen: dict[tuple[MappingKind, str], MappingRow] = {}
    for row in sorted(applicable, key=_specificity, reverse=True):
        chosen.setdefault((row.kind, row.pos_code), row)
    for row in derived:
        chosen.setdefault((row.kind, row.pos_code), row)

    missing = MissingMappings()
    location = chosen.get((MappingKind.LOCATION, ""))
    if location is None:
        missing.location = f"store {store_id} terminal {terminal_id}"
    lines: list[LineMapping] = []
    for line in coded_lines:
        product = (chosen.get((MappingKind.SKU, line.sku)) if line.sku else None) or (
            chosen.get((MappingKind.BARCODE, line.barcode)) if line.barcode else None
        )
        if product is None:
            missing.line_codes[line.line_number] = line.sku or line.barcode or ""
            continue
        lines.append(
            LineMapping(
                line_number=line.line_number, product_code=product.erp_code, factor=product.factor
            )
        )
    if location is None or missing.line_codes:
        return missing
    tax_codes = {
        pos_code: row.erp_code
        for (kind, pos_code), row in chosen.items()
        if kind is MappingKind.TAX
    }
    return TransactionMapping(warehouse_code=location.erp_code, lines=lines, tax_codes=tax_codes)


def item_mapping_rows(code: str, barcodes: Iterable[str], factor: Decimal) -> list[MappingRow]:
    """The chain-wide rows an ERP item implies: its code as the till's SKU, each barcode."""
    return [
        MappingRow(kind=MappingKind.SKU, pos_code=code, erp_code=code, factor=factor),
        *(
            MappingRow(kind=MappingKind.BARCODE, pos_code=barcode, erp_code=code, factor=factor)
            for barcode in barcodes
        ),
    ]
