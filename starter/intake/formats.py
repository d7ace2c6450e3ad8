"""The POS payload formats tillsync reads, and which adapter reads each."""

from enum import StrEnum
from pathlib import Path

from connectors.pos.base import AdapterResult
from connectors.pos.canonical import parse_canonical
from connectors.pos.poslog import parse_poslog
from connectors.pos.sitoo import parse_sitoo_orders


class SourceFormat(StrEnum):
    JSON = "json"
    """tillsync's canonical transaction: one object, an array, or JSON lines"""
    POSLOG = "poslog"
    """an ARTS POSLog 2.1 document (NCR's variant)"""
    SITOO = "sitoo"
    """Sitoo REST API v2 orders"""

    @property
    def tracks_receipts(self) -> bool:
        """Whether its receipt numbers are a per-terminal sequence (Sitoo's are order ids)."""
        return self is not SourceFormat.SITOO


def parse_payload(
    source_format: SourceFormat, payload: bytes, *, max_bytes: int, max_records: int | None = None
) -> AdapterResult:
    """Convert a payload with its format's adapter; PayloadError when it cannot be read
    (TooManyRecords when it carries more than ``max_records`` records)."""
    match source_format:
        case SourceFormat.POSLOG:
            return parse_poslog(payload, max_bytes=max_bytes, max_records=max_records)
        case SourceFormat.SITOO:
            return parse_sitoo_orders(payload, max_records=max_records)
        case SourceFormat.JSON:
            return parse_canonical(payload, max_records=max_records)


def format_of_path(path: Path) -> SourceFormat:
    """The format a file's name suggests: .xml is POSLog, anything else canonical JSON."""
    return SourceFormat.POSLOG if path.suffix.lower() == ".xml" else SourceFormat.JSON
