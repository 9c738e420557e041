"""联合奖惩 API: list types and their public entries, memoranda and measures, scenes (public),
and the credit check (信用核查) for departments' systems (an API key with the check scope)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field, ValidationError

from gongxin import jsonguard
from gongxin.clock import local_date
from gongxin.db.engine import reading
from gongxin.identity.departments import Department
from gongxin.identity.roles import Scope
from gongxin.records.gate import Audience
from gongxin.sanctions import check as checks
from gongxin.sanctions import lists, log, memoranda, quota, scenes, writer
from gongxin.sanctions.match import Item
from gongxin.web import ratelimit
from gongxin.web.api.errors_doc import DEPARTMENT_KEY
from gongxin.web.auth import actor_of, require_scope
from gongxin.web.deps import (
    CatalogDep,
    EngineDep,
    NowDep,
    SettingsDep,
    catalog_of,
    engine_of,
    settings_of,
)
from gongxin.web.params import MAX_PAGE

router = APIRouter(prefix="/api/v1", tags=["联合奖惩 joint reward and punishment"])
CheckerDep = Annotated[Department, Depends(require_scope(Scope.CHECK))]


@router.get("/lists", summary="名单类型 (list types)")
def list_types(catalog: CatalogDep) -> dict[str, Any]:
    """Every list type: its code, name, kind (punish/reward) and the dataset behind it."""
    return {
        "lists": [
            {"code": lt.code, "name": lt.name, "name_en": lt.name_en, "kind": lt.kind,
             "kind_zh": lists.KIND_NAMES[lt.kind], "dataset": lt.dataset, "derived": lt.derived,
             "entries": f"/api/v1/lists/{lt.code}/entries"}
            for lt in lists.list_types(catalog).values()
        ]
    }  # fmt: skip


@router.get("/lists/{list_type}/entries", summary="名单公示 (public entries of a list)")
def list_entries(
    list_type: str,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    settings: SettingsDep,
    page: Annotated[int, Query(le=MAX_PAGE, description="页码 (page, from 1)")] = 1,
    size: Annotated[
        int, Query(le=MAX_PAGE, description=f"每页条数 (1–{lists.MAX_PAGE_SIZE})")
    ] = 20,
) -> dict[str, Any]:
    """Entries the public may see today, newest listing first, personal data masked; ``mark``
    is 异议处理中 while an objection is pending (``GONGXIN_OBJECTION_PUBLIC_MARK``)."""
    lt = lists.get(catalog, list_type)
    as_of = local_date(now)
    with engine.connect() as conn:
        found = lists.public_entries(conn, lt, as_of=as_of, page=page, size=size)
    entries = found.entries
    if not settings.objection_public_mark:
        entries = [e | {"mark": None} for e in entries]
    return {
        "list": lt.code, "name": lt.name, "as_of": as_of, "page": page, "size": size,
        "more": found.more, "entries": entries, "audience": Audience.PUBLIC.value,
    }  # fmt: skip


@router.get("/scenes", summary="应用场景 (scenes of a credit check)")
def scene_list() -> dict[str, Any]:
    return {"scenes": [s.__dict__ for s in scenes.scenes()]}


@router.get("/memoranda", summary="联合奖惩备忘录及措施 (memoranda and measures)")
def memoranda_list(engine: EngineDep, catalog: CatalogDep) -> dict[str, Any]:
    with engine.connect() as conn:
        book = memoranda.book(conn, catalog)
    return {
        "memoranda": [
            {"id": m.id, "title": m.title, "doc_no": m.doc_no, "issued_on": m.issued_on,
             "issuers": list(m.issuers), "list_types": list(m.list_types), "kind": m.kind,
             "note": m.note, "version": m.version, "measures": [x.to_dict() for x in m.measures]}
            for m in book.memoranda
        ]
    }  # fmt: skip


class CheckBody(BaseModel):
    subjects: list[Any] = Field(
        description="统一社会信用代码、注册号、组织机构代码或名称 (codes or names), in order"
    )
    scene: str = Field(description="应用场景名称或代码 (scene name or code), e.g. 政府采购")
    requester: str = Field(description="核查人 (who asks: a person or a system)")
    purpose: str = Field(description="用途 (why: the business matter)")
    as_of: date | None = Field(default=None, description="核查日期 (default: today, China time)")


class CheckAnswer(BaseModel):
    """核查结果 (the answer of a credit check): one result per subject, in the order asked."""

    check_id: str = Field(description="核查编号 (check id), e.g. HC20261122-0A1B2C3D4E")
    scene: str = Field(description="应用场景 (scene name)")
    scene_code: str
    as_of: date
    results: list[dict[str, Any]] = Field(
        description="每个主体的结果 (per subject: query, match, subject, hits, measures, "
        "rewards, explanation; or an error)"
    )


_check_guard = require_scope(Scope.CHECK)


_bearer = DEPARTMENT_KEY


@router.post(
    "/checks",
    summary="信用核查 (credit check of subjects in a scene)",
    response_class=JSONResponse,
    response_model=None,  # serialised once by orjson; the model documents it
    responses={200: {"model": CheckAnswer, "description": "核查结果 (check results)"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": CheckBody.model_json_schema()}},
        }
    },
)
async def run_check(
    request: Request,
    now: NowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Response:
    """One result per subject in order: hits, measures, rewards and an explanation; a malformed
    item carries an error and does not fail the others. The check is logged and audited before
    the answer is sent.

    The hot path of the API, so: the key is checked (``require_scope``, the same guard as every
    route: 401/403 before the body is read), then the body read (at most
    ``check_body_max_bytes``, nested at most ``json_max_depth`` deep; ``CheckBody``, 422 as
    FastAPI gives it) and the check evaluated in a worker-thread call; the log is written by
    the group writer; the answer is serialised once, by orjson."""
    engine = engine_of(request)
    department = await run_in_threadpool(_check_guard, request, engine, now, credentials)
    raw = await request.body()  # only a valid key's body is read (its size capped by BodyLimit)
    req, done, items, charge = await run_in_threadpool(_check, request, now, raw)
    entry = log.Entry(
        done.id, items, done.results, done.scene.code, req.as_of, now, actor_of(request),
        department.id, req.requester, req.purpose,
    )  # fmt: skip
    # charged and logged with the checks of concurrent requests in one transaction; answered
    # once committed (429, nothing counted or logged, when over the key's day quota)
    await asyncio.wrap_future(writer.for_engine(engine).submit(entry, charge))
    return Response(orjson.dumps(done.to_dict()), media_type="application/json")


def _check(
    request: Request, now: datetime, raw: bytes
) -> tuple[checks.Request, checks.Check, list[Item], quota.Charge]:
    engine = engine_of(request)
    try:
        jsonguard.check_depth(raw, settings_of(request).json_max_depth)
        body = CheckBody.model_validate_json(raw)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors, body=raw) from None
    req = checks.Request(
        body.subjects, body.scene, body.requester, body.purpose, body.as_of or local_date(now)
    )
    settings = settings_of(request)
    limit = settings.check_max_subjects
    checks.validate(req, limit)  # a malformed or too large call is refused before it is counted
    limits = quota.Limits(settings.check_rate_per_minute, settings.check_quota_per_day)
    key = request.state.api_key
    quota.pace(ratelimit.window(request, "check_window"), key, limits, now=now)
    with reading(engine) as conn:  # the check's reads; its quota is charged when it is logged
        done, items = checks.evaluate(
            conn, catalog_of(request), req, now=now, max_subjects=limit,
            grade_models=settings.evaluation_models,
        )  # fmt: skip
    charge = quota.Charge(key.id, key.prefix, len(req.subjects), limits.subjects_per_day, now)
    return req, done, items, charge


@router.get("/checks/{check_id}", summary="核查记录 (a logged check of this department)")
def get_check(check_id: str, department: CheckerDep, engine: EngineDep) -> dict[str, Any]:
    """The check as logged: who asked, why, and what each subject got. Only the department
    that ran it may read it."""
    with engine.connect() as conn:
        found = log.get_check(conn, check_id)
    if found["check"].department_id != department.id:
        log.not_found(check_id)
    return {"check": found["check"].__dict__, "results": found["results"]}
