"""The ERP's payment method per tender type: where every tender is booked, in either mode.

Each tender type has a Tryton ``account.invoice.payment.method`` (found by name, see
``PAYMENT_METHOD_NAMES``) with its own journal and accounts. Per-ticket payments are booked on
the method's journal and account, the daily consolidated posting books the day's tenders on
the same accounts, and reconciliation reads the tenders back from them: one place says where
cash, card and gift-card money goes.
"""

from dataclasses import dataclass
from decimal import Decimal

from connectors.erp.errors import ErpUnknownCodes
from connectors.erp.tryton.documents import PAYMENT_METHOD_NAMES
from connectors.erp.tryton.rest import TrytonRest
from domain.transaction import TenderType


@dataclass(frozen=True)
class TenderMethod:
    tender_type: TenderType
    journal_id: int
    debit_account_id: int
    credit_account_id: int

    def account_for(self, amount: Decimal) -> int:
        """The account a tender of ``amount`` is booked on: money in debits, money out credits."""
        return self.debit_account_id if amount >= 0 else self.credit_account_id


class TenderMethods:
    """The company's tender payment methods, read once."""

    def __init__(self, rest: TrytonRest, company_id: int) -> None:
        self._rest = rest
        self._company_id = company_id
        self._methods: dict[TenderType, TenderMethod] | None = None

    async def method(self, tender_type: TenderType) -> TenderMethod:
        methods = await self.all()
        if tender_type not in methods:
            raise ErpUnknownCodes("payment method", [PAYMENT_METHOD_NAMES[tender_type]])
        return methods[tender_type]

    async def all(self) -> dict[TenderType, TenderMethod]:
        """The methods the ERP has (a tender type without one is simply absent)."""
        if self._methods is None:
            records = await self._rest.search(
                "account.invoice.payment.method",
                [
                    ("company", "=", self._company_id),
                    ("name", "in", list(PAYMENT_METHOD_NAMES.values())),
                ],
                ["name", "journal", "debit_account", "credit_account"],
            )
            by_name = {record["name"]: record for record in records}
            self._methods = {
                kind: TenderMethod(
                    kind,
                    by_name[name]["journal"],
                    by_name[name]["debit_account"],
                    by_name[name]["credit_account"],
                )
                for kind, name in PAYMENT_METHOD_NAMES.items()
                if name in by_name
            }
        return self._methods
