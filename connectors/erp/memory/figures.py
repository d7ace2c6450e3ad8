"""The till's figures against the memory ERP's own tax computation, and returned lines against
their original sale: the two checks ``reserve`` makes before it books anything."""

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from connectors.erp.errors import ErpReturnRefused, ErpTotalsMismatch
from connectors.erp.memory.ledger import InvoiceState, MemoryOrder
from domain.erp_order import ErpDiscountLine, ErpOrder, ErpProductLine
from domain.money import round_money
from domain.returns import ReturnableQuantity
from domain.screening import posting_tolerance
from domain.tax import TaxComparison, TaxReconciliation


def reconcile_till_figures(order: ErpOrder, tolerance: Decimal | None) -> TaxReconciliation:
    """The ERP computes each line's tax as rate x net, rounded to the minor unit, and sums
    them per tax; ErpTotalsMismatch when it differs from the till's beyond ``tolerance``
    (default: one minor unit per line)."""
    lines: list[ErpProductLine | ErpDiscountLine] = [*order.product_lines, *order.discount_lines]
    erp_taxes: defaultdict[str, Decimal] = defaultdict(Decimal)
    pos_taxes: defaultdict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        for tax in line.taxes:
            erp_taxes[tax.erp_tax_code] += round_money(tax.rate * line.net_amount, order.currency)
            pos_taxes[tax.erp_tax_code] += tax.pos_amount
    reconciliation = TaxReconciliation(
        currency=order.currency,
        erp_net=order.lines_net_total,
        pos_net=order.net_total,
        taxes=[
            TaxComparison(tax_code=code, erp_amount=erp_taxes[code], pos_amount=pos_taxes[code])
            for code in sorted(erp_taxes)
        ],
    )
    allowed = posting_tolerance(order, None) if tolerance is None else tolerance
    if not reconciliation.within(allowed):
        raise ErpTotalsMismatch(reconciliation, allowed)
    return reconciliation


ReturnKey = tuple[str, int]
"""(original reference, original POS line number)."""


def returned_lines(order: ErpOrder) -> list[ErpProductLine]:
    return [
        line
        for line in order.product_lines
        if line.quantity < 0 and line.return_of_reference and line.return_of_line_number
    ]


def return_key(line: ErpProductLine) -> ReturnKey:
    return str(line.return_of_reference), int(line.return_of_line_number or 0)


def counts_as_returned(order: MemoryOrder) -> bool:
    """A return booked so far: neither its sale nor its credit note was cancelled."""
    return not order.cancelled and order.invoice is not InvoiceState.CANCELLED


def returnable(
    find: Callable[[str], MemoryOrder | None],
    returns: list[MemoryOrder],
    key: ReturnKey,
    excluding: str | None = None,
) -> ReturnableQuantity:
    """What line ``key`` of its original sold, less what ``returns`` (the orders returning
    from it) took back; the return booked under ``excluding`` is not counted."""
    reference, number = key
    original = find(reference)
    lines = original.order.product_lines if original else []
    sold = next((line for line in lines if line.pos_line_number == number), None)
    if original is None or sold is None:
        raise ErpReturnRefused(
            reference, number, "no sale line with that number is booked under it"
        )
    if original.cancelled:
        raise ErpReturnRefused(reference, number, "the original sale was cancelled")
    if sold.quantity <= 0:
        raise ErpReturnRefused(reference, number, "that line returned goods, not sold")
    taken_back = sum(
        (
            -line.quantity
            for order in returns
            if order.reference != excluding and counts_as_returned(order)
            for line in returned_lines(order.order)
            if return_key(line) == key
        ),
        Decimal(0),
    )
    return ReturnableQuantity(
        original_reference=reference,
        original_line_number=number,
        product_code=sold.product_code,
        sold=sold.quantity,
        returned=taken_back,
    )


def check_returnable(
    order: ErpOrder,
    find: Callable[[str], MemoryOrder | None],
    returns_of: Callable[[ReturnKey], list[MemoryOrder]],
) -> None:
    """ErpReturnRefused for a returned line its original does not allow (unknown line, other
    product, more than remains returnable)."""
    asked: defaultdict[ReturnKey, Decimal] = defaultdict(Decimal)
    products: dict[ReturnKey, str] = {}
    for line in returned_lines(order):
        asked[return_key(line)] -= line.quantity
        products[return_key(line)] = line.product_code
    for key, quantity in asked.items():
        available = returnable(find, returns_of(key), key, excluding=order.reference)
        if available.product_code != products[key]:
            raise ErpReturnRefused(*key, f"it sold {available.product_code}, not {products[key]}")
        if quantity > available.remaining:
            raise ErpReturnRefused(
                *key,
                f"{_plain(quantity)} asked back but only {_plain(available.remaining)}"
                f" of the {_plain(available.sold)} sold remain returnable",
            )


def _plain(quantity: Decimal) -> str:
    return format(quantity.normalize(), "f")
