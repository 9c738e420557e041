"""The credit-repair journey in a real browser (Debian's Chromium, headless): a citizen files a
repair from a record page and gets a 查询码 → the department's clerk logs in and approves →
the record is gone from the subject page, the PDF report and the open-data CSV, and the change
feed carries ``repair`` → the citizen looks the 查询码 up and sees the decision → the e-mails
arrived at a local SMTP server (aiosmtpd).

Screenshots: test-artifacts/journeys/repair-<step>.png."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect, sync_playwright

from gongxin.db.models import departments as departments_table
from gongxin.identity import accounts, departments, keys
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from gongxin.worker import registry
from tests.intake.helpers import PROVIDER, Store, open_store
from tests.journeys.conftest import PASSWORD, shoot
from tests.support.live import chromium, live_server
from tests.workflows.repair_helpers import COMPANY, PDF, add_penalty, noon
from tests.workflows.test_notifications import Inbox, free_port

TODAY = date(2026, 11, 23)
NUMBER = "京环罚〔2026〕51号"
JOURNEY = "repair"


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    yield from open_store(f"sqlite:///{tmp_path / 'journey.db'}", tmp_path)


def test_citizen_repairs_a_penalty_and_the_clerk_approves(sqlite_store: Store) -> None:
    store = sqlite_store
    rid = add_penalty(store, 51, "2026-05-06")
    with store.engine.begin() as conn:
        conn.execute(departments_table.update().values(notify_email="clerks@env.example.org"))
        departments.add(conn, "市信用中心", kind="centre", code=None, now=noon(TODAY))
        accounts.add_user(
            conn,
            "sun",
            department=PROVIDER,
            roles=["dept_clerk"],
            password=PASSWORD,
            now=noon(TODAY),
            display_name="孙经办",
        )
        feed_key = keys.create(conn, "市信用中心", now=noon(TODAY), scopes=["exchange"]).key
    inbox, port = Inbox(), free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    settings = Settings(
        database_url=str(store.engine.url),
        var_dir=store.folder / "var",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_tls="none",
    )
    app = create_app(settings)
    app.dependency_overrides[deps.get_now] = lambda: noon(TODAY)
    proof = store.folder / "缴款凭证.pdf"
    proof.write_bytes(PDF)
    try:
        with live_server(app) as url, sync_playwright() as playwright:
            browser = chromium(playwright)
            page = browser.new_context(locale="zh-CN", accept_downloads=True).new_page()
            page.set_default_timeout(5000)
            # 1. the citizen, from the record page
            page.goto(f"{url}/records/{rid}")
            shoot(page, JOURNEY, "1-record")
            page.get_by_role("link", name="申请信用修复").click()
            expect(page.locator("ul.checklist")).to_contain_text("最短公示期")
            page.get_by_label("申请人（姓名或单位）").fill("李四")
            page.get_by_label("主体统一社会信用代码").fill(COMPANY)
            page.get_by_label("联系电话").fill("13800000000")
            page.get_by_label("电子邮箱").fill("lisi@example.org")
            page.get_by_label("修复理由及整改情况").fill("罚款已缴清，已完成整改。")
            page.get_by_label("本单位作出信用修复承诺（信用修复承诺书）").check()
            page.get_by_label("已履行行政处罚决定规定的义务（请上传履行证明）").check()
            page.locator("input[type=file]").set_input_files(str(proof))
            shoot(page, JOURNEY, "2-form")
            page.get_by_role("button", name="提交信用修复申请").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("申请已受理")
            code = page.locator("#query-code").inner_text()
            assert len(code) >= 32
            shoot(page, JOURNEY, "3-query-code")
            before = httpx.get(f"{url}/opendata/penalty.csv", timeout=60)
            assert NUMBER in before.text  # public until the decision
            # 2. the clerk approves
            page.goto(url + "/admin/login")
            page.get_by_label("用户名").fill("sun")
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.goto(url + "/admin/applications")
            expect(page.locator("table.grid")).to_contain_text("信用修复")
            shoot(page, JOURNEY, "4-queue")
            page.locator("table.grid a").first.click()
            page.get_by_label("准予修复").check()
            page.get_by_label("理由（必填）").fill("罚款已缴清，承诺书齐全，准予修复。")
            page.get_by_role("button", name="提交决定").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("准予修复")
            shoot(page, JOURNEY, "5-decided")
            # 3. gone from the subject page, the PDF report, the open-data CSV; feed: repair
            page.goto(f"{url}/subjects/{COMPANY}?tab=penalty")
            expect(page.locator("main")).not_to_contain_text(NUMBER)
            shoot(page, JOURNEY, "6-subject")
            report = httpx.get(f"{url}/api/v1/reports/{COMPANY}.pdf", timeout=60)
            pdf_path = store.folder / "report.pdf"
            pdf_path.write_bytes(report.content)
            text = subprocess.run(
                ["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"], check=True, capture_output=True
            ).stdout.decode()
            assert "北京测试1商贸有限公司" in text and NUMBER not in text
            csv = httpx.get(f"{url}/opendata/penalty.csv", timeout=60)
            assert csv.status_code == 200 and NUMBER not in csv.text
            feed = httpx.get(
                f"{url}/api/v1/exchange/penalty/changes",
                headers={"Authorization": f"Bearer {feed_key}"},
            ).json()
            ours = [c for c in feed["changes"] if c["record_id"] == rid]
            assert ours[-1]["op"] == "repair", feed
            assert ours[-1]["mark"]["zh"] == "已信用修复" and "_gx_status" not in str(feed)
            # 4. the citizen follows the 查询码
            page.goto(url + "/applications/lookup")
            page.get_by_label("查询码").fill(code)
            page.get_by_role("button", name="查询").click()
            expect(page.locator("#state")).to_have_text("准予修复")
            shoot(page, JOURNEY, "7-lookup")
            with page.expect_download() as download:
                page.get_by_role("button", name="下载处理决定书（PDF）").click()
            assert download.value.suggested_filename.endswith(".pdf")
            decision = subprocess.run(
                ["pdftotext", "-enc", "UTF-8", download.value.path(), "-"],
                check=True, capture_output=True,
            ).stdout.decode()  # fmt: skip
            assert "准予修复" in decision and "罚款已缴清" in decision
            browser.close()
        # 5. the worker sends the e-mails to the local SMTP server
        sent = registry.get("outbox").run(store.engine, settings, noon(TODAY))
        assert sent["sent"] == 3  # received (applicant, clerks), decided (applicant)
        to = sorted(str(m["To"]) for m in inbox.messages)
        assert to == ["clerks@env.example.org", "lisi@example.org", "lisi@example.org"]
        assert any("准予修复" in str(m["Subject"]) for m in inbox.messages)
    finally:
        smtp.stop()
