"""An industry credit evaluation round (行业信用评价) in a real browser (Debian's Chromium,
headless): the association's clerk opens a round, records two applications and grades them,
starts the 公示 → a competitor objects from the public 公示 page (我要异议) and gets a 查询码 →
after the 公示 the clerk's publication is refused while the objection is open → the clerk
decides it (not founded) and publishes → the certificate's live page and PDF → the company
lands on a serious list, the worker revokes the certificate, its live page says so plainly and
the evaluator's back office flags it.

Screenshots: test-artifacts/journeys/rating-<step>.png."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from gongxin.identity import accounts
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from gongxin.worker import registry
from tests.journeys.conftest import PASSWORD, log_in, shoot
from tests.market.rating_helpers import ASSOCIATION, Rating, noon, open_rating
from tests.support.live import chromium, live_server

JOURNEY = "rating"


@dataclass
class Clock:
    now: datetime


@pytest.fixture
def sqlite_rating(tmp_path: Path) -> Iterator[Rating]:
    yield from open_rating(f"sqlite:///{tmp_path / 'journey.db'}", tmp_path)


def test_an_evaluation_round_through_public_notice_with_an_objection(
    sqlite_rating: Rating,
) -> None:
    rating = sqlite_rating
    _, first = rating.world.subject(71, "北京宏达建设集团有限公司")
    _, second = rating.world.subject(72, "北京安泰建筑工程有限公司")
    with rating.engine.begin() as conn:
        accounts.add_user(
            conn,
            "xiehui",
            department=ASSOCIATION,
            roles=["evaluator", "dept_clerk"],
            password=PASSWORD,
            now=noon(date(2026, 7, 13)),
            display_name="谢信评",
        )
    clock = Clock(noon(date(2026, 7, 13)))
    settings = Settings(database_url=str(rating.engine.url), var_dir=rating.folder / "var")
    app = create_app(settings)
    app.dependency_overrides[deps.get_now] = lambda: clock.now
    with live_server(app) as url, sync_playwright() as playwright:
        browser = chromium(playwright)
        page = browser.new_context(locale="zh-CN", accept_downloads=True).new_page()
        page.set_default_timeout(5000)
        # 1. the association's clerk opens a round, records and grades two applications
        log_in(page, url, "xiehui")
        page.goto(url + "/admin/industry-evaluations")
        page.get_by_label("名称").fill("2026年度建筑业企业信用评价")
        page.get_by_role("button", name="创建").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("2026年度建筑业企业信用评价")
        for name, code in (
            ("北京宏达建设集团有限公司", first),
            ("北京安泰建筑工程有限公司", second),
        ):
            page.get_by_label("企业名称").fill(name)
            page.get_by_label("统一社会信用代码").fill(code)
            page.get_by_label("申报材料（每行一项）").fill(
                "近三年经审计的财务报表\n企业信用管理制度"
            )
            page.get_by_role("button", name="添加申报").click()
        for row, grade in ((0, "AAAA"), (0, "AAA"), (1, "BB")):
            form = page.locator("tbody tr").nth(row)
            form.get_by_label("信用等级").fill(grade)
            form.get_by_role("button", name="评定").click()
            if grade == "AAAA":
                expect(page.get_by_role("alert")).to_contain_text("信用等级“AAAA”无效")
        expect(page.locator("tbody tr").nth(0)).to_contain_text("111")  # AAA's code
        shoot(page, JOURNEY, "1-graded")
        page.get_by_role("button", name="开始公示").click()
        expect(page.locator("main")).to_contain_text("2026-07-13 至 2026-07-22")
        shoot(page, JOURNEY, "2-publicity-started")
        # 2. a competitor objects from the public 公示 page
        clock.now = noon(date(2026, 7, 15))
        page.goto(url + "/industry-evaluations")
        page.get_by_role("link", name="2026年度建筑业企业信用评价").click()
        expect(page.locator(".verdict")).to_contain_text("还剩 8 天")
        shoot(page, JOURNEY, "3-public-notice")
        page.locator("tr", has_text="北京宏达建设集团有限公司").get_by_role(
            "link", name="我要异议"
        ).click()
        page.get_by_label("申请人（姓名或单位）").fill("北京某建筑公司 王五")
        page.get_by_label("主体统一社会信用代码").fill(first)
        page.get_by_label("联系电话").fill("13900000000")
        page.get_by_label("电子邮箱").fill("wangwu@example.org")
        page.get_by_label("异议事项及理由").fill("该企业上年度拖欠分包工程款，评为AAA偏高。")
        shoot(page, JOURNEY, "4-objection-form")
        page.get_by_role("button", name="提交异议申请").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("申请已受理")
        code = page.locator("#query-code").inner_text()
        page.goto(url + "/industry-evaluations/rounds/1")
        expect(page.locator("tr", has_text="北京宏达建设集团有限公司")).to_contain_text(
            "异议处理中"
        )
        # 3. after the 公示: publication refused while the objection is open
        clock.now = noon(date(2026, 7, 23))
        log_in(page, url, "xiehui")  # ten days later: a new session
        page.goto(url + "/admin/industry-evaluations/rounds/1")
        expect(page.locator("main")).to_contain_text("处理中")
        page.get_by_role("button", name="发布评价结果").click()
        expect(page.get_by_role("alert")).to_contain_text("异议尚未办结，不能发布评价结果")
        expect(page.get_by_role("alert")).to_contain_text("cannot be published")
        shoot(page, JOURNEY, "5-publication-refused")
        # 4. the clerk decides the objection (not founded) and publishes
        page.locator("table.grid a", has_text="YY").click()
        page.get_by_label("维持原记录").check()
        page.locator("textarea[name=reasons]").fill(
            "经核实，分包工程款已于评价前结清，维持初评结果。"
        )
        page.get_by_role("button", name="提交决定").click()
        page.goto(url + "/admin/industry-evaluations/rounds/1")
        page.get_by_role("button", name="发布评价结果").click()
        expect(page.locator("main")).to_contain_text("202600111100001")
        shoot(page, JOURNEY, "6-published")
        page.goto(url + "/applications/lookup")
        page.get_by_label("查询码").fill(code)
        page.get_by_role("button", name="查询").click()
        expect(page.locator("#state")).to_have_text("维持原记录")
        # 5. the certificate's live page and its PDF
        page.goto(url + "/industry-evaluations/rounds/1")
        page.get_by_role("link", name="202600111100001").click()
        expect(page.locator(".verdict")).to_contain_text("有效")
        shoot(page, JOURNEY, "7-certificate")
        pdf = httpx.get(
            f"{url}/api/v1/industry-evaluations/certificates/202600111100001.pdf", timeout=60
        )
        assert pdf.headers["content-type"] == "application/pdf"
        path = rating.folder / "certificate.pdf"
        path.write_bytes(pdf.content)
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
        ).stdout.decode()
        assert "信用等级证书" in text and "202600111100001" in text and "AAA" in text
        assert f"{url}/industry-evaluations/certificates/202600111100001" in text.replace("\n", "")
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-singlefile",
                str(path),
                str(Path("test-artifacts/journeys") / f"{JOURNEY}-8-certificate-pdf"),
            ],
            check=True,
        )
        # 6. the company lands on a serious list: revoked at once, shown plainly, flagged
        rating.world.entry(
            "serious_dishonest_list", first, name="北京宏达建设集团有限公司", listed="2026-09-01"
        )
        clock.now = noon(date(2026, 9, 2))
        done = registry.get("rating-revocations").run(rating.engine, settings, clock.now)
        assert done == {"revoked": 1}
        page.goto(url + "/industry-evaluations/certificates/202600111100001")
        expect(page.locator(".verdict.bad")).to_contain_text("已撤销 REVOKED")
        expect(page.locator(".verdict.bad")).to_contain_text("严重违法失信名单")
        shoot(page, JOURNEY, "9-revoked")
        log_in(page, url, "xiehui")
        page.goto(url + "/admin/industry-evaluations")
        expect(page.locator("main")).to_contain_text("已自动撤销，待确认")
        shoot(page, JOURNEY, "10-flagged")
        page.get_by_role("button", name="已知悉").click()
        expect(page.locator("main")).not_to_contain_text("已自动撤销，待确认")
        browser.close()
