"""The public open-data page: every open dataset with description, update cycle, licence,
fields and working download links; in a real browser on a phone too."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from pathlib import Path

import httpx
from playwright.sync_api import expect, sync_playwright

from tests.conftest import PROJECT_ROOT
from tests.intake.helpers import catalog
from tests.opendata.conftest import Server
from tests.support.live import chromium

OPEN = [spec for spec in catalog() if spec.open]
CLOSED = [spec for spec in catalog() if not spec.open]
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "opendata"


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def test_the_page_lists_every_open_dataset_with_downloads(server: Server) -> None:
    page = httpx.get(f"{server.url}/opendata")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    parser = Links()
    parser.feed(html)
    for spec in OPEN:
        assert f'id="{spec.code}"' in html and spec.name in html
        assert spec.update_cycle in html
        for ext in ("csv", "json"):
            assert f"{server.url}/opendata/{spec.code}.{ext}" in parser.hrefs
        assert spec.fields[0].name in html and spec.fields[0].code in html
    for spec in CLOSED:
        assert f'id="{spec.code}"' not in html
    assert "CC BY 4.0" in html and "https://creativecommons.org/licenses/by/4.0/" in parser.hrefs
    assert "/catalog.ttl" in parser.hrefs and "/catalog.jsonld" in parser.hrefs
    assert "姓名脱敏" in html  # the fields table says which fields are masked
    assert 'href="/opendata"' in httpx.get(f"{server.url}/").text  # linked from the portal


def test_download_from_the_page_in_a_browser(server: Server) -> None:
    with sync_playwright() as p:
        browser = chromium(p)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
            page.goto(f"{server.url}/opendata")
            expect(page.locator("h1")).to_contain_text("开放数据")
            section = page.locator("section#penalty")
            expect(section.get_by_role("heading")).to_contain_text("行政处罚")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "opendata-phone.png"), full_page=True)
            with page.expect_download() as info:
                section.get_by_role("link", name="下载 CSV").click()
            download = info.value
            assert download.suggested_filename == "行政处罚.csv"  # filename* names it in Chinese
            text = Path(download.path()).read_bytes().decode("utf-8-sig")
            header = next(csv.reader(io.StringIO(text)))
            assert header[0] == "行政相对人名称"
        finally:
            browser.close()
