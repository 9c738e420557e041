"""Logging in over HTTP: the client's address (X-Forwarded-For believed only from trusted
proxies) is what lockouts and the audit log are kept under."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from gongxin.db import migrate
from gongxin.db.audit_tables import audit_log
from gongxin.db.engine import make_engine
from gongxin.identity import accounts, departments
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.admin.conftest import CENTRE, PASSWORD
from tests.intake.helpers import AS_OF
from tests.support.http import TestClient
from tests.support.passwords import fast_argon2

__all__ = ["fast_argon2"]

PROXY = ("10.0.0.2", 40000)  # the reverse proxy in front of gongxin
OWNER = "192.0.2.1"
STRANGER = "198.51.100.9"


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path}/login.db"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        departments.add(conn, CENTRE, kind="centre", code=None, now=AS_OF)
        accounts.add_user(
            conn, "root", department=CENTRE, roles=["centre_admin"], password=PASSWORD, now=AS_OF
        )
    engine.dispose()
    yield url


def _client(url: str, tmp_path: Path, **settings: object) -> TestClient:
    app = create_app(
        Settings(database_url=url, var_dir=tmp_path / "var", login_max_failures=3, **settings)  # type: ignore[arg-type]
    )
    app.dependency_overrides[deps.get_now] = lambda: AS_OF
    return TestClient(app, client=PROXY)


def _login(client: TestClient, password: str, forwarded: str | None = None) -> httpx.Response:
    client.cookies.clear()
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    form = client.get("/admin/login", headers=headers)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, form.text
    return client.post(
        "/admin/login",
        data={"username": "root", "password": password, "csrf_token": token.group(1)},
        headers=headers,
        follow_redirects=False,
    )


def _addresses(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            details = conn.execute(
                sa.select(audit_log.c.detail)
                .where(audit_log.c.action.like("user.login%"))
                .order_by(audit_log.c.seq)
            ).scalars()
            return [d["address"] for d in details]
    finally:
        engine.dispose()


def test_a_stranger_behind_the_proxy_locks_only_their_own_address(url: str, tmp_path: Path) -> None:
    with _client(url, tmp_path, trusted_proxies="10.0.0.0/8") as client:
        for _ in range(3):
            assert _login(client, "Wrong-guess-77", STRANGER).status_code == 400
        assert _login(client, PASSWORD, STRANGER).status_code == 400  # locked out
        assert _login(client, PASSWORD, f"{OWNER}, 10.0.0.7").status_code == 303  # the owner
    assert _addresses(url) == [STRANGER] * 4 + [OWNER]


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(url: str, tmp_path: Path) -> None:
    with _client(url, tmp_path) as client:  # no trusted proxies: the peer is the client
        for n in range(4):  # a new forged address each time does not escape the lock
            _login(client, "Wrong-guess-77", f"203.0.113.{n}")
        assert _login(client, PASSWORD, "203.0.113.99").status_code == 400
    assert set(_addresses(url)) == {PROXY[0]}


def test_serve_leaves_forwarded_headers_to_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """uvicorn believes X-Forwarded-For from 127.0.0.1 by default; gongxin serve turns that off
    so that GONGXIN_TRUSTED_PROXIES is the only rule."""
    import uvicorn

    from gongxin.cli import admin

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options))
    admin.serve(host="127.0.0.1", port=8123)
    assert seen["proxy_headers"] is False and seen["port"] == 8123
