"""The back office over HTTP: one SQLite database, a centre admin, a department with its admin
and clerk, and a clock the test moves."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from gongxin.db import migrate
from gongxin.db.engine import make_engine
from gongxin.identity import accounts, departments
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.intake.helpers import AS_OF, PROVIDER
from tests.support.http import TestClient
from tests.support.passwords import fast_argon2

__all__ = ["fast_argon2"]

CENTRE = "市信用中心"
OTHER = "市税务局"
PASSWORD = "Back-office-2026"
USERS = {  # username → (department, roles)
    "root": (CENTRE, ["centre_admin"]),
    "boss": (PROVIDER, ["dept_admin"]),
    "clerk": (PROVIDER, ["dept_clerk"]),
    "taxman": (OTHER, ["dept_clerk"]),
    "eye": (CENTRE, ["auditor"]),
}


@dataclass
class Clock:
    now: datetime = AS_OF


@dataclass
class Office:
    client: TestClient
    engine: sa.Engine
    clock: Clock
    settings: Settings
    csrf: dict[str, str] = field(default_factory=dict)

    def login(
        self, username: str, password: str = PASSWORD, next_: str = "/admin"
    ) -> httpx.Response:
        self.client.cookies.clear()
        form = self.client.get("/admin/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token, form.text
        return self.client.post(
            "/admin/login",
            data={
                "username": username,
                "password": password,
                "csrf_token": token.group(1),
                "next": next_,
            },
            follow_redirects=False,
        )

    def page_csrf(self, path: str = "/admin") -> str:
        page = self.client.get(path)
        assert page.status_code == 200, page.text
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found, page.text
        return found.group(1)

    def post(self, path: str, data: dict[str, object], csrf: str | None = None) -> httpx.Response:
        token = self.page_csrf() if csrf is None else csrf
        return self.client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    url = f"sqlite:///{tmp_path}/office.db"
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with engine.begin() as conn:
            for name, kind in ((CENTRE, "centre"), (PROVIDER, "provider"), (OTHER, "provider")):
                departments.add(conn, name, kind=kind, code=None, now=AS_OF)
            for username, (dept, roles) in USERS.items():
                accounts.add_user(
                    conn, username, department=dept, roles=roles, password=PASSWORD, now=AS_OF
                )
        settings = Settings(database_url=url, var_dir=tmp_path / "var", login_max_failures=3)
        yield from serve(engine, settings)
    finally:
        engine.dispose()


def serve(engine: sa.Engine, settings: Settings) -> Iterator[Office]:
    """The back office of ``settings`` over HTTP, its clock at AS_OF until the test moves it."""
    app = create_app(settings)
    clock = Clock()
    app.dependency_overrides[deps.get_now] = lambda: clock.now
    with TestClient(app) as client:
        yield Office(client, engine, clock, settings)
