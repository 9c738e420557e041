"""Open-data keys: created, listed and revoked from the CLI; quotas per day and rates per minute
enforced with 429 and Retry-After; revoked or wrong keys refused with 403; anonymous use
limited per client address."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import ckanapi
import httpx
import pytest
import sqlalchemy as sa

from gongxin.db import dialect
from gongxin.db.engine import make_engine
from gongxin.db.opendata_tables import opendata_keys, opendata_usage
from gongxin.opendata import keys
from gongxin.ratelimit import SlidingWindow
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.intake.helpers import open_store
from tests.opendata.conftest import NOW, Server
from tests.support.cli import Cli
from tests.support.http import TestClient

SECONDS_TO_MIDNIGHT = 14 * 3600 + 1  # NOW is 10:00 in Beijing; quotas renew at 00:00


def _key(server: Server, quota: int = 100, rate: int = 100) -> str:
    with server.engine.begin() as conn:
        return keys.create(conn, "测试应用", now=NOW, quota_per_day=quota, rate_per_minute=rate).key


def test_cli_creates_lists_and_revokes_keys(ready: Cli) -> None:
    made = ready.ok(
        "opendata", "key", "create", "某某数据应用", "--quota-per-day", "500",
        "--rate-per-minute", "20", "--expires-days", "30",
    )  # fmt: skip
    key = made.stdout.strip()
    assert key.startswith("od_") and len(key) > 40
    prefix = keys.prefix_of(key)
    stored = ready.scalar(
        sa.select(opendata_keys.c.key_hash).where(opendata_keys.c.prefix == prefix)
    )
    assert stored != key and key not in str(stored)  # only the SHA-256 is kept
    listing = ready.ok("opendata", "key", "list").stdout
    assert prefix in listing and "某某数据应用" in listing and "500" in listing
    assert "有效 active" in listing
    ready.ok("opendata", "key", "revoke", prefix)
    assert "已吊销 revoked" in ready.ok("opendata", "key", "list").stdout
    again = ready("opendata", "key", "revoke", prefix)
    assert again.exit_code == 2 and prefix in again.stderr
    bad = ready("opendata", "key", "create", "x", "--quota-per-day", "0")
    assert bad.exit_code == 2 and "--quota-per-day" in bad.stderr
    audited = ready.ok("audit", "list", "--limit", "10").stdout
    assert "opendata.key.create" in audited and "opendata.key.revoke" in audited
    datasets = ready.ok("opendata", "list").stdout
    assert "penalty" in datasets and "行政处罚" in datasets
    assert "administrative-decisions" in datasets  # its CKAN group


def test_daily_quota_answers_429_with_retry_after(server: Server) -> None:
    key = _key(server, quota=2)
    ckan = ckanapi.RemoteCKAN(server.url, apikey=key)
    assert ckan.action.package_list()
    assert ckan.action.package_show(id="penalty")["name"] == "penalty"
    with pytest.raises(ckanapi.CKANAPIError, match="429"):
        ckan.action.package_list()
    answer = httpx.get(f"{server.url}/api/3/action/package_list", headers={"X-API-Key": key})
    assert answer.status_code == 429
    assert int(answer.headers["Retry-After"]) == SECONDS_TO_MIDNIGHT
    assert answer.json()["success"] is False
    assert answer.json()["error"]["__type"] == "Rate Limit Error"
    download = httpx.get(f"{server.url}/opendata/penalty.csv", headers={"X-API-Key": key})
    assert download.status_code == 429
    assert download.json()["error"] == "rate_limited"
    assert int(download.headers["Retry-After"]) == SECONDS_TO_MIDNIGHT
    with server.engine.connect() as conn:
        used = conn.execute(sa.select(opendata_usage.c.requests)).scalars().all()
    assert 5 in used  # every request of the key was counted, refused ones too


def test_rate_per_minute_answers_429(server: Server) -> None:
    key = _key(server, rate=2)
    headers = {"Authorization": key}  # as CKAN clients send it
    url = f"{server.url}/api/3/action/status_show"
    assert [httpx.get(url, headers=headers).status_code for _ in range(2)] == [200, 200]
    refused = httpx.get(url, headers=headers)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_revoked_and_wrong_keys_are_refused_with_403(server: Server) -> None:
    key = _key(server)
    assert ckanapi.RemoteCKAN(server.url, apikey=key).action.package_list()
    with server.engine.begin() as conn:
        keys.revoke(conn, key, now=NOW)
    with pytest.raises(ckanapi.NotAuthorized):
        ckanapi.RemoteCKAN(server.url, apikey=key).action.package_list()
    download = httpx.get(f"{server.url}/opendata/penalty.json", headers={"X-API-Key": key})
    assert download.status_code == 403
    forged = key[:-4] + "AAAA"
    with pytest.raises(ckanapi.NotAuthorized):
        ckanapi.RemoteCKAN(server.url, apikey=forged).action.package_list()
    catalog = httpx.get(f"{server.url}/catalog.ttl", headers={"X-API-Key": "not-a-key"})
    assert catalog.status_code == 403


@pytest.fixture
def strict_client(tmp_path: Path, db_url: str) -> Iterator[TestClient]:
    """An app whose anonymous callers may make 3 requests a minute."""
    for _ in open_store(db_url, tmp_path):
        pass
    settings = Settings(
        database_url=db_url, var_dir=tmp_path / "var", opendata_anonymous_rate_per_minute=3
    )
    app = create_app(settings)
    app.dependency_overrides[deps.get_now] = lambda: NOW
    with TestClient(app) as client:
        yield client


def test_anonymous_use_is_limited_per_address(strict_client: TestClient) -> None:
    paths = ["/api/3/action/package_list", "/catalog.ttl", "/opendata/penalty.json"]
    assert [strict_client.get(p).status_code for p in paths] == [200, 200, 200]
    refused = strict_client.get("/api/action/package_list")
    assert refused.status_code == 429
    assert refused.json()["error"]["__type"] == "Rate Limit Error"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert strict_client.get("/opendata").status_code == 200  # the page itself is not limited


def test_sliding_window_frees_as_requests_age() -> None:
    window = SlidingWindow()
    assert window.hit("ip:a", 2, 1000.0) == 0
    assert window.hit("ip:a", 2, 1010.0) == 0
    assert window.hit("ip:a", 2, 1020.0) == 40  # the first request leaves the window at 1060
    assert window.hit("ip:b", 2, 1020.0) == 0  # another caller has its own window
    assert window.hit("ip:a", 2, 1060.5) == 0


def test_usage_counts_are_exact_under_concurrency(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        for _ in open_store(db_url, Path()):
            pass
        with engine.begin() as conn:
            key_id = conn.execute(
                opendata_keys.insert().values(
                    prefix="abcd1234", key_hash="0" * 64, holder="t", quota_per_day=1,
                    rate_per_minute=1, created_at=NOW,
                )
            ).inserted_primary_key[0]  # fmt: skip
        day = date(2026, 11, 22)
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                for _ in range(20):
                    with engine.begin() as conn:
                        dialect.increment(
                            conn, opendata_usage, {"key_id": key_id, "day": day}, "requests"
                        )
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        with engine.connect() as conn:
            total = conn.execute(sa.select(opendata_usage.c.requests)).scalar_one()
        assert total == 120
    finally:
        engine.dispose()
