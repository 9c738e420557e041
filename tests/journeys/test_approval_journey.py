"""Parallel approval and product traceability in a real browser (Debian's Chromium, headless).

1. An applicant files a 食品经营许可 on the portal and gets a 查询码 with the credit check's
   result → the market regulator's clerk and the health commission's clerk each open their own
   review in the back office, see the check attached, and approve in parallel (the approval
   re-checks) → the applicant follows the 查询码 and sees both approvals.
2. A recall query from a batch: every downstream node with what it holds and its credit status,
   the listed wholesaler marked.

Screenshots: test-artifacts/journeys/approval-<step>.png and trace-<step>.png."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from gongxin.identity import accounts, departments
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.approval.trace_helpers import BATCH, IDS, WHOLESALER, load_chain
from tests.intake.helpers import catalog
from tests.journeys.conftest import PASSWORD, shoot
from tests.sanctions.helpers import World, open_world
from tests.support.live import chromium, live_server

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
SAMR, HEALTH = "市市场监督管理局", "市卫生健康委员会"


@pytest.fixture
def world(tmp_path: Path, fast_argon2: None) -> Iterator[World]:
    yield from open_world(f"sqlite:///{tmp_path / 'journey.db'}")


def _log_in(page: Page, url: str, username: str) -> None:
    page.goto(url + "/admin/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def _clerk_approves(page: Page, url: str, username: str, step: str) -> None:
    _log_in(page, url, username)
    page.goto(url + "/admin/approval")
    expect(page.locator("table.grid")).to_contain_text("列入 1 个名单")
    page.locator("table.grid a").first.click()
    expect(page.locator(".credit-check").first).to_contain_text("经营异常名录")
    shoot(page, "approval", f"{step}-review")
    page.get_by_label("准予").check()
    page.get_by_label("审查意见（必填）").fill("经审查，符合条件，同意。")
    page.get_by_role("button", name="提交决定").click()
    expect(page.locator("[role=status]")).to_contain_text("已作出审查决定")
    expect(page.locator("main")).to_contain_text("准予前信用核查")
    shoot(page, "approval", f"{step}-decided")
    page.context.clear_cookies()


def test_an_application_goes_through_two_departments_in_parallel(
    world: World, tmp_path: Path
) -> None:
    sid, code = world.subject(1, "北京好味餐饮有限公司")
    world.entry("abnormal_list", code, subject_id=sid, listed="2025-02-01")
    with world.engine.begin() as conn:
        departments.add(conn, HEALTH, kind="user", code=None, now=NOW)
        for user, dept in (("wang", SAMR), ("zhao", HEALTH)):
            accounts.add_user(conn, user, department=dept, roles=["dept_clerk"],
                              password=PASSWORD, now=NOW)  # fmt: skip
    app = create_app(Settings(database_url=str(world.engine.url), var_dir=tmp_path / "var"))
    app.dependency_overrides[deps.get_now] = lambda: NOW
    with live_server(app) as url, sync_playwright() as playwright:
        browser = chromium(playwright)
        page = browser.new_context(
            locale="zh-CN", viewport={"width": 1280, "height": 800}
        ).new_page()
        page.set_default_timeout(15000)
        page.goto(url + "/approval")
        expect(page.locator("#matter-food_business_licence")).to_contain_text("市卫生健康委员会")
        shoot(page, "approval", "1-matters")
        page.goto(url + "/approval/apply/food_business_licence")
        page.get_by_label("申请人名称").fill("北京好味餐饮有限公司")
        page.get_by_label("统一社会信用代码").fill(code)
        page.get_by_label("食品经营许可申请书").check()
        page.get_by_label("经营场所平面图和设备布局").check()
        page.get_by_label("食品安全管理制度").check()
        shoot(page, "approval", "2-form")
        page.get_by_role("button", name="提交申请").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("申请已受理")
        expect(page.locator("#credit")).to_contain_text("经营异常名录")
        query_code = page.locator("#query-code").inner_text()
        shoot(page, "approval", "3-filed")
        _clerk_approves(page, url, "wang", "4-samr")
        _clerk_approves(page, url, "zhao", "5-health")
        page.goto(url + "/approval/lookup")
        page.get_by_label("查询码").fill(query_code)
        page.get_by_role("button", name="查询").click()
        expect(page.locator("#state")).to_have_text("准予许可")
        expect(page.locator("#reviews")).to_contain_text(SAMR)
        expect(page.locator("#reviews")).not_to_contain_text("待审查")
        shoot(page, "approval", "6-lookup")
        browser.close()


def test_a_recall_query_from_a_batch(world: World, tmp_path: Path) -> None:
    load_chain(world, catalog(), tmp_path)
    world.entry("serious_dishonest_list", WHOLESALER, subject_id=IDS[WHOLESALER],
                name="北京新发地肉类批发有限公司", listed="2025-05-01")  # fmt: skip
    app = create_app(Settings(database_url=str(world.engine.url), var_dir=tmp_path / "var"))
    app.dependency_overrides[deps.get_now] = lambda: NOW
    with live_server(app) as url, sync_playwright() as playwright:
        browser = chromium(playwright)
        page = browser.new_context(
            locale="zh-CN", viewport={"width": 1280, "height": 800}
        ).new_page()
        page.set_default_timeout(15000)
        page.goto(url + "/trace/recall")
        page.get_by_label("产品名称").fill("冷鲜猪肉")
        page.get_by_label("批次号").fill(BATCH)
        page.get_by_role("button", name="查询召回范围").click()
        expect(page.locator("#held-total")).to_have_text("1000")
        holders = page.locator("#holders tbody tr")
        expect(holders).to_have_count(4)
        expect(page.locator("#holders")).to_contain_text("列入严重违法失信名单")
        expect(page.locator("#holders")).to_contain_text("北京乐食餐饮有限公司")
        shoot(page, "trace", "1-recall")
        page.get_by_role("link", name="查看完整链条").click()
        expect(page.locator("#nodes")).to_contain_text("北京绿野养殖有限公司")
        page.get_by_role("link", name="北京好邻居超市有限公司").click()
        expect(page.locator("#upstream")).to_contain_text("北京新发地肉类批发有限公司")
        expect(page.locator("#downstream")).to_contain_text("北京乐食餐饮有限公司")
        shoot(page, "trace", "2-chain")
        browser.close()
