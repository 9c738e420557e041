"""/admin/audit: the audit log for auditors and centre admins — newest first, filtered, paged,
with the hash chain's verdict on top, and the same selection as CSV.

Every view and every export is itself appended to the log (action ``audit.read``, the filters
in its detail), so who read the log, and what they looked for, is traceable too.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from gongxin.audit import anchor as audit_anchor
from gongxin.audit import log as audit
from gongxin.audit import query as audit_query
from gongxin.audit.query import Filters
from gongxin.catalog import labels
from gongxin.errors import GongxinError, InvalidInput
from gongxin.identity import departments
from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.web.admin.render import PAGE_HEADERS, render
from gongxin.web.auth import require_roles
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep
from gongxin.web.params import MAX_ID

router = APIRouter(prefix="/admin/audit", tags=["后台 back office"], include_in_schema=False)

Reader = Annotated[User, Depends(require_roles(Role.AUDITOR, Role.CENTRE_ADMIN))]
PAGE_SIZE = 50


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{name}“{value[:20]}”不是日期（YYYY-MM-DD）", f"{name} is not a date YYYY-MM-DD"
        ) from None


def _filters(
    conn: sa.Connection, action: str, actor: str, department: str, since: str, until: str
) -> Filters:
    dept_id = departments.get(conn, department).id if department else None
    return Filters(
        action=action.strip() or None,
        actor=actor.strip() or None,
        department_id=dept_id,
        since=_day(since.strip(), "起始日期"),
        until=_day(until.strip(), "截止日期"),
    )


Text = Annotated[str, Query(max_length=200)]


@router.get("")
def audit_page(
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    settings: SettingsDep,
    user: Reader,
    action: Text = "",
    actor: Text = "",
    department: Text = "",
    since: Annotated[str, Query(alias="from", max_length=20)] = "",
    until: Annotated[str, Query(alias="to", max_length=20)] = "",
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> HTMLResponse:
    error: GongxinError | None = None
    found = None
    with engine.begin() as conn:
        verdict = audit.verify(conn)
        anchored = None
        if audit_anchor.configured(settings):
            try:
                anchored = audit_anchor.check(conn, settings)
            except GongxinError as exc:  # an unreadable key or anchor file is a finding too
                anchored = audit_anchor.AnchorVerdict(False, 0, exc.zh, exc.en)
        depts = departments.all_departments(conn)
        choices = audit_query.actions(conn)
        try:
            filters = _filters(conn, action, actor, department, since, until)
            found = audit_query.page(conn, filters, before=before, size=PAGE_SIZE)
            audit_query.record_read(
                conn, actor=user.actor, department_id=user.department.id, now=now,
                filters=filters, what="page", rows=len(found.entries),
            )  # fmt: skip
        except GongxinError as exc:
            error = exc
    query = {"action": action, "actor": actor, "department": department, "from": since,
             "to": until}  # fmt: skip
    return render(
        request, "admin/audit.html", error.status if error else 200, verdict=verdict,
        anchored=anchored,
        found=found, error=error, departments=depts, names={d.id: d.name for d in depts},
        actions=choices, query=query, detail_json=audit_query.detail_json,
        local_time=audit_query.local_time,
        named=lambda e: labels.of_entry(catalog, e.target, e.detail),
    )  # fmt: skip


@router.get("/export.csv")
def export_csv(
    engine: EngineDep,
    now: NowDep,
    user: Reader,
    action: Text = "",
    actor: Text = "",
    department: Text = "",
    since: Annotated[str, Query(alias="from", max_length=20)] = "",
    until: Annotated[str, Query(alias="to", max_length=20)] = "",
) -> Response:
    """The selection as CSV: the export is noted first, then every entry before that note."""
    with engine.begin() as conn:
        filters = _filters(conn, action, actor, department, since, until)
        seq = audit_query.record_read(
            conn, actor=user.actor, department_id=user.department.id, now=now,
            filters=filters, what="csv",
        )  # fmt: skip
        names = {d.id: d.name for d in departments.all_departments(conn)}

    def chunks() -> Iterator[bytes]:
        with engine.connect() as conn:
            yield from audit_query.csv_chunks(audit_query.matching(conn, filters, below=seq), names)

    stamp = now.strftime("%Y%m%d-%H%M%S")
    headers = {**PAGE_HEADERS, "Content-Disposition": f'attachment; filename="audit-{stamp}.csv"'}
    return StreamingResponse(chunks(), media_type="text/csv; charset=utf-8", headers=headers)
