"""Codes to Tryton ids: warehouses, products, parties, taxes and currencies, cached.

Each code is looked up once per connector; an unknown one raises ErpUnknownCodes naming it.
"""

from connectors.erp.errors import ErpRejected, ErpUnknownCodes
from connectors.erp.tryton.documents import PartyRecord, ProductRecord, WarehouseRecord
from connectors.erp.tryton.rest import TrytonRest

_STOCKED_TYPES = {"goods", "assets"}


class TrytonCodes:
    def __init__(self, rest: TrytonRest) -> None:
        self._rest = rest
        self._warehouses: dict[str, WarehouseRecord] = {}
        self._products: dict[str, ProductRecord] = {}
        self._parties: dict[str, PartyRecord] = {}
        self._taxes: dict[str, int] = {}
        self._currencies: dict[str, int] = {}

    async def warehouse(self, code: str) -> WarehouseRecord:
        if code not in self._warehouses:
            records = await self._rest.search(
                "stock.location",
                [("code", "=", code), ("type", "=", "warehouse")],
                ["storage_location", "output_location"],
            )
            if not records:
                raise ErpUnknownCodes("warehouse", [code])
            record = records[0]
            self._warehouses[code] = WarehouseRecord(
                record["id"], record["storage_location"], record["output_location"]
            )
        return self._warehouses[code]

    async def products(self, codes: list[str]) -> dict[str, ProductRecord]:
        missing = sorted(set(codes) - self._products.keys())
        if missing:
            records = await self._rest.search(
                "product.product", [("code", "in", missing)], ["code", "default_uom", "type"]
            )
            for record in records:
                self._products[record["code"]] = ProductRecord(
                    record["id"], record["default_uom"], record["type"] in _STOCKED_TYPES
                )
            unknown = [code for code in missing if code not in self._products]
            if unknown:
                raise ErpUnknownCodes("product", unknown)
        return {code: self._products[code] for code in codes}

    async def party(self, code: str) -> PartyRecord:
        if code not in self._parties:
            records = await self._rest.search("party.party", [("code", "=", code)], ["addresses"])
            if not records:
                raise ErpUnknownCodes("customer", [code])
            addresses = records[0]["addresses"]
            self._parties[code] = PartyRecord(records[0]["id"], addresses[0] if addresses else None)
        return self._parties[code]

    async def create_party_if_missing(self, code: str) -> bool:
        """A party with ``code`` (also its name: the till knows the customer by its id). Party
        codes are unique in Tryton, so a concurrent creation is refused and found instead."""
        if await self._party_ids(code):
            return False
        try:
            # A sale needs an invoice address: the till captured none, so an empty one.
            values = {"name": code, "code": code, "addresses": [["create", [{}]]]}
            await self._rest.create("party.party", values)
        except ErpRejected:
            if not await self._party_ids(code):
                raise
            return False
        return True

    async def _party_ids(self, code: str) -> list[int]:
        records = await self._rest.search("party.party", [("code", "=", code)], ["id"])
        return [record["id"] for record in records]

    async def taxes(self, names: list[str]) -> dict[str, int]:
        missing = [name for name in names if name not in self._taxes]
        if missing:
            records = await self._rest.search(
                "account.tax", [("name", "in", missing), ("parent", "=", None)], ["name"]
            )
            for record in records:
                self._taxes.setdefault(record["name"], record["id"])
            unknown = [name for name in missing if name not in self._taxes]
            if unknown:
                raise ErpUnknownCodes("tax", unknown)
        return {name: self._taxes[name] for name in names}

    async def currency(self, code: str) -> int:
        if code not in self._currencies:
            records = await self._rest.search("currency.currency", [("code", "=", code)], ["id"])
            if not records:
                raise ErpUnknownCodes("currency", [code])
            self._currencies[code] = records[0]["id"]
        return self._currencies[code]
