"""Credit checks are limited per key: calls per minute, and subjects per China day counted in
the database (so a second server process sees the same count)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from gongxin.db.sanctions_tables import checks
from gongxin.db.security_tables import check_usage
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.sanctions.helpers import World, open_world
from tests.support.http import TestClient

START = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
BODY = {"scene": "政府采购", "requester": "张三", "purpose": "资格审查"}


@dataclass
class Server:
    world: World
    clock: list[datetime]
    settings: Settings

    def client(self) -> TestClient:
        """A server process of its own (its own per-minute window) on the shared database."""
        app = create_app(self.settings)
        app.dependency_overrides[deps.get_now] = lambda: self.clock[0]
        return TestClient(app)

    def check(self, client: TestClient, subjects: int) -> httpx.Response:
        codes = [f"某某{n}商贸有限公司" for n in range(subjects)]
        return client.post(
            "/api/v1/checks",
            json={**BODY, "subjects": codes},
            headers={"Authorization": f"Bearer {self.world.key}"},
        )


def _server(db_url: str, tmp_path: Path, **limits: int) -> Iterator[Server]:
    for world in open_world(db_url):
        settings = Settings(database_url=db_url, var_dir=tmp_path / "var", **limits)  # type: ignore[arg-type]
        yield Server(world, [START], settings)


@pytest.fixture
def by_minute(db_url: str, tmp_path: Path) -> Iterator[Server]:
    yield from _server(db_url, tmp_path, check_rate_per_minute=2)


@pytest.fixture
def by_day(db_url: str, tmp_path: Path) -> Iterator[Server]:
    yield from _server(db_url, tmp_path, check_quota_per_day=5)


def test_calls_over_the_rate_get_429_with_retry_after(by_minute: Server) -> None:
    with by_minute.client() as client:
        assert by_minute.check(client, 1).status_code == 200
        by_minute.clock[0] += timedelta(seconds=20)
        assert by_minute.check(client, 1).status_code == 200
        refused = by_minute.check(client, 1)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "40"  # when the first call leaves the minute
        body = refused.json()
        assert body["error"] == "rate_limited" and "每分钟最多核查 2 次" in body["zh"]
        assert body["details"]["retry_after"] == 40
        by_minute.clock[0] += timedelta(seconds=41)
        assert by_minute.check(client, 1).status_code == 200


def test_the_daily_quota_counts_subjects_across_processes(by_day: Server) -> None:
    with by_day.client() as first:
        assert by_day.check(first, 2).status_code == 200
        assert by_day.check(first, 2).status_code == 200
    with by_day.client() as second:  # another process: the count is in the database
        refused = by_day.check(second, 2)
        assert refused.status_code == 429
        tomorrow = datetime(2026, 11, 23, tzinfo=UTC) - timedelta(hours=8)  # 00:00 Beijing
        assert int(refused.headers["retry-after"]) == int((tomorrow - START).total_seconds()) + 1
        body = refused.json()
        assert body["error"] == "rate_limited" and "每日最多核查 5 个主体" in body["zh"]
        assert body["details"]["used"] == 4 and body["details"]["asked"] == 2
        assert by_day.check(second, 1).status_code == 200  # what still fits is allowed
        assert by_day.check(second, 1).status_code == 429
        by_day.clock[0] = tomorrow
        assert by_day.check(second, 2).status_code == 200
    with by_day.world.engine.connect() as conn:
        counted = conn.execute(
            sa.select(check_usage.c.day, check_usage.c.subjects).order_by(check_usage.c.day)
        ).all()
        logged = conn.execute(sa.select(sa.func.count()).select_from(checks)).scalar()
    assert [(str(d), n) for d, n in counted] == [("2026-11-22", 5), ("2026-11-23", 2)]
    assert logged == 4  # the refused calls were neither counted nor logged
