"""Sitoo POS orders (REST API v2 JSON) -> canonical transactions.

Field names and codes follow Sitoo's published order object (developer.sitoo.com, REST API
v2 "order", "orderitem", "orderpayment" and their ``additionaldata`` keys). Money fields are
two-decimal strings: JSON bytes are read with numbers as Decimal, and a Python float for money
is refused (vatvalue, a percentage, may be a float). The payload is one order, a list of
orders, or the API's ``{"totalcount": ..., "items": [...]}`` envelope.

Order
  - ``transaction_id`` = orderid; ``receipt_number`` = orderid too: Sitoo has no per-register
    integer sequence on the order (``pos-receiptid`` is a string), so receipt gaps cannot be
    detected per terminal for Sitoo.
  - ``store_id`` = the ``store_id`` argument, else additionaldata ``store-externalid``, else
    warehouseid; ``terminal_id`` = registerid (a webshop order has none and is rejected);
    ``cashier_id`` = additionaldata ``pos-staff-externalid``, else ``userid_staff``.
  - ``occurred_at`` = orderdate (unix seconds, the till's time even when it was offline) in
    the POS's timezone (additionaldata ``pos-timezone``, UTC when absent); ``business_date`` is
    its local date. ``currency`` = currencycode (required).
  - ``status``: orderstateid 20 (cancelled) or -1 (abandoned) -> voided; ordertypeid 110
    (POSParked) -> suspended; ordertypeid 100 (booking) or orderstateid 0 (open) -> pending;
    orderstateid 10 (closed) -> completed. Any other ordertypeid (10 is a sale) or state
    rejects the order.
  - ``prices_include_tax`` is true: Sitoo POS prices include VAT.
  - ``totals``: net = moneytotal_net, tax = moneytotal_vat, gross = moneytotal_gross_all,
    which must equal net + tax: a cash round-off (moneytotal_gross_roundoff) or delivery and
    checkout costs have no place in the canonical model and reject the order.

Order items (only orderitemtype 10, product; ``line_number`` = orderitemid)
  - ``quantity`` = quantity x decimalunitquantity (when set, with ``unit`` = unitlabel),
    signed: a refund order has negative quantities and amounts.
  - The row's VAT-inclusive amount is moneyitemtotal_net + moneyitemtotal_vat, after the row
    discount ``moneyrowdiscount`` (VAT-inclusive, signed like the row); ``unit_price`` = (row
    amount + row discount) / quantity (``domain.totals.implied_unit_price``).
  - One tax: code ``VAT{vatvalue}``, rate vatvalue / 100, amount moneyitemtotal_vat.
  - A row discount is a manual_override when additionaldata ``reasoncode-manualdiscount`` is
    set (reason = that code, cashier = the order's staff), else a promotion with code =
    vouchercode (name = vouchername) or additionaldata ``crm-promotionid``; a row discount with
    neither rejects the order.
  - A refund (creditorderid = the original order) references the original line through item
    additionaldata ``pos-originalsales-orderitemid`` (the original orderitemid, which is that
    line's line_number); ``return_of`` is left empty when it is absent.

Payments -> tenders: name Cash -> cash, Card -> card, Gift card -> gift_card, Credit note ->
store_credit, Voucher -> voucher (case-insensitive), anything else -> other; amount =
moneyamount (negative on a refund); reference = refid, else externalid.
"""

import json
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from connectors.pos.base import AdapterResult, Reject, kind_of, reject
from connectors.pos.errors import ConversionError, PayloadError
from connectors.pos.guards import check_depth, check_record_count, load_json
from connectors.pos.json_record import JsonRecord
from domain.limits import EARLIEST_BUSINESS_DATE, LATEST_BUSINESS_DATE, MAX_RATE_DECIMAL_PLACES
from domain.totals import implied_unit_price
from domain.transaction import PosTransaction, TransactionStatus

PRODUCT_ITEM = 10
SALES_ORDER, BOOKING_ORDER, PARKED_ORDER = 10, 100, 110
CANCELLED_STATES = {20, -1}
OPEN_STATE, CLOSED_STATE = 0, 10

_EARLIEST_ORDER_DATE = int(datetime.combine(EARLIEST_BUSINESS_DATE, time(), UTC).timestamp())
_LATEST_ORDER_DATE = int(datetime.combine(LATEST_BUSINESS_DATE, time(), UTC).timestamp())

_TENDER_TYPES = {
    "cash": "cash",
    "card": "card",
    "gift card": "gift_card",
    "credit note": "store_credit",
    "voucher": "voucher",
}


def parse_sitoo_orders(
    payload: bytes | dict[str, Any] | list[Any],
    *,
    store_id: str | None = None,
    max_records: int | None = None,
) -> AdapterResult:
    """Convert Sitoo orders; raise PayloadError if the payload is not JSON orders."""
    transactions: list[PosTransaction] = []
    rejects: list[Reject] = []
    orders = _orders(payload)
    check_record_count(orders, max_records)
    for index, order in enumerate(orders):
        transaction_id = None
        try:
            check_depth(order)
            record = JsonRecord(order, "", name="order")
            transaction_id = str(record.integer("orderid"))
            transactions.append(_convert(record, store_id))
        except (ConversionError, ValidationError) as error:
            rejects.append(reject(index, transaction_id, error, _raw(order)))
    return AdapterResult(transactions=transactions, rejects=rejects)


def _raw(order: Any) -> str:
    try:
        return json.dumps(order, default=str, ensure_ascii=False)
    except RecursionError:
        return "(nested too deep to show)"


def _orders(payload: bytes | dict[str, Any] | list[Any]) -> list[Any]:
    if isinstance(payload, bytes):
        try:
            payload = load_json(payload, parse_float=Decimal)
        except ValueError as error:
            raise PayloadError(f"not JSON: {error}") from error
    if isinstance(payload, dict):
        items = payload.get("items", [payload])
        if isinstance(items, list):
            return items
    if isinstance(payload, list):
        return payload
    raise PayloadError("expected an order, a list of orders or an envelope with items")


def _convert(order: JsonRecord, store_id: str | None) -> PosTransaction:
    extra = order.child("additionaldata")
    cashier = extra.optional_text("pos-staff-externalid") or order.optional_text("userid_staff")
    currency = order.text("currencycode")
    occurred_at = _occurred_at(order, extra)
    net, tax, gross = (
        order.decimal("moneytotal_net"),
        order.decimal("moneytotal_vat"),
        order.decimal("moneytotal_gross_all"),
    )
    if gross != net + tax:
        raise ConversionError(
            order.where("moneytotal_gross_all"),
            f"{gross} is not moneytotal_net + moneytotal_vat ({net + tax}): round-off, delivery "
            "or checkout costs cannot be expressed",
        )
    credited = order.optional_text("creditorderid")
    lines = [_line(item, currency, cashier, credited) for item in order.children("orderitems")]
    return PosTransaction.model_validate(
        {
            "transaction_id": str(order.integer("orderid")),
            "store_id": store_id
            or extra.optional_text("store-externalid")
            or order.text("warehouseid"),
            "terminal_id": order.text("registerid"),
            "receipt_number": order.integer("orderid"),
            "business_date": occurred_at.date(),
            "occurred_at": occurred_at,
            "cashier_id": cashier,
            "kind": kind_of(line["quantity"] for line in lines),
            "status": _status(order),
            "currency": currency,
            "prices_include_tax": True,
            "lines": lines,
            "tenders": [_tender(payment) for payment in order.children("payments")],
            "totals": {"net": net, "tax": tax, "gross": gross},
        }
    )


def _occurred_at(order: JsonRecord, extra: JsonRecord) -> datetime:
    zone_name = extra.optional_text("pos-timezone") or "UTC"
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConversionError(
            extra.where("pos-timezone"), f"unknown timezone {zone_name!r}"
        ) from None
    seconds = order.integer("orderdate", low=_EARLIEST_ORDER_DATE, high=_LATEST_ORDER_DATE)
    return datetime.fromtimestamp(seconds, tz=UTC).astimezone(zone)


def _status(order: JsonRecord) -> TransactionStatus:
    order_type, state = order.integer("ordertypeid"), order.integer("orderstateid")
    if order_type not in (SALES_ORDER, BOOKING_ORDER, PARKED_ORDER):
        raise ConversionError(order.where("ordertypeid"), f"unknown order type {order_type}")
    if state in CANCELLED_STATES:
        return TransactionStatus.VOIDED
    if order_type == PARKED_ORDER:
        return TransactionStatus.SUSPENDED
    if order_type == BOOKING_ORDER or state == OPEN_STATE:
        return TransactionStatus.PENDING
    if state == CLOSED_STATE:
        return TransactionStatus.COMPLETED
    raise ConversionError(order.where("orderstateid"), f"unknown order state {state}")


def _line(
    item: JsonRecord, currency: str, cashier: str | None, credited_order: str | None
) -> dict[str, Any]:
    item_type = item.data.get("orderitemtype", PRODUCT_ITEM)
    if item_type != PRODUCT_ITEM:
        raise ConversionError(
            item.where("orderitemtype"), f"item type {item_type} is not supported"
        )
    extra = item.child("additionaldata")
    quantity = Decimal(item.integer("quantity"))
    if item.optional_text("decimalunitquantity") is not None:
        quantity *= item.decimal("decimalunitquantity")
    vat = item.decimal("moneyitemtotal_vat")
    row_discount = item.decimal("moneyrowdiscount", default="0")
    amount = item.decimal("moneyitemtotal_net") + vat + row_discount
    try:
        unit_price = implied_unit_price(amount, quantity, currency)
    except ValueError as error:
        raise ConversionError(item.where("moneyitemtotal_net"), str(error)) from None
    vat_percent = item.decimal(
        "vatvalue", default="0", allow_float=True, places=MAX_RATE_DECIMAL_PLACES - 2
    ).normalize()
    original_line = extra.optional_text("pos-originalsales-orderitemid")
    return {
        "line_number": item.integer("orderitemid"),
        "sku": item.optional_text("sku"),
        "description": item.optional_text("productname"),
        "quantity": quantity,
        "unit": item.optional_text("unitlabel") or "unit",
        "unit_price": unit_price,
        "taxes": [{"code": f"VAT{vat_percent}", "rate": vat_percent / 100, "amount": vat}],
        "discounts": _discounts(
            item, extra, row_discount if quantity > 0 else -row_discount, cashier
        ),
        "return_of": (
            {"transaction_id": credited_order, "line_number": original_line}
            if credited_order and original_line and quantity < 0
            else None
        ),
    }


def _discounts(
    item: JsonRecord, extra: JsonRecord, amount: Decimal, cashier: str | None
) -> list[dict[str, Any]]:
    """The row discount (``amount`` is positive when it reduces the row) as a Discount."""
    if not amount:
        return []
    manual_reason = extra.optional_text("reasoncode-manualdiscount")
    if manual_reason:
        return [
            {
                "kind": "manual_override",
                "amount": amount,
                "cashier_id": cashier,
                "reason": manual_reason,
            }
        ]
    code = item.optional_text("vouchercode") or extra.optional_text("crm-promotionid")
    if code:
        return [
            {
                "kind": "promotion",
                "amount": amount,
                "code": code,
                "description": item.optional_text("vouchername"),
            }
        ]
    raise ConversionError(
        item.where("moneyrowdiscount"),
        "a row discount needs a vouchercode or crm-promotionid (promotion) or a "
        "reasoncode-manualdiscount (manual override)",
    )


def _tender(payment: JsonRecord) -> dict[str, Any]:
    name = payment.text("name")
    return {
        "type": _TENDER_TYPES.get(name.strip().lower(), "other"),
        "amount": payment.decimal("moneyamount"),
        "reference": payment.optional_text("refid") or payment.optional_text("externalid"),
    }
