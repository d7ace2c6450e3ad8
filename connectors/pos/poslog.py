"""NCR's variant of an NRF ARTS POSLog 2.1 file -> canonical transactions.

Element names below are ARTS (namespace ``ARTS_NS``) unless prefixed ``acs:`` (NCR
extensions, ``ACS_NS``); error fields use the same names, relative to the ``Transaction``.

Transactions
  - ``ControlTransaction`` (sign-on, sign-off, no-sale) and ``@TrainingModeFlag="true"`` are
    skipped with the reason; every ``RetailTransaction`` is converted or rejected.
  - ``transaction_id`` = ``{RetailStoreID}-{WorkstationID}-{BusinessDayDate:%Y%m%d}-
    {SequenceNumber}`` (the key ``TransactionLink`` uses); ``store_id`` = RetailStoreID,
    ``terminal_id`` = WorkstationID, ``receipt_number`` = SequenceNumber, ``business_date`` =
    BusinessDayDate, ``occurred_at`` = BeginDateTime, else EndDateTime (NCR writes only
    EndDateTime), as recorded; ``cashier_id`` = OperatorID (OperatorName is not kept);
    ``currency`` = CurrencyCode, USD when absent; ``offline`` = ``@OfflineFlag``.
  - ``status``: voided when ``Transaction/@CancelFlag`` or ``@VoidFlag`` is true, suspended when
    ``@SuspendFlag`` is true on the Transaction or RetailTransaction, else completed.
  - ``prices_include_tax`` is false: amounts exclude US sales tax, which comes as Tax lines.
  - ``totals``: gross = ``Total[@TotalType='TransactionGrandAmount']``, tax =
    ``Total[@TotalType='TransactionTaxAmount']`` (else the sum of the Tax lines), net = gross - tax.
  - ``kind`` follows the signs of the lines: sale, return (all negative) or exchange.

Lines (``LineItem/Sale``; ``line_number`` = the LineItem's SequenceNumber)
  - ``sku`` = ItemID; ``barcode`` = POSIdentity/POSItemID when ``@POSIDType="GTIN"``.
  - ``quantity`` = Quantity, signed like ExtendedAmount (``@ItemType="acs:NegativeItem"``, such
    as a deposit refund, has a positive Quantity and a negative amount: it becomes a returned
    line). ``@acs:weightItem="true"``: unit from ``Quantity/@UnitOfMeasureCode`` (LBR/LB -> lb,
    KGM/KG -> kg), else the ``weight_unit`` argument (NCR writes no unit; US scales weigh in lb).
  - ``unit_price`` = RegularSalesUnitPrice when round(quantity x it) = ExtendedAmount, else the
    price implied by ExtendedAmount (``domain.totals.implied_unit_price``): NCR rings multi-buy
    deals ("2 for 6.00": RegularSalesUnitPrice 6.00, ExtendedAmount 3.00) and scale-label
    prices that way, and ExtendedAmount is what the customer paid.
  - ``@VoidFlag="true"``: the line is dropped, and so is the latest earlier line of the same
    item with the opposite Quantity and ExtendedAmount (NCR records a line void as a
    reversing line).
  - Sale/DiscountAmount and ExtendedDiscountAmount must be zero (discounts come as rewards).

Discounts (``LineItem/LoyaltyReward`` with ``acs:RewardCategory`` Monetary and a non-zero
``acs:ExtendedRewardAmount``; other categories, CustomOffer and Other, carry offer counts and
messages, not money)
  - kind promotion, code = PromotionID, amount = -ExtendedRewardAmount, description = RewardType
    (PercentOff, FreeItem), noting "loyalty members only" when ``@acs:membershipRequired``.
  - A record with ``@acs:detailedData`` applies to the line whose ``acs:OperatorSequence``
    equals its ``acs:OperatorSequenceReference`` (0: to the basket). A record with only
    ``@acs:summarizedActivity`` summarises the detail records of the same PromotionID and
    EventID: it is checked against them, or becomes a basket discount when there are none.

Taxes (``LineItem/Tax``, one per ``@acs:TaxID``, at transaction level only)
  - Allocated to the lines flagged ``acs:Itemizers/@Tax{TaxID}="true"``, in proportion to
    their taxable amount (ExtendedAmount less line discounts); each share is rounded half-up
    to the currency's minor unit and the rounding residue goes to the line with the largest
    taxable amount (the first of equals). ``code`` = TaxID, ``rate`` = Percent / 100 (NCR writes
    the effective rate of the ticket, Amount / TaxableAmount).

Tenders (``LineItem/Tender``)
  - Cash -> cash, CreditDebit -> card (``reference`` = Authorization/ReferenceNumber, the
    processor's reference; no card number is read), others -> other.
  - A Tender carrying ``TenderChange`` is change handed back (NCR writes it as a negative cash
    line): it becomes ``change`` on the last cash tender handed over, or, when no cash was
    handed over (debit cash-back), a negative cash tender.

Other line items (loyalty card, CRM variables, signature, age check, item-not-found,
supervisor override) carry no money and are ignored; an unknown line item rejects the
transaction rather than being dropped.

The XML is parsed with the standard library under two guards: the input is refused above
``max_bytes``, and any DOCTYPE (so any DTD or entity declaration) is refused.
"""

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn

from pydantic import ValidationError

from connectors.pos.base import AdapterResult, Reject, Skipped, kind_of, reject
from connectors.pos.errors import ConversionError, PayloadError
from domain.money import round_money
from domain.totals import implied_unit_price
from domain.transaction import PosTransaction, TransactionStatus

ARTS_NS = "http://www.nrf-arts.org/IXRetail/namespace/"
ACS_NS = "http://www.ncr.com/rsd/acs/tlog/markup/poslog/2.1"
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_CURRENCY = "USD"

_NAMESPACES = {"": ARTS_NS, "acs": ACS_NS}
_LINE_ITEM_HEADER = {"SequenceNumber", "BeginDateTime", "EndDateTime"}
_NO_MONEY_LINE_ITEMS = {
    "acs:LoyaltyMembership",
    "acs:CRMCustomVariable",
    "acs:ElectronicSignature",
    "acs:AgeRestriction",
    "acs:ItemNotFound",
    "acs:ItemRestriction",
    "acs:SupervisorOverride",
}
_WEIGHT_UNITS = {"LBR": "lb", "LB": "lb", "KGM": "kg", "KG": "kg"}
_TENDER_TYPES = {"Cash": "cash", "CreditDebit": "card"}


def parse_poslog(
    source: bytes | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, weight_unit: str = "lb"
) -> AdapterResult:
    """Convert every Transaction of a POSLog document; raise PayloadError if it is unreadable."""
    root = _load(source, max_bytes)
    if root.tag != f"{{{ARTS_NS}}}POSLog":
        raise PayloadError(f"the root element is {root.tag}, not the ARTS POSLog")
    transactions: list[PosTransaction] = []
    rejects: list[Reject] = []
    skipped: list[Skipped] = []
    for index, element in enumerate(root.findall("Transaction", _NAMESPACES)):
        node = _Node(element, "")
        transaction_id = None
        try:
            header = _Header.read(node)
            transaction_id = header.transaction_id
            skip_reason = _skip_reason(node)
            if skip_reason:
                skipped.append(
                    Skipped(
                        source_index=index,
                        transaction_id=transaction_id,
                        reason=skip_reason,
                        store_id=header.store_id,
                        terminal_id=header.terminal_id,
                        receipt_number=header.receipt_number,
                    )
                )
            else:
                transactions.append(_convert(node, header, weight_unit))
        except (ConversionError, ValidationError) as error:
            raw = ET.tostring(element, encoding="unicode")
            rejects.append(reject(index, transaction_id, error, raw))
    return AdapterResult(transactions=transactions, rejects=rejects, skipped=skipped)


class _RefuseDoctype(ET.TreeBuilder):
    """A tree builder that stops the parser at a DOCTYPE, before any entity is declared."""

    def doctype(self, name: str, pubid: str | None, system: str | None) -> NoReturn:
        raise PayloadError(f"DOCTYPE {name!r} refused: DTDs and entity declarations are unsafe")


def _load(source: bytes | Path, max_bytes: int) -> ET.Element:
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


def _short(tag: str) -> str:
    """``{ARTS}Sale`` -> ``Sale``, ``{ACS}ItemCount`` -> ``acs:ItemCount``."""
    return tag.replace(f"{{{ARTS_NS}}}", "").replace(f"{{{ACS_NS}}}", "acs:")


def _decimal(text: str, where: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ConversionError(where, f"{text!r} is not a decimal number") from None
    if not value.is_finite():
        raise ConversionError(where, f"{text!r} is not a finite number")
    return value


@dataclass(frozen=True)
class _Node:
    """An element and its path from the Transaction, for error messages."""

    element: ET.Element
    path: str

    def where(self, path: str) -> str:
        return f"{self.path}/{path}" if self.path else path

    def find(self, path: str) -> "_Node | None":
        found = self.element.find(path, _NAMESPACES)
        return None if found is None else _Node(found, self.where(path))

    def optional_text(self, path: str) -> str | None:
        found = self.element.find(path, _NAMESPACES)
        text = None if found is None or found.text is None else found.text.strip()
        return text or None

    def text(self, path: str) -> str:
        text = self.optional_text(path)
        if text is None:
            raise ConversionError(self.where(path), "missing")
        return text

    def decimal(self, path: str) -> Decimal:
        return _decimal(self.text(path), self.where(path))

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


@dataclass(frozen=True)
class _Header:
    store_id: str
    terminal_id: str
    receipt_number: int
    business_date: date
    occurred_at: datetime
    cashier_id: str | None
    currency: str

    @property
    def transaction_id(self) -> str:
        day = f"{self.business_date:%Y%m%d}"
        return f"{self.store_id}-{self.terminal_id}-{day}-{self.receipt_number}"

    @classmethod
    def read(cls, node: _Node) -> "_Header":
        when = "BeginDateTime" if node.optional_text("BeginDateTime") else "EndDateTime"
        try:
            business_date = date.fromisoformat(node.text("BusinessDayDate"))
        except ValueError as error:
            raise ConversionError("BusinessDayDate", str(error)) from None
        try:
            occurred_at = datetime.fromisoformat(node.text(when))
        except ValueError as error:
            raise ConversionError(when, str(error)) from None
        return cls(
            store_id=node.text("RetailStoreID"),
            terminal_id=node.text("WorkstationID"),
            receipt_number=node.integer("SequenceNumber"),
            business_date=business_date,
            occurred_at=occurred_at,
            cashier_id=node.optional_text("OperatorID"),
            currency=node.optional_text("CurrencyCode") or DEFAULT_CURRENCY,
        )


def _skip_reason(node: _Node) -> str | None:
    if node.flag("TrainingModeFlag"):
        return "training mode transaction"
    control = node.find("ControlTransaction")
    if control is None:
        return None
    kinds = [_short(child.tag) for child in control.element if _short(child.tag) != "ReasonCode"]
    reason = control.optional_text("ReasonCode")
    return f"control transaction: {', '.join(kinds) or 'empty'}" + (
        f" ({reason})" if reason else ""
    )


@dataclass
class _Line:
    """A Sale line being built; discounts and taxes are added after all lines are read."""

    number: int
    operator_sequence: int | None
    sku: str
    barcode: str | None
    description: str | None
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    itemizers: frozenset[str]
    discounts: list[dict[str, Any]] = field(default_factory=list)
    taxes: list[dict[str, Any]] = field(default_factory=list)

    def reverses(self, other: "_Line") -> bool:
        return (
            self.sku == other.sku
            and self.quantity == -other.quantity
            and self.amount == -other.amount
        )

    @property
    def taxable_amount(self) -> Decimal:
        """ExtendedAmount less the line's discounts, signed like the quantity."""
        discounts = sum((Decimal(d["amount"]) for d in self.discounts), Decimal(0))
        return self.amount - discounts if self.quantity > 0 else self.amount + discounts

    def as_dict(self) -> dict[str, Any]:
        return {
            "line_number": self.number,
            "sku": self.sku,
            "barcode": self.barcode,
            "description": self.description,
            "quantity": self.quantity,
            "unit": self.unit,
            "unit_price": self.unit_price,
            "taxes": self.taxes,
            "discounts": self.discounts,
        }


@dataclass(frozen=True)
class _Reward:
    node: _Node
    promotion_id: str
    event_id: str
    amount: Decimal
    detailed: bool
    summary_only: bool
    operator_sequence: int

    @property
    def key(self) -> tuple[str, str]:
        return self.promotion_id, self.event_id

    def discount(self) -> dict[str, Any]:
        description = self.node.text("acs:RewardType")
        if self.node.flag("acs:membershipRequired"):
            description += " (loyalty members only)"
        return {
            "kind": "promotion",
            "amount": self.amount,
            "code": self.promotion_id,
            "description": description,
        }


@dataclass
class _Ticket:
    """The line items of one RetailTransaction, sorted by kind."""

    lines: list[_Line] = field(default_factory=list)
    rewards: list[_Reward] = field(default_factory=list)
    taxes: list[_Node] = field(default_factory=list)
    tenders: list[_Node] = field(default_factory=list)


def _convert(node: _Node, header: _Header, weight_unit: str) -> PosTransaction:
    retail = node.find("RetailTransaction")
    if retail is None:
        raise ConversionError("RetailTransaction", "missing, and not a ControlTransaction either")
    ticket = _read_line_items(retail, header.currency, weight_unit)
    basket = _apply_rewards(ticket)
    _allocate_taxes(ticket, header.currency)
    gross = retail.decimal("Total[@TotalType='TransactionGrandAmount']")
    tax_total = "Total[@TotalType='TransactionTaxAmount']"
    tax = (
        retail.decimal(tax_total)
        if retail.optional_text(tax_total) is not None
        else sum((tax_line.decimal("Amount") for tax_line in ticket.taxes), Decimal(0))
    )
    return PosTransaction.model_validate(
        {
            "transaction_id": header.transaction_id,
            "store_id": header.store_id,
            "terminal_id": header.terminal_id,
            "receipt_number": header.receipt_number,
            "business_date": header.business_date,
            "occurred_at": header.occurred_at,
            "cashier_id": header.cashier_id,
            "offline": node.flag("OfflineFlag"),
            "kind": kind_of(line.quantity for line in ticket.lines),
            "status": _status(node, retail),
            "currency": header.currency,
            "prices_include_tax": False,
            "lines": [line.as_dict() for line in ticket.lines],
            "discounts": basket,
            "tenders": _tenders(ticket.tenders),
            "totals": {"net": gross - tax, "tax": tax, "gross": gross},
        }
    )


def _status(node: _Node, retail: _Node) -> TransactionStatus:
    if node.flag("CancelFlag") or node.flag("VoidFlag"):
        return TransactionStatus.VOIDED
    if node.flag("SuspendFlag") or retail.flag("SuspendFlag"):
        return TransactionStatus.SUSPENDED
    return TransactionStatus.COMPLETED


def _read_line_items(retail: _Node, currency: str, weight_unit: str) -> _Ticket:
    ticket = _Ticket()
    for element in retail.element.findall("LineItem", _NAMESPACES):
        sequence = _Node(element, retail.where("LineItem")).integer("SequenceNumber")
        item = _Node(element, retail.where(f"LineItem[SequenceNumber={sequence}]"))
        bodies = [child for child in element if _short(child.tag) not in _LINE_ITEM_HEADER]
        if len(bodies) != 1:
            names = ", ".join(_short(child.tag) for child in bodies) or "nothing"
            raise ConversionError(item.path, f"expected one line item element, found {names}")
        kind = _short(bodies[0].tag)
        body = _Node(bodies[0], item.where(kind))
        if kind == "Sale":
            line = _sale_line(sequence, body, item.flag("acs:weightItem"), currency, weight_unit)
            if item.flag("VoidFlag"):
                _drop_reversed_line(ticket.lines, line)
            else:
                ticket.lines.append(line)
        elif item.flag("VoidFlag") or kind in _NO_MONEY_LINE_ITEMS:
            continue
        elif kind == "LoyaltyReward":
            reward = _reward(body)
            if reward is not None:
                ticket.rewards.append(reward)
        elif kind == "Tax":
            ticket.taxes.append(body)
        elif kind == "Tender":
            ticket.tenders.append(body)
        else:
            raise ConversionError(body.path, "this line item is not supported")
    return ticket


def _drop_reversed_line(lines: list[_Line], void: _Line) -> None:
    """Drop the latest line that ``void`` reverses, if any; ``void`` itself is never kept."""
    for index in range(len(lines) - 1, -1, -1):
        if void.reverses(lines[index]):
            del lines[index]
            return


def _sale_line(sequence: int, sale: _Node, weighed: bool, currency: str, weight_unit: str) -> _Line:
    for name in ("DiscountAmount", "ExtendedDiscountAmount"):
        text = sale.optional_text(name)
        if text is not None and _decimal(text, sale.where(name)):
            raise ConversionError(
                sale.where(name), "item discounts are not supported (only rewards)"
            )
    amount = sale.decimal("ExtendedAmount")
    written = sale.decimal("Quantity")
    quantity = written.copy_abs().copy_sign(amount or written)
    listed = sale.decimal("RegularSalesUnitPrice")
    if round_money(quantity * listed, currency) == amount:
        unit_price = listed
    else:
        try:
            unit_price = implied_unit_price(amount, quantity, currency)
        except ValueError as error:
            raise ConversionError(sale.where("ExtendedAmount"), str(error)) from None
    identity = sale.find("POSIdentity")
    gtin = identity is not None and identity.attribute("POSIDType") == "GTIN"
    itemizers = sale.find("acs:Itemizers")
    return _Line(
        number=sequence,
        operator_sequence=(
            sale.integer("acs:OperatorSequence")
            if sale.optional_text("acs:OperatorSequence")
            else None
        ),
        sku=sale.text("ItemID"),
        barcode=sale.optional_text("POSIdentity/POSItemID") if gtin else None,
        description=sale.optional_text("Description"),
        quantity=quantity,
        unit=_unit(sale, weight_unit) if weighed else "unit",
        unit_price=unit_price,
        amount=amount,
        itemizers=frozenset(
            name
            for name, value in (itemizers.element.attrib if itemizers is not None else {}).items()
            if value == "true"
        ),
    )


def _unit(sale: _Node, weight_unit: str) -> str:
    quantity = sale.find("Quantity")
    code = quantity.attribute("UnitOfMeasureCode") if quantity is not None else None
    if code is None:
        return weight_unit
    if code.upper() not in _WEIGHT_UNITS:
        raise ConversionError(sale.where("Quantity/@UnitOfMeasureCode"), f"unknown unit {code!r}")
    return _WEIGHT_UNITS[code.upper()]


def _reward(reward: _Node) -> _Reward | None:
    """A money reward, or None for offer counts and messages."""
    amount = reward.decimal("acs:ExtendedRewardAmount")
    if reward.text("acs:RewardCategory") != "Monetary" or amount == 0:
        return None
    if amount > 0:
        raise ConversionError(
            reward.where("acs:ExtendedRewardAmount"), f"a money reward must be negative: {amount}"
        )
    detailed = reward.flag("acs:detailedData")
    return _Reward(
        node=reward,
        promotion_id=reward.text("PromotionID"),
        event_id=reward.text("EventID"),
        amount=-amount,
        detailed=detailed,
        summary_only=reward.flag("acs:summarizedActivity") and not detailed,
        operator_sequence=reward.integer("acs:OperatorSequenceReference"),
    )


def _apply_rewards(ticket: _Ticket) -> list[dict[str, Any]]:
    """Attach detail rewards to their lines; return the basket discounts."""
    by_sequence = {line.operator_sequence: line for line in ticket.lines}
    basket: list[dict[str, Any]] = []
    details = [reward for reward in ticket.rewards if not reward.summary_only]
    for reward in details:
        if reward.operator_sequence == 0:
            basket.append(reward.discount())
        elif reward.operator_sequence in by_sequence:
            by_sequence[reward.operator_sequence].discounts.append(reward.discount())
        else:
            raise ConversionError(
                reward.node.where("acs:OperatorSequenceReference"),
                f"no kept Sale line has acs:OperatorSequence {reward.operator_sequence}",
            )
    for summary in (reward for reward in ticket.rewards if reward.summary_only):
        detailed = sum(
            (reward.amount for reward in details if reward.key == summary.key), Decimal(0)
        )
        if not detailed:
            basket.append(summary.discount())
        elif detailed != summary.amount:
            raise ConversionError(
                summary.node.where("acs:ExtendedRewardAmount"),
                f"summary of {summary.amount} but its detail records add up to {detailed}",
            )
    return basket


def _allocate_taxes(ticket: _Ticket, currency: str) -> None:
    for tax in ticket.taxes:
        tax_id = tax.attribute("acs:TaxID")
        if not tax_id:
            raise ConversionError(tax.where("@acs:TaxID"), "missing")
        amount = tax.decimal("Amount")
        rate = tax.decimal("Percent") / 100
        taxed = [line for line in ticket.lines if f"Tax{tax_id}" in line.itemizers]
        bases = [line.taxable_amount for line in taxed]
        if amount and not sum(bases):
            raise ConversionError(
                tax.where("Amount"),
                f"no taxable amount on lines flagged acs:Itemizers/@Tax{tax_id}",
            )
        for line, share in zip(taxed, _shares(amount, bases, currency), strict=True):
            line.taxes.append({"code": tax_id, "rate": rate, "amount": share})


def _shares(total: Decimal, bases: Sequence[Decimal], currency: str) -> list[Decimal]:
    """``total`` split in proportion to ``bases``; the rounding residue goes to the largest."""
    if not bases:
        return []
    base_total = sum(bases, Decimal(0))
    if not base_total:
        return [Decimal(0)] * len(bases)
    shares = [round_money(total * base / base_total, currency) for base in bases]
    largest = max(range(len(bases)), key=lambda index: abs(bases[index]))
    shares[largest] += total - sum(shares, Decimal(0))
    return shares


def _tenders(tenders: Sequence[_Node]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    change = Decimal(0)
    for tender in tenders:
        amount = tender.decimal("Amount")
        if tender.find("TenderChange") is not None:
            change += abs(tender.decimal("TenderChange/Amount"))
            continue
        kind = _TENDER_TYPES.get(tender.attribute("TenderType") or "", "other")
        reference = (
            tender.optional_text("Authorization/ReferenceNumber") if kind == "card" else None
        )
        result.append({"type": kind, "amount": amount, "reference": reference})
    if change:
        handed_over = [t for t in result if t["type"] == "cash" and t["amount"] > 0]
        if handed_over:
            handed_over[-1]["change"] = change
        else:
            result.append({"type": "cash", "amount": -change})
    return result
