"""Objections and repair over HTTP: the record page's entries, the portal form with its
checklist and attachments, the 查询码, the clerk's queue and decision, the lookup (rate
limited), the decision PDF, the API with response models, the centre's figures."""

from __future__ import annotations

import base64
import re
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from gongxin.documents import fonts
from gongxin.identity import accounts, sessions
from gongxin.identity.roles import Role
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from gongxin.web.auth import SESSION_COOKIE
from tests.intake.helpers import PROVIDER, Store
from tests.support.http import TestClient
from tests.support.slots import all_held
from tests.workflows.repair_helpers import COMPANY, PDF, add_penalty, noon

TODAY = date(2026, 11, 23)
PASSWORD = "Correct-Horse-Battery-9"


@pytest.fixture
def client(store: Store, db_url: str) -> Iterator[Any]:
    app = create_app(
        Settings(database_url=db_url, var_dir=store.folder / "var", lookup_rate_limit=6)
    )
    app.dependency_overrides[deps.get_now] = lambda: noon(TODAY)
    with TestClient(app) as test_client:
        yield test_client


def login(store: Store, client: Any, name: str, dept: str, role: Role) -> str:
    with store.engine.begin() as conn:
        user = accounts.add_user(
            conn, name, department=dept, roles=[role], password=PASSWORD, now=noon(TODAY)
        )
        new = sessions.create(conn, user, now=noon(TODAY), absolute=timedelta(hours=1))
    client.cookies.set(SESSION_COOKIE, new.token)
    return new.session.csrf_token


def first_id(html: str) -> int:
    found = re.search(r'href="/admin/applications/(\d+)"', html)
    assert found is not None, html
    return int(found.group(1))


FORM = {
    "applicant": "李四",
    "subject_code": COMPANY,
    "phone": "13800000000",
    "email": "lisi@example.org",
    "statement": "罚款已缴清，已整改。",
}


def test_portal_repair_from_record_page_to_decision(
    store: Store, client: Any, tmp_path: Path
) -> None:
    rid = add_penalty(store, 41, "2026-05-06")
    assert (
        "京环罚〔2026〕41号" in client.get(f"/subjects/{COMPANY}", params={"tab": "penalty"}).text
    )
    page = client.get(f"/records/{rid}")
    assert f'href="/records/{rid}/repair"' in page.text and "提出异议" in page.text
    form = client.get(f"/records/{rid}/repair")
    assert form.status_code == 200 and "最短公示期" in form.text and "信用修复承诺书" in form.text
    # a fake PDF (an executable renamed): refused by content, the form keeps what was typed
    bad = client.post(
        f"/records/{rid}/repair",
        data=FORM | {"commitment": "1", "fulfilled": "1"},
        files={"attachments": ("proof.pdf", b"MZ\x90\x00", "application/pdf")},
    )
    assert (
        bad.status_code == 400 and "不是 PDF、JPG 或 PNG" in bad.text and "13800000000" in bad.text
    )
    filed = client.post(
        f"/records/{rid}/repair",
        data=FORM | {"commitment": "1", "fulfilled": "1"},
        files={"attachments": ("proof.pdf", PDF, "application/pdf")},
    )
    assert filed.status_code == 201, filed.text
    code = filed.text.split('id="query-code">')[1].split("<")[0]
    assert len(code) >= 32
    assert client.post("/applications/lookup", data={"code": code}).text.count("已受理，处理中")
    login(store, client, "clerk", PROVIDER, Role.DEPT_CLERK)
    queue = client.get("/admin/applications")
    assert queue.status_code == 200 and "信用修复" in queue.text and ">3<" in queue.text  # days
    app_id = first_id(queue.text)
    csrf = login(store, client, "clerk2", PROVIDER, Role.DEPT_CLERK)
    no_reason = client.post(
        f"/admin/applications/{app_id}/decide",
        data={"csrf_token": csrf, "outcome": "granted", "reasons": ""},
    )
    assert no_reason.status_code == 400 and "理由" in no_reason.text
    done = client.post(
        f"/admin/applications/{app_id}/decide",
        follow_redirects=False,
        data={"csrf_token": csrf, "outcome": "granted", "reasons": "材料齐全"},
    )
    assert done.status_code == 303
    client.cookies.clear()
    assert client.get(f"/records/{rid}").status_code == 404
    subject = client.get(f"/subjects/{COMPANY}", params={"tab": "penalty"})
    assert "京环罚〔2026〕41号" not in subject.text
    shown = client.post("/applications/lookup", data={"code": code})
    assert "准予修复" in shown.text and "材料齐全" in shown.text
    pdf = client.post("/applications/decision.pdf", data={"code": code})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    if fonts.system_font() is not None:  # laid out with the reports' compact font
        (tmp_path / "decision.pdf").write_bytes(pdf.content)
        listed = subprocess.run(
            ["pdffonts", str(tmp_path / "decision.pdf")], capture_output=True, check=True
        ).stdout.decode()
        assert "+Gongxin-Noto-Sans-CJK-SC " in listed
    with all_held(client.app, "pdf"):  # as many PDFs being made as the process makes at once
        page = client.post("/applications/decision.pdf", data={"code": code})
        assert page.status_code == 503 and "暂时忙" in page.text
        api = client.post("/api/v1/applications/decision.pdf", json={"code": code})
        assert api.status_code == 503 and api.json()["error"] == "busy"


def test_api_files_follows_and_is_rate_limited(store: Store, client: Any) -> None:
    rid = add_penalty(store, 42, "2026-10-09")
    checklist = client.get(f"/api/v1/records/{rid}/repair-checklist").json()
    assert checklist["may_file_from"] == "2027-01-09"  # ORDER36 一般: 3 months
    refused = client.post(
        "/api/v1/applications",
        json=FORM
        | {
            "kind": "repair",
            "record_id": rid,
            "commitment": True,
            "fulfilled": True,
            "attachments": [
                {"file_name": "p.pdf", "content_base64": base64.b64encode(PDF).decode()}
            ],
        },
    )
    assert refused.status_code == 400
    assert refused.json()["details"]["from"] == "2027-01-09"
    filed = client.post("/api/v1/applications", json=FORM | {"kind": "objection", "record_id": rid})
    assert filed.status_code == 201, filed.text
    body = filed.json()
    again = client.post("/api/v1/applications", json=FORM | {"kind": "objection", "record_id": rid})
    assert again.status_code == 409 and body["number"] in again.json()["zh"]
    found = client.post("/api/v1/applications/lookup", json={"code": body["query_code"]})
    assert found.json()["state"] == "received" and found.json()["kind_zh"] == "异议"
    assert "异议处理中" in client.get(f"/records/{rid}").text
    listed = client.get(f"/subjects/{COMPANY}", params={"tab": "penalty"}).text
    assert "京环罚〔2026〕42号" in listed and "异议处理中" in listed
    statuses = [
        client.post("/api/v1/applications/lookup", json={"code": f"guess{n}"}).status_code
        for n in range(8)
    ]
    assert statuses[:5] == [404] * 5 and statuses[-1] == 429


def test_centre_sees_every_department_and_the_figures(store: Store, client: Any) -> None:
    rid = add_penalty(store, 43, "2026-05-06")
    client.post("/api/v1/applications", json=FORM | {"kind": "objection", "record_id": rid})
    with store.engine.begin() as conn:
        from gongxin.identity import departments

        departments.add(conn, "市信用中心", kind="centre", code=None, now=noon(TODAY))
    login(store, client, "centre", "市信用中心", Role.CENTRE_ADMIN)
    queue = client.get("/admin/applications")
    assert PROVIDER in queue.text and "异议" in queue.text
    stats = client.get("/admin/applications/stats")
    assert stats.status_code == 200 and PROVIDER in stats.text
    login(store, client, "other", "市信用中心", Role.AUDITOR)
    app_id = first_id(queue.text)
    assert "作出决定" not in client.get(f"/admin/applications/{app_id}").text  # auditors read


def test_hostile_input_gets_4xx_and_stores_nothing(store: Store, client: Any) -> None:
    rid = add_penalty(store, 44, "2026-05-06")
    huge = 10**20
    # an id beyond what the store can hold: refused by the route's bounds (422), never a 500
    assert client.get(f"/records/{huge}/repair").status_code == 422
    assert client.get(f"/api/v1/records/{huge}/repair-checklist").status_code == 422
    body = FORM | {"kind": "objection", "record_id": huge}
    assert client.post("/api/v1/applications", json=body).status_code in (404, 422)
    nul = FORM | {
        "kind": "objection",
        "record_id": rid,
        "statement": "异议\x00理由",
        "applicant": "\x00",
    }
    refused = client.post("/api/v1/applications", json=nul)
    assert refused.status_code == 400 and "applicant" in refused.json()["en"]
    filed = client.post("/api/v1/applications", json=nul | {"applicant": "李四"})
    assert filed.status_code == 201
    bad_b64 = FORM | {
        "kind": "objection",
        "record_id": rid,
        "attachments": [{"file_name": "a.pdf", "content_base64": "@@@"}],
    }
    assert client.post("/api/v1/applications", json=bad_b64).status_code == 400
    login(store, client, "clerk", PROVIDER, Role.DEPT_CLERK)
    assert client.get(f"/admin/applications/{huge}").status_code == 422
    assert client.get("/admin/applications/0").status_code == 422
