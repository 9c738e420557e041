"""Statistics of credit checks and their feedback (执行记录 / 数据应用反馈), by scene,
department and measure, over a period.

The period selects checks by the China-time date they were made; feedback counts with the
check it belongs to (whenever it was reported), so that for every row and for the total
``applied + not_applied == reported <= measures``. Every check falls in exactly one scene and
one department, so the scene rows and the department rows each add up to the total. The
measure rows add up to the total's ``measures``, ``reported``, ``applied`` and ``not_applied``;
their ``checks`` and ``subjects`` count the checks and subjects that triggered that measure.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from gongxin.clock import CHINA_TZ
from gongxin.db.models import departments
from gongxin.db.sanctions_tables import check_results, checks
from gongxin.db.workflow_tables import check_feedback
from gongxin.errors import InvalidInput
from gongxin.sanctions import scenes
from gongxin.sanctions.feedback import measure_ids

NO_DEPARTMENT = "（未登记部门）"
MAX_DAYS = 3660


@dataclass
class Tally:
    checks: int = 0
    subjects: int = 0  # subjects checked
    hits: int = 0  # subjects on at least one list
    measures: int = 0  # (subject, measure) pairs returned
    reported: int = 0  # of those, with feedback
    applied: int = 0
    not_applied: int = 0
    reasons: Counter[str] = field(default_factory=Counter)  # why not applied

    def to_dict(self) -> dict[str, Any]:
        return {
            "checks": self.checks, "subjects": self.subjects, "hits": self.hits,
            "measures": self.measures, "reported": self.reported, "applied": self.applied,
            "not_applied": self.not_applied,
            "reasons": [{"reason": r, "count": n} for r, n in self.reasons.most_common()],
        }  # fmt: skip


@dataclass
class Row:
    key: str
    label: str
    tally: Tally = field(default_factory=Tally)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, **self.tally.to_dict()}


@dataclass
class Stats:
    since: date
    until: date
    department: str | None  # the one department shown, or None for all
    total: Tally
    by_scene: list[Row]
    by_department: list[Row]
    by_measure: list[Row]

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.since.isoformat(), "to": self.until.isoformat(),
            "department": self.department, "total": self.total.to_dict(),
            "by_scene": [r.to_dict() for r in self.by_scene],
            "by_department": [r.to_dict() for r in self.by_department],
            "by_measure": [r.to_dict() for r in self.by_measure],
        }  # fmt: skip


def period(since: date | None, until: date | None, today: date) -> tuple[date, date]:
    """The period asked for: default the last 30 days up to today."""
    until = until or today
    since = since or until - timedelta(days=29)
    if since > until:
        raise InvalidInput(
            f"起始日期 {since.isoformat()} 晚于截止日期 {until.isoformat()}",
            f"from {since.isoformat()} is after to {until.isoformat()}",
            field="from", value=since.isoformat(),
        )  # fmt: skip
    if (until - since).days > MAX_DAYS:
        raise InvalidInput(f"统计期间最长 {MAX_DAYS} 天", f"the period is at most {MAX_DAYS} days")
    return since, until


def _scene_label(code: str) -> str:
    try:
        return scenes.by_code(code).name
    except KeyError:
        return code


def stats(
    conn: sa.Connection,
    *,
    since: date,
    until: date,
    department_id: int | None = None,
) -> Stats:
    """Checks made from ``since`` to ``until`` (China dates, inclusive); of one department
    when ``department_id`` is given."""
    start = datetime.combine(since, time(), CHINA_TZ)
    end = datetime.combine(until + timedelta(days=1), time(), CHINA_TZ)
    in_period = [checks.c.created_at >= start, checks.c.created_at < end]
    if department_id is not None:
        in_period.append(checks.c.department_id == department_id)
    names = dict(conn.execute(sa.select(departments.c.id, departments.c.name)).all())
    total = Tally()
    by_scene: dict[str, Row] = {}
    by_dept: dict[str, Row] = {}
    by_measure: dict[str, Row] = {}
    where: dict[str, tuple[Row, Row]] = {}  # check id → its scene row and department row
    for cid, scene, dept, subjects, hits in conn.execute(
        sa.select(checks.c.id, checks.c.scene, checks.c.department_id, checks.c.subjects,
                  checks.c.hits).where(*in_period)
    ):  # fmt: skip
        s = by_scene.setdefault(scene, Row(scene, _scene_label(scene)))
        key = str(dept) if dept is not None else "-"
        d = by_dept.setdefault(key, Row(key, names.get(dept, NO_DEPARTMENT)))
        where[cid] = (s, d)
        for t in (total, s.tally, d.tally):
            t.checks += 1
            t.subjects += subjects
            t.hits += hits
    triggered: dict[tuple[str, int], list[str]] = {}
    for cid, position, measures in conn.execute(
        sa.select(check_results.c.check_id, check_results.c.position, check_results.c.measures)
        .join(checks, checks.c.id == check_results.c.check_id)
        .where(*in_period, check_results.c.measures.is_not(None))
    ):  # fmt: skip
        ids = measure_ids(measures)
        triggered[(cid, position)] = ids
        texts = {str(m["id"]): str(m.get("text") or "") for m in measures if isinstance(m, dict)}
        s, d = where[cid]
        for t in (total, s.tally, d.tally):
            t.measures += len(ids)
        for mid in ids:
            m = by_measure.setdefault(mid, Row(mid, texts.get(mid, mid)))
            m.tally.measures += 1
            m.tally.subjects += 1  # subjects for whom the measure was returned
            m.tally.hits += 1
    checks_of: dict[str, set[str]] = {}
    for (cid, _), ids in triggered.items():
        for mid in ids:
            checks_of.setdefault(mid, set()).add(cid)
    for mid, cids in checks_of.items():
        by_measure[mid].tally.checks = len(cids)
    for cid, position, mid, applied, reason in conn.execute(
        sa.select(check_feedback.c.check_id, check_feedback.c.position,
                  check_feedback.c.measure_id, check_feedback.c.applied, check_feedback.c.reason)
        .join(checks, checks.c.id == check_feedback.c.check_id)
        .where(*in_period)
    ):  # fmt: skip
        if mid not in triggered.get((cid, position), ()):
            continue  # not a measure of that result (cannot happen through report())
        s, d = where[cid]
        for t in (total, s.tally, d.tally, by_measure[mid].tally):
            t.reported += 1
            if applied:
                t.applied += 1
            else:
                t.not_applied += 1
                t.reasons[reason or ""] += 1
    dept_name = names.get(department_id) if department_id is not None else None
    return Stats(
        since, until, dept_name, total,
        sorted(by_scene.values(), key=lambda r: (-r.tally.checks, r.key)),
        sorted(by_dept.values(), key=lambda r: (-r.tally.checks, r.label)),
        sorted(by_measure.values(), key=lambda r: (-r.tally.measures, r.key)),
    )  # fmt: skip
