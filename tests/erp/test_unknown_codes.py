"""Codes the ERP does not know (issue 10): each kind opens its own exception with its owner,
from one table (activities.errors.UNKNOWN_CODE_KINDS), and a customer the ERP does not know
never blocks the reservation: the sale books to the cash-sale customer, or to the customer
the worker creates in the ERP (or it parks, if the worker is set so). Both connectors, the
memory ERP and the sandbox Tryton, behave the same."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.daily_posting import BatchPostRequest, DailyPostingActivities
from activities.erp import BookRequest, ErpActivities
from activities.errors import UNKNOWN_CODE_KINDS
from connectors.erp.base import ErpConnector
from connectors.erp.errors import ErpUnknownCodes, UnknownCode
from connectors.erp.memory import MemoryErp
from connectors.erp.tryton import TrytonConnector, TrytonRest
from connectors.erp.tryton.documents import CASH_SALE_CODE
from domain.consolidation import ConsolidationBatch
from domain.erp_order import ErpOrder, ErpPayment, ErpProductLine, ErpTax
from domain.outcomes import BusinessFailure, ExceptionKind, ExceptionOwner
from domain.settings import UnknownCustomer
from domain.transaction import TenderType
from tests.erp_orders import london_order

KNOWN_CUSTOMER = "LOYAL-0001"
VAT = ErpTax(erp_tax_code="VAT20", rate=Decimal("0.2"), pos_amount=Decimal("0.60"))


def order(**changes: object) -> ErpOrder:
    """A GBP sale of one tea at the London store, 20% VAT, paid in cash."""
    reference = f"pos-codes-{uuid4().hex[:12]}"
    base = london_order(
        reference,
        [
            ErpProductLine(
                pos_line_number=1,
                product_code="TEA-001",
                description="tea",
                quantity=Decimal(1),
                unit_price=Decimal("3.00"),
                net_amount=Decimal("3.00"),
                taxes=[
                    ErpTax(erp_tax_code="VAT20", rate=Decimal("0.2"), pos_amount=Decimal("0.60"))
                ],
            )
        ],
        payments=[ErpPayment(tender_type=TenderType.CASH, amount=Decimal("3.60"))],
        sale_date=date.today(),
    )
    return base.model_copy(update=changes)


def with_product(product_code: str) -> dict[str, object]:
    return {
        "product_lines": [
            order().product_lines[0].model_copy(update={"product_code": product_code})
        ]
    }


def with_tax(erp_tax_code: str) -> dict[str, object]:
    line = order().product_lines[0]
    tax = line.taxes[0].model_copy(update={"erp_tax_code": erp_tax_code})
    return {"product_lines": [line.model_copy(update={"taxes": [tax]})]}


@pytest.mark.parametrize(
    ("code", "kind", "owner"),
    [
        (UnknownCode.WAREHOUSE, ExceptionKind.UNMAPPED_LOCATION, ExceptionOwner.IT),
        (UnknownCode.PRODUCT, ExceptionKind.UNMAPPED_SKU, ExceptionOwner.IT),
        (UnknownCode.TAX, ExceptionKind.UNMAPPED_TAX, ExceptionOwner.IT),
        (UnknownCode.CUSTOMER, ExceptionKind.UNKNOWN_CUSTOMER, ExceptionOwner.STORE_OPS),
        (UnknownCode.PAYMENT_METHOD, ExceptionKind.UNKNOWN_PAYMENT_METHOD, ExceptionOwner.IT),
        (UnknownCode.CURRENCY, ExceptionKind.UNKNOWN_CURRENCY, ExceptionOwner.FINANCE),
    ],
)
def test_each_kind_of_unknown_code_has_its_own_exception_and_owner(
    code: UnknownCode, kind: ExceptionKind, owner: ExceptionOwner
) -> None:
    assert (UNKNOWN_CODE_KINDS[code], UNKNOWN_CODE_KINDS[code].owner) == (kind, owner)
    assert len(set(UNKNOWN_CODE_KINDS.values())) == len(UnknownCode), "one kind each"


@pytest.fixture(
    params=[
        "memory",
        pytest.param("tryton", marks=pytest.mark.erp),
        pytest.param("tryton-daily", marks=pytest.mark.erp),
    ]
)
def connector(request: pytest.FixtureRequest) -> TrytonConnector | MemoryErp:
    if request.param.startswith("tryton"):
        fixture = (
            "tryton_daily_connector" if request.param == "tryton-daily" else "tryton_connector"
        )
        tryton: TrytonConnector = request.getfixturevalue(fixture)
        return tryton
    return MemoryErp(
        warehouses={"WH-LON"},
        products={"TEA-001"},
        default_stock=Decimal(100),
        customers={CASH_SALE_CODE, KNOWN_CUSTOMER},
        taxes={"VAT20"},
        currencies={"GBP"},
        payment_methods={TenderType.CASH, TenderType.CARD},
    )


async def booked_customer(connector: ErpConnector, reference: str) -> str | None:
    """The customer code the ERP booked the order to; None: the cash-sale customer."""
    if isinstance(connector, MemoryErp):
        return connector.order(reference).order.customer_code
    assert isinstance(connector, TrytonConnector)
    refs = await connector.find_order(reference)
    assert refs is not None, f"nothing booked under {reference}"
    return refs.customer_code


def activities(
    connector: ErpConnector, unknown_customer: UnknownCustomer = UnknownCustomer.CASH_SALE
) -> ErpActivities:
    return ErpActivities(connector, Decimal("0.01"), unknown_customer=unknown_customer)


async def failure_of(call: object, *args: object) -> BusinessFailure:
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(call, *args)  # type: ignore[arg-type]
    assert raised.value.non_retryable
    return BusinessFailure.model_validate(raised.value.details[0])


async def test_an_unknown_customer_books_to_the_cash_sale_customer(
    connector: ErpConnector,
) -> None:
    stranger = order(customer_code=f"LOYAL-{uuid4().hex[:8]}")
    regular = order(customer_code=KNOWN_CUSTOMER)
    erp = activities(connector)
    try:
        refs = await ActivityEnvironment().run(erp.reserve, stranger)
        assert refs.unknown_customer == stranger.customer_code
        assert refs.sale_id is not None or refs.shipment_ids, "the stock is reserved"
        assert await booked_customer(connector, stranger.reference) is None
        # The answer was lost and the activity runs again: it finds the cash sale it booked.
        again = await ActivityEnvironment().run(erp.reserve, stranger)
        assert (again.sale_id, again.shipment_ids, again.unknown_customer) == (
            refs.sale_id,
            refs.shipment_ids,
            stranger.customer_code,
        )
        if isinstance(connector, MemoryErp):  # the sandbox Tryton has no loyalty customer
            known = await ActivityEnvironment().run(erp.reserve, regular)
            assert known.unknown_customer is None
            assert await booked_customer(connector, regular.reference) == KNOWN_CUSTOMER
    finally:
        await connector.release_if_present(stranger.reference)
        await connector.release_if_present(regular.reference)


async def test_an_unknown_customer_parks_when_the_worker_is_set_to_park(
    connector: TrytonConnector | MemoryErp,
) -> None:
    stranger = order(customer_code=f"LOYAL-{uuid4().hex[:8]}")

    failure = await failure_of(activities(connector, UnknownCustomer.PARK).reserve, stranger)

    assert failure.kind is ExceptionKind.UNKNOWN_CUSTOMER
    assert f"customer with code {stranger.customer_code}" in failure.message
    assert await connector.find_order(stranger.reference) is None, "nothing was reserved"


CustomersCoded = Callable[[str], Awaitable[int]]


@pytest.fixture
def customers_coded(connector: ErpConnector, request: pytest.FixtureRequest) -> CustomersCoded:
    """How many customers the ERP holds under a code."""
    if isinstance(connector, MemoryErp):
        memory = connector

        async def in_memory(code: str) -> int:
            return int(memory.knows_customer(code))

        return in_memory
    rest: TrytonRest = request.getfixturevalue("tryton_rest")

    async def in_tryton(code: str) -> int:
        return len(await rest.search("party.party", [("code", "=", code)], ["id"]))

    return in_tryton


async def test_an_unknown_customer_is_created_when_the_worker_is_set_to_create(
    connector: ErpConnector, customers_coded: CustomersCoded
) -> None:
    stranger = order(customer_code=f"LOYAL-{uuid4().hex[:8]}")
    erp = activities(connector, UnknownCustomer.CREATE)
    try:
        assert await customers_coded(KNOWN_CUSTOMER + "-nobody") == 0
        refs = await ActivityEnvironment().run(erp.reserve, stranger)
        again = await ActivityEnvironment().run(erp.reserve, stranger)

        assert refs.unknown_customer is None and again.unknown_customer is None
        assert refs.sale_id is not None or refs.shipment_ids, "the stock is reserved"
        assert (again.sale_id, again.shipment_ids) == (refs.sale_id, refs.shipment_ids)
        assert await booked_customer(connector, stranger.reference) == stranger.customer_code
        assert await customers_coded(str(stranger.customer_code)) == 1
        if refs.sale_id is not None:  # a sale per ticket: its invoice posts to the new customer
            posted = await connector.post(stranger.reference, date.today())
            assert posted.refs.invoice_id is not None
    finally:
        await connector.cancel_posting_if_present(stranger.reference)
        await connector.release_if_present(stranger.reference)


async def test_creating_a_customer_twice_even_at_once_leaves_one(
    connector: ErpConnector, customers_coded: CustomersCoded
) -> None:
    code = f"LOYAL-{uuid4().hex[:8]}"

    at_once = await asyncio.gather(*(connector.create_customer_if_missing(code) for _ in "ab"))
    later = await connector.create_customer_if_missing(code)

    assert (sorted(at_once), later) == ([False, True], False)
    assert await customers_coded(code) == 1


@pytest.mark.parametrize(
    ("changes", "kind"),
    [
        ({"warehouse_code": "WH-NOWHERE"}, ExceptionKind.UNMAPPED_LOCATION),
        (
            {
                "product_lines": [
                    order().product_lines[0].model_copy(update={"product_code": "NOPE-1"})
                ]
            },
            ExceptionKind.UNMAPPED_SKU,
        ),
        (with_tax("NO-SUCH-TAX"), ExceptionKind.UNMAPPED_TAX),
        ({"currency": "XTS"}, ExceptionKind.UNKNOWN_CURRENCY),
    ],
    ids=["warehouse", "product", "tax", "currency"],
)
async def test_an_unknown_code_in_an_order_parks_as_its_own_kind(
    connector: TrytonConnector | MemoryErp, changes: dict[str, object], kind: ExceptionKind
) -> None:
    unknown = order(**changes)

    failure = await failure_of(activities(connector).reserve, unknown)

    assert failure.kind is kind, failure
    assert await connector.find_order(unknown.reference) is None


async def test_a_tender_without_an_erp_payment_method_parks_the_books_as_its_own_kind() -> None:
    erp = MemoryErp(warehouses={"WH-LON"}, products={"TEA-001"}, payment_methods={TenderType.CASH})
    gift_card = order(
        payments=[ErpPayment(tender_type=TenderType.GIFT_CARD, amount=Decimal("3.60"))]
    )
    await erp.reserve(gift_card)

    failure = await failure_of(
        activities(erp).book, BookRequest(order=gift_card, posting_date=date.today())
    )

    assert (failure.kind, failure.kind.owner) == (
        ExceptionKind.UNKNOWN_PAYMENT_METHOD,
        ExceptionOwner.IT,
    )
    assert failure.details["erp_codes"] == "gift_card"
    assert erp.effects(gift_card.reference)["paid"] == 0


class BooksWithoutTheCurrency:
    """ERP books that lack the store's currency (the consolidated posting names it)."""

    async def post_consolidated(self, batch: object, posting_date: date) -> None:
        raise ErpUnknownCodes(UnknownCode.CURRENCY, ["USD"])


async def test_the_daily_posting_reports_an_unknown_code_from_the_same_table() -> None:
    daily = DailyPostingActivities(None, BooksWithoutTheCurrency(), 1, None, 50)  # type: ignore[arg-type]
    no_stock_to_issue = ConsolidationBatch.model_construct(stock_references=[])  # type: ignore[call-arg]
    request = BatchPostRequest.model_construct(batch=no_stock_to_issue, posting_date=date.today())

    failure = await failure_of(daily.post_batch, request)

    assert (failure.kind, failure.details["erp_codes"]) == (ExceptionKind.UNKNOWN_CURRENCY, "USD")
