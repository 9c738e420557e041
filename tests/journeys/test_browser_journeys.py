"""The user journeys added today, in a real browser (Debian's Chromium, headless) on the demo
city: a citizen reads the lists, memoranda, commitments and open data (desktop and phone); a
department clerk reports feedback on a check; the centre answers an overdue sharing request,
reads a catalog entry's quality, and an auditor finds the approval in an intact audit log.

Screenshots: test-artifacts/journeys/<journey>-<step>.png."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.journeys.conftest import (
    CENTRE,
    FINANCE,
    ON_EACH_SCREEN,
    Site,
    log_in,
    open_page,
    screen,
    shoot,
)

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REASON = "申报材料已退回申请人，审核程序未启动"


def _nav(page: Page, name: str, label: str = "栏目") -> None:
    page.get_by_role("navigation", name=label).get_by_role("link", name=name, exact=True).click()


@ON_EACH_SCREEN
def test_citizen_reads_lists_memoranda_commitments_and_open_data(
    site: Site, browser: Browser, viewport: ViewportSize
) -> None:
    journey = f"citizen-{screen(viewport)}"
    context, page = open_page(browser, viewport)
    try:
        page.goto(site.url + "/")
        expect(page.get_by_role("heading", level=1)).to_have_text("信用信息查询")
        shoot(page, journey, "1-home")

        _nav(page, "联合奖惩名单")
        expect(page.get_by_role("heading", level=1)).to_contain_text("联合奖惩名单")
        shoot(page, journey, "2-lists")
        page.get_by_role("link", name="经营异常名录", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("经营异常名录")
        rows = page.locator("table.list tbody tr")
        expect(rows).to_have_count(20)  # a full first page
        first = rows.first.locator("td")
        expect(first.nth(0).get_by_role("link")).not_to_be_empty()
        expect(first.nth(3)).to_have_text(DATE)  # 列入日期
        pager = page.locator(".pager")
        expect(pager).to_contain_text("第 1 页")
        shoot(page, journey, "3-entries")
        pager.get_by_role("link", name="下一页").click()
        expect(pager).to_contain_text("第 2 页")
        expect(pager.get_by_role("link", name="上一页")).to_be_visible()
        expect(rows.first.locator("td").nth(3)).to_have_text(DATE)
        shoot(page, journey, "4-entries-page-2")

        subject = rows.first.locator("td").first.get_by_role("link")
        name = subject.inner_text()
        subject.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(name)
        tabs = page.get_by_role("navigation", name="信用信息分类")
        expect(tabs.get_by_role("link", name=re.compile(r"^经营异常（[1-9]"))).to_be_visible()
        shoot(page, journey, "5-subject")

        _nav(page, "备忘录与措施")
        expect(page.get_by_role("heading", level=1)).to_contain_text("备忘录与措施")
        memo = page.locator("section.record", has_text="发改财金〔2016〕141号").first
        measure = memo.locator("tr", has_text="限制失信被执行人参加政府采购活动")
        expect(measure).to_contain_text("财政部门")
        expect(measure).to_contain_text("《中华人民共和国政府采购法》第二十二条")  # 依据
        shoot(page, journey, "6-memoranda")

        _nav(page, "信用承诺")
        expect(page.get_by_role("heading", level=1)).to_contain_text("信用承诺公示")
        breached = page.locator("table.cm tbody tr", has_text="未履约").first
        expect(breached.locator("strong")).to_have_text("未履约")
        expect(breached).to_contain_text("失信信息")
        kept = page.locator("table.cm tbody tr", has_text="已履约").first
        expect(kept).not_to_contain_text("失信信息")
        shoot(page, journey, "7-commitments")

        _nav(page, "开放数据")
        expect(page.get_by_role("heading", level=1)).to_contain_text("开放数据")
        section = page.get_by_role("region", name=re.compile("^经营异常名录"))
        with page.expect_download() as info:
            section.get_by_role("link", name="下载 CSV").click()
        download = info.value
        body = Path(download.path()).read_bytes()
        assert body.startswith(b"\xef\xbb\xbf"), body[:20]
        table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert {"企业名称", "统一社会信用代码", "列入日期"} <= set(table[0]), table[0]
        assert len(table) > 20  # more than a page of entries
        assert download.suggested_filename.endswith(".csv")
        shoot(page, journey, "8-opendata")
    finally:
        context.close()


def test_clerk_reports_feedback_on_a_check(site: Site, browser: Browser) -> None:
    journey = "clerk"
    context, page = open_page(browser)
    try:
        log_in(page, site.url, "qian")
        expect(page.get_by_role("heading", level=1)).to_have_text("欢迎，钱经办")
        _nav(page, "核查反馈", "后台导航")
        expect(page.get_by_role("heading", level=1)).to_contain_text("待反馈的信用核查")
        waiting = page.locator("table.grid tbody tr", has_text="财政资金补助")
        expect(waiting).to_contain_text("0 / 1")  # reported / measures
        shoot(page, journey, "1-awaiting")
        waiting.get_by_role("link", name=re.compile("^HC")).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("信用核查 HC")
        expect(page.get_by_text(f"核查人：{FINANCE}业务系统")).to_be_visible()

        row = page.locator("tr", has_text="限制申请财政资金补助")
        row.get_by_label("未执行", exact=True).check()
        row.get_by_label("未执行理由").fill(REASON)
        page.get_by_label("业务文书编号").fill("京财审〔2026〕88号")
        shoot(page, journey, "2-form-filled")
        page.get_by_role("button", name="保存反馈").click()

        expect(page.get_by_role("status")).to_have_text("反馈已保存")
        row = page.locator("tr", has_text="限制申请财政资金补助")
        expect(row.get_by_label("未执行", exact=True)).to_be_checked()
        expect(row.get_by_label("未执行理由")).to_have_value(REASON)
        expect(row).to_contain_text("钱经办 · 2026-11-22 · 京财审〔2026〕88号")
        shoot(page, journey, "3-saved")

        _nav(page, "核查反馈", "后台导航")
        expect(page.get_by_text("没有待反馈的核查。")).to_be_visible()
        page.get_by_role("link", name="查看核查统计").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("信用核查与反馈统计")
        by_scene = page.locator("table.grid").first
        cells = by_scene.locator("tr", has_text="财政资金补助").locator("td")
        # 项目 核查次数 核查主体 命中主体 触发措施 已反馈 已执行 未执行
        expect(cells.nth(4)).to_have_text("2")
        expect(cells.nth(5)).to_have_text("2")  # both measures reported now, ours included
        expect(cells.nth(7)).to_have_text("1")  # ours: not applied
        reasons = page.locator("table.grid").last
        expect(reasons.locator("tr", has_text=REASON).locator("td").last).to_have_text("1")
        shoot(page, journey, "4-stats")
    finally:
        context.close()


def test_centre_answers_an_overdue_request_and_the_auditor_sees_it(
    site: Site, browser: Browser
) -> None:
    journey = "centre"
    context, page = open_page(browser)
    try:
        log_in(page, site.url, "zhou")
        expect(page.get_by_role("heading", level=1)).to_have_text("欢迎，周主任")
        _nav(page, "共享申请", "后台导航")
        expect(page.get_by_role("heading", level=1)).to_contain_text("共享申请")
        pending = page.locator("tr", has_text="待答复").filter(has_text=FINANCE)
        expect(pending).to_have_count(1)
        expect(pending.get_by_text("超期")).to_be_visible()
        shoot(page, journey, "1-requests-overdue")
        pending.get_by_label("意见").fill("同意，限政府采购资格审查使用")
        pending.get_by_role("button", name="同意").click()

        expect(page.get_by_role("status")).to_have_text("已同意申请，授权已生效")
        expect(page.locator("tr", has_text="待答复")).to_have_count(0)
        answered = page.locator("tr", has_text="核实投标供应商是否为失信被执行人")
        expect(answered).to_contain_text("已同意")
        expect(answered.get_by_text("超期")).to_have_count(0)
        shoot(page, journey, "2-approved")

        _nav(page, "数据目录", "后台导航")
        expect(page.get_by_role("heading", level=1)).to_have_text("政务信息资源目录")
        page.get_by_role("link", name="行政处罚", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("行政处罚")
        expect(page.get_by_role("heading", name=re.compile("^数据质量"))).to_be_visible()
        timely = "及时性 (正常|逾期)"  # the demo's penalties arrive in weekly batches
        for figure in (r"有效率 \d+\.\d%", timely, r"完整性 \d+\.\d%", r"退回行数 \d+"):
            expect(page.get_by_role("row", name=re.compile("^" + figure))).to_be_visible()
        shoot(page, journey, "3-catalog-penalty")
    finally:
        context.close()

    auditor, page = open_page(browser)
    try:
        log_in(page, site.url, "shen")
        _nav(page, "审计日志", "后台导航")
        verdict = page.locator("#verdict")  # the chain's verdict (#anchors: the anchors')
        expect(verdict).to_contain_text("审计日志完整")
        expect(verdict).to_contain_text("intact")
        expect(page.locator("#anchors")).to_contain_text("未配置审计锚点")
        entry = page.locator("tr", has_text="exchange.request.approve").filter(has_text="user:zhou")
        expect(entry).to_have_count(1)
        expect(entry).to_contain_text(CENTRE)
        shoot(page, "auditor", "1-audit-log")
    finally:
        auditor.close()
