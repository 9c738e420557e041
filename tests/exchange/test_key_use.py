"""A key's last use is recorded (at most once a minute, so the hot path stays a read)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from gongxin.clock import as_utc
from gongxin.db import migrate
from gongxin.db.engine import make_engine
from gongxin.db.models import api_keys
from gongxin.identity import departments, keys
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.intake.helpers import AS_OF, PROVIDER
from tests.support.http import TestClient


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    made = make_engine(db_url)
    try:
        migrate.upgrade(made)
        with made.begin() as conn:
            departments.add(conn, PROVIDER, kind="provider", code=None, now=AS_OF)
        yield made
    finally:
        made.dispose()


def _last_used(engine: sa.Engine, prefix: str) -> datetime | None:
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(api_keys.c.last_used_at).where(api_keys.c.prefix == prefix)
        ).scalar_one()
    return None if found is None else as_utc(found)


def test_last_used_at_is_set_when_a_key_is_used(
    engine: sa.Engine, db_url: str, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        new = keys.create(conn, PROVIDER, now=AS_OF, scopes=["check"])
    app = create_app(Settings(database_url=db_url, var_dir=tmp_path / "var"))
    clock = [AS_OF + timedelta(hours=1)]
    app.dependency_overrides[deps.get_now] = lambda: clock[0]
    headers = {"Authorization": f"Bearer {new.key}"}
    assert _last_used(engine, new.prefix) is None
    with TestClient(app) as client:
        assert client.get("/api/v1/checks/HC-none", headers=headers).status_code == 404
        assert _last_used(engine, new.prefix) == clock[0]
        first = clock[0]
        clock[0] += timedelta(seconds=30)  # within the minute: not written again
        client.get("/api/v1/checks/HC-none", headers=headers)
        assert _last_used(engine, new.prefix) == first
        clock[0] += timedelta(minutes=1)
        client.get("/api/v1/checks/HC-none", headers=headers)
        assert _last_used(engine, new.prefix) == clock[0]
        listed = client.get("/api/v1/checks/HC-none", headers={"Authorization": "Bearer gx_x_y"})
        assert listed.status_code == 401
    with engine.connect() as conn:
        (info,) = keys.all_keys(conn)
    assert info.last_used_at is not None and as_utc(info.last_used_at) == clock[0]
