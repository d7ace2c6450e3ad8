"""The POSLog document read safely, and the element helper every converter shares."""

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NoReturn

from connectors.pos.errors import ConversionError, PayloadError

ARTS_NS = "http://www.nrf-arts.org/IXRetail/namespace/"
ACS_NS = "http://www.ncr.com/rsd/acs/tlog/markup/poslog/2.1"
NAMESPACES = {"": ARTS_NS, "acs": ACS_NS}
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


class _RefuseDoctype(ET.TreeBuilder):
    """A tree builder that stops the parser at a DOCTYPE, before any entity is declared."""

    def doctype(self, name: str, pubid: str | None, system: str | None) -> NoReturn:
        raise PayloadError(f"DOCTYPE {name!r} refused: DTDs and entity declarations are unsafe")


def load_document(source: bytes | Path, max_bytes: int) -> ET.Element:
    size = source.stat().st_size if isinstance(source, Path) else len(source)
    if size > max_bytes:
        raise PayloadError(f"the document has {size} bytes, more than the limit of {max_bytes}")
    data = source.read_bytes() if isinstance(source, Path) else source
    parser = ET.XMLParser(target=_RefuseDoctype())
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
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ConversionError(where, f"{text!r} is not a decimal number") from None
    if not value.is_finite():
        raise ConversionError(where, f"{text!r} is not a finite number")
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
        if not text.isdigit():
            raise ConversionError(self.where(path), f"{text!r} is not a whole number")
        return int(text)

    def attribute(self, name: str) -> str | None:
        prefix, _, local = name.rpartition(":")
        return self.element.get(f"{{{ACS_NS}}}{local}" if prefix == "acs" else name)

    def flag(self, name: str) -> bool:
        return self.attribute(name) == "true"
