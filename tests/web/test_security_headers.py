"""Security headers on every page and answer, and pages that obey their own policy: no inline
style or script, so the Content-Security-Policy needs no 'unsafe-inline'."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import ConsoleMessage, expect, sync_playwright

from gongxin.db import migrate
from gongxin.db.engine import make_engine
from gongxin.settings import Settings
from gongxin.web.app import create_app
from tests.support.http import TestClient
from tests.support.live import chromium, live_server

PAGES = [
    "/", "/search?q=科技", "/lists", "/memoranda", "/shuanggongshi", "/shuanggongshi/timeliness",
    "/reports/verify", "/opendata", "/commitments", "/admin/login",
]  # fmt: skip
INLINE = [
    re.compile(r"<style", re.IGNORECASE),
    re.compile(r"\sstyle\s*=", re.IGNORECASE),
    re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE),  # a script without src
    re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),  # onclick=, onsubmit= …
]


@pytest.fixture(scope="module")
def app_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("headers")
    url = f"sqlite:///{folder / 'headers.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return Settings(database_url=url, var_dir=folder / "var")


@pytest.fixture(scope="module")
def client(app_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings)) as test_client:
        yield test_client


def _policy(value: str) -> dict[str, str]:
    parts = [p.strip().split(" ", 1) for p in value.split(";") if p.strip()]
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


@pytest.mark.parametrize(
    "path", [*PAGES, "/api/v1/lists", "/api/v1/checks/HC-none", "/health", "/no-such-page"]
)
def test_every_answer_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    headers = response.headers
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    policy = _policy(headers["content-security-policy"])
    assert policy["frame-ancestors"] == "'none'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert "strict-transport-security" not in headers  # plain HTTP in development


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_no_inline_style_or_script(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    for pattern in INLINE:
        assert not pattern.search(page.text), (path, pattern.pattern)
    assert 'rel="stylesheet" href="/static/' in page.text


def test_the_static_files_are_served_with_their_types(client: TestClient) -> None:
    for path, kind in (
        ("/static/portal.css", "text/css"),
        ("/static/admin.css", "text/css"),
        ("/static/admin.js", "text/javascript"),
    ):
        answer = client.get(path)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(kind)
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_the_api_docs_are_served_by_the_app_with_no_cdn(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "http" not in docs.text.replace("http-equiv", "")  # every address is the site's own
    policy = _policy(docs.headers["content-security-policy"])
    assert policy["script-src"] == "'self'"  # no CDN, no inline script
    assert policy["frame-ancestors"] == "'none'"
    assert docs.headers["x-frame-options"] == "DENY"
    for asset in ("/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/api-docs.js"):
        assert client.get(asset).status_code == 200, asset
    redoc = client.get("/redoc")
    assert redoc.status_code == 200 and "/static/vendor/redoc/redoc.standalone.js" in redoc.text
    assert "http" not in redoc.text.replace("http-equiv", "")
    assert _policy(redoc.headers["content-security-policy"])["script-src"] == "'self'"
    assert client.get("/static/vendor/redoc/redoc.standalone.js").status_code == 200


def test_https_deployments_get_hsts(app_settings: Settings) -> None:
    secure = app_settings.model_copy(update={"session_cookie_secure": True})
    with TestClient(create_app(secure)) as https_client:
        assert "max-age=" in https_client.get("/").headers["strict-transport-security"]


def test_pages_render_in_chromium_without_breaking_the_policy(app_settings: Settings) -> None:
    """The policy is enforced by a real browser: styles still apply, nothing is refused."""
    with live_server(create_app(app_settings)) as url, sync_playwright() as p:
        browser = chromium(p)
        try:
            page = browser.new_page(locale="zh-CN")
            refused: list[str] = []

            def note(message: ConsoleMessage) -> None:
                if "Content Security Policy" in message.text:
                    refused.append(message.text)

            page.on("console", note)
            page.goto(url + "/")
            header = page.locator("header").first
            expect(header).to_have_css("background-color", "rgb(183, 28, 28)")  # portal.css
            page.goto(url + "/admin/login")
            expect(page.locator("header").first).to_have_css(
                "background-color", "rgb(31, 58, 95)"
            )  # admin.css
            expect(page.locator(".card").first).to_have_css("max-width", "416px")  # 26rem
            page.goto(url + "/docs")  # Swagger UI from the app's own copy, under its policy
            expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)
            page.goto(url + "/redoc")  # ReDoc likewise: the operations are listed
            expect(page.get_by_text("/api/v1/checks").first).to_be_attached(timeout=30_000)
            assert refused == []
        finally:
            browser.close()
