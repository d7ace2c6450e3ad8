"""A search whose domain is too long for a URL (a day's product codes) is sent in parts."""

import httpx
import pytest

from connectors.erp.tryton import TrytonRest
from connectors.erp.tryton.cost_of_goods import issued_cost
from connectors.http_client import UntornClient

pytestmark = pytest.mark.erp


async def test_a_search_for_a_thousand_codes_finds_those_tryton_has(
    tryton_rest: TrytonRest,
) -> None:
    codes = [f"NO-SUCH-PRODUCT-{n:04}" for n in range(1000)] + ["TEA-001", "MUG-001"]
    sent = tryton_rest.requests_sent

    records = await tryton_rest.search("product.product", [("code", "in", codes)], ["code"])

    assert sorted(record["code"] for record in records) == ["MUG-001", "TEA-001"]
    assert tryton_rest.requests_sent - sent > 1, "in parts, each within the URL's limit"


async def test_the_cost_of_a_busy_day_is_read_within_the_url_limit() -> None:
    """A store-day's references (821 in a chaos run), nested in an OR, in searches that
    gunicorn does not refuse with HTTP 414 (its request line limit: 4,094 bytes)."""
    request_lines: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        request_lines.append(len(f"GET {request.url.raw_path.decode()} HTTP/1.1"))
        return httpx.Response(200, json=[])

    rest = TrytonRest("http://tryton.test", "db", "key", 1)
    rest._client = UntornClient(
        base_url="http://tryton.test/db/rest/model/", transport=httpx.MockTransport(answer)
    )
    references = [f"pos:S001:T{n % 9}:TX-{n:010x}" for n in range(821)]

    assert await issued_cost(rest, references, "GBP") == {}
    assert max(request_lines) <= 4094
    assert len(request_lines) > 2, "every reference asked for, in parts"
