"""The POSLog document read safely, and the element helper every converter shares."""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NoReturn

from connectors.pos.errors import ConversionError, PayloadError
from domain.limits import (
    MAX_DECIMAL_PLACES,
    MAX_MONEY,
    MAX_SEQUENCE_NUMBER,
    MAX_XML_DEPTH,
    decimal_out_of_bounds,
)

ARTS_NS = "http://www.nrf-arts.org/IXRetail/namespace/"
ACS_NS = "http://www.ncr.com/rsd/acs/tlog/markup/poslog/2.1"
NAMESPACES = {"": ARTS_NS, "acs": ACS_NS}
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
_WHOLE_NUMBER = re.compile(r"[0-9]{1,10}")


class _GuardedBuilder(ET.TreeBuilder):
    """A tree builder that stops the parser at a DOCTYPE, before any entity is declared, and
    at an element nested deeper than ``MAX_XML_DEPTH``."""

    def __init__(self) -> None:
        super().__init__()
        self._open: list[str] = []

    def doctype(self, name: str, pubid: str | None, system: str | None) -> NoReturn:
        raise PayloadError(f"DOCTYPE {name!r} refused: DTDs and entity declarations are unsafe")

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        self._open.append(tag)
        if len(self._open) > MAX_XML_DEPTH:
            path = "/".join(short_name(name) for name in self._open[:3])
            raise PayloadError(f"{path}/…: elements nested deeper than {MAX_XML_DEPTH} levels")
        return super().start(tag, attrs)

    def end(self, tag: str) -> ET.Element:
        self._open.pop()
        return super().end(tag)


def load_document(source: bytes | Path, max_bytes: int) -> ET.Element:
    size = source.stat().st_size if isinstance(source, Path) else len(source)
    if size > max_bytes:
        raise PayloadError(f"the document has {size} bytes, more than the limit of {max_bytes}")
    data = source.read_bytes() if isinstance(source, Path) else source
    parser = ET.XMLParser(target=_GuardedBuilder())
    try:
        parser.feed(data)
        root: ET.Element = parser.close()
    except ET.ParseError as error:
        raise PayloadError(f"not well-formed XML: {error}") from error
    return root


def short_name(tag: str) -> str:
    """``{ARTS}Sale`` -> ``Sale``, ``{ACS}ItemCount`` -> ``acs:ItemCount``."""
    return tag.replace(f"{{{ARTS_NS}}}", "").replace(f"{{{ACS_NS}}}", "acs:")


def parse_decimal(text: str, where: str) -> Decimal:
    """A decimal bounded like the canonical model's money (``domain.limits``)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ConversionError(where, f"{text[:40]!r} is not a decimal number") from None
    reason = decimal_out_of_bounds(value, limit=MAX_MONEY, places=MAX_DECIMAL_PLACES)
    if reason:
        raise ConversionError(where, reason)
    return value


@dataclass(frozen=True)
class Node:
    """An element and its path from the Transaction, for error messages."""

    element: ET.Element
    path: str

    def where(self, path: str) -> str:
        return f"{self.path}/{path}" if self.path else path

    def find(self, path: str) -> "Node | None":
        found = self.element.find(path, NAMESPACES)
        return None if found is None else Node(found, self.where(path))

    def optional_text(self, path: str) -> str | None:
        found = self.element.find(path, NAMESPACES)
        text = None if found is None or found.text is None else found.text.strip()
        return text or None

    def text(self, path: str) -> str:
        text = self.optional_text(path)
        if text is None:
            raise ConversionError(self.where(path), "missing")
        return text

    def decimal(self, path: str) -> Decimal:
        return parse_decimal(self.text(path), self.where(path))

    def integer(self, path: str) -> int:
        text = self.text(path)
        if not _WHOLE_NUMBER.fullmatch(text) or int(text) > MAX_SEQUENCE_NUMBER:
            raise ConversionError(
                self.where(path), f"{text[:40]!r} is not a whole number up to {MAX_SEQUENCE_NUMBER}"
            )
        return int(text)

    def attribute(self, name: str) -> str | None:
        prefix, _, local = name.rpartition(":")
        return self.element.get(f"{{{ACS_NS}}}{local}" if prefix == "acs" else name)

    def flag(self, name: str) -> bool:
        return self.attribute(name) == "true"
