"""/admin/monitoring: the credit centre's monitoring dashboard — every panel, the centre-only
scorecards included, each chart with its table and CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.monitoring import panels, rules
from gongxin.web.admin.render import render
from gongxin.web.auth import require_roles
from gongxin.web.deps import EngineDep, SettingsDep
from gongxin.web.portal.monitoring_pages import csv_response

router = APIRouter(prefix="/admin/monitoring", tags=["后台 back office"], include_in_schema=False)
CentreAdmin = Annotated[User, Depends(require_roles(Role.CENTRE_ADMIN))]


@router.get("")
def monitoring_page(
    request: Request, engine: EngineDep, settings: SettingsDep, user: CentreAdmin
) -> HTMLResponse:
    ruleset = rules.load(settings.monitoring_rules)
    with engine.connect() as conn:
        board = panels.dashboard(conn, ruleset, "centre")
    return render(request, "admin/monitoring.html", board=board, csv_base="/admin/monitoring")


@router.get("/{code}.csv", response_class=Response)
def monitoring_csv(
    code: str, engine: EngineDep, settings: SettingsDep, user: CentreAdmin
) -> Response:
    ruleset = rules.load(settings.monitoring_rules)
    with engine.connect() as conn:
        panel = panels.panel(conn, ruleset, "centre", code)
        board = panels.dashboard(conn, ruleset, "centre")
    return csv_response(panel, board.as_of.isoformat() if board.as_of else "")
