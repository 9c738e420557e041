"""双公示 columns and timeliness over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gongxin.identity import authorities, departments
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.intake.helpers import (
    AS_OF,
    PENALTY_COLUMNS,
    PROVIDER,
    TEST_AUTHORITIES,
    Store,
    penalty_row,
)
from tests.support.http import TestClient

OTHER = "市生态环境局"
NOW = datetime(2026, 10, 15, 4, 0, tzinfo=UTC)  # noon in Beijing


@pytest.fixture
def client(store: Store, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    with store.engine.begin() as conn:
        departments.add(conn, OTHER, kind="provider", code=None, now=AS_OF)
        authorities.add(conn, OTHER, TEST_AUTHORITIES, now=AS_OF)  # files for them too
    samr = [
        penalty_row(1, CF_JDRQ="2026-09-30"),  # on time (7th working day is 15 Oct)
        penalty_row(2, CF_JDRQ="2026-09-29"),  # late
        penalty_row(3, CF_JDRQ="2022-01-04"),  # past every publicity maximum
        penalty_row(4, CF_JDRQ="2026-10-09", CF_XDR_LB="自然人", CF_XDR_ZJLX="身份证",
                    CF_XDR_ZJHM="11010519491231002X"),
    ]  # fmt: skip
    columns = [*PENALTY_COLUMNS, "CF_XDR_ZJLX", "CF_XDR_ZJHM"]
    summary = store.ingest(store.penalties("samr.csv", samr, columns=columns), as_of=NOW)
    assert (summary.accepted, summary.rejected) == (4, 0)
    store.ingest(
        store.penalties("env.csv", [penalty_row(5, CF_JDRQ="2026-10-12")]),
        provider=OTHER,
        as_of=NOW,
    )
    app = create_app(Settings(database_url=db_url, var_dir=tmp_path / "var"))
    app.dependency_overrides[deps.get_now] = lambda: NOW
    with TestClient(app) as test_client:
        yield test_client


def numbers(body: dict[str, object]) -> list[str]:
    return [r["data"]["CF_WSH"] for r in body["records"]]  # type: ignore[attr-defined,index]


def test_the_penalty_column_is_newest_first_and_public_only(client: TestClient) -> None:
    body = client.get("/api/v1/shuanggongshi/penalty").json()
    assert numbers(body) == [penalty_row(n)["CF_WSH"] for n in (5, 1, 2)]  # no 3, no 4
    only = client.get("/api/v1/shuanggongshi/penalty", params={"department": OTHER}).json()
    assert numbers(only) == [penalty_row(5)["CF_WSH"]]
    dated = client.get("/api/v1/shuanggongshi/penalty", params={"since": "2026-09-30"}).json()
    assert numbers(dated) == [penalty_row(n)["CF_WSH"] for n in (5, 1)]
    paged = client.get("/api/v1/shuanggongshi/penalty", params={"page": 2, "size": 2}).json()
    assert numbers(paged) == [penalty_row(2)["CF_WSH"]]


def test_columns_refuse_other_datasets_and_bad_pages(client: TestClient) -> None:
    assert client.get("/api/v1/shuanggongshi/registration").status_code == 404
    assert client.get("/api/v1/shuanggongshi/penalty", params={"page": 0}).status_code == 400


def test_timeliness_by_department(client: TestClient) -> None:
    body = client.get("/api/v1/shuanggongshi-timeliness").json()
    by_dept = {d["department"]: d for d in body["departments"]}
    samr = by_dept[PROVIDER]
    assert (samr["total"], samr["on_time"], samr["late"]) == (4, 2, 2)  # 29 Sep, 4 Jan 2022
    late = body["late_records"]["records"]
    assert all("subject_name" not in x and x["department"] == PROVIDER for x in late)
    assert {x["decision_date"] for x in late} == {"2026-09-29", "2022-01-04"}
    assert all(x["document_number"].startswith("京") for x in late)
    assert by_dept[OTHER]["share"] == 1.0
    paged = client.get("/api/v1/shuanggongshi-timeliness", params={"size": 1, "page": 2}).json()
    assert [x["decision_date"] for x in paged["late_records"]["records"]] == ["2026-09-29"]
