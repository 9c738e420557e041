"""A page per record, and pages within a subject's tab."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from gongxin.db.models import records
from tests.intake.helpers import Store, penalty_row
from tests.portal.fixtures import ANCIENT, CODE, NOW, RECENT
from tests.support.http import TestClient


def record_id(store: Store, number: str) -> int:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(records.c.id, records.c.data)).all()
    return next(rid for rid, data in rows if data.get("CF_WSH") == number)


def test_each_visible_record_has_its_own_page(client: TestClient, store: Store) -> None:
    tab = client.get(f"/subjects/{CODE}", params={"tab": "penalty"}).text
    rid = record_id(store, RECENT["CF_WSH"])
    assert f'href="/records/{rid}"' in tab
    page = client.get(f"/records/{rid}")
    assert page.status_code == 200
    assert RECENT["CF_WSH"] in page.text and "张**" in page.text and "张三" not in page.text
    assert f'href="/subjects/{CODE}"' in page.text
    assert "&lt;script&gt;" in page.text and "<script>alert" not in page.text


def test_a_record_the_public_may_not_see_is_not_found(client: TestClient, store: Store) -> None:
    hidden = client.get(f"/records/{record_id(store, ANCIENT['CF_WSH'])}")
    assert hidden.status_code == 404 and "未公开" in hidden.text
    assert client.get("/records/999999").status_code == 404


def test_a_long_tab_is_paged(client: TestClient, store: Store) -> None:
    day = (NOW - timedelta(days=5)).date().isoformat()
    many = [penalty_row(n, CF_XDR_SHXYM=CODE, CF_JDRQ=day) for n in range(100, 125)]
    assert store.ingest(store.penalties("many.csv", many), as_of=NOW).accepted == 25
    first = client.get(f"/subjects/{CODE}", params={"tab": "penalty"}).text
    second = client.get(f"/subjects/{CODE}", params={"tab": "penalty", "page": 2}).text
    assert "第 1 / 2 页" in first and "下一页" in first
    shown = [re.findall(r'href="/records/(\d+)"', html) for html in (first, second)]
    assert (len(shown[0]), len(shown[1])) == (20, 6)  # 26 visible penalties in all
    assert not set(shown[0]) & set(shown[1])
    beyond = client.get(f"/subjects/{CODE}", params={"tab": "penalty", "page": 3})
    assert beyond.status_code == 400 and "共 2 页" in beyond.text
