"""What is kept of agencies' queries: the monthly statement per agency (对账单: counts by
outcome, purpose and day, and every query of the month), as data and as CSV, and the purge of
log entries older than the configured years (the worker's ``agency-log-purge`` job)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.clock import CHINA_TZ, as_utc, local_date
from gongxin.db.market_access_tables import agency_queries
from gongxin.errors import InvalidInput
from gongxin.market.agencies import Agency

OUTCOME_NAMES = {
    "served": "已查询",
    "over_quota": "超出配额",
    "suspended": "机构暂停",
    "refused": "未获授权",
    "not_found": "未找到主体",
}
CSV_HEADER = ["查询编号", "查询时间（北京时间）", "查询人员", "主体类别", "主体", "用途",
              "结果", "原因", "提供记录数", "未提供的过期不良信息数"]  # fmt: skip


def month_bounds(month: str) -> tuple[date, datetime, datetime]:
    """The first day of ``YYYY-MM`` and the moments (China time) the month starts and ends."""
    text = month.strip()
    try:
        first = date.fromisoformat(f"{text}-01") if len(text) == 7 else None
    except ValueError:
        first = None
    if first is None:
        raise InvalidInput(
            f"月份（month）应为 YYYY-MM：{text[:20]}", f"month must be YYYY-MM: {text[:20]}",
            field="month",
        )  # fmt: skip
    after = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    start = datetime.combine(first, datetime.min.time(), CHINA_TZ)
    return first, start, datetime.combine(after, datetime.min.time(), CHINA_TZ)


@dataclass
class Statement:
    agency: Agency
    month: str
    outcomes: Counter[str] = field(default_factory=Counter)
    purposes: Counter[str] = field(default_factory=Counter)
    days: Counter[date] = field(default_factory=Counter)
    queries: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())

    @property
    def served(self) -> int:
        return self.outcomes["served"]


def statement(conn: sa.Connection, agency: Agency, month: str) -> Statement:
    """The agency's statement of ``month`` (YYYY-MM, China time)."""
    first, start, end = month_bounds(month)
    found = Statement(agency, f"{first:%Y-%m}")
    rows = conn.execute(
        sa.select(agency_queries)
        .where(
            agency_queries.c.agency_id == agency.id,
            agency_queries.c.queried_at >= start,
            agency_queries.c.queried_at < end,
        )
        .order_by(agency_queries.c.queried_at, agency_queries.c.id)
    )
    for r in rows:
        at = as_utc(r.queried_at)
        found.outcomes[r.outcome] += 1
        found.purposes[r.purpose] += 1
        if r.outcome == "served":
            found.days[local_date(at)] += 1
        found.queries.append(
            {"id": r.id, "at": at, "staff": r.staff, "subject_kind": r.subject_kind,
             "subject": r.subject_ref, "purpose": r.purpose, "outcome": r.outcome,
             "reason": r.reason or "", "served": r.records_served,
             "withheld": r.records_withheld}
        )  # fmt: skip
    return found


def statement_csv(found: Statement, purposes: dict[str, str]) -> str:
    """The statement's queries as CSV (UTF-8 with BOM when written to a file: Excel reads it)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for q in found.queries:
        writer.writerow([
            q["id"], q["at"].astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S"), q["staff"],
            "自然人" if q["subject_kind"] == "person" else "法人及非法人组织", q["subject"],
            purposes.get(q["purpose"], q["purpose"]), OUTCOME_NAMES.get(q["outcome"], q["outcome"]),
            q["reason"], q["served"], q["withheld"],
        ])  # fmt: skip
    return out.getvalue()


def purge(conn: sa.Connection, *, years: int, now: datetime, actor: str = "worker") -> int:
    """Delete query-log entries older than ``years`` before ``now``; how many went."""
    day = local_date(now)
    try:
        cutoff_day = day.replace(year=day.year - years)
    except ValueError:  # 29 February
        cutoff_day = day.replace(year=day.year - years, day=28)
    cutoff = datetime.combine(cutoff_day, datetime.min.time(), CHINA_TZ)
    gone = conn.execute(agency_queries.delete().where(agency_queries.c.queried_at < cutoff))
    count = int(gone.rowcount or 0)
    if count:
        audit.record(
            conn, actor=actor, action="agency.log_purge", target="agency_queries", now=now,
            detail={"deleted": count, "before": cutoff_day.isoformat(), "years": years},
        )  # fmt: skip
    return count
