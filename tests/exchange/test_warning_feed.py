"""Confirmed warnings shared with departments through the exchange: only confirmed ones, only to
a department the centre granted the feed, within the grant's period, every read audited; and
never public: not in the catalog, open data, the portal or the public subject API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from gongxin.analytics.engines import DuckDBEngine
from gongxin.audit import log as audit
from gongxin.errors import InvalidInput
from gongxin.exchange import grants, warning_feed
from gongxin.identity import departments, keys
from gongxin.settings import Settings
from gongxin.supervision import warning_queue
from gongxin.supervision.rules import load_rules
from gongxin.supervision.warnings import run
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.intake.helpers import REGISTRATION, Store, catalog, make_uscc, write_csv
from tests.subjects.test_registration_details import DETAILS, detailed_row
from tests.support.http import TestClient

NOW = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)
CLUSTER = "北京市海淀区集中路9号"


@pytest.fixture
def decided(store: Store, tmp_path: Path) -> dict[str, list[int]]:
    """Five firms at one address warned about (多户同址): two confirmed, one dismissed, two open.
    Departments: the centre, 市财政局 (granted the feed) and 市税务局 (not)."""
    plain = dict.fromkeys(("法定代表人证件号码", "股东及出资信息", "变更记录", "联系电话",
                           "电子邮箱"), "")  # fmt: skip
    rows = [detailed_row(n, 注册地址=CLUSTER, **plain) for n in range(1, 6)]
    headers = REGISTRATION + DETAILS
    path = write_csv(
        store.folder / "r.csv", headers, ([r.get(h, "") for h in headers] for r in rows)
    )
    assert store.ingest(path, dataset="registration").rejected == 0
    run(store.engine, catalog(), load_rules(catalog()), DuckDBEngine(), as_of=TODAY, now=NOW,
        work_dir=tmp_path / "run")  # fmt: skip
    with store.engine.begin() as conn:
        found = [w for w in warning_queue.list_warnings(conn) if w.rule_id == "address_cluster"]
        assert len(found) == 5
        for w in found[:2]:
            warning_queue.confirm(conn, w.id, revision=w.revision, actor="centre", now=NOW)
        warning_queue.dismiss(conn, found[2].id, revision=found[2].revision, actor="centre",
                              now=NOW, reason="集中办公区，已核实")  # fmt: skip
        for name, kind in (("市信用中心", "centre"), ("市财政局", "user"), ("市税务局", "user")):
            departments.add(conn, name, kind=kind, code=None, now=NOW)
        warning_feed.share(conn, departments.get(conn, "市财政局"), purpose="财政补助资格审查",
                           valid_from=TODAY, valid_until=TODAY + timedelta(days=30),
                           actor="centre", now=NOW)  # fmt: skip
        key = {name: keys.create(conn, name, now=NOW, scopes=["exchange"]).key
               for name in ("市信用中心", "市财政局", "市税务局")}  # fmt: skip
    return {
        "confirmed": [w.id for w in found[:2]],
        "other": [w.id for w in found[2:]],
        "keys": key,  # type: ignore[dict-item]
    }


@pytest.fixture
def client(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=db_url, var_dir=tmp_path / "var"))
    app.dependency_overrides[deps.get_now] = lambda: NOW
    with TestClient(app) as c:
        yield c


def _auth(decided: dict[str, list[int]], name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {decided['keys'][name]}"}  # type: ignore[call-overload]


def test_a_granted_department_reads_only_confirmed_warnings(
    store: Store, decided: dict[str, list[int]], client: TestClient
) -> None:
    pages, after = [], 0
    while True:  # one per page: the cursor walks them all
        got = client.get("/api/v1/exchange/warnings", params={"after": after, "size": 1},
                         headers=_auth(decided, "市财政局"))  # fmt: skip
        assert got.status_code == 200, got.text
        pages.append(got.json())
        if got.json()["next_after"] is None:
            break
        after = got.json()["next_after"]
    rows = [r for p in pages for r in p["rows"]]
    assert [r["id"] for r in rows] == decided["confirmed"]
    first = rows[0]
    assert first["rule_id"] == "address_cluster" and first["uscc"] == make_uscc(1)
    assert "第十一条" in first["legal_hook"] and CLUSTER in first["explanation"]
    with store.engine.connect() as conn:
        reads = [e for e in audit.entries(conn) if e.action == "warnings.read"]
    assert len(reads) == len(pages) and reads[0].purpose == "财政补助资格审查"


def test_a_department_without_a_grant_is_refused_and_a_revoked_grant_ends_reading(
    store: Store, decided: dict[str, list[int]], client: TestClient
) -> None:
    refused = client.get("/api/v1/exchange/warnings", headers=_auth(decided, "市税务局"))
    assert refused.status_code == 403 and "预警共享授权" in refused.json()["message"]
    assert client.get("/api/v1/exchange/warnings").status_code == 401
    centre = client.get("/api/v1/exchange/warnings", headers=_auth(decided, "市信用中心"))
    assert [r["id"] for r in centre.json()["rows"]] == decided["confirmed"]
    with store.engine.begin() as conn:
        (grant,) = grants.of_department(conn, departments.get(conn, "市财政局").id,
                                        warning_feed.FEED)  # fmt: skip
        grants.revoke(conn, grant.id, now=NOW)
    ended = client.get("/api/v1/exchange/warnings", headers=_auth(decided, "市财政局"))
    assert ended.status_code == 403


def test_the_grant_ends_after_its_last_day(store: Store, decided: dict[str, list[int]]) -> None:
    with store.engine.begin() as conn:
        dept = departments.get(conn, "市财政局")
        page = warning_feed.page(conn, dept, after=0, size=10, day=TODAY + timedelta(days=30),
                                 actor="t", purpose=None, now=NOW)  # fmt: skip
        assert len(page.rows) == 2
        with pytest.raises(Exception) as late:
            warning_feed.page(conn, dept, after=0, size=10, day=TODAY + timedelta(days=31),
                              actor="t", purpose=None, now=NOW)  # fmt: skip
        assert getattr(late.value, "status", None) == 403
        with pytest.raises(InvalidInput):  # a purpose is required
            warning_feed.share(conn, departments.get(conn, "市税务局"), purpose=" ",
                               valid_from=TODAY, valid_until=None, actor="c", now=NOW)  # fmt: skip


def test_warnings_are_never_public(
    store: Store, decided: dict[str, list[int]], client: TestClient
) -> None:
    code = make_uscc(1)
    with store.engine.connect() as conn:
        explanation = warning_queue.get(conn, decided["confirmed"][0]).explanation
    public = [
        client.get(f"/subjects/{code}"),
        client.get(f"/api/v1/subjects/{code}"),
        client.get(f"/api/v1/subjects/{code}/records"),
        client.get(f"/api/v1/subjects/{code}/graph"),
        client.get(f"/subjects/{code}/graph"),
        client.get("/api/3/action/package_list"),
        client.get("/catalog.jsonld"),
    ]
    for answer in public:
        assert answer.status_code == 200, answer.url
        assert explanation not in answer.text and "address_cluster" not in answer.text
        assert warning_feed.FEED not in answer.text
    shown = client.get(f"/api/3/action/package_show?id={warning_feed.FEED}")
    assert shown.status_code == 404
    as_dataset = client.get(f"/api/v1/exchange/{warning_feed.FEED}/records",
                            headers=_auth(decided, "市财政局"))  # fmt: skip
    assert as_dataset.status_code == 404
    assert client.get("/api/v1/supervision/warnings").status_code in (401, 403)
    with store.engine.connect() as conn:  # the public API of records knows nothing of them
        count = conn.execute(sa.text("SELECT COUNT(*) FROM records WHERE dataset = :d"),
                             {"d": warning_feed.FEED}).scalar_one()  # fmt: skip
    assert count == 0
