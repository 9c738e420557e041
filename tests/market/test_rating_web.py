"""Industry evaluation over HTTP: the public API and pages of a round in 公示 (我要异议 leading to
the objection workflow), a third party's objection through the API, the evaluator's back office
refusing publication while it is open, then the certificate's live result and PDF."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gongxin.documents import fonts
from gongxin.identity import accounts, sessions
from gongxin.market import evaluation_evaluators as evaluators
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from gongxin.web.auth import CSRF_HEADER, SESSION_COOKIE
from tests.market.rating_helpers import ASSOCIATION, START, Rating, noon
from tests.support.http import TestClient
from tests.support.passwords import fast_argon2
from tests.support.slots import all_held

__all__ = ["fast_argon2"]
API = "/api/v1/industry-evaluations"


@dataclass
class Clock:
    now: datetime


@pytest.fixture
def web(rating: Rating, db_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, Clock]]:
    clock = Clock(noon(START))
    app = create_app(Settings(database_url=db_url, var_dir=tmp_path / "var"))
    app.dependency_overrides[deps.get_now] = lambda: clock.now
    with TestClient(app) as client:
        yield client, clock


def login(
    rating: Rating, client: TestClient, name: str, dept: str, now: datetime
) -> dict[str, str]:
    with rating.engine.begin() as conn:
        try:
            user = accounts.get(conn, name)
        except Exception:
            user = accounts.add_user(
                conn,
                name,
                department=dept,
                roles=["evaluator", "dept_clerk"],
                password="Rating-test-2026",
                now=now,
            )
        made = sessions.create(conn, user, now=now, absolute=timedelta(hours=1))
    client.cookies.set(SESSION_COOKIE, made.token)
    return {CSRF_HEADER: made.session.csrf_token}


def objection(record_id: int, code: str) -> dict[str, Any]:
    return {
        "kind": "objection",
        "record_id": record_id,
        "applicant": "某行业协会会员单位 李某",
        "subject_code": code,
        "phone": "13600000000",
        "email": "li@example.org",
        "statement": "该企业存在未公开的合同纠纷，等级偏高。",
    }


def test_public_notice_objection_and_certificate_over_http(
    rating: Rating, web: tuple[TestClient, Clock], fast_argon2: None, tmp_path: Path
) -> None:
    client, clock = web
    rid = rating.round()
    entry, code = rating.apply(rid, 1, "AA+")
    rating.apply(rid, 2, "CCC")
    assert client.get(f"{API}/rounds/{rid}").status_code == 404  # open rounds are not public
    rating.start(rid)
    clock.now = noon(date(2026, 7, 14))
    shown = client.get(f"{API}/rounds/{rid}").json()
    assert shown["state"] == "publicity" and shown["publicity_until"] == "2026-07-22"
    assert shown["days_left"] == 9 and shown["publicity_day_kind"] == "calendar"
    assert [(e["grade"], e["grade_code"]) for e in shown["entries"]] == [
        ("CCC", "333"),
        ("AA+", "011"),
    ]
    record_id = rating.entry(entry).record_id
    page = client.get(f"/industry-evaluations/rounds/{rid}")
    assert page.status_code == 200 and f'href="/records/{record_id}/objection"' in page.text
    assert "我要异议" in page.text and "公示中" in page.text
    filed = client.post("/api/v1/applications", json=objection(record_id, code))
    assert filed.status_code == 201, filed.text
    number = filed.json()["number"]
    assert client.get(f"{API}/rounds/{rid}").json()["entries"][1]["objection_pending"] is True
    # after the 公示: the evaluator's publication is refused while the objection is open
    clock.now = noon(date(2026, 7, 23))
    headers = login(rating, client, "xiehui", ASSOCIATION, clock.now)
    refused = client.post(f"/admin/industry-evaluations/rounds/{rid}/publish", headers=headers)
    assert refused.status_code == 409 and number in refused.text
    assert (
        "异议尚未办结，不能发布评价结果" in refused.text and "cannot be published" in refused.text
    )
    rating.decide(_app_id(rating, number), "upheld", date(2026, 7, 23))
    done = client.post(
        f"/admin/industry-evaluations/rounds/{rid}/publish", headers=headers, follow_redirects=False
    )
    assert done.status_code == 303
    cert_no = rating.entry(entry).certificate_no
    assert cert_no == "202600101100001"  # AA+ codes as AA (011); serial 1
    live = client.get(f"{API}/certificates/{cert_no}").json()
    assert (live["state"], live["state_zh"], live["valid_until"]) == ("valid", "有效", "2029-07-22")
    pdf = client.get(f"{API}/certificates/{cert_no}.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    if fonts.system_font() is not None:  # laid out with the reports' compact font
        (tmp_path / "certificate.pdf").write_bytes(pdf.content)
        listed = subprocess.run(
            ["pdffonts", str(tmp_path / "certificate.pdf")], capture_output=True, check=True
        ).stdout.decode()
        assert "+Gongxin-Noto-Sans-CJK-SC " in listed and "+Noto-Sans-CJK-SC " not in listed
    with all_held(client.app, "pdf"):  # as many PDFs being made as the process makes at once
        busy = client.get(f"{API}/certificates/{cert_no}.pdf")
        assert busy.status_code == 503 and busy.headers["Retry-After"]
    assert client.get(f"{API}/certificates/abc").status_code == 400
    assert client.get(f"{API}/certificates/209900101100001").status_code == 404
    assert client.get(f"/industry-evaluations/certificates/{cert_no}").status_code == 200
    assert rid in [r["id"] for r in client.get(f"{API}/rounds").json()]


def _app_id(rating: Rating, number: str) -> int:
    import sqlalchemy as sa

    from gongxin.db.workflow_tables import applications

    with rating.engine.connect() as conn:
        found = conn.execute(sa.select(applications.c.id).where(applications.c.number == number))
        return int(found.scalar_one())


def test_an_evaluator_sees_only_its_own_rounds(
    rating: Rating, web: tuple[TestClient, Clock], fast_argon2: None
) -> None:
    client, clock = web
    rid = rating.round()
    with rating.engine.begin() as conn:
        evaluators.register(conn, "某信用评级有限公司", code="902", kind="agency", now=clock.now)
    headers = login(rating, client, "other", "某信用评级有限公司", clock.now)
    assert client.get(f"/admin/industry-evaluations/rounds/{rid}").status_code == 403
    home = client.get("/admin/industry-evaluations")
    assert home.status_code == 200 and "第三方信用评价机构" in home.text
    made = client.post(
        "/admin/industry-evaluations/rounds",
        headers=headers,
        data={"title": "2026年度信用评级", "year": "2026", "publicity_days": "0"},
    )
    assert made.status_code == 400 and "公示天数 0 无效" in made.text
