"""The complaint centre's period report (week, month or quarter), in the sections of the 商务信用
(BCP) newsletters: 投诉概况 (counts, change against the previous period, the most complained-about
company, 公示预警), 投诉现状分析 (the daily curve, peak and quiet days, categories, the share
answered in time) and 典型案例 (the cases the centre chose, anonymised).

A complaint belongs to the period it was received in; categories, companies and warnings count
the accepted ones (受理). 公示预警 applies the warning rules of the rules file to each company's
accepted complaints of the period (and of the period before, for growth).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from gongxin.db.complaint_tables import complaints
from gongxin.errors import InvalidInput
from gongxin.market.complaint_rules import Rules
from gongxin.market.complaints import FORWARDED, RECEIVED, REFUSED, in_time, state_of

PERIODS = {"week": ("周", "week"), "month": ("月", "month"), "quarter": ("季度", "quarter")}
TOP = 10


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date

    @property
    def label(self) -> str:
        """How the newsletters name it.

        >>> of("quarter", date(2026, 11, 5)).label, of("week", date(2026, 11, 5)).label
        ('2026 年第 4 季度', '2026-11-02 至 2026-11-08')
        """
        if self.kind == "month":
            return f"{self.start.year} 年 {self.start.month} 月"
        if self.kind == "quarter":
            return f"{self.start.year} 年第 {(self.start.month - 1) // 3 + 1} 季度"
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def of(kind: str, day: date) -> Period:
    """The period of ``kind`` holding ``day`` (weeks run Monday to Sunday)."""
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return Period(kind, start, start + timedelta(days=6))
    if kind == "month":
        start = day.replace(day=1)
    elif kind == "quarter":
        start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    else:
        raise InvalidInput(
            f"统计周期“{kind[:20]}”无效；可选：week（周）、month（月）、quarter（季度）",
            f"period {kind[:20]!r} is not one of week, month, quarter",
            field="period",
            value=kind[:20],
        )
    months = 1 if kind == "month" else 3
    following = date(
        start.year + (start.month + months - 1) // 12, (start.month + months - 1) % 12 + 1, 1
    )
    return Period(kind, start, following - timedelta(days=1))


def before(period: Period) -> Period:
    return of(period.kind, period.start - timedelta(days=1))


def _in(period: Period) -> sa.ColumnElement[bool]:
    return complaints.c.received_on.between(period.start, period.end)


def _accepted(period: Period) -> sa.ColumnElement[bool]:
    return sa.and_(_in(period), complaints.c.state.in_(FORWARDED))


def _by_company(conn: sa.Connection, period: Period) -> dict[int, Any]:
    rows = conn.execute(
        sa.select(
            complaints.c.subject_id,
            sa.func.max(complaints.c.company_name).label("name"),
            sa.func.max(complaints.c.company_code).label("code"),
            sa.func.count().label("n"),
        )
        .where(_accepted(period))
        .group_by(complaints.c.subject_id)
    ).all()
    return {r.subject_id: r for r in rows}


def _answered(conn: sa.Connection, period: Period, as_of: date) -> dict[int, tuple[int, int]]:
    """Per company: (complaints whose reply was due by ``as_of`` or came, those in time)."""
    rows = conn.execute(
        sa.select(
            complaints.c.subject_id,
            complaints.c.state,
            complaints.c.reply_due,
            complaints.c.replied_on,
        ).where(_accepted(period))
    ).all()
    out: dict[int, tuple[int, int]] = {}
    for r in rows:
        ok = in_time(r)
        if ok is None and r.reply_due is not None and r.reply_due < as_of:
            ok = False  # past due, not yet marked by the job
        if ok is None:
            continue
        due, good = out.get(r.subject_id, (0, 0))
        out[r.subject_id] = (due + 1, good + int(ok))
    return out


def pct(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def warnings(
    conn: sa.Connection, rules: Rules, period: Period, as_of: date
) -> list[dict[str, Any]]:
    """公示预警: each company of the period whose accepted complaints meet a warning rule."""
    now, earlier = _by_company(conn, period), _by_company(conn, before(period))
    answered = _answered(conn, period, as_of)
    out = []
    for sid, row in now.items():
        prev = int(earlier[sid].n) if sid in earlier else 0
        due, good = answered.get(sid, (0, 0))
        share = pct(good, due)
        met = [w for w in rules.warnings if w.met(int(row.n), prev, share)]
        if met:
            out.append(
                {
                    "company_name": row.name,
                    "company_code": row.code,
                    "count": int(row.n),
                    "previous": prev,
                    "answered_pct": share,
                    "rules": [{"key": w.key, "zh": w.zh, "en": w.en} for w in met],
                }
            )
    return sorted(out, key=lambda w: (-w["count"], w["company_code"]))


def build(
    conn: sa.Connection, rules: Rules, kind: str, day: date, *, as_of: date
) -> dict[str, Any]:
    """The report of the ``kind`` period holding ``day``, as it stands on ``as_of``."""
    period = of(kind, day)
    prev = before(period)
    states: dict[str, int] = dict(
        conn.execute(
            sa.select(complaints.c.state, sa.func.count())
            .where(_in(period))
            .group_by(complaints.c.state)
        ).all()
    )
    accepted = sum(int(states.get(s, 0)) for s in FORWARDED)
    previous = conn.execute(
        sa.select(sa.func.count()).select_from(complaints).where(_accepted(prev))
    ).scalar_one()
    per_day = {
        (d, s): int(n)
        for d, s, n in conn.execute(
            sa.select(complaints.c.received_on, complaints.c.state, sa.func.count())
            .where(_in(period))
            .group_by(complaints.c.received_on, complaints.c.state)
        ).all()
    }
    daily: list[dict[str, Any]] = [
        {
            "day": d,
            "received": sum(n for (x, _), n in per_day.items() if x == d),
            "accepted": sum(n for (x, s), n in per_day.items() if x == d and s in FORWARDED),
        }
        for d in period.days()
    ]
    elapsed = [d for d in daily if d["day"] <= as_of]
    peak = max(elapsed, key=lambda d: d["accepted"], default=None)
    categories = [
        {
            "key": c,
            "zh": rules.categories[c].zh if c in rules.categories else c,
            "count": int(n),
            "pct": pct(int(n), accepted),
        }
        for c, n in conn.execute(
            sa.select(complaints.c.category, sa.func.count())
            .where(_accepted(period))
            .group_by(complaints.c.category)
            .order_by(sa.func.count().desc(), complaints.c.category)
        ).all()
    ]
    companies = sorted(_by_company(conn, period).values(), key=lambda r: (-r.n, r.code))[:TOP]
    answered = _answered(conn, period, as_of).values()
    due, good = sum(a for a, _ in answered), sum(b for _, b in answered)
    triaged = conn.execute(
        sa.select(complaints.c.triaged_on, complaints.c.triage_due).where(
            _in(period), complaints.c.triaged_on.is_not(None)
        )
    ).all()
    return {
        "period": period,
        "previous_period": prev,
        "as_of": as_of,
        "received": sum(int(n) for n in states.values()),
        "accepted": accepted,
        "refused": int(states.get(REFUSED, 0)),
        "pending": int(states.get(RECEIVED, 0)),
        "previous": int(previous),
        "change_pct": pct(accepted - int(previous), int(previous)),
        "daily": daily,
        "peak": peak if peak and peak["accepted"] else None,
        "quiet_days": sum(1 for d in elapsed if d["accepted"] == 0),
        "categories": categories,
        "companies": [
            {"company_name": r.name, "company_code": r.code, "count": int(r.n)} for r in companies
        ],
        "replies_due": due,
        "replies_in_time": good,
        "in_time_pct": pct(good, due),
        "triaged": len(triaged),
        "triaged_in_time": sum(1 for t in triaged if t.triaged_on <= t.triage_due),
        "warnings": warnings(conn, rules, period, as_of),
        "cases": typical_cases(conn, rules, period),
    }


def typical_cases(conn: sa.Connection, rules: Rules, period: Period) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(complaints)
        .where(_in(period), complaints.c.typical.is_(True))
        .order_by(complaints.c.received_on, complaints.c.id)
    ).all()
    return [
        {
            "number": r.number,
            "company_name": r.company_name,
            "category_zh": rules.categories[r.category].zh
            if r.category in rules.categories
            else r.category,
            "text": r.typical_text,
            "view": r.typical_view,
            "state_zh": state_of(r)[0],
            "reply": r.reply,
            "received_on": r.received_on,
        }
        for r in rows
    ]


def chart(report: dict[str, Any]) -> dict[str, Any]:
    """The daily curve for the page's ECharts line chart (static/complaint-charts.js)."""
    return {
        "title": f"{report['period'].label} 每日投诉量",
        "labels": [d["day"].strftime("%m-%d") for d in report["daily"]],
        "series": [
            {"name": "收到", "values": [d["received"] for d in report["daily"]]},
            {"name": "受理", "values": [d["accepted"] for d in report["daily"]]},
        ],
        "unit": "件",
    }


def to_csv(report: dict[str, Any]) -> str:
    """The daily figures and the categories as CSV (UTF-8 with BOM, for Excel)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["日期 day", "收到 received", "受理 accepted"])
    for d in report["daily"]:
        writer.writerow([d["day"].isoformat(), d["received"], d["accepted"]])
    writer.writerow([])
    writer.writerow(["投诉类别 category", "受理件数 accepted", "占比 % share"])
    for c in report["categories"]:
        writer.writerow([c["zh"], c["count"], "" if c["pct"] is None else c["pct"]])
    return "\ufeff" + out.getvalue()
