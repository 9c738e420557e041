"""Portal pages of 联合奖惩: the lists, each list's public entries (through the visibility gate,
masked), and the memoranda with their measures."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from gongxin.clock import local_date
from gongxin.errors import GongxinError, InvalidInput
from gongxin.sanctions import lists, memoranda, scenes
from gongxin.subjects import profile as profiles
from gongxin.web.deps import CatalogDep, EngineDep, NowDep
from gongxin.web.portal.render import PAGE_SIZE, error_page, page_number, render, shown

router = APIRouter(include_in_schema=False)


@router.get("/lists", response_class=HTMLResponse)
def lists_page(engine: EngineDep, catalog: CatalogDep) -> HTMLResponse:
    with engine.connect() as conn:
        book = memoranda.book(conn, catalog)
    types = [
        {"code": lt.code, "name": lt.name, "name_en": lt.name_en, "kind": lt.kind,
         "kind_zh": lists.KIND_NAMES[lt.kind],
         "memoranda": [m for m in book.memoranda if lt.code in m.list_types]}
        for lt in lists.list_types(catalog).values()
    ]  # fmt: skip
    return render("sanctions_lists.html", q="", types=types)


def _row(lt: lists.ListType, data: dict[str, Any]) -> dict[str, str]:
    def get(role: str) -> str:
        return shown(lt.value(data, role)).strip()

    return {
        "name": get("name") or "（未公示名称）",
        "code": get("uscc") or get("reg_no") or get("org_code"),
        "authority": get("authority"),
        "listed": get("listed"),
        "planned": get("planned_removal"),
        "reason": get("reason"),
    }


@router.get("/lists/{list_type}", response_class=HTMLResponse)
def entries_page(
    list_type: str, engine: EngineDep, catalog: CatalogDep, now: NowDep, page: str = "1"
) -> HTMLResponse:
    as_of = local_date(now)
    try:
        lt = lists.get(catalog, list_type)
        number = page_number(page)
        with engine.connect() as conn:
            found = lists.public_entries(conn, lt, as_of=as_of, page=number, size=PAGE_SIZE)
            rows = [_row(lt, e) for e in found.entries]
            # a name links to its profile only when the register holds its code
            profiled = profiles.known(conn, (r["code"] for r in rows if r["code"]))
        if number > 1 and not found.entries:
            raise InvalidInput(
                f"页码超出范围：第 {number} 页没有记录",
                f"page out of range: page {number} is empty",
            )
    except GongxinError as exc:
        return error_page(exc)
    return render(
        "sanctions_entries.html", q="", lt=lt, kind_zh=lists.KIND_NAMES[lt.kind], as_of=as_of,
        entries=[{**r, "linked": r["code"] in profiled} for r in rows], page=number,
        more=found.more,
    )  # fmt: skip


@router.get("/memoranda", response_class=HTMLResponse)
def memoranda_page(engine: EngineDep, catalog: CatalogDep) -> HTMLResponse:
    with engine.connect() as conn:
        book = memoranda.book(conn, catalog)
    names = {lt.code: lt.name for lt in lists.list_types(catalog).values()}
    return render(
        "sanctions_memoranda.html", q="", memoranda=book.memoranda, list_names=names,
        scene_name=lambda code: scenes.by_code(code).name, kind_zh=lists.KIND_NAMES,
    )  # fmt: skip
