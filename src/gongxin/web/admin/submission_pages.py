"""/admin/submissions: a department's clerk uploads data files (several at once), reads each
file's summary as ``gongxin ingest`` prints it, lists the department's submissions, downloads
a submission's reject workbook and resubmits the corrected file.

Every upload goes through the same functions as ``POST /api/v1/submissions``
(``save_upload`` with ``upload_max_bytes`` per file, then ``intake.pipeline.ingest``), so the
same file gets the same summary or the same error in the browser as in the API and the CLI.
A file's error does not stop the other files of the upload.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile

from gongxin.catalog.registry import Catalog
from gongxin.errors import Busy, GongxinError
from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.intake import history
from gongxin.intake.pipeline import Summary, get_submission, ingest
from gongxin.intake.readers.limits import ReadLimits
from gongxin.intake.rejects import export, warnings_of
from gongxin.settings import Settings
from gongxin.web.admin.render import dataset_listing, posted_form, render, render_error
from gongxin.web.api.submissions import save_upload
from gongxin.web.auth import require_roles
from gongxin.web.body_limit import UPLOAD_FILES
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep, slots_of
from gongxin.web.params import MAX_PAGE

router = APIRouter(prefix="/admin/submissions", tags=["后台 back office"], include_in_schema=False)

READERS = (Role.DEPT_CLERK, Role.DEPT_ADMIN, Role.CENTRE_ADMIN)
Reader = Annotated[User, Depends(require_roles(*READERS))]
Submitter = Annotated[User, Depends(require_roles(Role.DEPT_CLERK, Role.DEPT_ADMIN))]
PAGE_SIZE = 50
ACCEPT = ".csv,.xlsx,.xls,.json,.jsonl,.txt"


@dataclass(frozen=True)
class Outcome:
    """One uploaded file: its summary, or the error that stopped it."""

    file_name: str
    summary: Summary | None
    error: GongxinError | None


def _upload_form(settings: Settings, user: User) -> dict[str, Any]:
    """What the upload form (the listing's) and the resubmit form (a submission's) show: the
    file types taken, the size limit per file, whether the user may submit at all."""
    return {
        "accept": ACCEPT,
        "max_size": settings.upload_max_bytes,
        "may_submit": user.has(Role.DEPT_CLERK, Role.DEPT_ADMIN),
    }


def _page(
    request: Request,
    engine: EngineDep,
    catalog: Catalog,
    settings: Settings,
    user: User,
    *,
    page: int = 1,
    status: int = 200,
    outcomes: list[Outcome] | None = None,
    errors: dict[str, str] | None = None,
    chosen: str = "",
) -> HTMLResponse:
    with engine.connect() as conn:
        total = history.count(conn, user.department)
        items = history.listing(
            conn, user.department, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    return render(
        request,
        "admin/submissions.html",
        status,
        items=items,
        **dataset_listing(catalog, total, page, PAGE_SIZE),
        outcomes=outcomes or [],
        errors=errors or {},
        chosen=chosen,
        max_files=UPLOAD_FILES,
        **_upload_form(settings, user),
    )


@router.get("")
def submissions_page(
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    user: Reader,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    dataset: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    return _page(request, engine, catalog, settings, user, page=page, chosen=dataset)


def _form_errors(catalog: Catalog, dataset: object, files: list[UploadFile]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not isinstance(dataset, str) or not dataset:
        errors["dataset"] = "请选择数据集（choose the dataset）"
    elif dataset not in catalog:
        errors["dataset"] = f"没有代码为“{dataset[:40]}”的数据集（unknown dataset）"
    if not files:
        errors["files"] = "请选择至少一个文件（choose at least one file）"
    elif len(files) > UPLOAD_FILES:
        errors["files"] = (
            f"一次最多上传 {UPLOAD_FILES} 个文件，本次 {len(files)} 个；请分批上传"
            f"（at most {UPLOAD_FILES} files per upload）"
        )
    return errors


@router.post("")
async def upload(
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    now: NowDep,
    user: Submitter,
) -> HTMLResponse:
    """Each file validated and stored as a submission of the chosen dataset by the user's
    department; the page lists each file's summary or error. While the process ingests as
    many files as it may at once, a 503 page before the upload is read."""
    try:
        with slots_of(request, "intake").taken():
            return await _upload(request, engine, catalog, settings, now, user)
    except Busy as exc:  # every slot held (a file's own errors are its outcome, below)
        return render_error(request, exc)


async def _upload(
    request: Request,
    engine: sa.Engine,
    catalog: Catalog,
    settings: Settings,
    now: datetime,
    user: User,
) -> HTMLResponse:
    async with posted_form(request) as form:  # the spooled uploads closed after
        dataset = form.get("dataset")
        backload = form.get("backload") in ("1", "on", "true")
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
        errors = _form_errors(catalog, dataset, files)
        chosen = dataset if isinstance(dataset, str) else ""
        if errors:
            return _page(
                request, engine, catalog, settings, user, status=400, errors=errors, chosen=chosen
            )
        folder = settings.var_dir / "uploads"
        outcomes: list[Outcome] = []
        for file in files:
            name = (file.filename or "")[:200]
            try:
                path = await run_in_threadpool(save_upload, file, folder, settings.upload_max_bytes)
                try:
                    summary = await run_in_threadpool(
                        ingest, engine, catalog, path, dataset=chosen,
                        provider=user.department.name, as_of=now, file_name=name,
                        batch_rows=settings.intake_batch_rows, limits=ReadLimits.of(settings),
                        backload=backload,
                    )  # fmt: skip
                finally:
                    path.unlink(missing_ok=True)
                outcomes.append(Outcome(name, summary, None))
            except GongxinError as exc:
                outcomes.append(Outcome(name, None, exc))
        failed = [o.error for o in outcomes if o.error is not None]
        status = failed[0].status if len(failed) == len(outcomes) else 200
        return _page(
            request,
            engine,
            catalog,
            settings,
            user,
            status=status,
            outcomes=outcomes,
            chosen=chosen,
        )


@router.get("/{submission_id}")
def submission_page(
    submission_id: Annotated[str, Path(max_length=40)],
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    user: Reader,
) -> HTMLResponse:
    """One submission's summary, its warnings, the reject workbook and the resubmit form."""
    try:
        with engine.connect() as conn:
            summary = get_submission(conn, submission_id, department=user.department)
            flagged = warnings_of(conn, submission_id, limit=200)
    except GongxinError as exc:
        return render_error(request, exc)
    return render(
        request,
        "admin/submission.html",
        s=summary,
        dataset_name=catalog.get(summary.dataset).name if summary.dataset in catalog else "",
        flagged=flagged,
        **_upload_form(settings, user),
    )


@router.get("/{submission_id}/rejects.xlsx")
def rejects_workbook(
    submission_id: Annotated[str, Path(max_length=40)],
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    user: Reader,
) -> Response:
    """The reject workbook (the same export as ``gongxin rejects`` and the API's)."""
    folder = settings.var_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with engine.connect() as conn:
            found = get_submission(conn, submission_id, department=user.department)  # own only
            out = folder / f"{found.submission_id}-{secrets.token_hex(4)}.xlsx"
            export(conn, found.submission_id, out, catalog)
    except GongxinError as exc:
        return render_error(request, exc)
    return FileResponse(
        out,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=f"退回-{submission_id}.xlsx",
        background=BackgroundTask(out.unlink, missing_ok=True),
    )
