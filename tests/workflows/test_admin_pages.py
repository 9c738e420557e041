"""The back-office feedback pages: a clerk reports on the department's check; figures shown."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from gongxin.identity import accounts, sessions
from gongxin.identity.roles import Role
from gongxin.sanctions import feedback
from gongxin.web.auth import SESSION_COOKIE
from tests.intake.helpers import AS_OF
from tests.workflows.helpers import APPROVALS, CENTRE, COMPANY, ELSEWHERE, World, breach, run_check

PASSWORD = "Correct-Horse-Battery-9"


def _login(world: World, client: Any, name: str, dept: str, role: Role) -> str:
    with world.engine.begin() as conn:
        user = accounts.add_user(conn, name, department=dept, roles=[role], password=PASSWORD,
                                 now=AS_OF)  # fmt: skip
        new = sessions.create(conn, user, now=AS_OF, absolute=timedelta(hours=1))
    client.cookies.set(SESSION_COOKIE, new.token)
    return new.session.csrf_token


def test_clerk_reports_feedback_on_a_form(world: World, client: Any) -> None:
    breach(world)
    check_id = run_check(world, APPROVALS, "licensing", COMPANY)
    csrf = _login(world, client, "clerk", APPROVALS, Role.DEPT_CLERK)
    listed = client.get("/admin/checks")
    assert listed.status_code == 200 and check_id in listed.text
    page = client.get(f"/admin/checks/{check_id}")
    assert "保存反馈" in page.text and "commitment-breach-1" in page.text
    with world.engine.connect() as conn:
        found = feedback.with_feedback(conn, check_id, department=None)
    measures = feedback.measure_ids(found["results"][0]["measures"])
    form: dict[str, str] = {"csrf_token": csrf, "operator": "李经办", "doc_no": "京审〔2026〕8号"}
    for i, mid in enumerate(measures):
        form |= {f"item-{i}-position": "0", f"item-{i}-measure": mid, f"item-{i}-choice": "not"}
    refused = client.post(f"/admin/checks/{check_id}/feedback", data=form)
    assert refused.status_code == 400 and "未执行的措施须说明理由" in refused.text
    form |= {f"item-{i}-reason": "许可已办结" for i in range(len(measures))}
    saved = client.post(f"/admin/checks/{check_id}/feedback", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert check_id not in client.get("/admin/checks").text  # nothing awaits any more
    stats = client.get("/admin/checks/stats", params={"from": "2026-11-01", "to": "2026-11-30"})
    assert stats.status_code == 200 and "许可已办结" in stats.text and "行政许可" in stats.text
    no_csrf = client.post(f"/admin/checks/{check_id}/feedback", data={"item-0-measure": "x"})
    assert no_csrf.status_code == 403


def test_other_departments_and_readers(world: World, client: Any) -> None:
    breach(world)
    check_id = run_check(world, APPROVALS, "licensing", COMPANY)
    _login(world, client, "other", ELSEWHERE, Role.DEPT_CLERK)
    assert client.get(f"/admin/checks/{check_id}").status_code == 404
    assert check_id not in client.get("/admin/checks").text
    _login(world, client, "auditor", CENTRE, Role.AUDITOR)
    page = client.get(f"/admin/checks/{check_id}")
    assert page.status_code == 200 and "保存反馈" not in page.text  # reads, reports nothing
    assert APPROVALS in client.get("/admin/checks/stats").text
