"""The public portal's pages: home, search results, a subject's credit profile, the 双公示
columns and their timeliness, and the verification of a credit report.

Every page reads through the services (``gongxin.subjects``, ``gongxin.records``,
``gongxin.reports``), which read through the visibility gate; nothing here touches a table.
Domain errors become HTML error pages, in Chinese with an English gloss, with the error's own
status (400 for bad input, 404 for an unknown subject or column).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
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
from gongxin.records.latest import latest
from gongxin.records.timeliness import timeliness
from gongxin.reports.verify import verify
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


# -- 双公示 ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A 双公示 column and the fields its list shows."""

    key: str
    label: str
    name: str  # 行政相对人名称
    uscc: str  # 行政相对人代码_1（统一社会信用代码）
    authority: str  # 许可机关 / 处罚机关
    number: str  # 决定文书号


COLUMNS = (
    Column("licence", "行政许可", "XK_XDR_MC", "XK_XDR_SHXYM", "XK_XKJG", "XK_WSH"),
    Column("penalty", "行政处罚", "CF_XDR_MC", "CF_XDR_SHXYM", "CF_CFJG", "CF_WSH"),
)
_COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
_DATASET_LABELS = {c.key: c.label for c in COLUMNS}


def _date_param(value: str, zh: str, en: str) -> date | None:
    """An optional YYYY-MM-DD query parameter; anything else is a 400."""
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            f"{zh}格式有误，应为 YYYY-MM-DD：{value[:20]}",
            f"{en} must be a date as YYYY-MM-DD: {value[:20]}",
        ) from None


def _text(value: Any) -> str:
    return shown(value).strip()


def _column_entry(column: Column, entry: Any) -> dict[str, str]:
    data: dict[str, Any] = entry.data
    uscc = _text(data.get(column.uscc))
    return {
        # the masked name from the gated data, never the stored subject name
        "name": _text(data.get(column.name)) or "（未公示名称）",
        "uscc": uscc,
        "date": shown(entry.decision_date),
        "authority": _text(data.get(column.authority)) or entry.department,
        "number": _text(data.get(column.number)),
    }


@router.get("/shuanggongshi", response_class=HTMLResponse)
def shuanggongshi_page(
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    dataset: str = "penalty",
    department: str = "",
    since: str = "",
    until: str = "",
    page: str = "1",
) -> HTMLResponse:
    as_of = local_date(now)
    department = department.strip()[:100]
    try:
        number = _page_number(page)
        start = _date_param(since, "决定日期起", "'since'")
        end = _date_param(until, "决定日期止", "'until'")
        where: dict[str, Any] = {
            "as_of": as_of, "department": department or None, "since": start, "until": end,
        }  # fmt: skip
        with engine.connect() as conn:
            entries = latest(conn, catalog, dataset, page=number, size=PAGE_SIZE, **where)
            # one more record after this page? skip is (page - 1) * size: page n*20+1 of size 1
            more = len(entries) == PAGE_SIZE and bool(
                latest(conn, catalog, dataset, page=number * PAGE_SIZE + 1, size=1, **where)
            )
        if number > 1 and not entries:
            raise InvalidInput(
                f"页码超出范围：第 {number} 页没有记录",
                f"page out of range: page {number} is empty",
            )
    except GongxinError as exc:
        return _error_page(exc)
    column = _COLUMN_BY_KEY[dataset]
    filters = {"department": department, "since": since.strip(), "until": until.strip()}

    def url(key: str, n: int = 1) -> str:
        kept = {k: v for k, v in filters.items() if v}
        return "/shuanggongshi?" + urlencode({"dataset": key, **kept, "page": n})

    return _render(
        "shuanggongshi.html",
        q="",
        as_of=as_of,
        columns=COLUMNS,
        current=column,
        filters=filters,
        entries=[_column_entry(column, e) for e in entries],
        page=number,
        more=more,
        url=url,
    )


def _percent(share: float) -> str:
    return f"{Decimal(share * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


@router.get("/shuanggongshi/timeliness", response_class=HTMLResponse)
def timeliness_page(engine: EngineDep, since: str = "", until: str = "") -> HTMLResponse:
    try:
        start = _date_param(since, "决定日期起", "'since'")
        end = _date_param(until, "决定日期止", "'until'")
        with engine.connect() as conn:
            report = timeliness(conn, since=start, until=end)
    except GongxinError as exc:
        return _error_page(exc)
    departments = [
        {
            "name": t.department,
            "total": t.total,
            "on_time": t.on_time,
            "share": _percent(t.share),
            # no subject names: a late natural person's record is not public data
            "late": [
                {
                    "dataset": _DATASET_LABELS.get(x.dataset, x.dataset),
                    "decided": x.decision_date.isoformat(),
                    "arrived": x.arrived.isoformat(),
                    "working_days": x.working_days,
                }
                for x in t.late
            ],
        }
        for t in report
    ]
    return _render(
        "timeliness.html",
        q="",
        departments=departments,
        filters={"since": since.strip(), "until": until.strip()},
    )


# -- report verification ----------------------------------------------------------------------


def _verify(
    engine: EngineDep, catalog: CatalogDep, now: NowDep, no: str, code: str, sha256: str
) -> HTMLResponse:
    form = {"no": no.strip()[:40], "code": code.strip()[:40], "sha256": sha256.strip()[:80]}
    if not any(form.values()):
        return _render("verify.html", q="", form=form, result=None, error=None)
    try:
        if not all(form.values()):
            raise InvalidInput(
                "请填写报告编号、主体代码和校验码三项",
                "enter the report number, the subject's code and the SHA-256",
            )
        with engine.connect() as conn:
            result = verify(
                conn, catalog, form["no"], form["code"], form["sha256"], local_date(now)
            )
    except GongxinError as exc:
        return _render("verify.html", exc.status, q="", form=form, result=None, error=exc)
    return _render("verify.html", q="", form=form, result=result, error=None)


@router.get("/reports/verify", response_class=HTMLResponse)
def verify_page(
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    no: str = "",
    code: str = "",
    sha256: str = "",
) -> HTMLResponse:
    """The form, and the verdict when all three fields are given."""
    return _verify(engine, catalog, now, no, code, sha256)


@router.get("/reports/verify/{report_no}", name="verify_report_page", response_class=HTMLResponse)
def verify_number_page(
    report_no: str,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    code: str = "",
    sha256: str = "",
) -> HTMLResponse:
    """The same page under the JSON endpoint's shape (number in the path), for QR codes."""
    return _verify(engine, catalog, now, report_no, code, sha256)
