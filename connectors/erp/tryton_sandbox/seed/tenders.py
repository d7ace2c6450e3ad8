"""A payment method per tender type, each with its own journal and account.

The connector pays a till's invoice tender by tender with these methods (found by name), so
cash lands in the till's cash account, card payments in the card settlements account, and
gift cards, vouchers and store credit reduce what the shop owes on them.
"""

from typing import Any

from proteus import Model

from connectors.erp.tryton_sandbox.seed.accounting import leaf_account

# payment method name: (journal code, account code, account name, chart account it is like)
TENDER_METHODS = {
    "POS cash": ("POS-CASH", "1.1.5", "Till cash", "1.1.1"),
    "POS card": ("POS-CARD", "1.1.6", "Card settlements in transit", "1.1.1"),
    "POS gift card": ("POS-GIFT", "2.2.7", "Gift cards outstanding", "2.2.2"),
    "POS voucher": ("POS-VOUCH", "2.2.8", "Vouchers outstanding", "2.2.2"),
    "POS store credit": ("POS-CREDIT", "2.2.9", "Store credit outstanding", "2.2.2"),
    "POS other tender": ("POS-OTHER", "1.1.7", "Other tenders in transit", "1.1.1"),
}


def create_tender_payment_methods(company: Any) -> None:
    Journal = Model.get("account.journal")
    PaymentMethod = Model.get("account.invoice.payment.method")
    for name, (journal_code, account_code, account_name, like) in TENDER_METHODS.items():
        account = leaf_account(account_code, account_name, like=like)
        journal = Journal(name=name, code=journal_code, type="cash")
        journal.save()
        PaymentMethod(
            name=name,
            company=company,
            journal=journal,
            debit_account=account,
            credit_account=account,
        ).save()
