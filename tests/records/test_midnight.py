"""A penalty whose publicity ends at midnight disappears from every public reader at midnight —
the portal's 双公示 column, the API (column and subject records), the PDF report and the
open-data download — and the change feed tells departments it expired, with no job having
run between the two reads: only the clock moved (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from gongxin.catalog.registry import get_catalog
from gongxin.exchange.exchange_view import Caller, read_changes
from gongxin.identity import departments
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.intake.helpers import (
    Store,
    make_uscc,
    penalty_row,
    registration_row,
    write_registrations,
)
from tests.support.http import TestClient

CODE = make_uscc(1)
# an environment bureau's fine of 2025-08-01: 一般, 12 months under 国办发〔2025〕22号, so the
# last public day is 2026-07-31 and it is hidden from 2026-08-01 00:00 in Beijing
PENALTY = penalty_row(1, CF_JDRQ="2025-08-01", CF_CFLB="罚款", CF_CFJG="市生态环境局")
WSH = PENALTY["CF_WSH"]
BEFORE = datetime(2026, 7, 31, 15, 59, 30, tzinfo=UTC)  # 23:59:30 in Beijing
AFTER = datetime(2026, 7, 31, 16, 0, 30, tzinfo=UTC)  # 00:00:30 on 1 August in Beijing


class Clock:
    now = BEFORE


@pytest.fixture
def client(store: Store, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    reg = write_registrations(tmp_path / "reg.csv", [registration_row(1)])
    store.ingest(reg, "registration", as_of=BEFORE)
    store.ingest(store.penalties("p.csv", [PENALTY]), as_of=BEFORE)
    with store.engine.begin() as conn:
        departments.add(conn, "市信用中心", kind="centre", code=None, now=BEFORE)
    app = create_app(Settings(database_url=db_url, var_dir=tmp_path / "var"))
    app.dependency_overrides[deps.get_now] = lambda: Clock.now
    with TestClient(app) as test_client:
        yield test_client
    Clock.now = BEFORE


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
    )
    return re.sub(r"\s+", "", out.stdout.decode("utf-8"))


def opendata_csv(client: TestClient) -> str:
    response = client.get("/opendata/penalty.csv")
    assert response.status_code == 200, response.text
    return response.content.decode("utf-8-sig")


def shown_everywhere(client: TestClient, tmp_path: Path) -> dict[str, bool]:
    column = client.get("/api/v1/shuanggongshi/penalty").json()
    subject = client.get(f"/api/v1/subjects/{CODE}/records", params={"dataset": "penalty"}).json()
    report = client.get(f"/api/v1/reports/{CODE}.pdf")
    assert report.status_code == 200
    return {
        "portal": WSH in client.get("/shuanggongshi", params={"dataset": "penalty"}).text,
        "api column": WSH in [r["data"]["CF_WSH"] for r in column["records"]],
        "api subject": WSH in [r["data"]["CF_WSH"] for r in subject["records"]],
        "pdf report": re.sub(r"\s+", "", WSH) in pdf_text(report.content, tmp_path),
        "open data": WSH in opendata_csv(client),
    }


def changes(store: Store, now: datetime) -> list[tuple[str, date | None]]:
    with store.engine.begin() as conn:
        centre = departments.get(conn, "市信用中心")
        page = read_changes(
            conn, get_catalog(), Caller(centre, "key:centre"), "penalty",
            cursor=None, limit=100, now=now, purpose="联合惩戒名单比对",
        )  # fmt: skip
    return [(c.op, c.ends_on) for c in page.changes]


def test_a_window_ending_at_midnight_ends_everywhere_with_no_job(
    client: TestClient, store: Store, tmp_path: Path
) -> None:
    Clock.now = BEFORE
    assert shown_everywhere(client, tmp_path) == dict.fromkeys(
        ("portal", "api column", "api subject", "pdf report", "open data"), True
    )
    assert changes(store, BEFORE) == [("insert", None)]
    Clock.now = AFTER  # nothing runs in between: only the clock moves
    assert shown_everywhere(client, tmp_path) == dict.fromkeys(
        ("portal", "api column", "api subject", "pdf report", "open data"), False
    )
    assert changes(store, AFTER) == [("insert", None), ("expire", date(2026, 8, 1))]
