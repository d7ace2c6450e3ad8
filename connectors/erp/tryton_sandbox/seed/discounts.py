"""One account per discount kind, so finance sees what promotions, price overrides, loyalty
and coupons each cost (promotions keep the chart's consideration-paid-to-customers account)."""

from typing import Any

from connectors.erp.tryton_sandbox.seed.accounting import Accounts, leaf_account


def create_discount_accounts(accounts: Accounts) -> dict[str, Any]:
    """Discount service product code -> the account its discount lines are booked on."""
    return {
        "DISC-PROMOTION": accounts.revenue_discounts,
        "DISC-MANUAL": leaf_account("4.3.4", "Manual price overrides", like="4.3.2"),
        "DISC-LOYALTY": leaf_account("4.3.5", "Loyalty discounts", like="4.3.2"),
        "DISC-COUPON": leaf_account("4.3.6", "Coupon discounts", like="4.3.2"),
    }
