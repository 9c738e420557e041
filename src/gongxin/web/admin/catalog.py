"""Back-office pages of the 政务信息资源目录: browse, search, export, one resource with quality.

Every logged-in role may read them: the catalog says what exists and how it may be shared;
it holds no records.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gongxin.catalog import providers
from gongxin.catalog.quality import by_department, quality, quality_all
from gongxin.catalog.resources import entries, get_entry, labelled, related_names, write_xlsx
from gongxin.clock import local_date
from gongxin.identity import departments
from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.web.admin.render import render
from gongxin.web.auth import require_roles
from gongxin.web.deps import CatalogDep, EngineDep, NowDep

router = APIRouter(prefix="/admin", tags=["后台 back office"], include_in_schema=False)

AnyUser = Annotated[User, Depends(require_roles(*Role))]
CentreAdmin = Annotated[User, Depends(require_roles(Role.CENTRE_ADMIN))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _open(value: str | None) -> bool | None:
    """The 开放 filter of the form: "1" open, "0" not open, anything else: both."""
    return {"1": True, "0": False}.get(value or "")


Q = Annotated[str | None, Query(max_length=100)]


@router.get("/catalog", response_class=HTMLResponse)
def catalog_page(
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    _user: AnyUser,
    q: Q = None,
    classification: Q = None,
    share_type: Q = None,
    open: Annotated[str | None, Query(max_length=1)] = None,
    provider: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """Browse and search the catalog; each row with its timeliness and validity today."""
    found = entries(
        catalog, q=q or None, classification=classification or None,
        share_type=share_type or None, open=_open(open), provider=provider or None,
    )  # fmt: skip
    as_of = local_date(now)
    with engine.connect() as conn:
        figures = {x.dataset: x for x in quality_all(conn, catalog, as_of=as_of, fills=False)}
    every = entries(catalog)
    filters = {
        "q": q or "", "classification": classification or "", "share_type": share_type or "",
        "open": open or "", "provider": provider or "",
    }  # fmt: skip
    query = "&".join(f"{k}={quote(v)}" for k, v in filters.items() if v)
    return render(
        request, "admin/catalog.html", entries=found, quality=figures, as_of=as_of,
        filters=filters, export_url="/admin/catalog/export.xlsx" + (f"?{query}" if query else ""),
        providers=sorted({e.provider for e in every if e.provider}),
        classifications=sorted({(e.classification_code, e.classification) for e in every
                                if e.classification_code}),
        total=len(every),
    )  # fmt: skip


@router.get("/catalog/export.xlsx")
def catalog_export(
    catalog: CatalogDep,
    now: NowDep,
    _user: AnyUser,
    q: Q = None,
    classification: Q = None,
    share_type: Q = None,
    open: Annotated[str | None, Query(max_length=1)] = None,
    provider: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The entries the page shows, as the xlsx workbook of ``gongxin catalog export``."""
    found = entries(
        catalog, q=q or None, classification=classification or None,
        share_type=share_type or None, open=_open(open), provider=provider or None,
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        content = write_xlsx(found, Path(folder) / "catalog.xlsx").read_bytes()
    name = f"政务信息资源目录-{local_date(now):%Y%m%d}.xlsx"
    disposition = f"attachment; filename=\"catalog.xlsx\"; filename*=UTF-8''{quote(name)}"
    return Response(content, media_type=XLSX, headers={"Content-Disposition": disposition})


@router.get("/catalog/{code}", response_class=HTMLResponse)
def catalog_entry_page(
    request: Request,
    code: str,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    user: AnyUser,
    as_of: date | None = None,
) -> HTMLResponse:
    """One resource: every metadata element, its data items, its quality overall and per
    provider department, the fill rate of each field, and its assigned providers (which the
    centre's admins assign and withdraw here)."""
    entry = get_entry(catalog, code)
    day = as_of or local_date(now)
    with engine.connect() as conn:
        overall = quality(conn, catalog, entry.dataset, as_of=day)
        parts = by_department(conn, catalog, entry.dataset, as_of=day, fills=False)
        assigned = providers.providers_of(conn, entry.dataset)
        others = [d.name for d in departments.all_departments(conn) if d not in assigned]
    return render(
        request, "admin/catalog_entry.html", entry=entry, meta=labelled(entry),
        related=related_names(catalog, entry), quality=overall, parts=parts, as_of=day,
        assigned=assigned, others=others, may_assign=user.has(Role.CENTRE_ADMIN),
    )  # fmt: skip


@router.post("/catalog/{code}/providers")
def catalog_providers(
    code: str,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    user: CentreAdmin,
    department: Annotated[str, Form(max_length=200)],
    action: Annotated[Literal["assign", "remove"], Form()] = "assign",
) -> Response:
    """Assign or withdraw a provider of the dataset (the same service as the CLI and API)."""
    with engine.begin() as conn:
        if action == "assign":
            providers.assign(
                conn, catalog, code, department, now=now, actor=user.actor, by=user.department
            )
        else:
            catalog.get(code)
            providers.unassign(
                conn, code, department, now=now, actor=user.actor, by=user.department
            )
    return RedirectResponse(f"/admin/catalog/{quote(code)}", status_code=303)
