"""The public portal's pages: home, search results and a subject's credit profile (the 双公示
columns, their timeliness and report verification are in ``publicity_pages``).

Every page reads through the services (``gongxin.subjects``, ``gongxin.records``,
``gongxin.reports``), which read through the visibility gate; nothing here touches a table.
Domain errors become HTML error pages, in Chinese with an English gloss, with the error's own
status (400 for bad input, 404 for an unknown subject or column).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from gongxin.catalog.registry import Catalog
from gongxin.clock import local_date
from gongxin.db.engine import reading
from gongxin.errors import GongxinError, InvalidInput
from gongxin.records import lookup
from gongxin.records.gate import Audience
from gongxin.sanctions.overview import overview
from gongxin.subjects import profile as profiles
from gongxin.subjects.grades import grades as subject_grades
from gongxin.subjects.search import search
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep
from gongxin.web.params import IdPath
from gongxin.web.portal.highlight import marked
from gongxin.web.portal.render import PAGE_SIZE, error_page, page_number, render, shown

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    datasets: tuple[str, ...]


_DISHONEST = (
    "serious_dishonest_list",
    "dishonest_debtor",
    "tax_violation",
    "gov_procurement_violation",
)
TABS = (
    Tab("basic", "基础信息", ()),
    Tab("licence", "行政许可", ("licence",)),
    Tab("penalty", "行政处罚", ("penalty",)),
    Tab("abnormal", "经营异常", ("abnormal_list",)),
    Tab("dishonest", "严重失信", _DISHONEST),
    Tab("honour", "守信激励", ("red_list", "tax_a")),
    Tab("commitment", "信用承诺", ("commitment",)),
    Tab("complaint", "信用投诉", ("complaint",)),
)
_TAB_BY_KEY = {t.key: t for t in TABS}


@router.get("/", response_class=HTMLResponse)
def home() -> HTMLResponse:
    return render("home.html", q="")


@router.get("/search", response_class=HTMLResponse)
def search_page(engine: EngineDep, q: str = "", page: str = "1") -> HTMLResponse:
    try:
        number = page_number(page)
        with reading(engine) as conn:
            found = search(conn, q, page=number, size=PAGE_SIZE)
        if found.total and number > found.pages:
            raise InvalidInput(
                f"页码超出范围：共 {found.pages} 页",
                f"page out of range: there are {found.pages} pages",
            )
    except GongxinError as exc:
        return error_page(exc, q[:100])

    def page_url(n: int) -> str:
        return "/search?" + urlencode({"q": found.q, "page": n})

    return render(
        "search.html",
        q=found.q,
        found=found,
        page_url=page_url,
        hits=[
            {"hit": h, "name": marked(h.name, found.keywords), "tag": status_tag(h.reg_status)}
            for h in found.hits
        ],
    )


_ENDED = ("注销", "吊销", "撤销", "迁出", "歇业", "清算", "停业")


def status_tag(reg_status: str | None) -> dict[str, str]:
    """The tag beside a subject's name: its 登记状态, marked as ended when it is one of the
    statuses in which the subject no longer trades."""
    if not reg_status:
        return {"text": "状态未登记", "kind": "off"}
    ended = any(word in reg_status for word in _ENDED)
    return {"text": reg_status, "kind": "bad" if ended else "ok"}


def term(found: profiles.Profile) -> str:
    """营业期限 as people read it: from the founding date to the end, 长期 when open-ended."""
    if found.reg_date is None and found.term_end is None:
        return ""
    start = found.reg_date.isoformat() if found.reg_date else "—"
    end = found.term_end
    return f"{start} 至 {'长期' if end is None or end.year >= 2099 else end.isoformat()}"


def _basics(found: profiles.Profile) -> list[tuple[str, str]]:
    capital = f"{found.capital}{found.capital_unit or ''}" if found.capital else ""
    region = "".join(p for p in (found.province, found.region) if p)
    rows = [
        ("名称", found.name),
        ("统一社会信用代码", found.uscc),
        ("注册号", found.reg_no),
        ("主体类型", found.entity_type),
        ("法定代表人", found.legal_rep),
        ("注册资本", capital),
        ("成立日期", found.reg_date),
        ("登记状态", found.reg_status),
        ("登记机关", found.reg_authority),
        ("营业期限", term(found)),
        ("所在地区", region),
        ("住所", found.address),
        ("经营范围", found.business_scope),
    ]
    return [(label, shown(value)) for label, value in rows if value]


def _record_view(catalog: Catalog, record: dict[str, Any]) -> dict[str, Any]:
    spec = catalog.get(record["dataset"])
    data = {k: v for k, v in record["data"].items() if v not in (None, "", [])}
    rows = [(f.name, shown(data.pop(f.code))) for f in spec.fields if f.code in data]
    rows += [(code, shown(value)) for code, value in data.items()]  # fields not in the spec
    return {
        "id": record["id"],
        "title": spec.name,
        "date": shown(record["event_date"]),
        "rows": rows,
        "objection": (record.get("mark") or {}).get("code") == "objection",
    }


@router.get("/subjects/{code}", response_class=HTMLResponse)
def subject_page(
    code: str,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    settings: SettingsDep,
    tab: str = "basic",
    page: str = "1",
) -> HTMLResponse:
    as_of = local_date(now)
    try:
        number = page_number(page)
        current = _TAB_BY_KEY.get(tab)
        if current is None:
            raise InvalidInput(
                f"未知的栏目：{tab[:20]}；可选：{'、'.join(t.key for t in TABS)}",
                f"unknown tab {tab[:20]!r}; known tabs: {', '.join(t.key for t in TABS)}",
            )
        with reading(engine) as conn:
            found = profiles.profile(conn, catalog, code, audience=Audience.PUBLIC, as_of=as_of)
            subject_id = int(profiles.find(conn, code)["id"])
            summary = overview(conn, catalog, subject_id, as_of=as_of)
            grades = subject_grades(
                conn,
                subject_id,
                settings.evaluation_publish,
                audience=Audience.PUBLIC,
                as_of=as_of,
            )
            records = (
                profiles.visible_records(conn, catalog, code, audience=Audience.PUBLIC, as_of=as_of)
                if current.datasets
                else []
            )
        in_tab = [r for r in records if r["dataset"] in current.datasets]
        pages = max(1, -(-len(in_tab) // PAGE_SIZE))
        if not 1 <= number <= pages:
            raise InvalidInput(
                f"页码超出范围：共 {pages} 页", f"page out of range: there are {pages} pages"
            )
    except GongxinError as exc:
        return error_page(exc)
    tabs = [
        {
            "key": t.key,
            "label": t.label,
            "count": sum(found.record_counts.get(d, 0) for d in t.datasets) if t.datasets else None,
        }
        for t in TABS
    ]
    return render(
        "subject.html",
        objection_mark=settings.objection_public_mark,
        profile=found,
        as_of=as_of,
        tabs=tabs,
        current=current,
        basics=_basics(found),
        overview=summary,
        term=term(found),
        reg_tag=status_tag(found.reg_status),
        grades=grades,
        records=[
            _record_view(catalog, r) for r in in_tab[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
        ],
        page=number,
        pages=pages,
    )


@router.get("/records/{record_id}", response_class=HTMLResponse)
def record_page(
    record_id: IdPath, engine: EngineDep, catalog: CatalogDep, now: NowDep, settings: SettingsDep
) -> HTMLResponse:
    """One record on its own page, as the public may see it today."""
    try:
        with reading(engine) as conn:
            found = lookup.record(
                conn, catalog, record_id, audience=Audience.PUBLIC, as_of=local_date(now)
            )
    except GongxinError as exc:
        return error_page(exc)
    return render(
        "record.html",
        record=_record_view(catalog, found),
        subject_code=found["subject_code"],
        subject_name=found["subject_name"],
        objection_mark=settings.objection_public_mark,
    )


# -- 双公示 ------------------------------------------------------------------------------------
