"""Small POSLog documents built in code, for hostile and oversized cases."""

from connectors.pos.poslog import ACS_NS, ARTS_NS


def document(*transactions: str) -> bytes:
    return (
        f'<POSLog xmlns="{ARTS_NS}" xmlns:acs="{ACS_NS}">' + "".join(transactions) + "</POSLog>"
    ).encode()


def transaction(*line_items: str, sequence: str = "7", grand_total: str = "0.00") -> str:
    return (
        "<Transaction><RetailStoreID>9</RetailStoreID><WorkstationID>34</WorkstationID>"
        f"<SequenceNumber>{sequence}</SequenceNumber><BusinessDayDate>2017-09-30</BusinessDayDate>"
        "<EndDateTime>2017-10-01T02:02:54</EndDateTime><OperatorID>94</OperatorID>"
        "<CurrencyCode>USD</CurrencyCode><RetailTransaction>"
        + "".join(line_items)
        + f'<Total TotalType="TransactionGrandAmount">{grand_total}</Total>'
        '<Total TotalType="TransactionTaxAmount">0.00</Total>'
        "</RetailTransaction></Transaction>"
    )


def sign_on(sequence: int) -> str:
    return (
        "<Transaction><RetailStoreID>9</RetailStoreID><WorkstationID>34</WorkstationID>"
        f"<SequenceNumber>{sequence}</SequenceNumber><BusinessDayDate>2017-09-30</BusinessDayDate>"
        "<EndDateTime>2017-10-01T02:01:31</EndDateTime><ControlTransaction>"
        "<ReasonCode>Valid SignOn</ReasonCode><OperatorSignOn/></ControlTransaction></Transaction>"
    )


def sale(
    sequence: int,
    sku: str,
    *,
    quantity: str = "1",
    amount: str = "1.00",
    price: str | None = None,
    void: bool = False,
    description: str = "ITEM",
) -> str:
    flag = ' VoidFlag="true"' if void else ""
    return (
        f"<LineItem{flag}><SequenceNumber>{sequence}</SequenceNumber><Sale>"
        f"<ItemID>{sku}</ItemID><Description>{description}</Description>"
        f"<RegularSalesUnitPrice>{price or amount}</RegularSalesUnitPrice>"
        f"<ExtendedAmount>{amount}</ExtendedAmount><Quantity>{quantity}</Quantity>"
        f"<acs:OperatorSequence>{sequence}</acs:OperatorSequence></Sale></LineItem>"
    )


def reward(
    sequence: int, promotion: str, *, amount: str, summary: bool, applies_to: int = 0
) -> str:
    kind = 'acs:summarizedActivity="true"' if summary else 'acs:detailedData="true"'
    return (
        f"<LineItem><SequenceNumber>{sequence}</SequenceNumber><LoyaltyReward {kind}>"
        f"<PromotionID>{promotion}</PromotionID><EventID>1</EventID>"
        "<acs:RewardCategory>Monetary</acs:RewardCategory><acs:RewardType>PercentOff</acs:RewardType>"
        f"<acs:ExtendedRewardAmount>{amount}</acs:ExtendedRewardAmount>"
        f"<acs:OperatorSequenceReference>{applies_to}</acs:OperatorSequenceReference>"
        "</LoyaltyReward></LineItem>"
    )


def tender(sequence: int, amount: str, *, reference: str = "344665") -> str:
    return (
        f'<LineItem><SequenceNumber>{sequence}</SequenceNumber><Tender TenderType="CreditDebit">'
        f"<Amount>{amount}</Amount><Authorization><ReferenceNumber>{reference}</ReferenceNumber>"
        "</Authorization></Tender></LineItem>"
    )


def quadratic_day(pairs: int) -> bytes:
    """One ticket of ``pairs`` sales, as many voids that match none of them, and as many
    summary rewards without detail: the shapes that made the adapter quadratic."""
    items = [sale(number, f"SKU{number}") for number in range(1, pairs + 1)]
    items += [
        sale(pairs + number, f"GONE{number}", quantity="-1", amount="-1.00", void=True)
        for number in range(1, pairs + 1)
    ]
    items += [
        reward(2 * pairs + number, f"P{number}", amount="-0.01", summary=True)
        for number in range(1, pairs + 1)
    ]
    return document(transaction(*items, grand_total=f"{pairs - pairs / 100:.2f}"))
