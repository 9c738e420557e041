"""A citizen looks a company up, in Debian's Chromium on the demo city, on desktop and phone:
the 双公示 column filtered by authority → search by two keywords (highlighted, with a 登记状态
tag) → the subject's credit overview → the signed credit report (downloaded) → its 验证码 typed
on the verification page, which shows the report as issued; a wrong check character is told
as such, an unknown address gets the portal's 404 page. Nothing overflows the phone's width,
and dates and codes never break over two lines.

Screenshots: test-artifacts/journeys/search-<viewport>-<step>.png."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.journeys.conftest import ON_EACH_SCREEN, Site, open_page, screen, shoot


def _fits(page: Page) -> None:
    """No sideways scrolling, and every date, code and amount on one line."""
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{page.url}: {wide}px wider than the screen"
    broken = page.evaluate(
        """() => [...document.querySelectorAll('.date, .code, .num, td.nowrap')]
              .filter(e => {
                const r = document.createRange(); r.selectNodeContents(e);
                const tops = new Set([...r.getClientRects()].map(x => Math.round(x.top)));
                return tops.size > 1;
              })
              .map(e => e.textContent)"""
    )
    assert not broken, f"{page.url}: broken over lines: {broken[:5]}"


@ON_EACH_SCREEN
def test_citizen_searches_and_reads_the_overview(
    site: Site, browser: Browser, viewport: ViewportSize, tmp_path: Path
) -> None:
    journey = f"search-{screen(viewport)}"
    context, page = open_page(browser, viewport)
    try:
        page.goto(site.url + "/shuanggongshi")
        expect(page.locator("p.count")).to_contain_text("共")
        authority = page.locator("select[name=authority] option").nth(1).inner_text()
        page.locator("select[name=authority]").select_option(authority)
        page.get_by_role("button", name="筛选").click()
        rows = page.locator("table.sgs tbody tr")
        expect(rows.first).to_be_visible()
        for cell in rows.locator("td[data-label=处罚机关]").all_inner_texts():
            assert cell == authority
        _fits(page)
        shoot(page, journey, "1-shuanggongshi")

        # a company with a public penalty, named without masking
        link = rows.locator("td[data-label=行政相对人] a").filter(has_not_text="*").first
        name = link.inner_text()
        first, second = name[2:4], name[4:6]  # two keywords from inside the name
        page.goto(site.url + "/")
        page.get_by_role("searchbox").fill(f"{first} {second}")
        page.get_by_role("button", name="查询").click()
        hit = page.locator("ul.hits li").filter(has_text=name).first
        expect(hit).to_be_visible()
        expect(hit.locator("mark").first).to_be_visible()
        expect(hit.locator(".tag")).not_to_be_empty()
        _fits(page)
        shoot(page, journey, "2-results")

        hit.get_by_role("link").first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(name)
        overview = page.locator(".overview")
        expect(page.get_by_role("heading", name="信用概况")).to_be_visible()
        in_force = overview.locator("a", has_text="有效期内行政处罚").locator("strong")
        assert int(in_force.inner_text()) >= 1
        report = page.get_by_role("link", name="下载信用报告 (PDF)")
        assert (report.get_attribute("href") or "").endswith(".pdf")
        expect(page.locator("footer")).to_contain_text("北京时间")
        _fits(page)
        shoot(page, journey, "3-overview")

        with page.expect_download(timeout=60_000) as downloading:  # laid out and signed
            report.click()
        saved = tmp_path / "report.pdf"
        downloading.value.save_as(saved)
        assert downloading.value.suggested_filename.startswith("公共信用信息报告-")
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(saved), "-"], capture_output=True, check=True
        ).stdout.decode()
        code = re.search(r"[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}", text)
        assert code, text[:400]
        page.goto(site.url + "/reports/verify")
        page.get_by_label("验证码").fill(code[0].replace("-", " "))  # typed from paper, spaced
        page.get_by_role("button", name="按验证码验证").click()
        expect(page.locator("main")).to_contain_text(name)
        expect(page.locator("main")).to_contain_text("信用概况")
        _fits(page)
        shoot(page, journey, "4-verified")

        page.goto(site.url + "/search?q=91110114MA5CP81NX1")
        expect(page.locator(".error")).to_contain_text("校验码错误")
        page.goto(site.url + "/no/such/page")
        expect(page.get_by_role("heading", level=1)).to_have_text("未找到")
        expect(page.get_by_role("searchbox")).to_be_visible()
        _fits(page)
        shoot(page, journey, "5-not-found")
    finally:
        context.close()
