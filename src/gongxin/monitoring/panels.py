"""The dashboards' panels, read from the current run: each with its title, the numbers as a
table (columns and rows, the same as its CSV) and the chart drawn from them in the browser.

A panel's audience is the rules' setting (``panels``): ``public`` panels are on the portal and
the public API, ``centre`` panels only in the back office. Asking the public dashboard for a
centre panel is answered like asking for a panel that does not exist.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa

from gongxin.db.monitoring_tables import (
    monitoring_cohorts,
    monitoring_flow,
    monitoring_scorecards,
    monitoring_survival,
)
from gongxin.errors import NotFound
from gongxin.monitoring.rules import Audience, Rules
from gongxin.monitoring.service import current_run, shares

Cell = str | int | float | None
TITLES = {
    "flow": ("市场主体设立与退出", "registrations and exits per month"),
    "survival_industry": ("市场主体生存率（按行业门类）", "survival at 1, 3, 5 years by industry"),
    "survival_region": ("市场主体生存率（按行政区划）", "survival at 1, 3, 5 years by region"),
    "cohorts": ("新设小微企业跟踪", "newly founded small companies by founding year"),
    "scorecards": ("部门归集考核", "department data-submission scorecards"),
}


@dataclass(frozen=True)
class Panel:
    code: str
    title: str
    title_en: str
    audience: Audience
    note: str
    columns: list[str]
    rows: list[list[Cell]]
    chart: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Dashboard:
    run_id: int | None
    as_of: date | None
    panels: list[Panel]


def percent(numerator: int, base: int) -> float | None:
    """A share in percent with one decimal, or None when there is nothing to divide."""
    if not base:
        return None
    value = Decimal(numerator) * 100 / Decimal(base)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _months(as_of: date, count: int) -> list[tuple[int, int]]:
    year, month = as_of.year, as_of.month
    out = []
    for _ in range(count):
        out.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def _flow(
    conn: sa.Connection, run: Any, rules: Rules
) -> tuple[list[str], list[list[Cell]], dict[str, Any], str]:
    t = monitoring_flow
    found = {(r.year, r.month): r for r in conn.execute(sa.select(t).where(t.c.run_id == run.id))}
    rows: list[list[Cell]] = []
    for y, m in _months(run.as_of, rules.flow_months):
        r = found.get((y, m))
        reg, der, rev, can = (
            (r.registered, r.deregistered, r.revoked, r.cancelled) if r else (0, 0, 0, 0)
        )
        rows.append([f"{y}-{m:02d}", reg, der, rev, can, reg - der - rev - can])
    chart = {
        "kind": "line", "unit": "户", "labels": [r[0] for r in rows],
        "series": [{"name": "设立", "values": [r[1] for r in rows]},
                   {"name": "退出（注销、吊销、撤销）",
                    "values": [int(r[2] or 0) + int(r[3] or 0) + int(r[4] or 0) for r in rows]}],
    }  # fmt: skip
    note = f"最近 {rules.flow_months} 个月，按成立日期和注销（吊销、撤销）日期所在月份统计。"
    return ["月份", "设立", "注销", "吊销", "撤销", "净增"], rows, chart, note


def _survival(
    conn: sa.Connection, run: Any, rules: Rules, dimension: str
) -> tuple[list[str], list[list[Cell]], dict[str, Any], str]:
    t = monitoring_survival
    groups: dict[str, dict[int, Any]] = {}
    labels: dict[str, str] = {}
    for r in conn.execute(
        sa.select(t).where(t.c.run_id == run.id, t.c.dimension.in_(("all", dimension)))
        .order_by(t.c.dimension, t.c.key)
    ):  # fmt: skip
        key = "*" if r.dimension == "all" else r.key
        groups.setdefault(key, {})[r.horizon] = r
        labels[key] = r.label
    first = rules.horizons[0]
    keep = [
        k for k, by in groups.items()
        if k == "*" or (first in by and by[first].at_risk >= rules.min_group)
    ]  # fmt: skip
    columns = ["分组"]
    for k in rules.horizons:
        columns += [f"{k}年样本", f"{k}年存续", f"{k}年生存率%"]
    rows: list[list[Cell]] = []
    for key in keep:
        row: list[Cell] = [labels[key]]
        for k in rules.horizons:
            got = groups[key].get(k)
            row += [got.at_risk, got.survived, percent(got.survived, got.at_risk)] if got else [
                0, 0, None]  # fmt: skip
        rows.append(row)
    shown = [r for r in rows[1:]] if len(rows) > 1 else rows
    chart = {
        "kind": "bar", "unit": "%", "labels": [str(r[0]).split(" ", 1)[-1] for r in shown],
        "series": [{"name": f"{k}年生存率", "values": [r[3 + 3 * i] for r in shown]}
                   for i, k in enumerate(rules.horizons)],
    }  # fmt: skip
    note = (
        f"k 年生存率：成立满 k 年的市场主体中，成立 k 周年时仍未注销、吊销或撤销的比例；"
        f"样本少于 {rules.min_group} 户的分组不列出；退出日期不详的不计入。"
    )
    return columns, rows, chart, note


def _cohorts(
    conn: sa.Connection, run: Any, rules: Rules
) -> tuple[list[str], list[list[Cell]], dict[str, Any], str]:
    t = monitoring_cohorts
    rows: list[list[Cell]] = [
        [
            r.year,
            r.founded,
            r.penalised,
            r.listed,
            r.exited,
            percent(r.founded - r.exited, r.founded),
        ]
        for r in conn.execute(sa.select(t).where(t.c.run_id == run.id).order_by(t.c.year))
    ]
    chart = {
        "kind": "bar", "unit": "户", "labels": [str(r[0]) for r in rows],
        "series": [{"name": n, "values": [r[i] for r in rows]}
                   for i, n in ((1, "新设"), (2, "受行政处罚"), (3, "列入名单"), (4, "已退出"))],
    }  # fmt: skip
    small = rules.small_companies
    note = (
        f"小微企业口径：统一社会信用代码以 {'、'.join(small.code_prefixes)} 开头、注册资本不超过 "
        f"{small.max_capital:g} 万元人民币的企业；最近 {small.cohort_years} 个成立年度。"
    )
    return ["成立年度", "新设", "受行政处罚", "列入名单", "已退出", "存续率%"], rows, chart, note


def _scorecards(
    conn: sa.Connection, run: Any, rules: Rules
) -> tuple[list[str], list[list[Cell]], dict[str, Any], str]:
    t = monitoring_scorecards
    rows: list[list[Cell]] = []
    query = sa.select(t).where(t.c.run_id == run.id).order_by(t.c.score.desc(), t.c.department)
    for r in conn.execute(query):
        parts = shares(r._asdict())
        rows.append([r.department, *(percent(*parts[c]) for c in parts), float(r.score),
                     r.judged, r.rows, r.rejected, r.due])  # fmt: skip
    chart = {"kind": "bar", "unit": "分", "labels": [r[0] for r in rows],
             "series": [{"name": "综合得分", "values": [r[6] for r in rows]}]}  # fmt: skip
    w = rules.scorecard.weights
    note = (
        "综合得分为各项比率的加权平均（权重：及时 {timeliness}、完整 {completeness}、"
        "未退回 {acceptance}、双公示合规 {compliance}、按期办结 {deadlines}）；"
        "部门无可考核数据的项目不计入。"
    ).format(**w)
    columns = ["部门", "双公示及时率%", "字段完整率%", "未退回率%", "双公示合规率%",
               "异议修复按期办结率%", "综合得分", "考核双公示记录", "报送行数", "退回行数",
               "应办结申请"]  # fmt: skip
    return columns, rows, chart, note


def _build(conn: sa.Connection, run: Any, rules: Rules, code: str) -> Panel:
    if code == "flow":
        columns, rows, chart, note = _flow(conn, run, rules)
    elif code == "survival_industry":
        columns, rows, chart, note = _survival(conn, run, rules, "industry")
    elif code == "survival_region":
        columns, rows, chart, note = _survival(conn, run, rules, "region")
    elif code == "cohorts":
        columns, rows, chart, note = _cohorts(conn, run, rules)
    else:
        columns, rows, chart, note = _scorecards(conn, run, rules)
    title, en = TITLES[code]
    chart = {"title": title, **chart}
    return Panel(code, title, en, rules.panels[code], note, columns, rows, chart)


def dashboard(conn: sa.Connection, rules: Rules, audience: Audience) -> Dashboard:
    """Every panel ``audience`` may see, from the current run (none before the first run)."""
    run = current_run(conn)
    if run is None:
        return Dashboard(None, None, [])
    return Dashboard(run.id, run.as_of,
                     [_build(conn, run, rules, c) for c in rules.panels_for(audience)])  # fmt: skip


def panel(conn: sa.Connection, rules: Rules, audience: Audience, code: str) -> Panel:
    """One panel, if ``audience`` may see it; otherwise NotFound naming the ones it may."""
    allowed = rules.panels_for(audience)
    run = current_run(conn)
    if code not in allowed or run is None:
        raise NotFound(
            f"没有名为“{code[:40]}”的监测图表；可选：{'、'.join(allowed)}"
            + ("" if run is not None else "（尚未计算监测数据）"),
            f"no monitoring panel {code[:40]!r}; choose from {', '.join(allowed)}"
            + ("" if run is not None else " (no figures computed yet)"),
        )
    return _build(conn, run, rules, code)


def csv_bytes(p: Panel) -> bytes:
    """The panel's table as CSV (UTF-8 with BOM, opens in Excel)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(p.columns)
    writer.writerows(["" if v is None else v for v in row] for row in p.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
