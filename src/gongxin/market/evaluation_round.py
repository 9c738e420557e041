"""Evaluation rounds (评价轮次) of an evaluating organisation: companies' applications with
their materials, 初审, grades (三等九级 with their codes).

States of a round: ``open`` (applications, review and grading) → ``publicity`` (公示中, see
evaluation_publicity.py) → ``published`` (结果已发布).

States of an entry (one company's application): ``applied`` → ``rejected`` (初审不通过, with
the reason) | ``graded`` → ``publicity`` → ``awarded`` (result stands, certificate issued) |
``sustained`` (an objection was found right during 公示: the result does not stand);
``awarded`` → ``revoked`` (the company landed on a serious list) | ``cancelled`` (annual review
failed). A downgrade at annual review stays ``awarded`` with the lower grade and a new number.

Every function takes ``department_id``: the evaluator's own department, or None for the
credit centre (which may act on any round); another organisation's round is Forbidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.db.models import subjects
from gongxin.db.rating_tables import rating_entries, rating_rounds
from gongxin.errors import Conflict, Forbidden, InvalidInput, NotFound
from gongxin.ids import uscc
from gongxin.ids.exceptions import InvalidIdentifier
from gongxin.market import evaluation_evaluators as evaluators
from gongxin.market.evaluation_rules import DAY_KINDS, Rules

ROUND_STATES = {"open": "申报评审中", "publicity": "公示中", "published": "结果已发布"}
ENTRY_STATES = {
    "applied": "已申报",
    "rejected": "初审未通过",
    "graded": "已评定",
    "publicity": "公示中",
    "awarded": "有效",
    "sustained": "异议成立",
    "revoked": "已撤销",
    "cancelled": "已注销",
}
MAX_ID = 2**63 - 1
MAX_MATERIALS = 20


@dataclass(frozen=True)
class Actor:
    """Who acts: a user's audit name and department (None: the credit centre)."""

    name: str
    department_id: int | None


def _by_id(conn: sa.Connection, table: sa.Table, row_id: int, zh: str, en: str) -> sa.Row[Any]:
    """The row of ``table`` with ``row_id``; NotFound naming it (``zh``/``en``) otherwise."""
    row = None
    if 1 <= row_id <= MAX_ID:
        row = conn.execute(sa.select(table).where(table.c.id == row_id)).first()
    if row is None:
        raise NotFound(f"{zh} {row_id} 不存在", f"{en} {row_id} not found")
    return row


def get_round(conn: sa.Connection, round_id: int) -> sa.Row[Any]:
    return _by_id(conn, rating_rounds, round_id, "评价轮次", "evaluation round")


def own_round(conn: sa.Connection, round_id: int, actor: Actor) -> sa.Row[Any]:
    """The round, when ``actor`` may act on it (its evaluator's department, or the centre)."""
    row = get_round(conn, round_id)
    if actor.department_id is not None:
        mine = evaluators.by_department(conn, actor.department_id)
        if row.evaluator_id != mine.id:
            raise Forbidden(
                f"评价轮次 {round_id} 不属于本机构", f"round {round_id} is another evaluator's"
            )
    return row


def get_entry(conn: sa.Connection, entry_id: int) -> sa.Row[Any]:
    return _by_id(conn, rating_entries, entry_id, "申报", "application")


def own_entry(conn: sa.Connection, entry_id: int, actor: Actor) -> tuple[sa.Row[Any], sa.Row[Any]]:
    entry = get_entry(conn, entry_id)
    return entry, own_round(conn, entry.round_id, actor)


def _must_be_open(rnd: sa.Row[Any]) -> None:
    if rnd.state != "open":
        raise Conflict(
            f"评价轮次“{rnd.title}”{ROUND_STATES[rnd.state]}，不能再申报或评定",
            f"round {rnd.id} is in state {rnd.state}: applications and grades are closed",
            state=rnd.state,
        )


def create_round(
    conn: sa.Connection,
    rules: Rules,
    *,
    evaluator_id: int,
    year: int,
    title: str,
    actor: Actor,
    now: datetime,
    publicity_days: int | None = None,
    publicity_day_kind: str | None = None,
) -> int:
    """Open a round; its 公示 lasts the rules' days unless the round says otherwise."""
    org = evaluators.get(conn, evaluator_id)
    if actor.department_id is not None and actor.department_id != org.department_id:
        raise Forbidden(
            "只能为本机构创建评价轮次", "a round may be created for your own organisation"
        )
    title = title.strip()
    if not 2 <= len(title) <= 200:
        raise InvalidInput(
            "轮次名称须为 2–200 字",
            "the title must be 2–200 characters",
            field="title",
            value=title[:40],
        )
    if not 2000 <= year <= 2999:
        raise InvalidInput(
            f"评价年度 {year} 无效（2000–2999）",
            f"year {year} is not 2000–2999",
            field="year",
            value=year,
        )
    days = rules.publicity_days if publicity_days is None else publicity_days
    if not 1 <= days <= 90:
        raise InvalidInput(
            f"公示天数 {days} 无效：须为 1–90 天",
            f"publicity days {days}: 1–90",
            field="publicity_days",
            value=days,
        )
    kind = publicity_day_kind or rules.publicity_day_kind
    if kind not in DAY_KINDS:
        raise InvalidInput(
            f"公示天数的计法“{kind[:10]}”无效：calendar（自然日）或 working（工作日）",
            f"day kind {kind[:10]!r} must be calendar or working",
            field="publicity_day_kind",
        )
    round_id = conn.execute(
        rating_rounds.insert()
        .values(
            evaluator_id=org.id,
            year=year,
            title=title,
            state="open",
            publicity_days=days,
            publicity_day_kind=kind,
            created_at=now,
            updated_at=now,
        )
        .returning(rating_rounds.c.id)
    ).scalar_one()
    audit.record(
        conn,
        actor=actor.name,
        action="rating_round.create",
        target=f"rating_round:{round_id}",
        now=now,
        department_id=org.department_id,
        detail={"title": title, "year": year, "publicity_days": days},
    )
    return int(round_id)


def _materials(items: list[dict[str, str]]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for i, item in enumerate(items[: MAX_MATERIALS + 1], 1):
        name = str(item.get("name") or "").strip()
        if not name:
            continue
        if len(out) >= MAX_MATERIALS:
            raise InvalidInput(
                f"申报材料最多 {MAX_MATERIALS} 项",
                f"at most {MAX_MATERIALS} items",
                field="materials",
            )
        if len(name) > 200:
            raise InvalidInput(
                f"第 {i} 项材料名称超过 200 字", f"material {i}: name too long", field="materials"
            )
        out.append({"name": name, "note": str(item.get("note") or "").strip()[:1000]})
    return out


def apply(
    conn: sa.Connection,
    round_id: int,
    *,
    company: str,
    code: str,
    materials: list[dict[str, str]],
    actor: Actor,
    now: datetime,
) -> int:
    """A company's application to the round (the evaluator records it), with its materials."""
    rnd = own_round(conn, round_id, actor)
    _must_be_open(rnd)
    company = company.strip()
    if not 2 <= len(company) <= 200:
        raise InvalidInput(
            "企业名称须为 2–200 字",
            "the company name must be 2–200 characters",
            field="company",
            value=company[:40],
        )
    try:
        code = uscc.validate(code or "")
    except InvalidIdentifier as exc:
        raise InvalidInput(
            f"统一社会信用代码“{(code or '')[:20]}”无效：{exc.zh}",
            f"USCC {(code or '')[:20]!r} is not valid: {exc.en}",
            field="uscc",
            value=(code or "")[:20],
        ) from exc
    taken = conn.execute(
        sa.select(rating_entries.c.id).where(
            rating_entries.c.round_id == round_id, rating_entries.c.uscc == code
        )
    ).first()
    if taken:
        raise Conflict(
            f"{company}（{code}）已在本轮申报（申报 {taken.id}）",
            f"{code} has applied in this round already (application {taken.id})",
        )
    subject_id = conn.execute(sa.select(subjects.c.id).where(subjects.c.uscc == code)).scalar()
    entry_id = conn.execute(
        rating_entries.insert()
        .values(
            round_id=round_id,
            subject_id=subject_id,
            company=company,
            uscc=code,
            materials=_materials(materials),
            state="applied",
            flagged=False,
            created_at=now,
            updated_at=now,
        )
        .returning(rating_entries.c.id)
    ).scalar_one()
    _audit(conn, actor, "rating_entry.apply", int(entry_id), now, {"uscc": code})
    return int(entry_id)


def grade(
    conn: sa.Connection,
    rules: Rules,
    entry_id: int,
    grade_text: str,
    *,
    actor: Actor,
    now: datetime,
    score: str | None = None,
) -> str:
    """The (preliminary) grade of an application: one of the nine grades, optionally with a
    ``+``/``-``/``★``; its code is the base grade's. Returns the grade as stored."""
    entry, rnd = own_entry(conn, entry_id, actor)
    _must_be_open(rnd)
    base = rules.grade(grade_text)
    text = grade_text.strip().upper()
    value: Decimal | None = None
    if score not in (None, ""):
        try:
            value = Decimal(str(score).strip())
        except InvalidOperation:
            value = None
        if value is None or not Decimal(0) <= value <= Decimal(100):
            raise InvalidInput(
                f"评分“{str(score)[:10]}”须为 0–100 的数",
                f"score {str(score)[:10]!r} must be a number 0–100",
                field="score",
                value=str(score)[:10],
            )
    conn.execute(
        rating_entries.update()
        .where(rating_entries.c.id == entry.id)
        .values(
            grade=text, grade_code=base.code, score=value, state="graded", note=None, updated_at=now
        )
    )
    _audit(conn, actor, "rating_entry.grade", entry.id, now, {"grade": text, "code": base.code})
    return text


def reject(conn: sa.Connection, entry_id: int, reason: str, *, actor: Actor, now: datetime) -> None:
    """初审不通过: the application leaves the round, with the reason."""
    entry, rnd = own_entry(conn, entry_id, actor)
    _must_be_open(rnd)
    if not reason.strip():
        raise InvalidInput("初审不通过须写明理由", "a rejection needs its reason", field="reason")
    conn.execute(
        rating_entries.update()
        .where(rating_entries.c.id == entry.id)
        .values(
            state="rejected",
            note=reason.strip()[:2000],
            grade=None,
            grade_code=None,
            updated_at=now,
        )
    )
    _audit(conn, actor, "rating_entry.reject", entry.id, now, {"reason": reason[:200]})


def _audit(
    conn: sa.Connection,
    actor: Actor,
    action: str,
    entry_id: int,
    now: datetime,
    detail: dict[str, Any],
) -> None:
    audit.record(
        conn,
        actor=actor.name,
        action=action,
        target=f"rating_entry:{entry_id}",
        now=now,
        department_id=actor.department_id,
        detail=detail,
    )


def rounds(
    conn: sa.Connection, *, evaluator_id: int | None = None, public: bool = False
) -> list[dict[str, Any]]:
    """Rounds, newest first: one evaluator's, or all; ``public`` leaves out open rounds."""
    from gongxin.db.models import departments
    from gongxin.db.rating_tables import rating_evaluators

    r = rating_rounds.c
    query = (
        sa.select(rating_rounds, departments.c.name.label("evaluator"))
        .join(rating_evaluators, rating_evaluators.c.id == r.evaluator_id)
        .join(departments, departments.c.id == rating_evaluators.c.department_id)
        .order_by(r.id.desc())
    )
    if evaluator_id is not None:
        query = query.where(r.evaluator_id == evaluator_id)
    if public:
        query = query.where(r.state != "open")
    return [
        dict(row._mapping) | {"state_zh": ROUND_STATES[row.state]}
        for row in conn.execute(query.limit(500))
    ]


def entries(conn: sa.Connection, round_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(rating_entries)
        .where(rating_entries.c.round_id == round_id)
        .order_by(rating_entries.c.id)
    )
    return [dict(row._mapping) | {"state_zh": ENTRY_STATES[row.state]} for row in rows]


def day(value: date | None) -> str:
    return value.isoformat() if value else ""
