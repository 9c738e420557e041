"""The role × endpoint matrix: every route is declared in access_matrix.py, and every principal
gets exactly what the declaration says — allowed, or 401/403 (a login redirect for pages); a
server error (5xx) is never "allowed": it is reported as a failure.

One app and one store serve the whole module, once on SQLite and once on PostgreSQL.
Requests are harmless: path values match nothing and POSTs carry an empty body, so an
allowed call fails validation (or finds nothing) after the guard let it through, and nothing
is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from gongxin.db import migrate
from gongxin.db.engine import make_engine
from gongxin.exchange import warning_feed
from gongxin.identity import accounts, departments, keys, sessions
from gongxin.identity.roles import Role, Scope
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from gongxin.web.auth import CSRF_HEADER, SESSION_COOKIE
from tests.exchange.access_matrix import ACCESS, PUBLIC, SAMPLES, SIDE_EFFECTS, Access
from tests.intake.helpers import AS_OF
from tests.support.http import TestClient

DEPT = "市矩阵测试局"
PASSWORD = "Matrix-test-2026"
IGNORED_METHODS = {"HEAD", "OPTIONS"}


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role | None = None
    key: str | None = None
    scopes: frozenset[Scope] = field(default_factory=frozenset)
    valid_key: bool = True


@dataclass
class World:
    client: TestClient
    app: FastAPI
    engine_url: str
    tokens: dict[Role, tuple[str, str]]  # role → (session token, csrf token)
    keys: dict[str, str]  # principal name → key

    def fresh_session(self, role: Role) -> tuple[str, str]:
        engine = make_engine(self.engine_url)
        try:
            with engine.begin() as conn:
                user = accounts.get(conn, role.value.replace("_", "-"))
                new = sessions.create(conn, user, now=AS_OF, absolute=timedelta(hours=1))
            return new.token, new.session.csrf_token
        finally:
            engine.dispose()


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    found = set()
    for route in iter_route_contexts(app.routes):
        path = route.path
        if path is None:
            continue
        for method in route.methods or {"ANY"}:
            if method not in IGNORED_METHODS:
                found.add((method, path))
    return found


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, module_db_url: str) -> Iterator[World]:
    folder: Path = tmp_path_factory.mktemp("matrix")
    url = module_db_url
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        tokens: dict[Role, tuple[str, str]] = {}
        made: dict[str, str] = {}
        with engine.begin() as conn:
            departments.add(conn, DEPT, kind="provider", code=None, now=AS_OF)
            # the department holds the warnings feed's grant, so that its exchange key reaches
            # the feed; who holds a grant is tests/exchange/test_warning_feed.py's concern
            warning_feed.share(
                conn, departments.get(conn, DEPT), purpose="access matrix",
                valid_from=AS_OF.date(), valid_until=None, actor="t", now=AS_OF,
            )  # fmt: skip
            for role in Role:
                user = accounts.add_user(
                    conn,
                    role.value.replace("_", "-"),
                    department=DEPT,
                    roles=[role],
                    password=PASSWORD,
                    now=AS_OF,
                )
                new = sessions.create(conn, user, now=AS_OF, absolute=timedelta(hours=1))
                tokens[role] = (new.token, new.session.csrf_token)
            for scope in Scope:
                made[f"key:{scope}"] = keys.create(conn, DEPT, now=AS_OF, scopes=[scope]).key
            made["key:expired"] = keys.create(
                conn, DEPT, now=AS_OF - timedelta(days=31), expires_days=30
            ).key
            revoked = keys.create(conn, DEPT, now=AS_OF)
            keys.revoke(conn, revoked.prefix, now=AS_OF)
            made["key:revoked"] = revoked.key
        app = create_app(Settings(database_url=url, var_dir=folder / "var"))
        app.dependency_overrides[deps.get_now] = lambda: AS_OF
        with TestClient(app, raise_server_exceptions=False) as client:
            yield World(client, app, url, tokens, made)
    finally:
        engine.dispose()


def test_every_route_is_declared(world: World) -> None:
    undeclared = sorted(app_routes(world.app) - set(ACCESS))
    assert not undeclared, (
        "These routes are not declared in tests/exchange/access_matrix.py; add each to ACCESS "
        "with who may call it (PUBLIC, a Scope, or a set of Roles), matching its guard "
        f"(require_scope / require_roles): {undeclared}"
    )
    stale = sorted(set(ACCESS) - app_routes(world.app))
    assert not stale, f"access_matrix.py declares routes the app no longer has: {stale}"


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: SAMPLES.get(m.group(1), "0"), path)


def _principals() -> list[str]:
    return (
        ["anonymous"]
        + [f"role:{r}" for r in Role]
        + [f"key:{s}" for s in Scope]
        + ["key:expired", "key:revoked"]
    )


def _expected(access: Access, principal: str) -> str:
    """'allowed', '401' or '403' for ``principal`` calling a route declared ``access``."""
    if access == PUBLIC:
        return "allowed"
    if isinstance(access, Scope):
        if principal == f"key:{access}":
            return "allowed"
        if principal.startswith("key:") and principal not in ("key:expired", "key:revoked"):
            return "403"
        return "401"
    assert isinstance(access, frozenset)
    if principal.startswith("role:"):
        return "allowed" if Role(principal[5:]) in access else "403"
    return "401"


def _call(world: World, method: str, path: str, principal: str) -> tuple[int, str]:
    headers: dict[str, str] = {}
    cookies: dict[str, str] = {}
    if principal.startswith("role:"):
        role = Role(principal[5:])
        token, csrf = (
            world.fresh_session(role) if (method, path) in SIDE_EFFECTS else world.tokens[role]
        )
        cookies[SESSION_COOKIE] = token
        headers[CSRF_HEADER] = csrf
    elif principal.startswith("key:"):
        headers["Authorization"] = f"Bearer {world.keys[principal]}"
    world.client.cookies.clear()
    for name, value in cookies.items():
        world.client.cookies.set(name, value)
    response = world.client.request(
        method,
        _url(path),
        headers=headers,
        follow_redirects=False,
        data={} if method != "GET" else None,
    )
    return response.status_code, response.headers.get("location", "")


def _outcome(status: int, location: str) -> str:
    if status == 303 and location.startswith("/admin/login?next="):
        return "401"  # a page's way of saying "log in first"
    if status >= 500:
        return f"server error {status}"  # never what the matrix expects
    return str(status) if status in (401, 403) else "allowed"


def test_each_principal_gets_exactly_what_the_matrix_says(world: World) -> None:
    wrong: list[str] = []
    routes = app_routes(world.app)
    for (method, path), access in sorted(ACCESS.items(), key=lambda item: item[0][::-1]):
        if (method, path) not in routes:
            continue  # reported by test_every_route_is_declared
        for principal in _principals():
            status, location = _call(world, method, path, principal)
            got, want = _outcome(status, location), _expected(access, principal)
            if got != want:
                wrong.append(f"{method} {path} as {principal}: got {status}, expected {want}")
    assert not wrong, "\n".join(wrong)


def test_a_server_error_counts_as_a_failure() -> None:
    assert _outcome(500, "") == "server error 500" != _expected(PUBLIC, "anonymous")
    assert _outcome(503, "") != "allowed" and _outcome(404, "") == "allowed"
