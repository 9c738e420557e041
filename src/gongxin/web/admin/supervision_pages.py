"""/admin/warnings and /admin/linkage: the credit centre's warnings queue (open a warning, see
its rule, legal hook, explanation and evidence, follow it to the subject's graph, assign,
confirm or dismiss) and the linkage review queue (confirm or reject with what agreed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gongxin.clock import local_date
from gongxin.errors import GongxinError
from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.records.gate import Audience
from gongxin.supervision import graph, matches, picture, warning_queue
from gongxin.web.admin.render import render, render_error
from gongxin.web.auth import require_roles
from gongxin.web.deps import CatalogDep, EngineDep, NowDep
from gongxin.web.params import MAX_PAGE, IdPath

router = APIRouter(prefix="/admin", tags=["后台 back office"], include_in_schema=False)
CentreAdmin = Annotated[User, Depends(require_roles(Role.CENTRE_ADMIN))]
STATUS_NAMES = {
    "open": "待处理",
    "assigned": "已分派",
    "confirmed": "已确认",
    "dismissed": "已排除",
}


PAGE_SIZE = 100


@router.get("/warnings")
def warnings_page(
    request: Request,
    engine: EngineDep,
    user: CentreAdmin,
    status: Annotated[str, Query(max_length=10)] = "open",
    rule: Annotated[str | None, Query(max_length=64)] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> HTMLResponse:
    wanted = status if status != "all" else None
    try:
        with engine.connect() as conn:
            found = warning_queue.list_warnings(
                conn, wanted, rule_id=rule or None, limit=PAGE_SIZE + 1,
                offset=(page - 1) * PAGE_SIZE,
            )  # fmt: skip
            per_rule = warning_queue.counts(conn, wanted)
    except GongxinError as exc:
        return render_error(request, exc)
    return render(
        request, "admin/warnings.html", warnings=found[:PAGE_SIZE], shown=status,
        names=STATUS_NAMES, rule=rule or "", per_rule=per_rule, page=page,
        more=len(found) > PAGE_SIZE,
    )  # fmt: skip


@router.get("/warnings/{warning_id}")
def warning_page(
    request: Request, engine: EngineDep, user: CentreAdmin, warning_id: IdPath
) -> HTMLResponse:
    try:
        with engine.connect() as conn:
            found = warning_queue.get(conn, warning_id)
    except GongxinError as exc:
        return render_error(request, exc)
    return render(request, "admin/warning.html", w=found, names=STATUS_NAMES)


@router.post("/warnings/{warning_id}")
def act_on_warning(
    request: Request,
    engine: EngineDep,
    now: NowDep,
    user: CentreAdmin,
    warning_id: IdPath,
    action: Annotated[str, Form(max_length=10)],
    revision: Annotated[int, Form()],
    assignee: Annotated[str, Form(max_length=200)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        with engine.begin() as conn:
            if action == "assign":
                warning_queue.assign(
                    conn, warning_id, revision=revision, assignee=assignee,
                    actor=user.actor, now=now,
                )  # fmt: skip
            elif action == "confirm":
                warning_queue.confirm(
                    conn, warning_id, revision=revision, actor=user.actor, now=now,
                    reason=reason or None,
                )  # fmt: skip
            elif action == "dismiss":
                warning_queue.dismiss(
                    conn, warning_id, revision=revision, actor=user.actor, now=now, reason=reason
                )
            else:
                return RedirectResponse(f"/admin/warnings/{warning_id}", status_code=303)
    except GongxinError as exc:
        return render_error(request, exc)
    return RedirectResponse(f"/admin/warnings/{warning_id}?done={action}", status_code=303)


@router.get("/subjects/{subject_id}/graph")
def graph_page(
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    user: CentreAdmin,
    subject_id: IdPath,
    depth: Annotated[int, Query(le=100)] = 2,
) -> HTMLResponse:
    try:
        with engine.connect() as conn:
            found = graph.neighbourhood(
                conn, catalog, subject_id, local_date(now), Audience.CENTRE, depth=depth
            )
            related = warning_queue.list_warnings(conn, None, subject_id=subject_id)
    except GongxinError as exc:
        return render_error(request, exc)
    return render(
        request, "admin/graph.html", graph=found, picture=picture.lay_out(found),
        warnings=related, names=STATUS_NAMES,
    )  # fmt: skip


@router.get("/linkage")
def linkage_page(
    request: Request, engine: EngineDep, user: CentreAdmin, status: str = "review"
) -> HTMLResponse:
    try:
        with engine.connect() as conn:
            found = matches.list_matches(conn, status)
    except GongxinError as exc:
        return render_error(request, exc)
    return render(request, "admin/linkage.html", matches=found, shown=status)


@router.post("/linkage/{match_id}")
def decide_match(
    request: Request,
    engine: EngineDep,
    now: NowDep,
    user: CentreAdmin,
    match_id: IdPath,
    decision: Annotated[str, Form(max_length=10)],
    revision: Annotated[int, Form()],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        with engine.begin() as conn:
            if decision == "undo":
                matches.undo(
                    conn, match_id, revision=revision, actor=user.actor, now=now, reason=reason
                )
            elif decision in ("confirm", "reject"):
                matches.decide(
                    conn, match_id, "confirm" if decision == "confirm" else "reject",
                    revision=revision, actor=user.actor, now=now, reason=reason or None,
                )  # fmt: skip
    except GongxinError as exc:
        return render_error(request, exc)
    return RedirectResponse(f"/admin/linkage?done={decision}", status_code=303)
