"""One demo city for the browser journeys: a SQLite database loaded the way ``gongxin demo``
loads it (files, checks with feedback, sharing requests, the warning rules run once as the
worker's first run does) on a fixed day, a few back-office users, a uvicorn server on loopback
in a thread, and one headless Chromium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright

from gongxin.analytics.engines import DuckDBEngine
from gongxin.catalog.registry import load_catalog
from gongxin.db import migrate
from gongxin.db.engine import make_engine
from gongxin.demo import checks as demo_checks
from gongxin.demo import generate, load
from gongxin.demo import sharing as demo_sharing
from gongxin.identity import accounts
from gongxin.settings import Settings
from gongxin.supervision import warnings
from gongxin.supervision.rules import load_rules
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.conftest import PROJECT_ROOT
from tests.support.live import chromium, live_server
from tests.support.passwords import fast_argon2

__all__ = ["fast_argon2"]

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "journeys"
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
SUBJECTS = 400  # enough for more than one page of 经营异常名录
PASSWORD = "Journey-2026-ok"
CENTRE = "市信用中心"
FINANCE = "市财政局"  # runs demo checks, one of them left awaiting feedback
MARKET = "市市场监督管理局"
USERS = {  # username → (department, roles, display name)
    "zhou": (CENTRE, ["centre_admin"], "周主任"),
    "qian": (FINANCE, ["dept_clerk"], "钱经办"),
    "shen": (CENTRE, ["auditor"], "沈审计"),
    "wang": (MARKET, ["dept_clerk"], "王经办"),  # submits the market regulator's files
}


DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
# a journey taken on a desktop and on a phone (test ids "desktop", "phone")
ON_EACH_SCREEN = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])


@dataclass(frozen=True)
class Site:
    url: str
    db_url: str = ""  # the demo city's database, for a journey that needs to pick its data


def _load_demo(db_url: str, folder: Path, settings: Settings) -> None:
    """What ``gongxin demo --subjects 400`` does, with the journeys' clock, plus the users."""
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine)
        catalog = load_catalog()
        files = generate(folder, subjects=SUBJECTS, seed=1, as_of=NOW.date(), catalog=catalog)
        load(engine, catalog, files, as_of=NOW)
        assert demo_checks.run(engine, catalog, now=NOW, seed=1) == demo_checks.CHECKS
        shared = demo_sharing.run(
            engine, catalog, now=NOW, reply_days=settings.exchange_reply_working_days
        )
        assert len(shared) == 3
        found = warnings.run(
            engine, catalog, load_rules(catalog), DuckDBEngine(), as_of=NOW.date(), now=NOW,
            work_dir=folder / "warnings",
        )  # fmt: skip
        assert found.found["penalty_rate_anomaly"] > 0  # the demo's planted anomaly
        with engine.begin() as conn:
            for username, (dept, roles, name) in USERS.items():
                accounts.add_user(
                    conn, username, department=dept, roles=roles, password=PASSWORD,
                    display_name=name, now=NOW,
                )  # fmt: skip
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def demo_city(tmp_path_factory: pytest.TempPathFactory, fast_argon2: None) -> Path:
    """The demo city's SQLite file, loaded once per test process; each module copies it."""
    folder = tmp_path_factory.mktemp("journeys-city")
    db_url = f"sqlite:///{folder / 'journeys.db'}"
    _load_demo(db_url, folder / "demo", Settings(database_url=db_url, var_dir=folder / "var"))
    return folder / "journeys.db"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, demo_city: Path) -> Iterator[Site]:
    """A fresh copy of the demo city for the module's journeys (which change it), served."""
    folder = tmp_path_factory.mktemp("journeys")
    for suffix in ("", "-wal"):  # the city's engine is closed: its file (and any WAL) is whole
        if Path(f"{demo_city}{suffix}").exists():
            shutil.copyfile(f"{demo_city}{suffix}", folder / f"journeys.db{suffix}")
    db_url = f"sqlite:///{folder / 'journeys.db'}"
    settings = Settings(database_url=db_url, var_dir=folder / "var")
    app = create_app(settings)
    app.dependency_overrides[deps.get_now] = lambda: NOW
    with live_server(app) as url:
        yield Site(url, db_url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = chromium(p)
        try:
            yield browser
        finally:
            browser.close()


def shoot(page: Page, journey: str, step: str) -> None:
    """A full-page screenshot, test-artifacts/journeys/<journey>-<step>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{journey}-{step}.png"), full_page=True)


def log_in(page: Page, url: str, username: str) -> None:
    page.goto(url + "/admin/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def screen(viewport: ViewportSize) -> str:
    """The viewport's name in screenshot file names: "desktop" or "phone"."""
    return "phone" if viewport == PHONE else "desktop"


def open_page(
    browser: Browser, viewport: ViewportSize = DESKTOP, timeout_ms: int = 5000
) -> tuple[BrowserContext, Page]:
    """A new Chinese-locale browser context (downloads accepted, Playwright's default) and its
    page; a missing element fails after ``timeout_ms``, not half a minute. Close the context."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(timeout_ms)
    return context, context.new_page()
