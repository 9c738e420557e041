"""The credit-complaint journey in a real browser (Debian's Chromium, headless): a consumer files
a complaint with evidence and gets a 查询码 → the centre's admin accepts it and forwards it →
the worker e-mails the company (aiosmtpd) → the company opens the signed link of the e-mail and
replies → the consumer follows the 查询码 and rates → the admin picks it as a typical case → the
month's report shows it with its ECharts curve, table and CSV link.

Screenshots: test-artifacts/journeys/complaint-<step>.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect, sync_playwright

from gongxin.identity import accounts
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from gongxin.worker import registry
from tests.journeys.conftest import PASSWORD, log_in, shoot
from tests.market.helpers import PDF, noon
from tests.support.live import chromium, live_server
from tests.workflows.helpers import CENTRE, COMPANY, World, open_world
from tests.workflows.test_notifications import Inbox, free_port

TODAY = date(2026, 11, 23)
JOURNEY = "complaint"


@pytest.fixture
def sqlite_world(tmp_path: Path, fast_argon2: None) -> Iterator[World]:
    yield from open_world(f"sqlite:///{tmp_path / 'journey.db'}", tmp_path)


def test_complaint_from_filing_to_reply_to_the_period_report(sqlite_world: World) -> None:
    world = sqlite_world
    with world.engine.begin() as conn:
        accounts.add_user(conn, "zhao", department=CENTRE, roles=["centre_admin"],
                          password=PASSWORD, now=noon(TODAY), display_name="赵主任")  # fmt: skip
    inbox, port = Inbox(), free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    settings = Settings(database_url=str(world.engine.url), var_dir=world.folder / "var",
                        smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none")  # fmt: skip
    app = create_app(settings)
    app.dependency_overrides[deps.get_now] = lambda: noon(TODAY)
    proof = world.folder / "订单截图.pdf"
    proof.write_bytes(PDF)
    try:
        with live_server(app) as url, sync_playwright() as playwright:
            browser = chromium(playwright)
            page = browser.new_context(locale="zh-CN").new_page()
            page.set_default_timeout(20000)  # the machine may be busy
            # 1. the consumer files
            page.goto(url + "/complaints")
            page.get_by_label("被投诉企业（统一社会信用代码或登记全称）").fill(COMPANY)
            page.get_by_label("投诉人姓名").fill("张三")
            page.get_by_label("联系电话").fill("13800001111")
            page.get_by_label("电子邮箱").fill("zhangsan@example.org")
            page.get_by_label("投诉类别").select_option(label="退款纠纷")
            page.get_by_label("投诉诉求").fill("退还货款 399 元")
            page.get_by_label("事实与经过（时间、地点、商品或服务、经过）").fill(
                "本人张三于 11 月 20 日在该公司网店购买电暖器并付款，"
                "次日商家单方取消订单，至今未退款。"
            )
            page.locator("input[type=file]").set_input_files(str(proof))
            shoot(page, JOURNEY, "1-form")
            page.get_by_role("button", name="提交投诉").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("投诉已提交")
            code = page.locator("#query-code").inner_text()
            shoot(page, JOURNEY, "2-query-code")
            # 2. the centre accepts and forwards
            log_in(page, url, "zhao")
            page.goto(url + "/admin/complaints")
            expect(page.locator("table.grid")).to_contain_text("北京承诺测试商贸有限公司")
            shoot(page, JOURNEY, "3-queue")
            page.locator("table.grid a").first.click()
            page.get_by_label("企业联系邮箱（答复链接发送至此）").fill("kefu@company.example")
            page.get_by_label("公示摘要（不含投诉人信息；留空则用诉求）").fill(
                "消费者反映网购电暖器付款后被单方取消订单且未退款。"
            )
            page.get_by_role("button", name="受理并转交").click()
            expect(page.locator("h1")).to_contain_text("已受理，已转企业待答复")
            shoot(page, JOURNEY, "3b-accepted")
            # 3. the worker sends the e-mails; the company opens its link and replies
            sent = registry.get("outbox").run(world.engine, settings, noon(TODAY))
            assert sent["sent"] == 3  # received and accepted (consumer), forwarded (company)
            [to_company] = [m for m in inbox.messages if m["To"] == "kefu@company.example"]
            body = to_company.get_content()
            assert "张三" not in body and "13800001111" not in body
            link = re.search(r"https?://\S+/complaints/reply/\S+", body)
            assert link is not None
            page.goto(url + link.group(0)[link.group(0).index("/complaints/reply/") :])
            expect(page.locator("#due")).to_have_text("2026-12-07")  # ten working days
            page.get_by_label("答复内容（核实情况、处理结果、联系方式）").fill(
                "经核实系库存错误，已于 11 月 23 日全额退款 399 元并致歉。"
            )
            shoot(page, JOURNEY, "4-company-reply")
            page.get_by_role("button", name="提交答复").click()
            expect(page.locator("#done")).to_be_visible()
            expect(page.locator("#state")).to_have_text("企业已答复")
            # 4. the consumer follows the 查询码 and rates
            page.goto(url + "/complaints/lookup")
            page.get_by_label("查询码").fill(code)
            page.get_by_role("button", name="查询").click()
            expect(page.locator("#reply")).to_contain_text("全额退款")
            page.get_by_label("满意", exact=True).check()
            page.get_by_role("button", name="提交评价").click()
            expect(page.locator("#rating")).to_have_text("满意")
            shoot(page, JOURNEY, "5-lookup")
            # 5. the admin picks it as a typical case
            page.goto(url + "/admin/complaints?show=all")
            page.locator("table.grid a").first.click()
            page.get_by_label("分析意见").fill(
                "网页标价即为要约，付款即为承诺，单方取消订单构成违约。"
            )
            page.get_by_role("button", name="选为典型案例").click()
            expect(page.locator("h2")).to_contain_text(["已选入"])
            # 6. the month's report
            page.goto(url + "/complaints/report?period=month&date=2026-11-23")
            expect(page.locator("figure.chart.trend")).to_have_attribute("data-drawn", "echarts")
            expect(page.locator("#accepted")).to_have_text("1")
            expect(page.locator("#in-time")).to_have_text("100.0%")
            expect(page.locator("#cases")).to_contain_text("张**")
            expect(page.locator("#cases")).not_to_contain_text("张三")
            expect(page.locator("#categories")).to_contain_text("退款纠纷")
            shoot(page, JOURNEY, "6-report")
            browser.close()
    finally:
        smtp.stop()
