"""The grade distribution is drawn in Chromium by ECharts, served by the app itself, under the
page's Content-Security-Policy (no CDN, no inline script)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from playwright.sync_api import ConsoleMessage, expect, sync_playwright

from gongxin.analytics import evaluation, evaluation_model
from gongxin.catalog.registry import load_catalog
from gongxin.db import migrate
from gongxin.db.engine import make_engine
from gongxin.db.models import subjects
from gongxin.identity import accounts, departments
from gongxin.settings import Settings
from gongxin.web.app import create_app
from tests.admin.conftest import CENTRE, PASSWORD
from tests.conftest import PROJECT_ROOT
from tests.intake.helpers import AS_OF
from tests.support.live import chromium, live_server


def test_the_grade_chart_is_drawn_by_echarts(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'chart.db'}"
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        departments.add(conn, CENTRE, kind="centre", code=None, now=AS_OF)
        accounts.add_user(conn, "root", department=CENTRE, roles=["centre_admin"],
                          password=PASSWORD, display_name="王主任", now=AS_OF)  # fmt: skip
        conn.execute(
            subjects.insert(),
            [{"uscc": f"9135010000000{n:04d}X", "name": f"企业{n}", "name_norm": f"企业{n}",
              "created_at": AS_OF, "updated_at": AS_OF} for n in range(4)],
        )  # fmt: skip
    model = evaluation_model.get_model("four_grade", load_catalog())
    evaluation.evaluate(engine, model, as_of=date(2026, 1, 1), now=AS_OF)
    engine.dispose()
    app = create_app(Settings(database_url=db_url, var_dir=tmp_path / "var"))
    with live_server(app) as url, sync_playwright() as p:
        browser = chromium(p)
        try:
            page = browser.new_page(locale="zh-CN")
            refused: list[str] = []

            def note(message: ConsoleMessage) -> None:
                if "Content Security Policy" in message.text:
                    refused.append(message.text)

            missing: list[str] = []
            page.on("console", note)
            page.on(
                "response",
                lambda r: (
                    missing.append(r.url)
                    if r.status >= 400 and not r.url.endswith("/favicon.ico")
                    else None
                ),
            )
            page.goto(url + "/admin/login?next=/admin/evaluation")
            page.get_by_label("用户名").fill("root")
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.goto(url + "/admin/evaluation")
            figure = page.locator("figure.chart").first
            expect(figure).to_have_attribute("data-drawn", "echarts")
            expect(figure.locator("canvas")).to_have_count(1)
            folder = PROJECT_ROOT / "test-artifacts" / "admin"
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / "evaluation-chart.png"), full_page=True)
            assert refused == [] and missing == []
        finally:
            browser.close()
