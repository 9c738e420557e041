"""The centre's warnings journey in a real browser (Debian's Chromium, headless), on the demo
city: the centre admin logs in, opens the queue, narrows it to the statistical-anomaly rule,
opens the planted warning
(its rule, legal hook, explanation, evidence), follows it to the subject's related-party graph
(the picture, the relations, the subject's warnings), goes back and confirms it; the queue of
confirmed warnings then lists it. The graph of an unknown subject answers 404.

Screenshots: test-artifacts/journeys/warnings-<step>.png."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, expect

from gongxin.demo import simulations as demo_simulations
from tests.journeys.conftest import Site, log_in, open_page, shoot

TITLE = "行业×地区处罚率显著高于同行业其他地区"


def test_centre_opens_a_warning_follows_it_to_the_graph_and_confirms_it(
    site: Site, browser: Browser
) -> None:
    journey = "warnings"
    context, page = open_page(browser)
    try:
        log_in(page, site.url, "zhou")
        nav = page.get_by_role("navigation", name="后台导航")
        nav.get_by_role("link", name="预警", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("预警")
        expect(page.get_by_text("gongxin alerts run")).to_be_visible()
        rules = page.get_by_role("navigation", name="按规则")
        rules.get_by_role("link", name=re.compile(r"^penalty_rate_anomaly（\d+）$")).click()
        expect(page).to_have_url(re.compile(r"rule=penalty_rate_anomaly"))
        planted = page.locator("tbody tr", has_text=TITLE)
        expect(planted.first).to_be_visible()
        assert page.locator("tbody tr").count() == planted.count()  # only that rule
        expect(planted.first).to_be_visible()
        shoot(page, journey, "1-queue")

        planted.first.get_by_role("link").first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
        facts = page.locator("table.grid").first
        expect(facts).to_contain_text("国办发〔2015〕51号第十条")
        expect(facts).to_contain_text(re.compile(r"C18 × \d{6}（\d+ 户中 \d+ 户受处罚）"))
        expect(facts).to_contain_text("同行业其他地区为")
        expect(facts).to_contain_text("待处理")
        subject = facts.locator("tr", has_text="主体").get_by_role("link")
        name = subject.inner_text()
        shoot(page, journey, "2-warning")

        subject.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(name)
        expect(page.get_by_role("img", name="关联关系图")).to_be_visible()
        expect(page.get_by_text(re.compile(r"深度上限 2，节点上限 50"))).to_be_visible()
        mine = page.get_by_role("link", name=TITLE)
        expect(mine).to_be_visible()
        shoot(page, journey, "3-graph")

        mine.click()
        page.get_by_label("说明（可选）").fill("抽查核实：该区服装企业集中受罚，列入专项检查")
        page.get_by_role("button", name="确认预警").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
        expect(page.locator("table.grid").first).to_contain_text("已确认")
        expect(page.get_by_role("button", name="确认预警")).to_have_count(0)
        shoot(page, journey, "4-confirmed")

        page.goto(site.url + "/admin/warnings?status=confirmed")
        expect(page.locator("tbody tr", has_text=name).filter(has_text=TITLE)).to_have_count(1)
        shoot(page, journey, "5-confirmed-queue")

        unknown = page.goto(site.url + "/admin/subjects/999999999/graph")
        assert unknown is not None and unknown.status == 404
        expect(page.get_by_text("没有编号为 999999999 的主体")).to_be_visible()
    finally:
        context.close()


def test_centre_simulates_a_shorter_regime_and_compares_it_with_the_rules_in_force(
    site: Site, browser: Browser, tmp_path: Path
) -> None:
    """A simulation in the browser (screenshots simulation-<step>.png): the rules in force as a
    baseline report no change; a proposal of one-month windows names records that would leave
    the public pages; the two are compared side by side."""
    same, proposal = demo_simulations._folders(tmp_path)
    (proposal / "local_2027.yaml").write_text(
        demo_simulations.PROPOSAL.replace("max_months: 6", "max_months: 1"), encoding="utf-8"
    )
    context, page = open_page(browser, timeout_ms=60_000)  # a simulation judges every record
    try:
        log_in(page, site.url, "zhou")
        page.get_by_role("navigation", name="后台导航").get_by_role("link", name="仿真").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("仿真")
        for folder, label in ((same, "现行规则"), (proposal, "一般失信公示一个月")):
            page.goto(site.url + "/admin/simulations")
            page.get_by_label("规则类型").select_option("regimes")
            page.get_by_label("规则文件").set_input_files(sorted(folder.glob("*.yaml")))
            page.get_by_label("名称").fill(label)
            page.get_by_role("button", name="运行仿真").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text(label)
        expect(page.get_by_text("不再公开", exact=False).first).to_be_visible()
        leaving = page.locator("table").last.locator("tr", has_text="当日起从公示中撤下")
        expect(leaving.first).to_be_visible()
        shoot(page, "simulation", "1-report")
        page.get_by_role("link", name="← 全部仿真").click()
        page.get_by_label(re.compile(r"^比较 #")).first.check()
        page.get_by_label(re.compile(r"^比较 #")).nth(1).check()
        page.get_by_role("button", name=re.compile("比较所选")).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("仿真比较")
        row = page.locator("tr", has_text="当日起从公示中撤下")
        cells = row.locator("td")
        assert cells.nth(1).inner_text() != "0" and cells.nth(2).inner_text() == "0"
        shoot(page, "simulation", "2-compare")
    finally:
        context.close()
