"""End to end in a real browser (Debian's Chromium, headless): search, open, read the penalty,
download the credit report and verify it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, ViewportSize, expect, sync_playwright

from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.conftest import PROJECT_ROOT
from tests.intake.helpers import open_store
from tests.portal.fixtures import ANCIENT, CODE, NOW, RECENT, load_subject
from tests.support.live import chromium, live_server

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "portal"
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture
def portal_url(tmp_path: Path) -> Iterator[str]:
    """A uvicorn server on a loaded SQLite database, in a background thread."""
    db_url = f"sqlite:///{tmp_path / 'portal.db'}"
    for store in open_store(db_url, tmp_path):
        load_subject(store, tmp_path)
    app = create_app(Settings(database_url=db_url, var_dir=tmp_path / "var"))
    app.dependency_overrides[deps.get_now] = lambda: NOW  # the recent penalty stays recent
    with live_server(app) as url:
        yield url


def _shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_search_open_the_subject_and_read_its_penalty(portal_url: str) -> None:
    with sync_playwright() as p:
        browser = chromium(p)
        try:
            page = browser.new_page(viewport=PHONE, locale="zh-CN")
            page.goto(portal_url + "/")
            _shoot(page, "home-phone.png")
            page.get_by_role("searchbox", name="查询内容").fill("科技有限")
            page.get_by_role("button", name="查询").click()
            expect(page).to_have_url(f"{portal_url}/search?q=%E7%A7%91%E6%8A%80%E6%9C%89%E9%99%90")
            page.get_by_role("link", name="北京<script>alert(1)</script>科技有限公司").click()
            expect(page.locator("h1")).to_have_text("北京<script>alert(1)</script>科技有限公司")
            tabs = page.get_by_role("navigation", name="信用信息分类")
            for label in ("基础信息", "行政许可", "经营异常", "严重失信", "守信激励", "信用承诺"):
                tabs.get_by_role("link", name=re.compile(f"^{label}")).click()
                expect(tabs.locator('[aria-current="page"]')).to_contain_text(label)
            page.get_by_role("link", name="行政处罚（1）").click()
            expect(page.get_by_text(RECENT["CF_WSH"])).to_be_visible()
            expect(page.get_by_text(ANCIENT["CF_WSH"])).to_have_count(0)
            _shoot(page, "subject-penalty-phone.png")
            link = page.get_by_role("link", name="下载信用报告 (PDF)")
            with page.expect_download() as download_info:
                link.click()
            download = download_info.value
            pdf = Path(download.path())
            assert pdf.read_bytes().startswith(b"%PDF")
            assert download.suggested_filename.endswith(".pdf")
            # the report's number and fingerprint, as the server issues them for this URL
            # (each download is signed anew, so the files differ; number, hash and code do not)
            issued = page.request.get(portal_url + link.get_attribute("href", timeout=1000))
            assert issued.ok and issued.body().startswith(b"%PDF")
            number, sha256 = issued.headers["x-report-no"], issued.headers["x-report-sha256"]
            # saved under the company's name (RFC 5987), the characters of <script> dropped
            assert download.suggested_filename.startswith(
                "公共信用信息报告-北京scriptalert(1)script科技有限公司-"
            )
            # someone holding a paper copy types the 验证码 printed on it
            page.goto(f"{portal_url}/reports/verify")
            page.get_by_label("验证码").fill(issued.headers["x-report-code"].lower())
            page.get_by_role("button", name="按验证码验证").click()
            expect(page.get_by_role("status")).to_contain_text("有效")
            expect(page.locator("#snapshot")).to_contain_text("信用概况")
            _shoot(page, "report-verify-code-phone.png")
            query = urlencode({"no": number, "code": CODE, "sha256": sha256})
            page.goto(f"{portal_url}/reports/verify?{query}")
            expect(page.get_by_role("status")).to_contain_text("有效")
            expect(page.get_by_role("status")).not_to_contain_text("无效")
            name = page.get_by_text("北京<script>alert(1)</script>科技有限公司")
            expect(name.first).to_be_visible()  # the subject, and the report as issued
            expect(page.locator("#snapshot")).to_contain_text("基础信息")
            _shoot(page, "report-verify-phone.png")
        finally:
            browser.close()
