"""The public portal's pages: home, search results and a subject's credit profile.

Every page reads through the services (``gongxin.subjects``), which read through the visibility
gate; nothing here touches a table. Domain errors become HTML error pages, in Chinese with an
English gloss, with the error's own status (400 for bad input, 404 for an unknown subject).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from gongxin.catalog.registry import Catalog
from gongxin.clock import local_date
from gongxin.errors import GongxinError, InvalidInput
from gongxin.records.gate import Audience
from gongxin.subjects import profile as profiles
from gongxin.subjects.search import search
from gongxin.web.deps import CatalogDep, EngineDep, NowDep

router = APIRouter(include_in_schema=False)

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"], default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

PAGE_SIZE = 20
LONG_TERM = ("2099-12-31", "2099/12/31")


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
)
_TAB_BY_KEY = {t.key: t for t in TABS}


def _render(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = _templates.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status)


def _error_page(exc: GongxinError, q: str = "") -> HTMLResponse:
    heading = {404: "未找到", 400: "请求有误"}.get(exc.status, "出错了")
    return _render("error.html", exc.status, heading=heading, zh=exc.zh, en=exc.en, q=q)


def shown(value: Any) -> str:
    """A stored value as the public reads it: 2099-12-31 is 长期, lists are joined."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "；".join(shown(v) for v in value)
    if isinstance(value, date):
        value = value.isoformat()
    text = str(value)
    return "长期" if text in LONG_TERM else text


@router.get("/", response_class=HTMLResponse)
def home() -> HTMLResponse:
    return _render("home.html", q="")


def _page_number(page: str) -> int:
    try:
        return int(page)
    except ValueError:
        raise InvalidInput(
            f"页码须为正整数：{page[:20]}", f"page must be a positive whole number: {page[:20]}"
        ) from None


@router.get("/search", response_class=HTMLResponse)
def search_page(engine: EngineDep, q: str = "", page: str = "1") -> HTMLResponse:
    try:
        number = _page_number(page)
        with engine.connect() as conn:
            found = search(conn, q, page=number, size=PAGE_SIZE)
        if found.total and number > found.pages:
            raise InvalidInput(
                f"页码超出范围：共 {found.pages} 页",
                f"page out of range: there are {found.pages} pages",
            )
    except GongxinError as exc:
        return _error_page(exc, q[:100])

    def page_url(n: int) -> str:
        return "/search?" + urlencode({"q": found.q, "page": n})

    return _render("search.html", q=found.q, found=found, page_url=page_url)


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
    return {"title": spec.name, "date": shown(record["event_date"]), "rows": rows}


@router.get("/subjects/{code}", response_class=HTMLResponse)
def subject_page(
    code: str, engine: EngineDep, catalog: CatalogDep, now: NowDep, tab: str = "basic"
) -> HTMLResponse:
    as_of = local_date(now)
    try:
        current = _TAB_BY_KEY.get(tab)
        if current is None:
            raise InvalidInput(
                f"未知的栏目：{tab[:20]}；可选：{'、'.join(t.key for t in TABS)}",
                f"unknown tab {tab[:20]!r}; known tabs: {', '.join(t.key for t in TABS)}",
            )
        with engine.connect() as conn:
            found = profiles.profile(conn, catalog, code, audience=Audience.PUBLIC, as_of=as_of)
            records = (
                profiles.visible_records(conn, catalog, code, audience=Audience.PUBLIC, as_of=as_of)
                if current.datasets
                else []
            )
    except GongxinError as exc:
        return _error_page(exc)
    tabs = [
        {
            "key": t.key,
            "label": t.label,
            "count": sum(found.record_counts.get(d, 0) for d in t.datasets) if t.datasets else None,
        }
        for t in TABS
    ]
    return _render(
        "subject.html",
        profile=found,
        as_of=as_of,
        tabs=tabs,
        current=current,
        basics=_basics(found),
        records=[_record_view(catalog, r) for r in records if r["dataset"] in current.datasets],
    )
