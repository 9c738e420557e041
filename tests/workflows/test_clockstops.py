"""What moves a deadline after filing: the department's one extension (with reasons, within the
jurisdiction's limit) and the pauses of the clock the jurisdiction allows (河南: tests, expert
review), counted in statutory working days with 调休 (Sat 10 Oct 2026 is worked)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from gongxin.catalog.registry import load_catalog
from gongxin.db.workflow_tables import applications, outbox
from gongxin.errors import Conflict, InvalidInput
from gongxin.identity import accounts, sessions
from gongxin.identity.roles import Role
from gongxin.settings import Settings
from gongxin.web import deps
from gongxin.web.app import create_app
from gongxin.web.auth import SESSION_COOKIE
from gongxin.workflows import applications as apps
from gongxin.workflows import backoffice, clockstops, deadline_watch, decision_doc
from gongxin.workflows.applications import Filed
from gongxin.workflows.deadlines import jurisdiction
from tests.intake.helpers import PROVIDER, Store
from tests.support.http import TestClient
from tests.workflows.repair_helpers import add_penalty, decide, file, filing, lookup, noon

FILED = date(2026, 9, 28)  # Mon; 1–7 Oct National Day, Sat 10 Oct worked
WHO: dict[str, Any] = {"actor": "user:7", "department_id": None}


def file_under(store: Store, rid: int, rules: str, as_of: date = FILED) -> Filed:
    with store.engine.begin() as conn:
        return apps.file(
            conn, load_catalog(), filing(rid, kind="objection"), [], rules=jurisdiction(rules),
            var_dir=store.folder / "var", max_bytes=10_000, max_count=1, as_of=as_of,
            now=noon(as_of),
        )  # fmt: skip


def row_of(store: Store, app_id: int) -> Any:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(applications).where(applications.c.id == app_id)).one()


def step(store: Store, fn: Any, *args: Any, on: date, **kw: Any) -> Any:
    with store.engine.begin() as conn:
        return fn(conn, *args, **WHO, as_of=on, now=noon(on), **kw)


def test_the_extension_is_taken_once_with_reasons(store: Store) -> None:
    rid = add_penalty(store, 81, "2026-09-01")
    filed = file(store, filing(rid, kind="objection"), date(2026, 9, 30), [])
    assert filed.due_on == date(2026, 10, 13)  # 5 wd: 8, 9, 10 (Sat, 调休), 12, 13 Oct
    with pytest.raises(InvalidInput, match="理由"):
        step(store, clockstops.extend, filed.id, "  ", on=date(2026, 10, 9))
    with pytest.raises(InvalidInput, match="1 至 15"):
        step(store, clockstops.extend, filed.id, "案情复杂", days=16, on=date(2026, 10, 9))
    due = step(store, clockstops.extend, filed.id, "需向多个部门核实", on=date(2026, 10, 9))
    assert due == date(2026, 11, 3)  # 5 + 15 working days from 30 Sep
    with pytest.raises(Conflict, match="已延长过一次"):
        step(store, clockstops.extend, filed.id, "再延长", days=1, on=date(2026, 10, 12))
    shown = lookup(store, filed.code)
    assert shown["due_on"] == date(2026, 11, 3) and shown["extended_days"] == 15
    assert shown["extension_reason"] == "需向多个部门核实"
    assert "延长期限</th><td>15 个工作日：需向多个部门核实" in decision_doc.to_html(shown)
    with store.engine.connect() as conn:
        (waiting,) = backoffice.queue(conn, department_id=None, as_of=date(2026, 10, 14))
        told = conn.execute(sa.select(outbox.c.subject).order_by(outbox.c.id)).scalars().all()
    assert waiting.extended == 15 and waiting.left == 14 and not waiting.overdue
    assert any("延长至 2026-11-03" in s for s in told)  # the applicant is told
    with store.engine.begin() as conn:  # no escalation on the old deadline
        assert deadline_watch.watch(conn, as_of=date(2026, 10, 14), now=noon(FILED)) == {
            "reminded": 0, "escalated": 0,
        }  # fmt: skip


def test_no_extension_where_the_rules_give_none_nor_once_overdue(store: Store) -> None:
    henan = file_under(store, add_penalty(store, 82, "2026-09-01"), "henan")
    with pytest.raises(InvalidInput, match="河南省社会信用条例没有规定"):
        step(store, clockstops.extend, henan.id, "案情复杂", on=FILED)
    late = file(store, filing(add_penalty(store, 83, "2026-09-01"), kind="objection"), FILED, [])
    with pytest.raises(Conflict, match=r"已于 .* 到期"):
        step(store, clockstops.extend, late.id, "案情复杂", on=late.due_on + timedelta(days=1))
    decide(store, late.id, "upheld", late.due_on)
    with pytest.raises(Conflict, match="已办结"):
        step(store, clockstops.extend, late.id, "案情复杂", on=late.due_on)


def test_henan_pause_stands_the_clock_still_over_the_holiday(store: Store) -> None:
    rid = add_penalty(store, 84, "2026-09-01")
    filed = file_under(store, rid, "henan")
    assert filed.due_on == date(2026, 10, 13)  # 7 wd: 29, 30 Sep, 8, 9, 10, 12, 13 Oct
    with pytest.raises(InvalidInput, match="expert_review"):
        step(store, clockstops.pause, filed.id, "补正", "等待材料", on=date(2026, 9, 29))
    step(store, clockstops.pause, filed.id, "expert_review", "组织专家评审", on=date(2026, 9, 29))
    with pytest.raises(Conflict, match="已中止计时"):
        step(store, clockstops.pause, filed.id, "test", "送检", on=date(2026, 9, 30))
    # paused: the countdown stands as on 29 Sep, nothing is overdue or escalated on 14 Oct
    with store.engine.begin() as conn:
        (waiting,) = backoffice.queue(conn, department_id=None, as_of=date(2026, 10, 14))
        assert deadline_watch.watch(conn, as_of=date(2026, 10, 14), now=noon(FILED)) == {
            "reminded": 0, "escalated": 0,
        }  # fmt: skip
        (figures,) = backoffice.stats(conn, department_id=None, as_of=date(2026, 10, 14))
    assert waiting.left == 6 and waiting.paused_since == date(2026, 9, 29)
    assert not waiting.overdue and figures.overdue == 0
    assert lookup(store, filed.code)["paused_since"] == date(2026, 9, 29)
    # resumed on the 调休 Saturday: 30 Sep, 8, 9 and 10 Oct are not counted (4 wd)
    due = step(store, clockstops.resume, filed.id, on=date(2026, 10, 10))
    assert due == date(2026, 10, 19)
    shown = lookup(store, filed.code)
    assert shown["paused_since"] is None and shown["paused_days"] == 4
    assert shown["due_on"] == date(2026, 10, 19)
    with pytest.raises(Conflict, match="未中止计时"):
        step(store, clockstops.resume, filed.id, on=date(2026, 10, 12))


def test_a_decision_ends_a_pause_and_national_rules_allow_none(store: Store) -> None:
    national = file(store, filing(add_penalty(store, 85, "2026-09-01"), kind="objection"), FILED,
                    [])  # fmt: skip
    with pytest.raises(InvalidInput, match="没有规定“test”计时中止"):
        step(store, clockstops.pause, national.id, "test", "送检", on=FILED)
    henan = file_under(store, add_penalty(store, 86, "2026-09-01"), "henan")
    step(store, clockstops.pause, henan.id, "test", "送检", on=date(2026, 9, 29))
    decide(store, henan.id, "upheld", date(2026, 10, 9))  # 30 Sep, 8, 9 Oct stood still
    row = row_of(store, henan.id)
    assert row.paused_since is None and row.paused_days == 3
    assert row.due_on == date(2026, 10, 16)


def test_back_office_extends_and_shows_it(store: Store, db_url: str) -> None:
    rid = add_penalty(store, 87, "2026-09-01")
    filed = file(store, filing(rid, kind="objection"), date(2026, 9, 30), [])
    today = noon(date(2026, 10, 9))
    app = create_app(Settings(database_url=db_url, var_dir=store.folder / "var"))
    app.dependency_overrides[deps.get_now] = lambda: today
    with TestClient(app) as client:
        with store.engine.begin() as conn:
            user = accounts.add_user(conn, "clerk", department=PROVIDER, roles=[Role.DEPT_CLERK],
                                     password="Correct-Horse-Battery-9", now=today)  # fmt: skip
            made = sessions.create(conn, user, now=today, absolute=timedelta(hours=1))
        client.cookies.set(SESSION_COOKIE, made.token)
        page = client.get(f"/admin/applications/{filed.id}")
        assert "延长期限" in page.text and "至多 15 个工作日" in page.text
        assert "中止计时" not in page.text  # national rules name no pause
        form = {"csrf_token": made.session.csrf_token}
        empty = client.post(f"/admin/applications/{filed.id}/extend", data=form | {"reason": ""})
        assert empty.status_code == 400 and "理由" in empty.text
        done = client.post(f"/admin/applications/{filed.id}/extend", follow_redirects=False,
                           data=form | {"days": "10", "reason": "需向多个部门核实"})  # fmt: skip
        assert done.status_code == 303
        shown = client.get(done.headers["location"]).text
        assert "办理期限已更新" in shown and "已办结" not in shown
        assert "已延长 10 个工作日：需向多个部门核实" in shown and "2026-10-27" in shown
        assert "已延长 10 天" in client.get("/admin/applications").text
        again = client.post(f"/admin/applications/{filed.id}/extend",
                            data=form | {"days": "1", "reason": "再延"})  # fmt: skip
        assert again.status_code == 409 and "已延长过一次" in again.text
        public = client.post("/applications/lookup", data={"code": filed.code})
        assert "已延长 10 个工作日" in public.text and "2026-10-27" in public.text
