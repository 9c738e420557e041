"""A busy server process keeps its PostgreSQL connections: calls at once reuse them instead of
opening (and PostgreSQL forking a server process for) a new connection per call."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gongxin.db.engine import connections_short, make_engine
from gongxin.settings import Settings
from gongxin.web.app import create_app
from tests.sanctions.helpers import World, open_world
from tests.support.http import TestClient

CALLERS = 16  # more than SQLAlchemy's default pool (five kept, ten more at a peak)
CALLS = 8
BODY = {"scene": "政府采购", "requester": "张三", "purpose": "资格审查"}


@pytest.fixture
def world(pg_url: str) -> Iterator[World]:
    yield from open_world(pg_url)


def test_calls_at_once_reuse_the_pools_connections(
    world: World, pg_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=pg_url, var_dir=tmp_path / "var", check_rate_per_minute=10_000)
    app = create_app(settings)
    opened = [0]
    statuses: list[int] = []
    start = threading.Barrier(CALLERS)

    def count(*_: Any) -> None:
        opened[0] += 1

    def caller(client: TestClient, n: int) -> None:
        start.wait()
        for i in range(CALLS):
            r = client.post(
                "/api/v1/checks",
                json={**BODY, "subjects": [f"某某{n}-{i}商贸有限公司"]},
                headers={"Authorization": f"Bearer {world.key}"},
            )
            statuses.append(r.status_code)

    with TestClient(app) as client:
        sa.event.listen(app.state.engine, "connect", count)
        threads = [threading.Thread(target=caller, args=(client, n)) for n in range(CALLERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert statuses == [200] * (CALLERS * CALLS), sorted(set(statuses))
    # at most one connection per caller plus the check log's writer, whatever the calls
    assert opened[0] <= CALLERS + 2, f"{opened[0]} connections opened for {len(statuses)} calls"


def test_postgresql_connections_short_are_counted(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        if db_url.startswith("sqlite"):
            assert connections_short(engine, 10_000) is None
            return
        with engine.connect() as conn:
            most = int(conn.exec_driver_sql("SHOW max_connections").scalar_one())
        assert connections_short(engine, 1) is None
        short = connections_short(engine, most)  # more than it can have, reserve and ours open
        assert short is not None and 1 <= short < most
    finally:
        engine.dispose()
