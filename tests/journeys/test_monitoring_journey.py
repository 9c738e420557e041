"""The monitoring dashboards in Chromium: a citizen opens 经济运行监测 on the portal and sees
its charts drawn by ECharts (no department scorecards), downloads a panel's CSV; the credit
centre's admin sees every chart, the scorecards included, in the back office."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from gongxin.catalog.registry import load_catalog
from gongxin.db.engine import make_engine
from gongxin.monitoring import rules, service
from tests.journeys.conftest import NOW, Site, log_in, open_page, shoot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def monitored(site: Site) -> Site:
    """The demo city with the worker's monitoring run done once."""
    engine = make_engine(site.db_url)
    try:
        service.refresh(engine, load_catalog(), rules.load(), as_of=NOW.date(), now=NOW)
    finally:
        engine.dispose()
    return site


def test_citizen_and_centre_read_the_monitoring_dashboards(
    monitored: Site, browser: Browser
) -> None:
    context, page = open_page(browser, timeout_ms=15000)
    try:
        page.goto(monitored.url + "/")
        page.get_by_role("navigation", name="栏目").get_by_role("link", name="经济运行监测").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("经济运行监测")
        drawn = page.locator('figure.mchart[data-drawn="echarts"]')
        expect(drawn).to_have_count(4)
        expect(drawn.first.locator("canvas")).to_have_count(1)
        expect(page.get_by_text("部门归集考核")).to_have_count(0)
        survival = page.locator("#panel-survival_industry")
        expect(survival.locator("tbody tr").first).to_contain_text("全部")
        shoot(page, "monitoring", "1-public")
        with page.expect_download() as got:
            survival.get_by_role("link", name="下载 CSV（市场主体生存率（按行业门类））").click()
        text = got.value.path().read_text(encoding="utf-8-sig")
        assert text.startswith("分组,1年样本,1年存续,1年生存率%")

        log_in(page, monitored.url, "zhou")
        page.goto(monitored.url + "/admin/monitoring")
        expect(page.locator('figure.mchart[data-drawn="echarts"]')).to_have_count(5)
        cards = page.locator("#panel-scorecards")
        expect(cards.locator("tbody tr").first).to_be_visible()
        expect(cards).to_contain_text("市市场监督管理局")
        shoot(page, "monitoring", "2-centre")
    finally:
        context.close()
