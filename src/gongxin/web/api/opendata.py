"""Open data over HTTP: CKAN's Action API (/api/3/action/…, and /api/action/… as CKAN also
serves it), the DCAT-AP catalog (/catalog.ttl, /catalog.jsonld) and the de-identified
downloads (/opendata/<dataset>.csv|.json).

Anyone may call them without a key, within the anonymous rate; an open-data key (header
``X-API-Key``, ``X-CKAN-API-Key`` or ``Authorization``) gets its own quota and rate.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from gongxin import jsonguard
from gongxin.catalog.registry import Catalog
from gongxin.clock import local_date
from gongxin.db.engine import reading
from gongxin.errors import GongxinError
from gongxin.opendata import ckan, dcat, downloads, keys, limits
from gongxin.opendata.packages import find, packages
from gongxin.settings import Settings
from gongxin.web import ratelimit
from gongxin.web.api.errors_doc import (
    CSV,
    JSON_FILE,
    JSON_LD,
    OPEN_DATA_KEY,
    OPTIONAL_OPEN_DATA_KEY,
    TURTLE,
    CkanEnvelope,
)
from gongxin.web.clients import client_address
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep

# the open-data key (optional) is the security scheme of every route here
router = APIRouter(tags=["开放数据 open data"], dependencies=[Depends(OPEN_DATA_KEY)])
_CKAN_STATUSES = (400, 403, 404, 409, 429, 503)


def base_url(request: Request, settings: Settings) -> str:
    """The public base URL for links: GONGXIN_PUBLIC_BASE_URL, never the request's Host."""
    return settings.public_base_url


def presented_key(request: Request) -> str | None:
    """The open-data key of the request: header X-API-Key or X-CKAN-API-Key, or an ``od_`` key
    in Authorization (bare, as CKAN clients send it, or after ``Bearer``). Other Authorization
    values (a department's ``gx_`` key, a browser's credentials) are not open-data keys: such a
    request counts as anonymous."""
    for header in ("x-api-key", "x-ckan-api-key"):
        value = request.headers.get(header, "").strip()
        if value:
            return value
    value = request.headers.get("authorization", "").strip()
    scheme, _, rest = value.partition(" ")
    value = rest.strip() if scheme.lower() == "bearer" else value
    return value if value.startswith(f"{keys.KEY_PREFIX}_") else None


def admit(request: Request, engine: sa.Engine, settings: Settings, now: datetime) -> None:
    """Count this request against its caller's limits; raises Forbidden or RateLimited."""
    limits.admit(
        engine,
        ratelimit.window(request, "opendata_window"),
        key=presented_key(request),
        address=client_address(request),
        anonymous_rate=settings.opendata_anonymous_rate_per_minute,
        now=now,
    )


async def _params(request: Request, max_depth: int) -> dict[str, Any]:
    """The action's parameters: the query string, then a JSON or form body over it."""
    data: dict[str, Any] = {}
    for key, value in request.query_params.multi_items():
        data[key] = [*data[key], value] if isinstance(data.get(key), list) else (
            [data[key], value] if key in data else value
        )  # fmt: skip
    if request.method != "POST":
        return data
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        data.update({k: v for k, v in form.items() if isinstance(v, str)})
        return data
    body = await request.body()
    if body.strip():
        try:
            jsonguard.check_depth(body, max_depth)
            parsed = json.loads(body)
        except jsonguard.TooDeep as exc:
            raise ckan.validation_error({"__body": exc.message}) from None
        except (json.JSONDecodeError, UnicodeDecodeError):
            parsed = None
        if not isinstance(parsed, dict):
            raise ckan.validation_error(
                {"__body": "请求体须为 JSON 对象 (body must be a JSON object)"}
            )
        data.update(parsed)
    return data


def _ckan_response(base: str, name: str, exc: ckan.CkanError) -> JSONResponse:
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    return JSONResponse(ckan.error_envelope(base, name, exc), exc.status, headers=headers)


async def _action(
    name: str, request: Request, engine: EngineDep, catalog: CatalogDep, settings: SettingsDep,
    now: NowDep,
) -> JSONResponse:  # fmt: skip
    """CKAN's Action API: ``GET /api/3/action/<name>?param=…`` or ``POST`` with a JSON body.
    Actions: package_list/show/search, current_package_list_with_resources, resource_show,
    resource_search, tag_list/show, organization_list/show, group_list/show,
    group_package_show, the autocompletes, license_list, status_show, help_show (see
    docs/opendata.md). Unknown parameters are ignored and rows capped, as in CKAN."""
    base = base_url(request, settings)
    try:

        def admitted() -> None:
            try:
                admit(request, engine, settings, now)
            except GongxinError as exc:
                raise ckan.from_domain(exc) from None

        await run_in_threadpool(admitted)  # key and rate first: a refused body is never read
        data = await _params(request, settings.json_max_depth)

        def run() -> Any:
            with reading(engine) as conn:
                pkgs = packages(conn, catalog, settings)
            return ckan.call(name, ckan.Context(pkgs, settings, base, now), data)

        result = await run_in_threadpool(run)
    except ckan.CkanError as exc:
        return _ckan_response(base, name, exc)
    return JSONResponse(ckan.envelope(base, name, result))


for _prefix in ("/api/3/action", "/api/action"):
    for _method in ("GET", "POST"):
        router.add_api_route(
            f"{_prefix}/{{name}}",
            _action,
            methods=[_method],
            summary=f"CKAN Action API, {_method} (package_list, package_show, package_search …)",
            include_in_schema=_prefix == "/api/3/action",
            operation_id=f"ckan_action_{_method.lower()}{'_3' if '3' in _prefix else ''}",
            response_model=CkanEnvelope,
            responses={
                status: {"model": CkanEnvelope, "description": "CKAN 错误 (success: false)"}
                for status in _CKAN_STATUSES
            },
            openapi_extra=OPTIONAL_OPEN_DATA_KEY,
        )


def _open_spec(engine: sa.Engine, catalog: Catalog, settings: Settings, code: str) -> Any:
    with reading(engine) as conn:
        return find(packages(conn, catalog, settings), code).spec


@router.get(
    "/opendata/{code}.csv",
    summary="下载开放数据 CSV (download an open dataset as CSV)",
    response_class=StreamingResponse,
    responses=CSV,
    openapi_extra=OPTIONAL_OPEN_DATA_KEY,
)
def download_csv(
    code: str, request: Request, engine: EngineDep, catalog: CatalogDep, settings: SettingsDep,
    now: NowDep, header: downloads.Header = "name",
) -> StreamingResponse:  # fmt: skip
    """The dataset's records public today, de-identified; UTF-8 with BOM, Chinese header row
    (``header=code`` for field codes)."""
    spec = _open_spec(engine, catalog, settings, code)
    admit(request, engine, settings, now)
    rows = downloads.public_records(engine, spec, local_date(now))
    return StreamingResponse(
        downloads.csv_chunks(rows, spec, header),
        media_type="text/csv; charset=utf-8",
        headers=_attachment(spec.code, spec.name, "csv"),
    )


@router.get(
    "/opendata/{code}.json",
    summary="下载开放数据 JSON (download an open dataset as JSON)",
    response_class=StreamingResponse,
    responses=JSON_FILE,
    openapi_extra=OPTIONAL_OPEN_DATA_KEY,
)
def download_json(
    code: str, request: Request, engine: EngineDep, catalog: CatalogDep, settings: SettingsDep,
    now: NowDep,
) -> StreamingResponse:  # fmt: skip
    """The dataset's records public today, de-identified; a JSON array keyed by field code."""
    spec = _open_spec(engine, catalog, settings, code)
    admit(request, engine, settings, now)
    rows = downloads.public_records(engine, spec, local_date(now))
    return StreamingResponse(
        downloads.json_chunks(rows, spec),
        media_type="application/json",
        headers=_attachment(spec.code, spec.name, "json"),
    )


def _attachment(code: str, title: str, ext: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{code}.{ext}"; '
        f"filename*=UTF-8''{quote(f'{title}.{ext}')}"
    }


def _graph_text(
    request: Request, engine: sa.Engine, catalog: Catalog, settings: Settings, now: datetime,
    fmt: str,
) -> str:  # fmt: skip
    admit(request, engine, settings, now)
    with reading(engine) as conn:
        pkgs = packages(conn, catalog, settings)
    graph = dcat.catalog_graph(pkgs, base_url(request, settings), settings)
    return dcat.turtle(graph) if fmt == "ttl" else dcat.json_ld(graph)


@router.get(
    "/catalog.ttl",
    summary="DCAT-AP 数据目录 (Turtle)",
    response_class=Response,
    responses=TURTLE,
    openapi_extra=OPTIONAL_OPEN_DATA_KEY,
)
def catalog_turtle(
    request: Request, engine: EngineDep, catalog: CatalogDep, settings: SettingsDep, now: NowDep
) -> Response:
    text = _graph_text(request, engine, catalog, settings, now, "ttl")
    return Response(text, media_type="text/turtle; charset=utf-8")


@router.get(
    "/catalog.jsonld",
    summary="DCAT-AP 数据目录 (JSON-LD)",
    response_class=Response,
    responses=JSON_LD,
    openapi_extra=OPTIONAL_OPEN_DATA_KEY,
)
def catalog_jsonld(
    request: Request, engine: EngineDep, catalog: CatalogDep, settings: SettingsDep, now: NowDep
) -> Response:
    text = _graph_text(request, engine, catalog, settings, now, "jsonld")
    return Response(text, media_type="application/ld+json")
