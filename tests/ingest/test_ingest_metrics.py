"""The ingest's /metrics: requests counted by route template and status, rejects by reason."""

import json
from http import HTTPStatus
from pathlib import Path

from tests.factories import make_sale, sale_line
from tests.ingest.signing import get_signed, post_signed
from tests.ingest.stub_ingest import (
    StubIntake,
    StubTemporal,
    stub_app,
    stub_client,
    stub_settings,
)
from tests.observability.scrape import parse, total


async def test_requests_and_rejects_are_counted_without_ticket_labels(tmp_path: Path) -> None:
    settings = stub_settings(tmp_path)
    good = make_sale("T-metrics-1", [sale_line(1, "100001", "1", "3.60")]).model_dump(mode="json")
    bad = dict(good, transaction_id="T-metrics-2", currency="pounds")
    async with stub_client(stub_app(settings, StubIntake(), StubTemporal())) as http:
        before = parse((await http.get("/metrics")).text)
        accepted = await post_signed(http, "/v1/transactions", json.dumps(good).encode(), "S001")
        rejected = await post_signed(http, "/v1/transactions", json.dumps(bad).encode(), "S001")
        unreadable = await post_signed(http, "/v1/transactions", b"{", "S001")
        missing = await get_signed(http, "/v1/transactions/pos:S001:T1:nope", "S001")
        answer = await http.get("/metrics")
    assert answer.status_code == HTTPStatus.OK
    assert answer.headers["content-type"].startswith("text/plain")
    after = parse(answer.text)

    def counted(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    requests = "tillsync_ingest_requests_total"
    route = "/v1/transactions"
    assert counted(requests, route=route, status=str(accepted.status_code)) == 1
    assert counted(requests, route=route, status=str(rejected.status_code)) == 1
    assert counted(requests, route=route, status=str(unreadable.status_code)) == 1
    one_run = "/v1/transactions/{workflow_id}"
    assert counted(requests, route=one_run, status=str(missing.status_code)) == 1
    assert all("T-metrics" not in str(labels) for labels, _ in after[requests])
    rejects = "tillsync_ingest_rejects_total"
    assert counted(rejects, reason="invalid_record") == 1
    assert counted(rejects, reason="bad_request") == 1
