"""NCR's variant of an NRF ARTS POSLog 2.1 file -> canonical transactions.

Element names below are ARTS (namespace ``ARTS_NS``) unless prefixed ``acs:`` (NCR
extensions, ``ACS_NS``); error fields use the same names, relative to the ``Transaction``.

Modules: adapter (the entry point, the transaction header and totals), document (the guarded
XML parse and the element helper), ticket (line items sorted by kind), lines, rewards, taxes
and tenders (one kind of line item each).

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

from connectors.pos.poslog.adapter import DEFAULT_CURRENCY, parse_poslog
from connectors.pos.poslog.document import ACS_NS, ARTS_NS, DEFAULT_MAX_BYTES

__all__ = ["ACS_NS", "ARTS_NS", "DEFAULT_CURRENCY", "DEFAULT_MAX_BYTES", "parse_poslog"]
