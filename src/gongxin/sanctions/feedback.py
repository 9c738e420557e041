"""Feedback on credit checks (反馈): which triggered measures a department applied, and why not.

The department whose system (or clerk) ran a check reports, per subject of the check and per
measure the check returned for it, whether it applied the measure (已执行) or not (未执行, with
a reason), the business document it concerns and the operator. That department is the one that
applies the measures in its own business process — the measure's 实施部门 is a description
("各监管部门"), not a registered department — so it alone reports on its checks; the credit
centre reads every department's. A report is all or nothing: every item is validated against
the check's logged results and any problem refuses the whole report, naming item, field and
value. Reporting the same (subject, measure) again replaces the earlier answer; the audit log
keeps every report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.db.sanctions_tables import check_results, checks
from gongxin.db.workflow_tables import check_feedback
from gongxin.errors import InvalidInput, NotFound
from gongxin.identity.departments import Department
from gongxin.ids.classify import subject_key
from gongxin.ids.exceptions import InvalidIdentifier
from gongxin.sanctions import log

MAX_ITEMS = 1000
_FIELDS = ("position", "subject", "measure_id", "applied", "reason", "doc_no", "operator")


@dataclass(frozen=True)
class Reported:
    check_id: str
    items: int
    new: int
    replaced: int
    applied: int
    not_applied: int

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def measure_ids(measures: Any) -> list[str]:
    """The ids of a logged result's measures (and rewards), in order."""
    if not isinstance(measures, list):
        return []
    return [str(m["id"]) for m in measures if isinstance(m, dict) and m.get("id")]


def _check_row(conn: sa.Connection, check_id: str, department: Department | None) -> sa.RowMapping:
    row = conn.execute(sa.select(checks).where(checks.c.id == check_id)).mappings().first()
    allowed = row is not None and (
        department is None or department.kind == "centre" or row["department_id"] == department.id
    )
    if row is None or not allowed:
        # another department's check is reported exactly like one that does not exist
        raise NotFound(f"未找到核查记录 {check_id[:40]}", f"no check {check_id[:40]!r}")
    return row


def _problem(item: int, field: str, value: Any, zh: str, en: str) -> dict[str, Any]:
    shown = "" if value is None else str(value)[:100]
    return {"item": item, "field": field, "value": shown, "zh": zh, "en": en}


def _compact(code: str) -> str | None:
    try:
        return subject_key(code)[1]
    except InvalidIdentifier:
        return None


def _validate(
    items: Sequence[Mapping[str, Any]], results: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each item checked against the check's results: (rows to store, problems)."""
    by_position = {r["position"]: r for r in results}
    by_code: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        if r.get("subject_code"):
            by_code.setdefault(r["subject_code"], []).append(r)
    rows: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    seen: dict[tuple[int, str], int] = {}
    for n, item in enumerate(items, 1):
        bad = len(problems)
        unknown = sorted(set(item) - set(_FIELDS))
        for name in unknown:
            problems.append(_problem(n, name, item[name], "未知字段", "unknown field"))
        result = _result_of(n, item, by_position, by_code, problems)
        measure = item.get("measure_id")
        if not isinstance(measure, str) or not measure.strip():
            problems.append(
                _problem(n, "measure_id", measure, "缺少措施编号", "missing measure id")
            )
        elif result is not None and measure not in measure_ids(result.get("measures")):
            known = "、".join(measure_ids(result.get("measures"))) or "无"
            problems.append(
                _problem(
                    n, "measure_id", measure,
                    f"该主体在本次核查中未触发此措施；触发的措施：{known}",
                    "this measure was not returned for this subject by the check",
                )
            )  # fmt: skip
        applied = item.get("applied")
        if not isinstance(applied, bool):
            problems.append(
                _problem(n, "applied", applied, "须填是否执行（true/false）",
                         "applied must be true or false")
            )  # fmt: skip
        reason = (item.get("reason") or "").strip() if isinstance(item.get("reason"), str) else ""
        if applied is False and not reason:
            problems.append(
                _problem(n, "reason", item.get("reason"), "未执行的措施须说明理由",
                         "a measure not applied needs a reason")
            )  # fmt: skip
        operator = item.get("operator")
        if not isinstance(operator, str) or not operator.strip() or len(operator) > 200:
            problems.append(
                _problem(n, "operator", operator, "须填经办人（不超过 200 字）",
                         "the operator is required (at most 200 characters)")
            )  # fmt: skip
        doc_no = item.get("doc_no")
        if doc_no is not None and (not isinstance(doc_no, str) or len(doc_no) > 200):
            problems.append(
                _problem(n, "doc_no", doc_no, "业务文书编号须为不超过 200 字的文本",
                         "doc_no is text of at most 200 characters")
            )  # fmt: skip
        if len(problems) > bad or result is None:
            continue
        key = (result["position"], str(measure))
        if key in seen:
            problems.append(
                _problem(n, "measure_id", measure, f"与第 {seen[key]} 项重复",
                         f"repeats item {seen[key]}")
            )  # fmt: skip
            continue
        seen[key] = n
        rows.append(
            {
                "position": result["position"], "measure_id": str(measure),
                "applied": bool(applied), "reason": reason or None,
                "doc_no": (doc_no or "").strip() or None, "operator": str(operator).strip(),
            }
        )  # fmt: skip
    return rows, problems


def _result_of(
    n: int,
    item: Mapping[str, Any],
    by_position: dict[int, dict[str, Any]],
    by_code: dict[str, list[dict[str, Any]]],
    problems: list[dict[str, Any]],
) -> dict[str, Any] | None:
    position, subject = item.get("position"), item.get("subject")
    result: dict[str, Any] | None = None
    if position is not None:
        if not isinstance(position, int) or isinstance(position, bool):
            problems.append(_problem(n, "position", position, "序号须为整数", "not a number"))
            return None
        result = by_position.get(position)
        if result is None:
            problems.append(
                _problem(n, "position", position, "本次核查没有这个序号的主体",
                         "the check has no subject at this position")
            )  # fmt: skip
            return None
    if subject is not None:
        code = _compact(str(subject))
        found = by_code.get(code or "", [])
        if result is None and len(found) == 1:
            result = found[0]
        elif result is None or result not in found:
            zh = "本次核查没有这个主体" if not found else "主体与序号不一致或在核查中出现多次"
            problems.append(_problem(n, "subject", subject, zh, "subject does not fit the check"))
            return None
    if result is None:
        problems.append(
            _problem(n, "position", None, "须给出主体序号（position）或主体代码（subject）",
                     "give the subject's position or code")
        )  # fmt: skip
        return None
    if not measure_ids(result.get("measures")):
        problems.append(
            _problem(n, "position", result["position"], "该主体在本次核查中没有触发任何措施",
                     "the check returned no measure for this subject")
        )  # fmt: skip
        return None
    return result


def report(
    conn: sa.Connection,
    check_id: str,
    items: Sequence[Mapping[str, Any]],
    *,
    department: Department,
    now: datetime,
    actor: str,
) -> Reported:
    """Store a department's feedback on its own check, all items or none; audited."""
    check = _check_row(conn, check_id, department)
    if check["department_id"] != department.id:
        raise NotFound(f"未找到核查记录 {check_id[:40]}", f"no check {check_id[:40]!r}")
    if not items:
        raise InvalidInput("反馈至少须有一项", "the report has no items")
    if len(items) > MAX_ITEMS:
        raise InvalidInput(f"一次最多反馈 {MAX_ITEMS} 项", f"at most {MAX_ITEMS} items per report")
    results = log.get_check(conn, check_id)["results"]
    rows, problems = _validate(items, results)
    if problems:
        first = problems[0]
        raise InvalidInput(
            f"反馈未保存：第 {first['item']} 项 字段 {first['field']} 值“{first['value']}”："
            f"{first['zh']}" + (f"；共 {len(problems)} 处问题" if len(problems) > 1 else ""),
            f"feedback not stored: item {first['item']}, {first['field']} "
            f"{first['value']!r}: {first['en']}",
            problems=problems,
        )
    existing = {
        (p, m): fid
        for fid, p, m in conn.execute(
            sa.select(check_feedback.c.id, check_feedback.c.position, check_feedback.c.measure_id)
            .where(check_feedback.c.check_id == check_id)
        )
    }  # fmt: skip
    replaced = 0
    for row in rows:
        values = row | {"department_id": department.id, "actor": actor, "reported_at": now}
        fid = existing.get((row["position"], row["measure_id"]))
        if fid is None:
            conn.execute(check_feedback.insert().values(check_id=check_id, **values))
        else:
            replaced += 1
            conn.execute(check_feedback.update().where(check_feedback.c.id == fid).values(values))
    applied = sum(1 for r in rows if r["applied"])
    done = Reported(
        check_id, len(rows), len(rows) - replaced, replaced, applied, len(rows) - applied
    )
    audit.record(
        conn, actor=actor, action="check.feedback", target=f"check:{check_id}", now=now,
        department_id=department.id, detail=done.to_dict(),
    )  # fmt: skip
    return done


def with_feedback(
    conn: sa.Connection, check_id: str, *, department: Department | None
) -> dict[str, Any]:
    """The check (as the log holds it) with each result's feedback and what still awaits it."""
    _check_row(conn, check_id, department)
    found = log.get_check(conn, check_id)
    given: dict[int, list[dict[str, Any]]] = {}
    for row in conn.execute(
        sa.select(check_feedback).where(check_feedback.c.check_id == check_id)
        .order_by(check_feedback.c.position, check_feedback.c.measure_id)
    ).mappings():  # fmt: skip
        given.setdefault(row["position"], []).append(
            {k: row[k] for k in ("measure_id", "applied", "reason", "doc_no", "operator",
                                 "reported_at")}
        )  # fmt: skip
    results = []
    for r in found["results"]:
        mine = given.get(r["position"], [])
        done = {f["measure_id"] for f in mine}
        awaiting = [m for m in measure_ids(r["measures"]) if m not in done]
        results.append(r | {"feedback": mine, "awaiting": awaiting})
    return {"check": found["check"], "results": results}


@dataclass(frozen=True)
class Awaiting:
    check_id: str
    created_at: datetime
    scene: str
    requester: str
    purpose: str
    hits: int
    measures: int  # (subject, measure) pairs the check returned
    reported: int


def awaiting(conn: sa.Connection, *, department_id: int | None, limit: int = 100) -> list[Awaiting]:
    """Checks with hits whose feedback is incomplete, newest first (of one department)."""
    query = (
        sa.select(checks.c.id, checks.c.created_at, checks.c.scene, checks.c.requester,
                  checks.c.purpose, checks.c.hits)
        .where(checks.c.hits > 0)
        .order_by(checks.c.created_at.desc(), checks.c.id)
        .limit(limit * 5)
    )  # fmt: skip
    if department_id is not None:
        query = query.where(checks.c.department_id == department_id)
    found = conn.execute(query).all()
    ids = [r.id for r in found]
    if not ids:
        return []
    pairs: dict[str, int] = dict.fromkeys(ids, 0)
    for cid, measures in conn.execute(
        sa.select(check_results.c.check_id, check_results.c.measures).where(
            check_results.c.check_id.in_(ids), check_results.c.measures.is_not(None)
        )
    ):
        pairs[cid] += len(measure_ids(measures))
    reported: dict[str, int] = dict(
        conn.execute(
            sa.select(check_feedback.c.check_id, sa.func.count())
            .where(check_feedback.c.check_id.in_(ids))
            .group_by(check_feedback.c.check_id)
        ).all()
    )
    out = [
        Awaiting(r.id, r.created_at, r.scene, r.requester, r.purpose, r.hits, pairs[r.id],
                 int(reported.get(r.id, 0)))
        for r in found
        if pairs[r.id] > int(reported.get(r.id, 0))
    ]  # fmt: skip
    return out[:limit]
