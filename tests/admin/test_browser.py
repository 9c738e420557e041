"""In a real browser (Debian's Chromium, headless): log in to the back office, add a user, see
the new user log in with only their own rights."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect, sync_playwright

from gongxin.db import migrate
from gongxin.db.engine import make_engine
from gongxin.identity import accounts, departments
from gongxin.settings import Settings
from gongxin.web.app import create_app
from tests.admin.conftest import CENTRE, PASSWORD
from tests.conftest import PROJECT_ROOT
from tests.intake.helpers import AS_OF, PROVIDER
from tests.support.live import chromium, live_server

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "admin"
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture
def admin_url(tmp_path: Path) -> Iterator[str]:
    db_url = f"sqlite:///{tmp_path / 'admin.db'}"
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        departments.add(conn, CENTRE, kind="centre", code=None, now=AS_OF)
        departments.add(conn, PROVIDER, kind="provider", code=None, now=AS_OF)
        accounts.add_user(
            conn,
            "root",
            department=CENTRE,
            roles=["centre_admin"],
            password=PASSWORD,
            display_name="王主任",
            now=AS_OF,
        )
    engine.dispose()
    app = create_app(Settings(database_url=db_url, var_dir=tmp_path / "var"))
    with live_server(app) as url:
        yield url


def _shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def _log_in(page: Page, url: str, username: str, password: str) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_log_in_and_add_a_user(admin_url: str) -> None:
    with sync_playwright() as p:
        browser = chromium(p)
        try:
            page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
            page.goto(admin_url + "/admin/users")
            expect(page).to_have_url(admin_url + "/admin/login?next=/admin/users")
            _log_in(page, admin_url, "root", "Wrong-password-1")
            expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误")
            _shoot(page, "login-failed.png")
            _log_in(page, admin_url, "root", PASSWORD)
            expect(page).to_have_url(admin_url + "/admin/users")
            expect(page.locator("h1")).to_have_text("用户管理")
            page.get_by_label("用户名（小写字母、数字或 . _ -）").fill("zhangsan")
            page.get_by_label("姓名", exact=True).fill("张三")
            page.get_by_label("部门", exact=True).select_option(PROVIDER)
            page.get_by_label(re.compile("^初始密码")).fill("Spring-tea-2026")
            page.get_by_role("button", name="添加用户").click()
            expect(page.get_by_role("status")).to_have_text("已添加用户")
            row = page.locator("tr", has_text="zhangsan")
            expect(row).to_contain_text("张三")
            expect(row).to_contain_text(PROVIDER)
            _shoot(page, "users-added.png")

            page.get_by_role("button", name="退出").click()
            expect(page).to_have_url(admin_url + "/admin/login")
            _log_in(page, admin_url, "zhangsan", "Spring-tea-2026")
            expect(page.locator("h1")).to_have_text("欢迎，张三")
            expect(page.get_by_text("部门经办人")).to_be_visible()
            _shoot(page, "home-clerk.png")
            page.goto(admin_url + "/admin/users")
            expect(page.locator("h1")).to_have_text("无权访问")

            phone = browser.new_page(viewport=PHONE, locale="zh-CN")
            phone.goto(admin_url + "/admin/login")
            _shoot(phone, "login-phone.png")
        finally:
            browser.close()
