"""Portal pages of 双公示: the latest licences and penalties, each department's timeliness, and
the verification of a credit report. They read through the services, which read through the
visibility gate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gongxin.clock import CHINA_TZ, local_date
from gongxin.db.engine import reading
from gongxin.errors import GongxinError, InvalidInput
from gongxin.records.latest import Filters, authorities, count, latest
from gongxin.records.timeliness import PERIODS, late_page, period_bounds, report
from gongxin.reports.verify import verify, verify_code
from gongxin.subjects import profile as profiles
from gongxin.web import ratelimit
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep
from gongxin.web.portal.render import PAGE_SIZE, error_page, page_number, render, shown

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Column:
    """A 双公示 column and the fields its list shows."""

    key: str
    label: str
    name: str  # 行政相对人名称
    uscc: str  # 行政相对人代码_1（统一社会信用代码）
    authority: str  # 许可机关 / 处罚机关
    number: str  # 决定文书号
    what: str  # 违法行为类型 / 许可类别
    content: str  # 处罚内容 / 许可内容
    amounts: tuple[str, ...] = ()  # 罚款金额、没收金额（万元）

    @property
    def labels(self) -> tuple[str, str, str]:
        if self.key == "penalty":
            return ("处罚机关", "违法行为", "处罚内容")
        return ("许可机关", "许可类别", "许可内容")


COLUMNS = (
    Column("licence", "行政许可", "XK_XDR_MC", "XK_XDR_SHXYM", "XK_XKJG", "XK_WSH", "XK_XKLB",
           "XK_NR"),
    Column("penalty", "行政处罚", "CF_XDR_MC", "CF_XDR_SHXYM", "CF_CFJG", "CF_WSH", "CF_WFXW",
           "CF_NR", ("CF_NR_FK", "CF_NR_WFFF")),
)  # fmt: skip
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


def _amount(data: dict[str, Any], fields: tuple[str, ...]) -> str:
    """罚没金额: the fine and the confiscated sums, in 万元 as filed; empty when none."""
    total, seen = Decimal(0), False
    for code in fields:
        try:
            value = Decimal(str(data.get(code) or "").replace(",", ""))
        except ArithmeticError:
            continue
        if value.is_finite():
            total, seen = total + value, True
    if not seen or not total:
        return ""
    return f"{format(total.normalize(), 'f')} 万元"


def _column_entry(column: Column, entry: Any) -> dict[str, Any]:
    data: dict[str, Any] = entry.data
    uscc = _text(data.get(column.uscc))
    return {
        # the masked name from the gated data, never the stored subject name
        "name": _text(data.get(column.name)) or "（未公示名称）",
        "uscc": uscc,
        "date": shown(entry.decision_date),
        "authority": _text(data.get(column.authority)) or entry.department,
        "number": _text(data.get(column.number)),
        "what": _text(data.get(column.what)),
        "content": _text(data.get(column.content)),
        "amount": _amount(data, column.amounts),
    }


@router.get("/shuanggongshi", response_class=HTMLResponse)
def shuanggongshi_page(
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    dataset: str = "penalty",
    department: str = "",
    authority: str = "",
    q: str = "",
    since: str = "",
    until: str = "",
    page: str = "1",
) -> HTMLResponse:
    """A 双公示 column: filtered by deciding authority (a choice list of those shown), by part
    of a name or 文书号 and by decision dates, in SQL; with the total and page count."""
    as_of = local_date(now)
    department, authority, q = department.strip()[:100], authority.strip()[:100], q.strip()[:60]
    try:
        number = page_number(page)
        where = Filters(
            department=department or None,
            authority=authority or None,
            q=q or None,
            since=_date_param(since, "决定日期起", "'since'"),
            until=_date_param(until, "决定日期止", "'until'"),
        )
        with reading(engine) as conn:
            if number < 1:
                raise InvalidInput(
                    "页码须从 1 开始，每页 1 至 100 条", "page starts at 1 and size is 1 to 100"
                )
            total = count(conn, dataset, as_of=as_of, filters=where)
            pages = max(1, -(-total // PAGE_SIZE))
            if number > pages:
                raise InvalidInput(
                    f"页码超出范围：共 {pages} 页", f"page out of range: there are {pages} pages"
                )
            entries = latest(
                conn, catalog, dataset, as_of=as_of, department=where.department,
                authority=where.authority, q=where.q, since=where.since, until=where.until,
                page=number, size=PAGE_SIZE,
            )  # fmt: skip
            choices = authorities(conn, dataset, as_of=as_of)
            column = _COLUMN_BY_KEY[dataset]
            rows = [_column_entry(column, e) for e in entries]
            # a name links to its profile only when the register holds its code
            profiled = profiles.known(conn, (r["uscc"] for r in rows if r["uscc"]))
    except GongxinError as exc:
        return error_page(exc)
    for row in rows:
        row["linked"] = row["uscc"] in profiled
    filters = {"department": department, "authority": authority, "q": q,
               "since": since.strip(), "until": until.strip()}  # fmt: skip

    def url(key: str, n: int = 1) -> str:
        kept = {k: v for k, v in filters.items() if v}
        if key != dataset:
            kept.pop("authority", None)  # another column's authorities differ
        return "/shuanggongshi?" + urlencode({"dataset": key, **kept, "page": n})

    if authority and authority not in choices:
        choices = [authority, *choices]
    return render(
        "shuanggongshi.html",
        q="",
        as_of=as_of,
        columns=COLUMNS,
        current=column,
        filters=filters,
        authorities=choices,
        entries=rows,
        total=total,
        page=number,
        pages=pages,
        url=url,
    )


def _percent(share: float) -> str:
    return f"{Decimal(share * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


LATE_PAGE_SIZE = 50


@router.get("/shuanggongshi/timeliness", response_class=HTMLResponse)
def timeliness_page(
    engine: EngineDep,
    settings: SettingsDep,
    now: NowDep,
    period: str = "this-month",
    since: str = "",
    until: str = "",
    department: str = "",
    page: str = "1",
) -> HTMLResponse:
    """Per-department figures of a period (default: this month; cached per day), and the late
    records a page at a time with their 文书号 and department."""
    as_of = local_date(now)
    department = department.strip()[:200]
    try:
        number = page_number(page)
        start = _date_param(since, "决定日期起", "'since'")
        end = _date_param(until, "决定日期止", "'until'")
        custom = start is not None or end is not None
        if not custom:
            start, end = period_bounds(period, as_of)
        rule: dict[str, Any] = {"since": start, "until": end, "go_live": settings.go_live_date}
        figures = report(engine, as_of=as_of, now=now, **rule)
        late, more = late_page(
            engine, as_of=as_of, now=now, **rule, department=department or None, page=number,
            size=LATE_PAGE_SIZE,
        )  # fmt: skip
    except GongxinError as exc:
        return error_page(exc)
    filters = {"period": "" if custom else period, "since": since.strip(), "until": until.strip()}
    filters["department"] = department

    def url(n: int, of: str | None = None) -> str:
        kept = {k: v for k, v in (filters | ({} if of is None else {"department": of})).items()}
        return "/shuanggongshi/timeliness?" + urlencode(
            {k: v for k, v in kept.items() if v} | {"page": n}
        )

    return render(
        "timeliness.html",
        q="",
        periods=[(key, zh) for key, (zh, _en) in PERIODS.items()],
        since=figures.since,
        until=figures.until,
        computed_at=figures.computed_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M"),
        go_live=settings.go_live_date,
        departments=[
            {
                "name": t.department,
                "total": t.total,
                "on_time": t.on_time,
                "late": t.late,
                "exempt": t.exempt,
                "share": _percent(t.share),
            }
            for t in figures.departments
        ],
        # no subject names: a late natural person's record is not public data
        late=[
            {
                "department": x.department,
                "dataset": _DATASET_LABELS.get(x.dataset, x.dataset),
                "number": x.document_number or "—",
                "decided": x.decision_date.isoformat(),
                "arrived": x.arrived.isoformat(),
                "working_days": x.working_days,
            }
            for x in late
        ],
        page=number,
        more=more,
        url=url,
        filters=filters,
    )


# -- report verification ----------------------------------------------------------------------


def _verify(
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    no: str,
    code: str,
    sha256: str,
    vcode: str = "",
) -> HTMLResponse:
    form = {"no": no.strip()[:40], "code": code.strip()[:40], "sha256": sha256.strip()[:80]}
    typed = vcode.strip()[:20]
    page: dict[str, Any] = {"q": "", "form": form, "vcode": typed, "china_tz": CHINA_TZ}
    if not typed and not any(form.values()):
        return render("verify.html", 200, **page, result=None, error=None)
    try:
        ratelimit.hit(request)
        with engine.connect() as conn:
            if typed:
                result = verify_code(conn, catalog, typed, local_date(now))
            elif not all(form.values()):
                raise InvalidInput(
                    "请填写报告编号、主体代码和校验码三项，或只填验证码",
                    "enter the report number, the subject's code and the SHA-256, or only the "
                    "verification code",
                )
            else:
                result = verify(
                    conn, catalog, form["no"], form["code"], form["sha256"], local_date(now)
                )
    except GongxinError as exc:
        return render("verify.html", exc.status, **page, result=None, error=exc)
    return render("verify.html", 200, **page, result=result, error=None)


@router.get("/reports/verify", response_class=HTMLResponse)
def verify_page(
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    no: str = "",
    code: str = "",
    sha256: str = "",
    vcode: str = "",
) -> HTMLResponse:
    """The form, and the verdict when the 验证码 or all three other fields are given."""
    return _verify(request, engine, catalog, now, no, code, sha256, vcode)


@router.get("/reports/verify/{report_no}", name="verify_report_page", response_class=HTMLResponse)
def verify_number_page(
    report_no: str,
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    code: str = "",
    sha256: str = "",
) -> HTMLResponse:
    """The same page under the JSON endpoint's shape (number in the path), for QR codes."""
    return _verify(request, engine, catalog, now, report_no, code, sha256)
