"""/admin/industry-evaluations: the evaluating organisation's rounds in the back office.

An evaluator's users (role ``evaluator``) open rounds, record applications and their materials,
grade or reject them, start the 公示, watch objections (decided in /admin/applications by
their clerks) and publish; they review certificates yearly and acknowledge automatic
revocations. The credit centre's admins may act on every round; auditors read. The same
service functions as the CLI (gongxin.market).
"""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gongxin.clock import local_date
from gongxin.errors import Forbidden, GongxinError, InvalidInput
from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.market import certificate_status, evaluation_publicity, evaluation_round
from gongxin.market import evaluation_evaluators as evaluators
from gongxin.market.evaluation_round import Actor
from gongxin.market.evaluation_rules import rules
from gongxin.web.admin.render import render
from gongxin.web.auth import require_roles
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep
from gongxin.web.params import IdPath

router = APIRouter(
    prefix="/admin/industry-evaluations", tags=["后台 back office"], include_in_schema=False
)
READERS = (Role.EVALUATOR, Role.CENTRE_ADMIN, Role.AUDITOR)
Reader = Annotated[User, Depends(require_roles(*READERS))]
Doer = Annotated[User, Depends(require_roles(Role.EVALUATOR, Role.CENTRE_ADMIN))]
HOME = "/admin/industry-evaluations"


def _actor(user: User) -> Actor:
    """The centre's admins act on any round (department None); evaluators on their own."""
    centre = Role.CENTRE_ADMIN in user.roles
    return Actor(user.actor, None if centre else user.department.id)


def _mine(conn: sa.Connection, user: User) -> evaluators.Evaluator | None:
    if user.roles & {Role.CENTRE_ADMIN, Role.AUDITOR}:
        return None
    return evaluators.by_department(conn, user.department.id)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}


# the posted form's text fields, read on the event loop; the handlers that take them are plain
# functions, run in the thread pool (their writes may wait for the store's write lock)
Sent = Annotated[dict[str, str], Depends(_form)]


def _int(sent: dict[str, str], name: str, zh: str, default: int | None = None) -> int:
    text = sent.get(name, "")
    if not text and default is not None:
        return default
    if not text.isdigit() or len(text) > 6:
        raise InvalidInput(
            f"{zh}（{name}）须为整数，收到“{text[:10]}”",
            f"{name} must be a whole number, not {text[:10]!r}",
            field=name,
        )
    return int(text)


def _home(
    request: Request,
    engine: sa.Engine,
    settings: Any,
    now: Any,
    user: User,
    error: GongxinError | None = None,
    status: int = 200,
) -> HTMLResponse:
    as_of = local_date(now)
    with engine.connect() as conn:
        try:
            mine = _mine(conn, user)
        except Forbidden as exc:
            return render(
                request,
                "admin/rating_home.html",
                status,
                org=None,
                refused=exc,
                rounds=[],
                flagged=[],
                reviews=[],
                orgs=[],
                error=error,
            )
        org_id = mine.id if mine else None
        found = evaluation_round.rounds(conn, evaluator_id=org_id)
        flagged = certificate_status.flagged(conn, org_id)
        reviews = certificate_status.due_reviews(conn, org_id, as_of)
        orgs = evaluators.all_evaluators(conn) if mine is None else [mine]
    r = rules(settings.evaluation_rules)
    return render(
        request,
        "admin/rating_home.html",
        status,
        org=mine,
        refused=None,
        rounds=found,
        flagged=flagged,
        reviews=reviews,
        orgs=orgs,
        error=error,
        as_of=as_of,
        rules=r,
        may_act=user.has(Role.EVALUATOR, Role.CENTRE_ADMIN),
    )


@router.get("")
def home_page(
    request: Request, engine: EngineDep, settings: SettingsDep, now: NowDep, user: Reader
) -> HTMLResponse:
    return _home(request, engine, settings, now, user)


@router.post("/rounds")
def create_form(
    request: Request, engine: EngineDep, settings: SettingsDep, now: NowDep, user: Doer, sent: Sent
) -> Response:
    r = rules(settings.evaluation_rules)
    try:
        year = _int(sent, "year", "评价年度")
        days = _int(sent, "publicity_days", "公示天数", r.publicity_days)
        with engine.begin() as conn:
            mine = _mine(conn, user)
            org_id = mine.id if mine else _int(sent, "evaluator_id", "评价机构")
            round_id = evaluation_round.create_round(
                conn,
                r,
                evaluator_id=org_id,
                year=year,
                title=sent.get("title", ""),
                actor=_actor(user),
                now=now,
                publicity_days=days,
                publicity_day_kind=sent.get("publicity_day_kind") or None,
            )
    except GongxinError as exc:
        return _home(request, engine, settings, now, user, exc, exc.status)
    return RedirectResponse(f"{HOME}/rounds/{round_id}", status_code=303)


def _round_page(
    request: Request,
    engine: sa.Engine,
    user: User,
    round_id: int,
    as_of: Any,
    status: int = 200,
    error: GongxinError | None = None,
) -> HTMLResponse:
    with engine.connect() as conn:
        if Role.AUDITOR in user.roles and Role.CENTRE_ADMIN not in user.roles:
            rnd = evaluation_round.get_round(conn, round_id)
        else:
            rnd = evaluation_round.own_round(conn, round_id, _actor(user))
        org = evaluators.get(conn, rnd.evaluator_id)
        found = evaluation_round.entries(conn, rnd.id)
        objections = evaluation_publicity.objections(conn, rnd.id)
    return render(
        request,
        "admin/rating_round.html",
        status,
        round=rnd,
        org=org,
        entries=found,
        objections=objections,
        publicity=evaluation_publicity.status(rnd, as_of),
        error=error,
        state_zh=evaluation_round.ROUND_STATES[rnd.state],
        as_of=as_of,
        may_act=user.has(Role.EVALUATOR, Role.CENTRE_ADMIN),
    )


@router.get("/rounds/{round_id}")
def round_page(
    round_id: IdPath, request: Request, engine: EngineDep, now: NowDep, user: Reader
) -> HTMLResponse:
    return _round_page(request, engine, user, round_id, local_date(now))


def _step(
    step: str,
    target: int,
    request: Request,
    engine: sa.Engine,
    catalog: Any,
    settings: Any,
    now: Any,
    user: User,
    sent: dict[str, str],
) -> Response:
    """One evaluator's step on a round (``target`` a round id) or an entry (an entry id)."""
    as_of, actor, r = local_date(now), _actor(user), rules(settings.evaluation_rules)
    round_id = target
    try:
        with engine.begin() as conn:
            if step not in ("apply", "publicity", "publish"):
                round_id = evaluation_round.get_entry(conn, target).round_id
            if step == "apply":
                materials = [
                    {"name": line.strip()} for line in sent.get("materials", "").splitlines()
                ]
                evaluation_round.apply(
                    conn,
                    target,
                    company=sent.get("company", ""),
                    code=sent.get("uscc", ""),
                    materials=materials,
                    actor=actor,
                    now=now,
                )
            elif step == "grade":
                evaluation_round.grade(
                    conn,
                    r,
                    target,
                    sent.get("grade", ""),
                    actor=actor,
                    now=now,
                    score=sent.get("score") or None,
                )
            elif step == "reject":
                evaluation_round.reject(conn, target, sent.get("reason", ""), actor=actor, now=now)
            elif step == "publicity":
                evaluation_publicity.start(conn, catalog, target, actor=actor, as_of=as_of, now=now)
            elif step == "publish":
                evaluation_publicity.publish(
                    conn, catalog, r, target, actor=actor, as_of=as_of, now=now
                )
            elif step == "review":
                certificate_status.review(
                    conn,
                    catalog,
                    r,
                    target,
                    sent.get("outcome", ""),
                    actor=actor,
                    as_of=as_of,
                    now=now,
                    grade=sent.get("grade", ""),
                    note=sent.get("note", ""),
                )
            else:
                certificate_status.acknowledge(conn, target, actor=actor, now=now)
    except GongxinError as exc:
        if exc.status == 404:
            raise
        if step in ("review", "acknowledge"):
            return _home(request, engine, settings, now, user, exc, exc.status)
        return _round_page(request, engine, user, round_id, as_of, exc.status, exc)
    if step in ("review", "acknowledge"):
        return RedirectResponse(HOME, status_code=303)
    return RedirectResponse(f"{HOME}/rounds/{round_id}", status_code=303)


def _route(path: str, step: str, doc: str) -> None:
    def form(
        target: IdPath,
        request: Request,
        engine: EngineDep,
        catalog: CatalogDep,
        settings: SettingsDep,
        now: NowDep,
        user: Doer,
        sent: Sent,
    ) -> Response:
        return _step(step, target, request, engine, catalog, settings, now, user, sent)

    form.__name__ = form.__qualname__ = f"{step}_form"
    form.__doc__ = doc
    router.post(path.replace("{id}", "{target}"))(form)


_route("/rounds/{id}/entries", "apply", "企业申报: a company's application with its materials.")
_route("/rounds/{id}/publicity", "publicity", "开始公示: graded results become public records.")
_route("/rounds/{id}/publish", "publish", "发布结果: after the 公示, with no open objection.")
_route("/entries/{id}/grade", "grade", "评定等级: one of the nine grades.")
_route("/entries/{id}/reject", "reject", "初审不通过, with the reason.")
_route("/entries/{id}/review", "review", "年审: pass, downgrade or cancel.")
_route("/entries/{id}/acknowledge", "acknowledge", "确认已知悉自动撤销.")
