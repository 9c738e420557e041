"""POST /api/v1/submissions: a department's system submits a file."""

from __future__ import annotations

import secrets
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile

from gongxin.catalog.registry import Catalog
from gongxin.errors import InvalidInput, TooLarge
from gongxin.identity.departments import Department
from gongxin.identity.roles import Scope
from gongxin.intake.pipeline import Summary, get_submission, ingest
from gongxin.intake.readers.limits import ReadLimits
from gongxin.intake.rejects import export, warnings_of
from gongxin.settings import Settings
from gongxin.web.api.errors_doc import CSV, XLSX
from gongxin.web.auth import require_scope
from gongxin.web.deps import (
    CatalogDep,
    EngineDep,
    NowDep,
    SettingsDep,
    catalog_of,
    engine_of,
    settings_of,
    slots_of,
)
from gongxin.web.params import MAX_OFFSET

router = APIRouter(prefix="/api/v1", tags=["归集 intake"])

SubmitterDep = Annotated[Department, Depends(require_scope(Scope.SUBMIT))]


def save_upload(upload: UploadFile, folder: Path, limit: int) -> Path:
    """Spool an upload to ``folder``; 413 (nothing kept) past ``limit`` bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".upload") as tmp:
        written = 0
        while chunk := upload.file.read(1 << 20):
            written += len(chunk)
            if written > limit:
                tmp.close()
                Path(tmp.name).unlink(missing_ok=True)
                raise TooLarge(
                    f"文件超过上限 {limit} 字节，未导入任何数据；请拆分后分批提交",
                    f"the file is larger than {limit} bytes; nothing was stored: split it",
                )
            tmp.write(chunk)
    return Path(tmp.name)


_FORM_SCHEMA = {
    "type": "object",
    "required": ["file", "dataset"],
    "properties": {
        "file": {
            "type": "string",
            "format": "binary",
            "description": "CSV / XLSX / XLS / JSON / JSONL",
        },
        "dataset": {"type": "string", "description": "数据集代码 (dataset code)"},
        "encoding": {"type": "string", "description": "声明的编码 (declared encoding)"},
        "backload": {
            "type": "boolean",
            "default": False,
            "description": "存量补录 (historical back-load: not judged for 双公示 timeliness)",
        },
    },
}


@router.post(
    "/submissions",
    status_code=201,
    summary="提交数据文件 (submit a data file)",
    response_model=None,  # answered as JSONResponse: 201 new, 200 already processed
    responses={
        201: {"model": Summary, "description": "新的提交 (a new submission's summary)"},
        200: {"model": Summary, "description": "同一文件已提交过 (the earlier summary)"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"multipart/form-data": {"schema": _FORM_SCHEMA}},
        }
    },
)
async def submit(
    request: Request,
    catalog: CatalogDep,
    settings: SettingsDep,
    now: NowDep,
    department: SubmitterDep,
) -> JSONResponse:
    """Validate and store the file as a submission of ``dataset`` by the key's department.

    201 with the summary for a new submission; 200 with the earlier summary and
    ``already_processed: true`` when the same file was submitted before. The key is checked
    before the upload is read (401/403 first); the upload's size is capped (413); while the
    process ingests as many files as it may at once, 503 with Retry-After before the upload is
    read (``GONGXIN_INTAKE_CONCURRENCY``).
    """
    with slots_of(request, "intake").taken():
        return await _submit(request, catalog, settings, now, department)


async def _submit(
    request: Request, catalog: Catalog, settings: Settings, now: datetime, department: Department
) -> JSONResponse:
    async with request.form(max_files=1, max_fields=20) as form:
        file, dataset, encoding = form.get("file"), form.get("dataset"), form.get("encoding")
        backload = _flag(form.get("backload"))
        problems = [
            {"type": "missing", "loc": ("body", name), "msg": "Field required", "input": None}
            for name, value in (("file", file), ("dataset", dataset))
            if value is None
        ]
        if problems:
            raise RequestValidationError(problems)
        if not isinstance(file, UploadFile) or not isinstance(dataset, str):
            raise InvalidInput(
                "file 须为上传的文件，dataset 须为文本", "file must be an upload, dataset text"
            )
        catalog.get(dataset)  # an unknown dataset is refused before the upload is stored
        folder = settings.var_dir / "uploads"
        path = await run_in_threadpool(save_upload, file, folder, settings.upload_max_bytes)
        name = file.filename or path.name
    declared = encoding if isinstance(encoding, str) and encoding else None
    try:
        summary = await run_in_threadpool(
            _ingest, request, path, dataset, department, now, name, declared, backload
        )
    finally:
        path.unlink(missing_ok=True)
    status = 200 if summary.already_processed else 201
    return JSONResponse(summary.to_dict(), status_code=status)


def _ingest(
    request: Request,
    path: Path,
    dataset: str,
    department: Department,
    now: datetime,
    name: str,
    encoding: str | None,
    backload: bool,
) -> Summary:
    settings = settings_of(request)
    return ingest(
        engine_of(request),
        catalog_of(request),
        path,
        dataset=dataset,
        provider=department.name,
        as_of=now,
        file_name=name,
        declared_encoding=encoding,
        batch_rows=settings.intake_batch_rows,
        limits=ReadLimits.of(settings),
        backload=backload,
    )


_TRUE, _FALSE = ("true", "1", "on", "yes"), ("false", "0", "off", "no", "")


def _flag(value: object) -> bool:
    """A form's yes/no field (``backload``): absent is no; anything but a yes or no is a 422."""
    if value is None:
        return False
    text = value.strip().lower() if isinstance(value, str) else None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RequestValidationError(
        [
            {
                "type": "bool_parsing",
                "loc": ("body", "backload"),
                "msg": "Input should be a valid boolean",
                "input": str(value)[:40],
            }
        ]
    )


@router.get("/submissions/{submission_id}", summary="提交结果 (a submission's summary)")
def submission(submission_id: str, engine: EngineDep, department: SubmitterDep) -> dict[str, Any]:
    """The summary of one of the caller's own submissions (the credit centre sees all)."""
    with engine.connect() as conn:
        return get_submission(conn, submission_id, department=department).to_dict()


@router.get(
    "/submissions/{submission_id}/rejects",
    summary="下载退回行 (download the rejected rows)",
    response_class=FileResponse,
    responses={
        200: {
            "description": "退回行 (the rejected rows, XLSX or CSV)",
            "content": {**XLSX[200]["content"], **CSV[200]["content"]},
        }
    },
)
def submission_rejects(
    submission_id: str,
    engine: EngineDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    department: SubmitterDep,
    format: Annotated[Literal["xlsx", "csv"], Query(description="xlsx 或 csv")] = "xlsx",
) -> FileResponse:
    """The rejected rows in the file's own layout plus 原行号 and 错误说明, to fix and resubmit
    (the same export as ``gongxin rejects``)."""
    folder = settings.var_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{submission_id}-{secrets.token_hex(4)}.{format}"
    with engine.connect() as conn:
        get_submission(conn, submission_id, department=department)  # the caller's own only
        export(conn, submission_id, out, catalog)
    media = (
        "text/csv; charset=utf-8"
        if format == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return FileResponse(
        out,
        media_type=media,
        filename=f"退回-{submission_id}.{format}",
        background=BackgroundTask(out.unlink, missing_ok=True),
    )


@router.get("/submissions/{submission_id}/warnings", summary="提示 (accepted rows with warnings)")
def submission_warnings(
    submission_id: str,
    engine: EngineDep,
    department: SubmitterDep,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[dict[str, Any]]:
    """Accepted rows that carry warnings, with every warning of each."""
    with engine.connect() as conn:
        get_submission(conn, submission_id, department=department)  # the caller's own only
        flagged = warnings_of(conn, submission_id, limit=limit, offset=offset)
    return [{"row": n, "warnings": [p.to_dict() for p in ps]} for n, ps in flagged]
