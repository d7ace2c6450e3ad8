"""A journal entry being built: one line per account and description, balanced, then written
as Tryton move line values.

A store that trades in another currency than the company's books its day in the company
currency at the posting date's rate, each line keeping the store's amount as its second
currency (so the day reads back in the store's currency). Lines converted one by one leave a
rounding residual of a penny or two; like Tryton's own invoices, where the receivable takes
it, the entry's largest settling line (a tender, or the unpaid gross) takes it. Lines booked
in the company currency (the cost of goods, valued at the company's cost prices) are not
converted and must balance by themselves.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from connectors.erp.errors import ErpRejected
from connectors.erp.tryton.rest import Record
from domain.money import round_money


@dataclass(frozen=True)
class Conversion:
    """From the entry's currency to the company's, at one date's rate."""

    company_currency: str
    second_currency_id: int
    rate: Decimal
    """Company currency units for one unit of the entry's."""

    def to_company(self, amount: Decimal) -> Decimal:
        return round_money(amount * self.rate, self.company_currency)


@dataclass
class EntryLine:
    account: int
    description: str
    in_company_currency: bool
    settles: bool
    amount: Decimal = Decimal(0)
    party: int | None = None
    tax_lines: dict[tuple[int, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def add_tax(self, tax_id: int, kind: str, amount: Decimal) -> None:
        self.tax_lines[(tax_id, kind)] += amount


class JournalEntry:
    """The lines of one move in ``currency``, amounts (debit positive) summed as booked."""

    def __init__(self, key: str, currency: str) -> None:
        self._key = key
        self._currency = currency
        self._lines: dict[tuple[int, str], EntryLine] = {}

    def book(
        self,
        account: int,
        description: str,
        amount: Decimal,
        *,
        settles: bool = False,
        in_company_currency: bool = False,
    ) -> EntryLine:
        """Add ``amount`` to the line of ``account`` and ``description``; ``settles``: money
        in or owed (tenders, unpaid gross), where a conversion's rounding residual goes."""
        line = self._lines.setdefault(
            (account, description),
            EntryLine(account, description, in_company_currency, settles),
        )
        line.amount += amount
        return line

    def move_lines(self, conversion: Conversion | None) -> list[Record]:
        """Tryton's values for the move's lines; refused if they do not balance."""
        company_currency = conversion.company_currency if conversion else self._currency
        trading = [
            line
            for line in self._lines.values()
            if not line.in_company_currency and round_money(line.amount, self._currency)
        ]
        internal = [
            line
            for line in self._lines.values()
            if line.in_company_currency and round_money(line.amount, company_currency)
        ]
        self._check_balance(trading, self._currency)
        self._check_balance(internal, company_currency)
        if conversion is None:

            def unconverted(amount: Decimal) -> Decimal:
                return round_money(amount, self._currency)

            return [
                _values(line, unconverted(line.amount), unconverted) for line in trading + internal
            ]
        converted = {id(line): conversion.to_company(line.amount) for line in trading}
        residual = -sum(converted.values(), Decimal(0))
        if residual:
            settling = [line for line in trading if line.settles] or trading
            absorbing = max(settling, key=lambda line: abs(line.amount))
            converted[id(absorbing)] += residual
        second = conversion.second_currency_id
        values = [
            _values(
                line,
                converted[id(line)],
                conversion.to_company,
                (second, round_money(line.amount, self._currency)),
            )
            for line in trading
        ]

        def internal_amount(amount: Decimal) -> Decimal:
            return round_money(amount, company_currency)

        values += [
            _values(line, internal_amount(line.amount), internal_amount) for line in internal
        ]
        return values

    def _check_balance(self, lines: list[EntryLine], currency: str) -> None:
        balance = sum((round_money(line.amount, currency) for line in lines), Decimal(0))
        if balance:
            raise ErpRejected(f"the daily posting {self._key} does not balance (off by {balance})")


def _values(
    line: EntryLine,
    company_amount: Decimal,
    to_company: Callable[[Decimal], Decimal],
    second: tuple[int, Decimal] | None = None,
) -> Record:
    values: Record = {
        "account": line.account,
        "description": line.description,
        "debit": max(company_amount, Decimal(0)),
        "credit": max(-company_amount, Decimal(0)),
    }
    if second is not None:
        values["second_currency"], values["amount_second_currency"] = second
    if line.party is not None:
        values["party"] = line.party
    if line.tax_lines:
        values["tax_lines"] = [
            [
                "create",
                [
                    {"tax": tax_id, "type": kind, "amount": to_company(amount)}
                    for (tax_id, kind), amount in sorted(line.tax_lines.items())
                ],
            ]
        ]
    return values
