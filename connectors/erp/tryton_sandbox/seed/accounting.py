"""Chart of accounts, fiscal years and taxes."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from proteus import Model, Wizard
from proteus.config import get_config

_CHART_TEMPLATE = "account.account_template_root_en"


@dataclass(frozen=True)
class Accounts:
    receivable: Any
    payable: Any
    revenue_goods: Any
    revenue_discounts: Any
    revenue_adjustments: Any
    expense: Any
    cogs: Any
    stock: Any
    stock_interim: Any
    equity: Any
    vat_output: Any
    us_sales_tax: Any


def create_chart(company: Any) -> Accounts:
    """The universal chart, plus the few leaf accounts the sandbox needs on top of it."""
    Account = Model.get("account.account")
    ModelData = Model.get("ir.model.data")
    AccountTemplate = Model.get("account.account.template")

    wizard = Wizard("account.create_chart")
    wizard.execute("account")
    wizard.form.account_template = AccountTemplate(
        ModelData.get_id(_CHART_TEMPLATE, get_config().context)
    )
    wizard.form.company = company
    wizard.execute("create_account")

    def by_code(code: str) -> Any:
        (account,) = Account.find([("code", "=", code), ("company", "=", company.id)])
        return account

    accounts = Accounts(
        receivable=by_code("1.2.1"),
        payable=by_code("2.1.1"),
        revenue_goods=by_code("4.1.1"),
        revenue_discounts=by_code("4.3.2"),
        revenue_adjustments=by_code("4.3.3"),
        expense=by_code("5.1.1"),
        cogs=by_code("5.2.1"),
        stock=by_code("1.3.1"),
        # Stock IN and OUT share one interim account so that an issue and its return (or a
        # posting and its cancellation) always net to zero on it.
        stock_interim=leaf_account("1.3.6", "Stock Interim (not yet invoiced)", like="1.3.1"),
        equity=by_code("3.1.1"),
        vat_output=leaf_account("2.2.5", "VAT Output (UK)", like="2.2.3"),
        us_sales_tax=leaf_account("2.2.6", "Sales Tax Payable (US-NY)", like="2.2.3"),
    )
    wizard.form.account_receivable = accounts.receivable
    wizard.form.account_payable = accounts.payable
    wizard.form.category_account_expense = accounts.expense
    wizard.form.category_account_revenue = accounts.revenue_goods
    wizard.execute("create_properties")
    return accounts


def leaf_account(code: str, name: str, like: str) -> Any:
    """A new account of the same type and parent as the chart's account ``like``."""
    Account = Model.get("account.account")
    (model,) = Account.find([("code", "=", like)])
    account = Account(code=code, name=name, type=model.type, parent=model.parent)
    account.save()
    return account


def create_fiscal_year(company: Any, year: int) -> Any:
    """A calendar fiscal year with monthly periods, anglo-saxon stock accounting and sequences."""
    FiscalYear = Model.get("account.fiscalyear")
    Sequence = Model.get("ir.sequence.strict")
    SequenceType = Model.get("ir.sequence.type")

    def sequence(type_name: str) -> Any:
        (sequence_type,) = SequenceType.find([("name", "=", type_name)], limit=1)
        record = Sequence(name=f"{type_name} {year}", sequence_type=sequence_type, company=company)
        record.save()
        return record

    fiscal_year = FiscalYear(
        name=str(year),
        start_date=date(year, 1, 1),
        end_date=date(year, 12, 31),
        company=company,
        move_sequence=sequence("Account Move"),
        account_stock_method="anglo_saxon",
    )
    invoice_sequence = sequence("Invoice")
    (sequences,) = fiscal_year.invoice_sequences
    sequences.out_invoice_sequence = invoice_sequence
    sequences.out_credit_note_sequence = invoice_sequence
    sequences.in_invoice_sequence = invoice_sequence
    sequences.in_credit_note_sequence = invoice_sequence
    fiscal_year.save()
    fiscal_year.click("create_period")
    return fiscal_year


def create_taxes(accounts: Accounts) -> dict[str, Any]:
    """Customer taxes by name: the names are what the connector resolves tax codes against."""
    Tax = Model.get("account.tax")
    definitions = [
        ("VAT20", "UK VAT standard rate 20%", Decimal("0.20"), accounts.vat_output),
        ("VAT0", "UK VAT zero rate 0%", Decimal("0"), accounts.vat_output),
        ("US-NY", "New York City sales tax 8.875%", Decimal("0.08875"), accounts.us_sales_tax),
    ]
    taxes = {}
    for name, description, rate, account in definitions:
        tax = Tax(
            name=name,
            description=description,
            type="percentage",
            rate=rate,
            invoice_account=account,
            credit_note_account=account,
        )
        tax.save()
        taxes[name] = tax
    return taxes
