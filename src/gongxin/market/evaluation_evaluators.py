"""Evaluating organisations (评价机构): industry associations and third-party rating agencies.

Each is a department of kind ``evaluator`` (so that its users log in to the back office, its
公示 records are its own and objections to them reach its clerks through the objection
workflow) with a row in ``rating_evaluators``: the 3-digit association code of its certificate
numbers, its kind and its 备案编号. Its users hold the role ``evaluator`` (to run rounds) and
``dept_clerk`` (to decide objections in /admin/applications).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.db.models import departments
from gongxin.db.rating_tables import rating_evaluators
from gongxin.errors import Conflict, Forbidden, InvalidInput, NotFound
from gongxin.identity import departments as depts

KINDS = {"association": "行业协会", "agency": "第三方信用评价机构"}


@dataclass(frozen=True)
class Evaluator:
    id: int
    department_id: int
    name: str
    code: str
    kind: str
    filing_no: str | None

    @property
    def kind_zh(self) -> str:
        return KINDS.get(self.kind, self.kind)


def _of(row: Any) -> Evaluator:
    m = row._mapping
    return Evaluator(m["id"], m["department_id"], m["name"], m["code"], m["kind"], m["filing_no"])


def _query() -> sa.Select[tuple[int, int, str, str, str, str | None]]:
    e = rating_evaluators.c
    return sa.select(e.id, e.department_id, departments.c.name, e.code, e.kind, e.filing_no).join(
        departments, departments.c.id == e.department_id
    )


def register(
    conn: sa.Connection,
    name: str,
    *,
    code: str,
    kind: str,
    now: datetime,
    filing_no: str | None = None,
    actor: str = "cli",
) -> Evaluator:
    """Register an evaluating organisation: its department (kind ``evaluator``, made when
    missing) and its association code (3 digits, unique)."""
    code = (code or "").strip()
    if not re.fullmatch(r"\d{3}", code):
        raise InvalidInput(
            f"协会代码“{code[:10]}”无效：须为 3 位数字（证书编号第 5–7 位）",
            f"association code {code[:10]!r} must be 3 digits (digits 5–7 of a certificate no.)",
            field="code",
            value=code[:10],
        )
    if kind not in KINDS:
        raise InvalidInput(
            f"评价机构类型“{kind[:20]}”无效，可选：{'、'.join(KINDS)}",
            f"evaluator kind {kind[:20]!r} must be one of {', '.join(KINDS)}",
            field="kind",
        )
    if conn.execute(
        sa.select(rating_evaluators.c.id).where(rating_evaluators.c.code == code)
    ).first():
        raise Conflict(f"协会代码 {code} 已被占用", f"association code {code} is already taken")
    found = conn.execute(sa.select(departments).where(departments.c.name == name.strip())).first()
    if found is None:
        dept = depts.add(conn, name.strip(), kind="evaluator", code=None, now=now, actor=actor)
    else:
        dept = depts.by_id(conn, found.id)
        if dept.kind != "evaluator":
            raise Conflict(
                f"部门“{dept.name}”的类型是{depts.KIND_NAMES.get(dept.kind, dept.kind)}，"
                "不能登记为评价机构",
                f"department {dept.name!r} is of kind {dept.kind}, not evaluator",
            )
        if conn.execute(
            sa.select(rating_evaluators.c.id).where(rating_evaluators.c.department_id == dept.id)
        ).first():
            raise Conflict(f"“{dept.name}”已登记为评价机构", f"{dept.name!r} is registered already")
    conn.execute(
        rating_evaluators.insert().values(
            department_id=dept.id,
            code=code,
            kind=kind,
            filing_no=(filing_no or "").strip()[:64] or None,
            created_at=now,
        )
    )
    audit.record(
        conn,
        actor=actor,
        action="evaluator.register",
        target=f"department:{dept.name}",
        now=now,
        department_id=dept.id,
        detail={"code": code, "kind": kind},
    )
    return by_department(conn, dept.id)


def by_department(conn: sa.Connection, department_id: int) -> Evaluator:
    row = conn.execute(_query().where(rating_evaluators.c.department_id == department_id)).first()
    if row is None:
        raise Forbidden(
            "本部门不是已登记的评价机构（请信用中心用 gongxin evaluator add 登记）",
            "this department is not a registered evaluating organisation",
        )
    return _of(row)


def get(conn: sa.Connection, evaluator_id: int) -> Evaluator:
    row = conn.execute(_query().where(rating_evaluators.c.id == evaluator_id)).first()
    if row is None:
        raise NotFound(f"评价机构 {evaluator_id} 不存在", f"no evaluator {evaluator_id}")
    return _of(row)


def by_name(conn: sa.Connection, name: str) -> Evaluator:
    row = conn.execute(_query().where(departments.c.name == name.strip())).first()
    if row is None:
        raise NotFound(f"没有名为“{name[:60]}”的评价机构", f"no evaluator named {name[:60]!r}")
    return _of(row)


def all_evaluators(conn: sa.Connection) -> list[Evaluator]:
    return [_of(r) for r in conn.execute(_query().order_by(rating_evaluators.c.code))]
