"""/admin/credit-check: a department's clerk checks one subject (by code or name) or a file of
subjects in a scene, reads the result as a page and downloads it as a workbook.

One subject goes through ``sanctions.check.run`` (as ``POST /api/v1/checks``), a file through
``sanctions.files.check_file`` (as ``gongxin check --file``); both are logged and audited, and
the result page reads the log. A subject that could not be checked (a wrong check character,
a name the registry does not know, several subjects of one name) is shown as an error with
its reason, never as 未命中 (no hit).

Each user may run ``GONGXIN_CHECK_RATE_PER_MINUTE`` checks a minute (as an API key may): over
it the answer is a 429 page saying how long to wait, and nothing is run. Result workbooks are
kept ``GONGXIN_CHECK_EXPORT_MAX_AGE_DAYS`` days: older ones are removed when one is written.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path as FilePath
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from gongxin.catalog.registry import Catalog
from gongxin.clock import local_date
from gongxin.errors import Busy, GongxinError, NotFound, RateLimited
from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.sanctions import check, files, log, scenes
from gongxin.sanctions.match import MATCH_NAMES
from gongxin.settings import Settings
from gongxin.web.admin.render import posted_form, render, render_error
from gongxin.web.api.submissions import save_upload
from gongxin.web.auth import require_roles
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep, slots_of
from gongxin.web.ratelimit import hit_user_check

router = APIRouter(prefix="/admin/credit-check", tags=["后台 back office"], include_in_schema=False)

Checker = Annotated[User, Depends(require_roles(Role.DEPT_CLERK, Role.DEPT_ADMIN))]
CheckId = Annotated[str, Path(max_length=40, pattern=r"^HC\d{8}-[0-9A-F]{10}$")]
FILE_TYPES = (".csv", ".txt", ".xlsx")
SHOWN = 500  # results shown on the page; the workbook has them all


def _folder(settings: Settings) -> FilePath:
    folder = settings.var_dir / "exports" / "checks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sweep(folder: FilePath, max_age_days: int, at: float) -> int:
    """Remove the workbooks (and partial files) in ``folder`` last written more than
    ``max_age_days`` before ``at`` (seconds since the epoch); how many were removed."""
    oldest = at - max_age_days * 86_400
    removed = 0
    for path in folder.glob("*.xlsx"):
        try:
            if path.stat().st_mtime < oldest:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # removed meanwhile by another request
            continue
    return removed


def _form(
    request: Request,
    user: User,
    status: int = 200,
    errors: dict[str, str] | None = None,
    sent: dict[str, str] | None = None,
    error: GongxinError | None = None,
) -> HTMLResponse:
    return render(
        request,
        "admin/credit_check.html",
        status,
        scenes=scenes.scenes(),
        errors=errors or {},
        sent=sent or {"requester": user.display_name},
        error=error,
        accept=",".join(FILE_TYPES),
    )


@router.get("")
def check_form(request: Request, user: Checker) -> HTMLResponse:
    return _form(request, user)


def _validate(sent: dict[str, str], upload: UploadFile | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not sent["scene"]:
        errors["scene"] = "请选择应用场景（choose the scene）"
    elif scenes.lookup(sent["scene"]) is None:
        errors["scene"] = f"未知的应用场景：{sent['scene'][:50]}（unknown scene）"
    for name, zh in (("requester", "核查人"), ("purpose", "用途")):
        if not sent[name]:
            errors[name] = f"请填写{zh}（{name} is required）"
        elif len(sent[name]) > 200:
            errors[name] = f"{zh}最多 200 字（at most 200 characters）"
    if upload is None and not sent["subject"]:
        errors["subject"] = "请填写一个主体的代码或名称，或选择主体文件（give a subject or a file）"
    elif upload is not None and sent["subject"]:
        errors["subject"] = "单个主体与主体文件只能二选一（a subject or a file, not both）"
    elif len(sent["subject"]) > 200:
        errors["subject"] = "代码或名称最多 200 字（at most 200 characters）"
    if upload is not None and FilePath(upload.filename or "").suffix.lower() not in FILE_TYPES:
        errors["file"] = (
            f"主体文件须为 CSV、TXT 或 XLSX：{(upload.filename or '')[:80]}"
            "（the file must be .csv, .txt or .xlsx）"
        )
    return errors


@router.post("")
async def run_check(
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    now: NowDep,
    user: Checker,
) -> Response:
    """Check one subject or a file; the answer is the result page (303)."""
    async with posted_form(request) as form:  # the spooled upload closed after
        sent = {
            k: v.strip()[:1000] if isinstance(v := form.get(k), str) else ""
            for k in ("scene", "subject", "requester", "purpose")
        }
        given = form.get("file")
        upload = given if isinstance(given, UploadFile) and given.filename else None
        errors = _validate(sent, upload)
        if errors:
            return _form(request, user, 400, errors, sent)
        try:  # counted once the form is valid, before anything runs
            hit_user_check(request, user.id, user.username, now.timestamp())
        except RateLimited as exc:
            refused = render_error(request, exc)
            refused.headers["Retry-After"] = str(exc.retry_after)
            return refused
        try:
            if upload is None:
                done_id = await run_in_threadpool(
                    _single, _Asked(engine, catalog, settings, now, user, sent)
                )
            else:
                with slots_of(request, "check_files").taken():  # Busy: all slots held
                    asked = _Asked(engine, catalog, settings, now, user, sent)
                    done_id = await _check_file(upload, asked)
        except GongxinError as exc:
            field = "file" if upload is not None else "subject"
            answer = _form(request, user, exc.status, {field: f"{exc.zh}（{exc.en}）"}, sent)
            if isinstance(exc, Busy):
                answer.headers["Retry-After"] = str(exc.retry_after)
            return answer
        await run_in_threadpool(
            sweep, _folder(settings), settings.check_export_max_age_days, time.time()
        )
        return RedirectResponse(f"/admin/credit-check/{done_id}", status_code=303)


@dataclass(frozen=True)
class _Asked:
    """A check asked on the form: the store it runs on, the moment, the user, the form."""

    engine: sa.Engine
    catalog: Catalog
    settings: Settings
    now: datetime
    user: User
    sent: dict[str, str]


async def _check_file(upload: UploadFile, asked: _Asked) -> str:
    """The uploaded file checked; its result workbook kept under the check's id."""
    settings, sent, user = asked.settings, asked.sent, asked.user
    suffix = FilePath(upload.filename or "").suffix.lower()
    saved = await run_in_threadpool(
        save_upload, upload, settings.var_dir / "uploads", settings.upload_max_bytes
    )
    source = saved.rename(saved.with_suffix(suffix))
    part = _folder(settings) / f"{source.stem}.xlsx"
    try:
        done = await run_in_threadpool(
            lambda: files.check_file(
                asked.engine, asked.catalog, source, part, scene=sent["scene"],
                as_of=local_date(asked.now), now=asked.now,
                requester=sent["requester"], purpose=sent["purpose"], actor=user.actor,
                department_id=user.department.id,
            )
        )  # fmt: skip
    finally:
        source.unlink(missing_ok=True)
    part.replace(_folder(settings) / f"{done.id}.xlsx")
    return done.id


def _single(asked: _Asked) -> str:
    """The one subject of the form checked; its result workbook written."""
    sent, now, user, settings = asked.sent, asked.now, asked.user, asked.settings
    req = check.Request([sent["subject"]], sent["scene"], sent["requester"], sent["purpose"],
                        local_date(now))  # fmt: skip
    with asked.engine.begin() as conn:
        done, items = check.evaluate(
            conn, asked.catalog, req, now=now, max_subjects=1,
            grade_models=settings.evaluation_models,
        )  # fmt: skip
        check.record(
            conn, done, items, req, now=now, actor=user.actor, department_id=user.department.id
        )
    files.write_results(done, _folder(settings) / f"{done.id}.xlsx")
    return done.id


def _own(engine: sa.Engine, user: User, check_id: str) -> dict[str, Any]:
    with engine.connect() as conn:
        found = log.get_check(conn, check_id, limit=SHOWN)
    if found["check"].department_id != user.department.id:
        log.not_found(check_id)  # another department's check is not shown, nor said to exist
    return found


@router.get("/{check_id}")
def result_page(check_id: CheckId, request: Request, engine: EngineDep, user: Checker) -> Response:
    try:
        found = _own(engine, user, check_id)
    except NotFound as exc:
        return render_error(request, exc)
    summary = found["check"]
    return render(
        request,
        "admin/credit_check_result.html",
        c=summary,
        results=found["results"],
        scene=scenes.by_code(summary.scene).name,
        match_names=MATCH_NAMES,
        shown=SHOWN,
    )


@router.get("/{check_id}/workbook.xlsx")
def workbook(
    check_id: CheckId, request: Request, engine: EngineDep, settings: SettingsDep, user: Checker
) -> Response:
    try:
        _own(engine, user, check_id)
        path = _folder(settings) / f"{check_id}.xlsx"
        if not re.fullmatch(r"HC\d{8}-[0-9A-F]{10}", check_id) or not path.is_file():
            raise NotFound(
                f"核查 {check_id} 的结果文件已不在服务器上", f"the workbook of {check_id} is gone"
            )
    except NotFound as exc:
        return render_error(request, exc)
    return FileResponse(
        path,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=f"核查结果-{check_id}.xlsx",
    )
