"""/admin/requests: conditional-sharing requests — my department's, and those it must answer
(overdue ones flagged), with approve/refuse forms for provider admins and the centre, and the
form by which a department asks for a dataset (/admin/requests/new, the same service as
``POST /api/v1/exchange/requests``). Datasets and fields are shown by their Chinese names,
personal-data fields flagged.

Centre admins also get the centre's overview: every provider's pending requests, overdue ones
first, which the credit centre may answer in the provider's stead."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from gongxin import clock
from gongxin.catalog import labels, providers
from gongxin.catalog.registry import Catalog
from gongxin.errors import GongxinError, InvalidInput
from gongxin.exchange import sharing_requests
from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.web.admin.render import render
from gongxin.web.auth import require_roles
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep
from gongxin.web.params import SmallIdPath

router = APIRouter(prefix="/admin/requests", tags=["后台 back office"], include_in_schema=False)

Anyone = Annotated[User, Depends(require_roles(*Role))]
Decider = Annotated[User, Depends(require_roles(Role.CENTRE_ADMIN, Role.DEPT_ADMIN))]
Requester = Annotated[User, Depends(require_roles(Role.DEPT_CLERK, Role.DEPT_ADMIN))]
DONE = {
    "approved": "已同意申请，授权已生效",
    "refused": "已拒绝申请",
    "submitted": "申请已提交，等待提供部门答复",
}


def _labels(catalog: Catalog, items: list[sharing_requests.Request]) -> dict[int, object]:
    """Per request: its fields by Chinese name, personal-data fields flagged."""
    return {r.id: labels.field_labels(catalog, r.dataset, list(r.fields)) for r in items}


def _page(
    request: Request,
    engine: EngineDep,
    catalog: Catalog,
    user: User,
    now: datetime,
    status: int = 200,
    error: GongxinError | None = None,
    done: str = "",
) -> HTMLResponse:
    today = clock.local_date(now)
    centre_view = user.has(Role.CENTRE_ADMIN)
    with engine.connect() as conn:
        mine = sharing_requests.listing(conn, catalog, user.department, "mine")
        to_decide = sharing_requests.listing(conn, catalog, user.department, "to_decide")
        every: list[sharing_requests.Request] = []
        if centre_view:  # every provider's pending requests, the overdue ones first
            every = sorted(sharing_requests.pending(conn), key=lambda r: (r.deadline, r.id))
            to_decide = [r for r in to_decide if r.stored_status != "pending"]
        shown = {r.dataset for r in [*every, *to_decide]}
        provider_names = {
            d: "、".join(p.name for p in providers.providers_of(conn, d)) for d in shown
        }
        decidable = {d for d in shown if providers.may_decide(conn, user.department, d)}
    return render(
        request,
        "admin/requests.html",
        status,
        dataset_names={spec.code: spec.name for spec in catalog.specs()},
        field_labels=_labels(catalog, [*mine, *to_decide, *every]),
        may_request=user.has(Role.DEPT_CLERK, Role.DEPT_ADMIN) and not centre_view,
        mine=mine,
        to_decide=to_decide,
        every=every,
        centre_view=centre_view,
        provider_names=provider_names,
        decidable=decidable,
        own_id=user.department.id,  # nobody answers their own request: no form for those
        today=today,
        may_decide=user.has(Role.CENTRE_ADMIN, Role.DEPT_ADMIN),
        names=sharing_requests.STATUS_NAMES,
        error=error,
        done=DONE.get(done, ""),
    )


@router.get("")
def requests_page(
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    user: Anyone,
    done: Annotated[str, Query()] = "",
) -> HTMLResponse:
    return _page(request, engine, catalog, user, now, done=done)


def _requestable(catalog: Catalog) -> list[object]:
    return [spec for spec in catalog.specs() if spec.share_type == "有条件"]


def _form(
    request: Request,
    catalog: Catalog,
    user: User,
    now: datetime,
    sent: dict[str, object],
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    dataset = str(sent.get("dataset") or "")
    spec = catalog.get(dataset) if dataset in catalog else None
    today = clock.local_date(now)
    return render(
        request,
        "admin/request_form.html",
        status,
        datasets=_requestable(catalog),
        spec=spec,
        fields=labels.all_fields(catalog, dataset) if spec is not None else [],
        sent={"period_start": today.isoformat(),
              "period_end": (today + timedelta(days=365)).isoformat(), **sent},
        errors=errors or {},
    )  # fmt: skip


@router.get("/new")
def request_form(
    request: Request,
    catalog: CatalogDep,
    now: NowDep,
    user: Requester,
    dataset: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    """Step 1: choose the dataset; step 2 (``?dataset=``): its fields, purpose and period."""
    return _form(request, catalog, user, now, {"dataset": dataset})


def _day(text: str, name: str, zh: str, errors: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = f"{zh}须为日期 YYYY-MM-DD：“{text[:20]}”（{name} must be a date）"
        return None


@router.post("")
async def submit_request(
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    now: NowDep,
    user: Requester,
) -> Response:
    """File the request (validated here and by the service; errors shown at their field)."""
    form = await request.form()
    text = {
        k: v.strip()[:4000] if isinstance(v := form.get(k), str) else ""
        for k in ("dataset", "purpose", "period_start", "period_end")
    }
    fields = [f for f in form.getlist("fields") if isinstance(f, str)][:500]
    sent: dict[str, object] = {**text, "fields": fields}
    errors: dict[str, str] = {}
    if text["dataset"] not in catalog:
        errors["dataset"] = "请选择数据集（choose a dataset）"
    if not fields:
        errors["fields"] = "请至少勾选一个字段（request at least one field）"
    if not text["purpose"]:
        errors["purpose"] = "请写明用途（state the purpose）"
    start = _day(text["period_start"], "period_start", "开始日", errors)
    end = _day(text["period_end"], "period_end", "结束日", errors)
    if errors or start is None or end is None:
        return _form(request, catalog, user, now, sent, 400, errors)

    def answer() -> Response:  # in the thread pool: the store may wait for its write lock
        try:
            with engine.begin() as conn:
                sharing_requests.submit(
                    conn, catalog, user.department, dataset=text["dataset"],
                    purpose=text["purpose"], fields=fields, period_start=start, period_end=end,
                    now=now, reply_days=settings.exchange_reply_working_days, actor=user.actor,
                )  # fmt: skip
        except InvalidInput as exc:
            where = str(exc.details.get("field") or "dataset")
            return _form(
                request, catalog, user, now, sent, exc.status, {where: f"{exc.zh}（{exc.en}）"}
            )
        return RedirectResponse("/admin/requests?done=submitted", status_code=303)

    return await run_in_threadpool(answer)


@router.post("/{request_id}/approve")
def approve(
    request_id: SmallIdPath,
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    user: Decider,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        sharing_requests.decide(
            engine,
            lambda conn: sharing_requests.approve(
                conn, request_id, user.department, now=now, actor=user.actor, note=note
            ),
            now=now,
            actor=user.actor,
        )
    except GongxinError as exc:
        return _page(request, engine, catalog, user, now, exc.status, exc)
    return RedirectResponse("/admin/requests?done=approved", status_code=303)


@router.post("/{request_id}/refuse")
def refuse(
    request_id: SmallIdPath,
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    user: Decider,
    reasons: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        sharing_requests.decide(
            engine,
            lambda conn: sharing_requests.refuse(
                conn, request_id, user.department, reasons=reasons, now=now, actor=user.actor
            ),
            now=now,
            actor=user.actor,
        )
    except GongxinError as exc:
        return _page(request, engine, catalog, user, now, exc.status, exc)
    return RedirectResponse("/admin/requests?done=refused", status_code=303)
