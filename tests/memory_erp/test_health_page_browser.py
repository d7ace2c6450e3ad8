"""The sync-health page in a real browser (Debian's chromium, headless, through Playwright) on
the memory-ERP stack: it refuses strangers, renders the stores and the queue, filters by
owner and kind, keeps a store-ops operator out of finance's exceptions (listing and forged
POSTs), and a retry from the page posts a parked ticket."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import (
    Browser,
    async_playwright,
)
from playwright.async_api import (
    Error as PlaywrightError,
)
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from connectors.erp.memory import MemoryErp
from domain.outcomes import Outcome, SyncStage
from domain.settings import Settings
from starter.intake.submission import Submitter
from tests.e2e.helpers import new_id, submit_and_wait, wait_for_stage
from tests.factories import BUSINESS_DATE, make_sale, sale_line
from tests.memory_erp import health_page as hp
from tests.memory_erp.health_browser import (
    assert_png,
    context_with_password,
    exception_id,
    rows_of,
    signed_in,
)
from tests.memory_erp.saga_helpers import exceptions_of, journal_of, parked_in_books

pytestmark = pytest.mark.temporal

SCREENSHOTS = Path(".data/screenshots")


@dataclass
class Scene:
    url: str
    finance_run: str
    """parked in its books as erp_rejected: finance's (configured owner)"""
    store_ops_run: str
    """parked at screening as totals_mismatch: store ops'"""
    engine: Engine


@pytest.fixture(scope="module")
async def scene(
    skipping_env: WorkflowEnvironment,
    memory_settings: Settings,
    memory_engine: Engine,
    memory_erp: MemoryErp,
    memory_worker: None,
) -> AsyncIterator[Scene]:
    client = skipping_env.client
    hp.map_store(memory_engine)
    submitter = Submitter(client, memory_engine, memory_settings.task_queue)
    rejected = make_sale(
        new_id("HP"), [sale_line(1, "100001", "1", "3.60")], store_id=hp.STORE, receipt_number=1
    )
    await parked_in_books(submitter, client, memory_erp, rejected)
    good = make_sale(
        new_id("HP"), [sale_line(1, "100002", "2", "9.00")], store_id=hp.STORE, receipt_number=2
    )
    mismatched = hp.with_stated_gross(good, "18.10")
    assert (await submit_and_wait(submitter, client, mismatched)).outcome is Outcome.PARKED
    posted = make_sale(
        new_id("HP"), [sale_line(1, "100003", "1", "1.20")], store_id=hp.STORE, receipt_number=3
    )
    assert (await submit_and_wait(submitter, client, posted)).outcome is Outcome.POSTED
    settings = hp.page_settings(memory_settings)
    async with hp.served_page(settings, client, memory_engine, memory_erp) as served:
        yield Scene(served.url, rejected.workflow_id, mismatched.workflow_id, memory_engine)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=hp.CHROMIUM, args=hp.CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


async def test_a_request_without_credentials_is_refused(scene: Scene, browser: Browser) -> None:
    """(Chromium itself turns a 401 into a navigation error when it cannot ask for a
    password, so the requests go through the context's request API.)"""
    async with signed_in(browser, None) as context:
        for path in ("/", "/exceptions", "/reconciliation", "/docs/runbook.md"):
            answer = await context.request.get(scene.url + path)
            assert answer.status == 401, path
            assert answer.headers["www-authenticate"].startswith("Basic")
        posted = await context.request.post(
            scene.url + "/exceptions/act",
            form={"form_token": "x", "action": "retry", "exception_id": "1"},
        )
        assert posted.status == 401
        page = await context.new_page()
        with pytest.raises(PlaywrightError, match="ERR_INVALID_AUTH_CREDENTIALS"):
            await page.goto(scene.url + "/")
    async with context_with_password(browser, "sam", "wrong password") as context:
        answer = await context.request.get(scene.url + "/")
        assert answer.status == 401


@pytest.fixture(scope="module")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


async def test_the_store_overview_and_the_finance_queue_render(
    scene: Scene, browser: Browser, screenshots: Path
) -> None:
    async with signed_in(browser, "ivan") as context:
        page = await context.new_page()
        response = await page.goto(scene.url + "/")
        assert response is not None and response.status == 200
        headers = await response.all_headers()
        assert headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        row = page.locator(f"#stores tr[data-store='{hp.STORE}']")
        cells = await row.locator("td").all_inner_texts()
        assert cells[0] == hp.STORE
        assert cells[1] == "3", "three tickets seen"
        assert cells[5].endswith("m ago"), "heard from minutes ago, not silent"
        assert "posted 1" in cells[6]
        assert cells[7] == "2", "two runs parked"
        assert cells[8] == "2", "two open exceptions"
        kpis = page.locator("section[data-panel^='KPIs'] tbody tr")
        store_kpis = await kpis.filter(has_text=hp.STORE).first.locator("td").all_inner_texts()
        assert store_kpis[:2] == [hp.STORE, "3"], "the day's KPI line: three tickets"
        assert (await kpis.last.locator("td").all_inner_texts())[0] == "chain"
        await page.screenshot(path=screenshots / "store-overview.png", full_page=True)
    async with signed_in(browser, "fiona") as context:
        page = await context.new_page()
        await page.goto(scene.url + "/exceptions?role=finance")
        rows = await rows_of(page)
        assert rows and {row["owner"] for row in rows} == {"finance"}
        finance = exception_id(scene.engine, scene.finance_run, "erp_rejected")
        assert str(finance) in [row["id"] for row in rows]
        link = page.locator(f"tr[data-exception='{finance}'] a.run")
        assert await link.get_attribute("href") == (
            "http://localhost:8233/namespaces/default/workflows/"
            + scene.finance_run.replace("%", "%25").replace(":", "%3A")
        )
        runbook = page.locator(f"tr[data-exception='{finance}'] td a").first
        assert await runbook.get_attribute("href") == "/docs/runbook.md#erp_rejected"
        await page.screenshot(path=screenshots / "finance-queue.png", full_page=True)
    assert_png(screenshots / "store-overview.png")
    assert_png(screenshots / "finance-queue.png")


async def test_the_queue_filters_by_owner_kind_and_store(scene: Scene, browser: Browser) -> None:
    finance = str(exception_id(scene.engine, scene.finance_run, "erp_rejected"))
    store_ops = str(exception_id(scene.engine, scene.store_ops_run, "totals_mismatch"))
    async with signed_in(browser, "ivan") as context:
        page = await context.new_page()
        await page.goto(scene.url + "/exceptions")
        everything = {row["id"] for row in await rows_of(page)}
        assert {finance, store_ops} <= everything

        await page.select_option("#role", "store_ops")
        await page.click("button[type=submit]")
        rows = await rows_of(page)
        assert {row["owner"] for row in rows} == {"store_ops"}
        assert store_ops in {row["id"] for row in rows} and finance not in {r["id"] for r in rows}

        await page.select_option("#role", "")
        await page.select_option("#kind", "erp_rejected")
        await page.fill("#store", hp.STORE)
        await page.click("button[type=submit]")
        rows = await rows_of(page)
        assert [row["id"] for row in rows] == [finance]
        assert "kind=erp_rejected" in page.url and f"store={hp.STORE}" in page.url


async def test_store_ops_can_neither_see_nor_act_on_finance_exceptions(
    scene: Scene, browser: Browser, skipping_env: WorkflowEnvironment
) -> None:
    finance = exception_id(scene.engine, scene.finance_run, "erp_rejected")
    async with signed_in(browser, "sam") as context:
        page = await context.new_page()
        await page.goto(scene.url + "/exceptions")
        rows = await rows_of(page)
        assert rows and {row["owner"] for row in rows} == {"store_ops"}
        assert str(finance) not in {row["id"] for row in rows}
        assert await page.locator("#role option[value=finance]").count() == 0
        refused = await page.goto(scene.url + "/exceptions?role=finance")
        assert refused is not None and refused.status == 403

        await page.goto(scene.url + "/exceptions")
        token = await page.locator("input[name=form_token]").first.input_value()
        forged = [
            ("/exceptions/act", {"action": "retry", "exception_id": str(finance)}),
            ("/exceptions/act", {"action": "abandon", "text": "x", "role": "finance"}),
            (f"/exceptions/{finance}/acknowledge", {}),
            (f"/exceptions/{finance}/note", {"text": "mine now"}),
        ]
        for path, form in forged:
            answer = await context.request.post(
                scene.url + path, form={"form_token": token, **form}
            )
            assert answer.status == 403, (path, answer.status)
        tokenless = await context.request.post(
            scene.url + "/exceptions/act", form={"action": "retry", "role": "store_ops"}
        )
        assert tokenless.status in (403, 422)
    status = await wait_for_stage(skipping_env.client, scene.finance_run, {SyncStage.PARKED})
    assert status.attempts == 1, "the forged retry never reached the run"
    assert "erp_rejected" in exceptions_of(scene.engine, scene.finance_run)


async def test_operators_acknowledge_assign_and_annotate_from_the_page(
    scene: Scene, browser: Browser
) -> None:
    store_ops = exception_id(scene.engine, scene.store_ops_run, "totals_mismatch")
    row = f"tr[data-exception='{store_ops}']"
    async with signed_in(browser, "sam") as context:
        page = await context.new_page()
        await page.goto(scene.url + f"/exceptions?store={hp.STORE}")
        await page.click(f"{row} button.acknowledge")
        await page.select_option(f"{row} select[name=assignee]", "ivan")
        await page.click(f"{row} button.assign")
        await page.fill(f"{row} form[action$='/note'] input[name=text]", "till 1 rounds badly")
        await page.click(f"{row} button.note")
        text = await page.locator(row).inner_text()
    assert "acknowledged by sam" in text
    assert "assigned to ivan" in text
    assert "sam: till 1 rounds badly" in text


async def test_a_retry_from_the_page_posts_the_parked_ticket(
    scene: Scene, browser: Browser, memory_erp: MemoryErp, skipping_env: WorkflowEnvironment
) -> None:
    finance = exception_id(scene.engine, scene.finance_run, "erp_rejected")
    memory_erp.clear_faults()
    async with signed_in(browser, "fiona") as context:
        page = await context.new_page()
        await page.goto(scene.url + "/exceptions?role=finance")
        await page.fill(f"tr[data-exception='{finance}'] input[name=text]", "books unlocked")
        await page.click(f"tr[data-exception='{finance}'] button.retry")
        reply = await page.locator("#replies li").inner_text()
        assert reply.startswith(f"{scene.finance_run}: retrying the books after erp_rejected")
        status = await wait_for_stage(skipping_env.client, scene.finance_run, {SyncStage.POSTED})
        assert status.outcome is Outcome.POSTED
        assert journal_of(scene.engine, scene.finance_run)["outcome"] == "posted"
        await page.goto(scene.url + "/exceptions?role=finance")
        assert str(finance) not in {row["id"] for row in await rows_of(page)}


async def test_abandoning_all_that_match_a_filter_from_the_page(
    scene: Scene, browser: Browser, skipping_env: WorkflowEnvironment
) -> None:
    async with signed_in(browser, "sam") as context:
        page = await context.new_page()
        await page.goto(
            scene.url + f"/exceptions?role=store_ops&kind=totals_mismatch&store={hp.STORE}"
        )
        assert len(await rows_of(page)) == 1
        await page.fill("form.bulk input[name=text]", "till sent a broken total")
        await page.click("#abandon-all")
        replies = await page.locator("#replies li").all_inner_texts()
    assert len(replies) == 1 and replies[0].startswith(scene.store_ops_run)
    status = await wait_for_stage(skipping_env.client, scene.store_ops_run, {SyncStage.ABANDONED})
    assert status.outcome is Outcome.ABANDONED


async def test_the_days_reconciliation_renders(scene: Scene, browser: Browser) -> None:
    async with signed_in(browser, "fiona") as context:
        page = await context.new_page()
        response = await page.goto(
            scene.url + f"/reconciliation?day={BUSINESS_DATE.isoformat()}&store={hp.STORE}"
        )
        assert response is not None and response.status == 200
        heading = await page.locator(f"h2[data-store-day='{hp.STORE}']").inner_text()
        assert str(BUSINESS_DATE) in heading
        assert "store-days" in await page.locator("#summary").inner_text()
