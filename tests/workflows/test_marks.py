"""A workflow's status is shown as a mark (异议处理中, 已信用修复), never as the internal keys
(``_gx_status``, ``_gx_status_on``) that carry it in storage: the public API, the portal, the
open-data downloads, the exchange's records and change feed."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from gongxin.identity import keys
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.intake.helpers import PROVIDER, Store
from tests.support.http import TestClient
from tests.workflows.repair_helpers import COMPANY, add_penalty, decide, file, filing, noon

TODAY = date(2026, 11, 23)
INTERNAL = "_gx_status"


def app_client(store: Store, db_url: str, **settings: Any) -> Iterator[Any]:
    app = create_app(Settings(database_url=db_url, var_dir=store.folder / "var", **settings))
    app.dependency_overrides[deps.get_now] = lambda: noon(TODAY)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def client(store: Store, db_url: str) -> Iterator[Any]:
    yield from app_client(store, db_url)


def provider_key(store: Store) -> dict[str, str]:
    with store.engine.begin() as conn:
        made = keys.create(conn, PROVIDER, now=noon(TODAY))
    return {"Authorization": f"Bearer {made.key}"}


def record_of(found: list[dict[str, Any]], rid: int) -> dict[str, Any]:
    return next(r for r in found if r["id"] == rid)


def test_pending_objection_is_a_mark_in_every_output(store: Store, client: Any) -> None:
    rid = add_penalty(store, 61, "2026-10-09")
    file(store, filing(rid, kind="objection"), TODAY, [])

    api = client.get(f"/api/v1/subjects/{COMPANY}/records")
    assert api.status_code == 200 and INTERNAL not in api.text
    mark = record_of(api.json()["records"], rid)["mark"]
    assert mark == {"code": "objection", "zh": "异议处理中", "en": "objection pending",
                    "since": "2026-11-23"}  # fmt: skip

    page = client.get(f"/records/{rid}")
    assert "异议处理中" in page.text and INTERNAL not in page.text
    for download in ("/opendata/penalty.json", "/opendata/penalty.csv"):
        opened = client.get(download)
        assert opened.status_code == 200 and "京环罚〔2026〕61号" in opened.text
        assert INTERNAL not in opened.text

    key = provider_key(store)
    read = client.get("/api/v1/exchange/penalty/records", headers=key)
    assert read.status_code == 200 and INTERNAL not in read.text
    (item,) = [i for i in read.json()["items"] if i["record_id"] == rid]
    assert item["mark"]["zh"] == "异议处理中" and "CF_WSH" in item["data"]
    feed = client.get("/api/v1/exchange/penalty/changes", headers=key, params={"limit": 50})
    assert feed.status_code == 200 and INTERNAL not in feed.text
    last = [c for c in feed.json()["changes"] if c["record_id"] == rid][-1]
    assert last["op"] == "update" and last["mark"]["code"] == "objection"


def test_a_granted_repair_is_marked_in_the_change_feed(store: Store, client: Any) -> None:
    rid = add_penalty(store, 62, "2026-05-06")
    filed = file(store, filing(rid), TODAY)
    decide(store, filed.id, "granted", TODAY)
    feed = client.get(
        "/api/v1/exchange/penalty/changes", headers=provider_key(store), params={"limit": 50}
    )
    assert feed.status_code == 200 and INTERNAL not in feed.text
    repair = [c for c in feed.json()["changes"] if c["record_id"] == rid][-1]
    assert repair["op"] == "repair" and repair["ends_on"] == "2026-11-23"
    assert repair["mark"] == {"code": "repaired", "zh": "已信用修复", "en": "credit repaired",
                              "since": "2026-11-23"}  # fmt: skip
    assert "CF_WSH" in repair["data"] and INTERNAL not in str(repair["data"])


def test_the_public_mark_can_be_turned_off(store: Store, db_url: str) -> None:
    rid = add_penalty(store, 63, "2026-10-09")
    file(store, filing(rid, kind="objection"), TODAY, [])
    for client in app_client(store, db_url, objection_public_mark=False):
        api = client.get(f"/api/v1/subjects/{COMPANY}/records").json()
        assert record_of(api["records"], rid)["mark"] is None
        assert "异议处理中" not in client.get(f"/records/{rid}").text
        feed = client.get(  # departments always see it
            "/api/v1/exchange/penalty/changes", headers=provider_key(store), params={"limit": 50}
        ).json()
        assert [c for c in feed["changes"] if c["record_id"] == rid][-1]["mark"]["code"] == (
            "objection"
        )


def report_text(client: Any, tmp_path: Path) -> str:
    pdf = client.get(f"/api/v1/reports/{COMPANY}.pdf")
    assert pdf.status_code == 200, pdf.text
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.content)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True)
    return re.sub(r"\s+", "", out.stdout.decode())


def test_the_credit_report_marks_a_record_under_objection(
    store: Store, client: Any, tmp_path: Path
) -> None:
    marked = add_penalty(store, 63, "2026-10-09")
    add_penalty(store, 64, "2026-10-12")
    file(store, filing(marked, kind="objection"), TODAY, [])
    text = report_text(client, tmp_path)
    assert INTERNAL not in text
    assert text.count("状态标注异议处理中（2026-11-23起）") == 1
    # the mark heads the record under objection (the newer penalty, unmarked, comes first)
    assert (
        text.index("京环罚〔2026〕64号")
        < text.index("异议处理中")
        < text.index("京环罚〔2026〕63号")
    )


def test_the_report_leaves_the_objection_mark_out_when_switched_off(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    rid = add_penalty(store, 65, "2026-10-09")
    file(store, filing(rid, kind="objection"), TODAY, [])
    for client in app_client(store, db_url, objection_public_mark=False):
        text = report_text(client, tmp_path)
        assert "京环罚〔2026〕65号" in text and "异议处理中" not in text
