"""A search whose domain is too long for a URL (a day's product codes) is sent in parts."""

import pytest

from connectors.erp.tryton import TrytonRest

pytestmark = pytest.mark.erp


async def test_a_search_for_a_thousand_codes_finds_those_tryton_has(
    tryton_rest: TrytonRest,
) -> None:
    codes = [f"NO-SUCH-PRODUCT-{n:04}" for n in range(1000)] + ["TEA-001", "MUG-001"]
    sent = tryton_rest.requests_sent

    records = await tryton_rest.search("product.product", [("code", "in", codes)], ["code"])

    assert sorted(record["code"] for record in records) == ["MUG-001", "TEA-001"]
    assert tryton_rest.requests_sent - sent > 1, "in parts, each within the URL's limit"
