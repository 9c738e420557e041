"""/admin/checks: credit checks awaiting feedback, the feedback form, and the statistics.

A department's clerks and admins see their department's checks and report which measures they
applied (the same service as ``POST /api/v1/checks/{id}/feedback``); the credit centre's admins
and auditors read every department's checks and figures but report nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from gongxin.clock import local_date
from gongxin.errors import GongxinError, InvalidInput
from gongxin.identity import departments
from gongxin.identity.accounts import User
from gongxin.identity.departments import Department
from gongxin.identity.roles import Role
from gongxin.sanctions import check_stats, feedback
from gongxin.sanctions.scenes import by_code
from gongxin.web.admin.render import render
from gongxin.web.auth import require_roles
from gongxin.web.deps import EngineDep, NowDep

router = APIRouter(prefix="/admin/checks", tags=["后台 back office"], include_in_schema=False)

READERS = (Role.CENTRE_ADMIN, Role.AUDITOR, Role.DEPT_ADMIN, Role.DEPT_CLERK)
Reader = Annotated[User, Depends(require_roles(*READERS))]
Reporter = Annotated[User, Depends(require_roles(Role.DEPT_CLERK, Role.DEPT_ADMIN))]


def _sees_all(user: User) -> bool:
    return bool(user.roles & {Role.CENTRE_ADMIN, Role.AUDITOR})


def _viewer(user: User) -> Department | None:
    """Whose checks the user reads: None for the centre's admins and auditors (all)."""
    return None if _sees_all(user) else user.department


def _scene(code: str) -> str:
    try:
        return by_code(code).name
    except KeyError:
        return code


@router.get("")
def awaiting_page(request: Request, engine: EngineDep, user: Reader) -> HTMLResponse:
    viewer = _viewer(user)
    with engine.connect() as conn:
        found = feedback.awaiting(conn, department_id=viewer.id if viewer else None)
    return render(request, "admin/checks.html", checks=found, scene=_scene, sees_all=viewer is None)


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{name}“{value[:20]}”不是日期（YYYY-MM-DD）", f"{name} is not a date YYYY-MM-DD"
        ) from None


@router.get("/stats")
def stats_page(
    request: Request,
    engine: EngineDep,
    now: NowDep,
    user: Reader,
    since: Annotated[str, Query(alias="from")] = "",
    until: Annotated[str, Query(alias="to")] = "",
    department: Annotated[str, Query()] = "",
) -> HTMLResponse:
    """Figures by scene, department and measure; a department's users see their own."""
    error: GongxinError | None = None
    found = None
    with engine.connect() as conn:
        depts = departments.all_departments(conn) if _sees_all(user) else []
        try:
            first, last = check_stats.period(
                _day(since, "起始日期"), _day(until, "截止日期"), local_date(now)
            )
            if not _sees_all(user):
                dept_id: int | None = user.department.id
            else:
                dept_id = departments.get(conn, department).id if department else None
            found = check_stats.stats(conn, since=first, until=last, department_id=dept_id)
        except GongxinError as exc:
            error = exc
    return render(
        request, "admin/check_stats.html", 400 if error else 200, stats=found, error=error,
        departments=depts, chosen=department, since=since, until=until,
    )  # fmt: skip


def _detail(
    request: Request,
    engine: EngineDep,
    user: User,
    check_id: str,
    status: int = 200,
    error: GongxinError | None = None,
    done: str = "",
    sent: dict[str, Any] | None = None,
) -> HTMLResponse:
    with engine.connect() as conn:
        found = feedback.with_feedback(conn, check_id, department=_viewer(user))
    summary = found["check"]
    may_report = (
        bool(user.roles & {Role.DEPT_CLERK, Role.DEPT_ADMIN})
        and summary.department_id == user.department.id
    )
    pairs = [
        (r, m)
        for r in found["results"]
        for m in r["measures"]
        if isinstance(m, dict) and m.get("id")
    ]
    given = {(r["position"], f["measure_id"]): f for r in found["results"] for f in r["feedback"]}
    return render(
        request, "admin/check.html", status, check=summary, results=found["results"],
        pairs=pairs, given=given, scene=_scene(summary.scene), may_report=may_report,
        error=error, done=done, sent=sent or {},
    )  # fmt: skip


@router.get("/{check_id}")
def check_page(
    check_id: str,
    request: Request,
    engine: EngineDep,
    user: Reader,
    done: Annotated[str, Query()] = "",
) -> HTMLResponse:
    return _detail(request, engine, user, check_id, done="反馈已保存" if done else "")


@router.post("/{check_id}/feedback")
async def report_feedback(
    check_id: str, request: Request, engine: EngineDep, now: NowDep, user: Reporter
) -> Response:
    """The form's answers: per measure 已执行 / 未执行 (with reason) / left for later."""
    form = await request.form()
    sent = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    operator = sent.get("operator", "").strip() or user.display_name
    doc_no = sent.get("doc_no", "").strip() or None
    items: list[dict[str, Any]] = []
    i = 0
    while f"item-{i}-measure" in sent:
        choice = sent.get(f"item-{i}-choice", "")
        if choice in ("applied", "not"):
            position = sent.get(f"item-{i}-position", "")
            items.append({
                "position": int(position) if _small_number(position) else position,
                "measure_id": sent[f"item-{i}-measure"], "applied": choice == "applied",
                "reason": sent.get(f"item-{i}-reason", "").strip() or None,
                "doc_no": doc_no, "operator": operator,
            })  # fmt: skip
        i += 1

    def answer() -> Response:  # in the thread pool: the store may wait for its write lock
        try:
            with engine.begin() as conn:
                feedback.report(
                    conn, check_id,
                    [{k: v for k, v in it.items() if v is not None} for it in items],
                    department=user.department, now=now, actor=user.actor,
                )  # fmt: skip
        except InvalidInput as exc:
            return _detail(request, engine, user, check_id, 400, error=exc, sent=sent)
        return RedirectResponse(f"/admin/checks/{check_id}?done=1", status_code=303)

    return await run_in_threadpool(answer)


def _small_number(text: str) -> bool:
    """ASCII digits of a plausible position (``'²'`` is a digit to ``isdigit`` but not to
    ``int``); anything else stays text, which the report refuses naming the item."""
    return text.isascii() and text.isdigit() and len(text) <= 9
