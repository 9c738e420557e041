"""A trust mark in the wild: a company's own site (a tiny http.server on loopback) shows the
badge from its snippet; a visitor clicks it, lands on the platform's verification page and
goes on to the company's live profile; once the centre revokes the mark, the same page of the
company's site shows the badge as revoked. Screenshots in test-artifacts/journeys/."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from gongxin.db import migrate
from gongxin.db.engine import make_engine
from gongxin.db.models import subjects
from gongxin.market import trust_marks
from gongxin.market.trust_mark_badge import snippet
from gongxin.market.trust_mark_keys import signing_key
from gongxin.settings import Settings
from gongxin.subjects.names import normalise_name
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.intake.helpers import catalog, make_uscc
from tests.journeys.conftest import NOW, open_page, shoot
from tests.support.live import free_port, live_server

COMPANY = "放心购电子商务有限公司"
SHOP_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>放心购商城</title></head>
<body><h1>放心购商城</h1><p>欢迎光临本店。</p>
<footer><p>营业执照信息与网站可信标识：</p>{snippet}</footer></body></html>
"""


@pytest.fixture
def shop_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "shop"
    folder.mkdir()
    return folder


@pytest.fixture
def company_site(shop_folder: Path) -> Iterator[str]:
    """The company's own website: static files on 127.0.0.1, another origin than the platform."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(shop_folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_badge_on_a_company_site_opens_its_live_profile(
    tmp_path: Path, shop_folder: Path, company_site: str, browser: Browser
) -> None:
    db_url = f"sqlite:///{tmp_path / 'marks.db'}"
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    code = make_uscc(77)
    with engine.begin() as conn:
        conn.execute(subjects.insert().values(
            uscc=code, name=COMPANY, name_norm=normalise_name(COMPANY), created_at=NOW,
            updated_at=NOW, reg_status="存续", address="示范市高新区创业路 8 号",
        ))  # fmt: skip
        mark = trust_marks.issue(
            conn, catalog(), code, company_site + "/", key=signing_key(conn, "ed25519", None,
            now=NOW), rule=trust_marks.rules(), now=NOW, valid_days=365, actor="journey",
        )  # fmt: skip
    app = create_app(Settings(database_url=db_url, var_dir=tmp_path / "var"))
    app.dependency_overrides[deps.get_now] = lambda: NOW
    with live_server(app) as platform:
        (shop_folder / "index.html").write_text(
            SHOP_PAGE.format(snippet=snippet(mark, platform, COMPANY)), encoding="utf-8"
        )
        context, page = open_page(browser)
        try:
            page.goto(company_site + "/index.html")
            badge = page.get_by_alt_text(f"网站可信标识：{COMPANY}（点击核验）")
            badge.wait_for()
            page.wait_for_function(
                "() => { const i = document.querySelector('footer img');"
                " return i && i.complete && i.naturalWidth === 240; }"
            )
            shoot(page, "trust-mark", "1-company-site")
            with context.expect_page() as opened:
                badge.click()
            verification = opened.value
            verification.wait_for_load_state()
            assert verification.url.startswith(f"{platform}/marks/{mark.serial}?sig=")
            verdict = verification.locator("#mark-verdict")
            assert verdict.get_attribute("data-state") == "valid"
            assert "有效" in verdict.inner_text()
            assert company_site + "/" in verification.locator("table.fields").inner_text()
            shoot(verification, "trust-mark", "2-verification")
            verification.locator("#profile-link").click()
            verification.wait_for_url(f"{platform}/subjects/{code}")
            assert COMPANY in verification.locator("h1").inner_text()
            shoot(verification, "trust-mark", "3-profile")
            # the centre revokes it: the badge on the company's own page changes
            with engine.begin() as conn:
                trust_marks.revoke(conn, mark.serial, reason="经营范围与网站不符", now=NOW,
                                   actor="journey")  # fmt: skip
            page.reload()
            page.wait_for_function(
                "() => { const i = document.querySelector('footer img');"
                " return i && i.complete && i.naturalWidth === 240; }"
            )
            shoot(page, "trust-mark", "4-company-site-revoked")
            svg = httpx.get(platform + mark.badge_path).text
            assert "已撤销" in svg
            verification.goto(platform + mark.verify_path)
            assert verification.locator("#mark-verdict").get_attribute("data-state") == "revoked"
            shoot(verification, "trust-mark", "5-verification-revoked")
        finally:
            context.close()
    engine.dispose()
