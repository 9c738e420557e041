"""API keys carry scopes: all by default (so older keys keep working), or only those granted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.db import migrate
from gongxin.db.engine import make_engine
from gongxin.db.models import api_keys
from gongxin.errors import Forbidden, InvalidInput, Unauthorized
from gongxin.identity import departments, keys
from gongxin.identity.roles import ALL_SCOPES, Scope
from tests.intake.helpers import AS_OF, PROVIDER

OTHER = "市税务局"


@pytest.fixture
def conn(db_url: str) -> Iterator[sa.Connection]:
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine)
        with engine.begin() as connection:
            departments.add(connection, PROVIDER, kind="provider", code=None, now=AS_OF)
            departments.add(
                connection,
                OTHER,
                kind="provider",
                code=None,
                now=AS_OF,
                parent=PROVIDER,
                region="110108",
            )
            yield connection
    finally:
        engine.dispose()


def test_scopes_default_to_all_and_can_be_narrowed(conn: sa.Connection) -> None:
    every = keys.create(conn, PROVIDER, now=AS_OF)
    assert every.scopes == ALL_SCOPES
    narrow = keys.create(conn, PROVIDER, now=AS_OF, scopes=["check", "exchange"])
    assert keys.check(conn, narrow.key, now=AS_OF).scopes == {Scope.CHECK, Scope.EXCHANGE}
    stored = conn.execute(
        sa.select(api_keys.c.scopes).where(api_keys.c.prefix == narrow.prefix)
    ).scalar_one()
    assert stored == ["check", "exchange"]
    with pytest.raises(InvalidInput, match="权限范围“admin”无效"):
        keys.create(conn, PROVIDER, now=AS_OF, scopes=["admin"])


def test_listing_shows_state_and_scopes_never_secrets(conn: sa.Connection) -> None:
    live = keys.create(conn, PROVIDER, now=AS_OF, scopes=["submit"])
    old = keys.create(conn, PROVIDER, now=AS_OF - timedelta(days=10), expires_days=5)
    gone = keys.create(conn, OTHER, now=AS_OF)
    keys.revoke(conn, gone.prefix, now=AS_OF)
    listed = {k.prefix: k for k in keys.all_keys(conn)}
    assert {p: k.state(AS_OF) for p, k in listed.items()} == {
        live.prefix: "active",
        old.prefix: "expired",
        gone.prefix: "revoked",
    }
    assert [k.prefix for k in keys.all_keys(conn, listed[gone.prefix].department.id)] == [
        gone.prefix
    ]
    assert live.key not in str(listed)


def test_expired_and_revoked_keys_are_refused(conn: sa.Connection) -> None:
    old = keys.create(conn, PROVIDER, now=AS_OF - timedelta(days=10), expires_days=5)
    gone = keys.create(conn, PROVIDER, now=AS_OF)
    keys.revoke(conn, gone.prefix, now=AS_OF)
    for key in (old.key, gone.key, gone.key + "x", "gx_00000000_nothing"):
        with pytest.raises(Unauthorized):
            keys.check(conn, key, now=AS_OF)


def test_a_department_revokes_only_its_own_keys_and_it_is_audited(conn: sa.Connection) -> None:
    theirs = keys.create(conn, OTHER, now=AS_OF)
    mine = departments.get(conn, PROVIDER)
    with pytest.raises(Forbidden):
        keys.revoke(conn, theirs.prefix, now=AS_OF, department_id=mine.id, actor="user:boss")
    assert keys.check(conn, theirs.key, now=AS_OF).department.name == OTHER
    keys.revoke(conn, theirs.prefix, now=AS_OF, actor="user:root")
    trail = [(e.actor, e.action) for e in audit.entries(conn) if e.target.startswith("key:")]
    assert trail == [("cli", "key.create"), ("user:root", "key.revoke")]


def test_departments_carry_parent_and_region(conn: sa.Connection) -> None:
    child = departments.get(conn, OTHER)
    assert child.parent_id == departments.get(conn, PROVIDER).id
    assert child.region == "110108"
    with pytest.raises(Exception, match="没有名为"):
        departments.add(conn, "孤儿局", kind="user", code=None, now=AS_OF, parent="不存在")
