"""Filing objections and repair applications is limited per client address and minute
(GONGXIN_FILING_RATE_LIMIT), portal form and API together, with the platform's sliding window
and the trusted client address: the next one gets 429 in Chinese and English and nothing is
saved; another client, and lookups, are not affected."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from gongxin.db.workflow_tables import applications
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from tests.intake.helpers import Store
from tests.support.http import TestClient
from tests.workflows.repair_helpers import COMPANY, add_penalty, noon

TODAY = date(2026, 11, 23)
PROXY = ("10.0.0.5", 40000)  # the reverse proxy in front of gongxin
FORM = {
    "applicant": "李四",
    "subject_code": COMPANY,
    "phone": "13800000000",
    "email": "lisi@example.org",
    "statement": "记录有误。",
}


@pytest.fixture
def client(store: Store, db_url: str) -> Iterator[Any]:
    settings = Settings(
        database_url=db_url, var_dir=store.folder / "var", filing_rate_limit=2,
        trusted_proxies="10.0.0.0/8",
    )  # fmt: skip
    app = create_app(settings)
    app.dependency_overrides[deps.get_now] = lambda: noon(TODAY)
    with TestClient(app, client=PROXY) as test_client:
        yield test_client


def count(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(applications)).scalar_one())


def by(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def test_filing_is_limited_per_client_address(store: Store, client: Any) -> None:
    ids = [add_penalty(store, 70 + n, "2026-10-09") for n in range(4)]
    first = client.post("/api/v1/applications", headers=by("203.0.113.7"),
                        json=FORM | {"kind": "objection", "record_id": ids[0]})  # fmt: skip
    assert first.status_code == 201, first.text
    portal = client.post(f"/records/{ids[1]}/objection", data=FORM, headers=by("203.0.113.7"))
    assert portal.status_code == 201, portal.text
    over = client.post("/api/v1/applications", headers=by("203.0.113.7"),
                       json=FORM | {"kind": "objection", "record_id": ids[2]})  # fmt: skip
    assert over.status_code == 429
    assert "提交申请过于频繁" in over.json()["zh"] and "too many applications" in over.json()["en"]
    assert over.headers["Retry-After"]
    refused = client.post(f"/records/{ids[2]}/objection", data=FORM, headers=by("203.0.113.7"))
    assert refused.status_code == 429 and "提交申请过于频繁" in refused.text
    assert count(store) == 2  # nothing saved of the refused ones
    # another client behind the same proxy files as usual; lookups have their own window
    other = client.post("/api/v1/applications", headers=by("203.0.113.8"),
                        json=FORM | {"kind": "objection", "record_id": ids[3]})  # fmt: skip
    assert other.status_code == 201 and count(store) == 3
    code = first.json()["query_code"]
    found = client.post("/api/v1/applications/lookup", json={"code": code},
                        headers=by("203.0.113.7"))  # fmt: skip
    assert found.status_code == 200 and found.json()["kind"] == "objection"
