"""The public open-data page: every open dataset with its description, update cycle, licence,
fields and download links, and how to use the CKAN API, the DCAT catalog and keys."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gongxin.catalog.model import FieldSpec
from gongxin.clock import local_date
from gongxin.opendata.packages import FORMATS, packages
from gongxin.web.api.opendata import base_url
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep
from gongxin.web.portal.render import render

router = APIRouter(include_in_schema=False)

_MASKS = {"person_name": "姓名脱敏", "id_number": "证件号脱敏"}


def _field(f: FieldSpec) -> dict[str, str]:
    return {"name": f.name, "code": f.code, "type": f.type, "mask": _MASKS.get(f.mask or "", "")}


@router.get("/opendata", response_class=HTMLResponse)
def opendata_page(
    request: Request, engine: EngineDep, catalog: CatalogDep, settings: SettingsDep, now: NowDep
) -> HTMLResponse:
    with engine.connect() as conn:
        pkgs = packages(conn, catalog, settings)
    base = base_url(request, settings)
    datasets = [
        {
            "code": p.spec.code, "title": p.spec.name, "title_en": p.spec.name_en,
            "description": p.spec.description, "update_cycle": p.spec.update_cycle,
            "category": p.spec.category, "organization": p.organization.title,
            "providers": "、".join(p.providers), "modified": local_date(p.modified).isoformat(),
            "legal_basis": p.spec.legal_basis,
            "resource_code": p.spec.resource.code if p.spec.resource else "",
            "open_conditions": (p.spec.resource.open_conditions or "") if p.spec.resource else "",
            "downloads": [(fmt, p.resource_url(base, fmt)) for fmt in FORMATS],
            "fields": [_field(f) for f in p.spec.fields],
        }
        for p in pkgs
    ]  # fmt: skip
    return render(
        "opendata.html",
        datasets=datasets,
        as_of=local_date(now),
        base=base,
        settings=settings,
    )
