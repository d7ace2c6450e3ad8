"""Pure rules that turn a POS ticket and its mappings into the ERP order to book.

Every ERP line is net of tax. A product line is booked at the till's price; each discount is a
line of its own, by kind, so a campaign never hides in a changed unit price. When prices
include tax the net of a line is its gross divided by (1 + the line's tax rates); basket
discounts are spread over the tax groups of the lines they reduce, in proportion to their
amounts, so that each discount line carries the taxes of the goods it discounted.
"""

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

from domain.erp_order import ErpDiscountLine, ErpOrder, ErpPayment, ErpProductLine, ErpTax
from domain.mapping import TransactionMapping
from domain.money import allocate, round_money
from domain.transaction import Discount, PosLine, PosTransaction

PRICE_DIGITS = Decimal("0.0001")


def plan_erp_order(
    txn: PosTransaction,
    mapping: TransactionMapping,
    reference: str,
    original_references: Mapping[str, str] | None = None,
) -> ErpOrder:
    """``original_references``: for returned lines, the POS transaction id of each original
    ticket -> the ERP reference it was booked under (the journal knows it); a returned line
    whose original is not in it is planned as an unreferenced return."""
    originals = original_references or {}
    product_lines = [_product_line(txn, line, mapping, originals) for line in txn.lines]
    discount_lines = [
        _discount_line(txn, line, discount, mapping)
        for line in txn.lines
        for discount in line.discounts
    ]
    discount_lines += _basket_discount_lines(txn, mapping)
    return ErpOrder(
        reference=reference,
        transaction_id=txn.transaction_id,
        store_id=txn.store_id,
        terminal_id=txn.terminal_id,
        warehouse_code=mapping.warehouse_code,
        customer_code=txn.customer.customer_id if txn.customer else None,
        sale_date=txn.business_date,
        currency=txn.currency,
        product_lines=product_lines,
        discount_lines=discount_lines,
        payments=[
            ErpPayment(
                tender_type=tender.type, amount=tender.net_amount, reference=tender.reference
            )
            for tender in txn.tenders
        ],
        net_total=txn.totals.net,
        tax_total=txn.totals.tax,
        gross_total=txn.totals.gross,
        description=(
            f"POS {txn.store_id}/{txn.terminal_id} receipt {txn.receipt_number} "
            f"({txn.transaction_id})"
        ),
    )


def _net_of_tax(txn: PosTransaction, amount: Decimal, rate: Decimal) -> Decimal:
    return amount / (1 + rate) if txn.prices_include_tax else amount


def _line_rate(line: PosLine) -> Decimal:
    return sum((tax.rate for tax in line.taxes), Decimal(0))


def _erp_taxes(line: PosLine, mapping: TransactionMapping) -> list[ErpTax]:
    return [
        ErpTax(erp_tax_code=mapping.erp_tax_code(tax.code), rate=tax.rate, pos_amount=tax.amount)
        for tax in line.taxes
    ]


def _product_line(
    txn: PosTransaction, line: PosLine, mapping: TransactionMapping, originals: Mapping[str, str]
) -> ErpProductLine:
    line_mapping = mapping.line(line.line_number)
    net_unit_price = _net_of_tax(txn, line.unit_price, _line_rate(line))
    return ErpProductLine(
        pos_line_number=line.line_number,
        product_code=line_mapping.product_code,
        description=line.description or line_mapping.product_code,
        quantity=line.quantity * line_mapping.factor,
        unit_price=(net_unit_price / line_mapping.factor).quantize(PRICE_DIGITS),
        net_amount=round_money(line.quantity * net_unit_price, txn.currency),
        taxes=_erp_taxes(line, mapping),
        condition=line.condition,
        return_of_transaction_id=line.return_of.transaction_id if line.return_of else None,
        return_of_line_number=line.return_of.line_number if line.return_of else None,
        return_of_reference=originals.get(line.return_of.transaction_id)
        if line.return_of
        else None,
    )


def describe_discount(discount: Discount) -> str:
    parts = [discount.kind.value.replace("_", " ")]
    if discount.code:
        parts.append(f"code {discount.code}")
    if discount.cashier_id:
        parts.append(f"by cashier {discount.cashier_id}")
    if discount.reason:
        parts.append(f"reason: {discount.reason}")
    if discount.description:
        parts.append(discount.description)
    return ", ".join(parts)


def _discount_line(
    txn: PosTransaction, line: PosLine, discount: Discount, mapping: TransactionMapping
) -> ErpDiscountLine:
    signed = -discount.amount if not line.is_return else discount.amount
    return ErpDiscountLine(
        kind=discount.kind,
        applies_to_line=line.line_number,
        description=describe_discount(discount),
        net_amount=round_money(_net_of_tax(txn, signed, _line_rate(line)), txn.currency),
        taxes=[
            tax.model_copy(update={"pos_amount": Decimal(0)}) for tax in _erp_taxes(line, mapping)
        ],
    )


def _basket_discount_lines(
    txn: PosTransaction, mapping: TransactionMapping
) -> list[ErpDiscountLine]:
    """One line per basket discount and tax group, the discount spread by the group's share."""
    group_amounts: dict[tuple[str, ...], Decimal] = defaultdict(Decimal)
    group_lines: dict[tuple[str, ...], PosLine] = {}
    for line in txn.lines:
        if line.is_return:
            continue
        group = tuple(sorted(tax.code for tax in line.taxes))
        group_amounts[group] += line.extended_amount - line.discount_total
        group_lines.setdefault(group, line)
    result: list[ErpDiscountLine] = []
    groups = sorted(group_amounts)
    for discount in txn.discounts:
        shares = allocate(discount.amount, [group_amounts[group] for group in groups], txn.currency)
        for group, share in zip(groups, shares, strict=True):
            sample_line = group_lines[group]
            result.append(
                ErpDiscountLine(
                    kind=discount.kind,
                    applies_to_line=None,
                    description=describe_discount(discount),
                    net_amount=round_money(
                        _net_of_tax(txn, -share, _line_rate(sample_line)), txn.currency
                    ),
                    taxes=[
                        tax.model_copy(update={"pos_amount": Decimal(0)})
                        for tax in _erp_taxes(sample_line, mapping)
                    ],
                )
            )
    return result
