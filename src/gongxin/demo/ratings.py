"""A demo industry credit evaluation (行业信用评价), made through the same services as the
back office: an association (市建筑业协会, code 901) with last year's round published — its
certificates issued, an objection found unfounded during its 公示, one certificate revoked at
once because its company is on a serious list — and this year's round in 公示 with a pending
objection filed by a member of the public. Runs once: a store that already holds the
association is left alone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gongxin import clock
from gongxin.catalog.registry import Catalog
from gongxin.db.models import departments, records, subjects
from gongxin.market import certificate_status, evaluation_publicity, evaluation_round
from gongxin.market import evaluation_evaluators as evaluators
from gongxin.market.evaluation_round import Actor
from gongxin.market.evaluation_rules import Rules
from gongxin.workflows import applications
from gongxin.workflows.applications import Filing
from gongxin.workflows.deadlines import Jurisdiction

ASSOCIATION = "市建筑业协会"
CODE = "901"
LAST_YEAR = ["AAA", "AA", "A+", "BBB", "AA", "A"]
THIS_YEAR = ["AA", "A", "AAA", "BB", "A-"]
MATERIALS = [
    {"name": "近三年经审计的财务报表"},
    {"name": "企业信用管理制度"},
    {"name": "无重大违法违规声明"},
]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), clock.CHINA_TZ)


def _companies(conn: sa.Connection, catalog: Catalog, rules: Rules, today: date) -> list[Any]:
    """Twelve companies with a USCC (the first on a serious list today, when one is)."""
    listed = (
        sa.select(records.c.subject_id)
        .where(
            records.c.dataset.in_(rules.serious_lists),
            records.c.subject_id.is_not(None),
            records.c.in_force.is_(True),
            records.c.pub_from <= today,
        )
        .limit(1)
    )
    first = conn.execute(
        sa.select(subjects.c.id, subjects.c.name, subjects.c.uscc).where(
            subjects.c.id.in_(listed), subjects.c.uscc.is_not(None)
        )
    ).all()
    rest = conn.execute(
        sa.select(subjects.c.id, subjects.c.name, subjects.c.uscc)
        .where(subjects.c.uscc.is_not(None), subjects.c.entity_type.is_not(None))
        .order_by(subjects.c.id)
        .limit(20)
    ).all()
    seen = {r.id for r in first}
    return [*first, *(r for r in rest if r.id not in seen)][:12]


def run(
    engine: sa.Engine,
    catalog: Catalog,
    rules: Rules,
    *,
    now: datetime,
    objection_rules: tuple[str, Jurisdiction],
    var_dir: Path,
) -> dict[str, int]:
    """Make the demo rounds; what was made, by name (empty when already there)."""
    today = clock.local_date(now)
    with engine.begin() as conn:
        if conn.execute(
            sa.select(departments.c.id).where(departments.c.name == ASSOCIATION)
        ).first():
            return {}
        org = evaluators.register(
            conn,
            ASSOCIATION,
            code=CODE,
            kind="association",
            filing_no="XYPJ-DEMO-0901",
            now=now,
            actor="demo",
        )
        companies = _companies(conn, catalog, rules, today)
    if len(companies) < len(LAST_YEAR) + len(THIS_YEAR):
        return {}
    actor = Actor("demo", org.department_id)

    def make_round(year: int, title: str, grades: list[str], picked: list[Any], start: date) -> int:
        with engine.begin() as conn:
            rid = evaluation_round.create_round(
                conn,
                rules,
                evaluator_id=org.id,
                year=year,
                title=title,
                actor=actor,
                now=_at(start),
            )
            for company, grade in zip(picked, grades, strict=True):
                entry = evaluation_round.apply(
                    conn,
                    rid,
                    company=company.name,
                    code=company.uscc,
                    materials=MATERIALS,
                    actor=actor,
                    now=_at(start),
                )
                evaluation_round.grade(conn, rules, entry, grade, actor=actor, now=_at(start))
            evaluation_publicity.start(conn, catalog, rid, actor=actor, as_of=start, now=_at(start))
        return rid

    def object_to(rid: int, index: int, on: date) -> int:
        with engine.connect() as conn:
            entry = evaluation_round.entries(conn, rid)[index]
        filing = Filing(
            "objection",
            entry["record_id"],
            "赵先生（同行业企业职工）",
            entry["uscc"],
            "13700000000",
            "zhao@example.org",
            "该企业去年存在拖欠分包工程款的情况，评价等级偏高，请予核实。",
        )
        with engine.begin() as conn:
            return applications.file(
                conn,
                catalog,
                filing,
                [],
                rules=objection_rules,
                var_dir=var_dir,
                max_bytes=5_000_000,
                max_count=5,
                as_of=on,
                now=_at(on),
            ).id

    old_start = today - timedelta(days=60)
    old = make_round(
        today.year - 1,
        f"{today.year - 1}年度建筑业企业信用评价",
        LAST_YEAR,
        companies[: len(LAST_YEAR)],
        old_start,
    )
    app_id = object_to(old, 1, old_start + timedelta(days=3))
    decided = old_start + timedelta(days=8)
    with engine.begin() as conn:
        applications.decide(
            conn,
            catalog,
            app_id,
            "upheld",
            "经核实，分包工程款已于评价前结清，维持初评结果。",
            actor="demo",
            department_id=org.department_id,
            as_of=decided,
            now=_at(decided),
        )
    published = old_start + timedelta(days=11)
    with engine.begin() as conn:
        counts = evaluation_publicity.publish(
            conn, catalog, rules, old, actor=actor, as_of=published, now=_at(published)
        )
        revoked = certificate_status.sweep(conn, catalog, rules, as_of=today, now=now)
    new_start = today - timedelta(days=3)
    new = make_round(
        today.year,
        f"{today.year}年度建筑业企业信用评价（第一批）",
        THIS_YEAR,
        companies[len(LAST_YEAR) : len(LAST_YEAR) + len(THIS_YEAR)],
        new_start,
    )
    object_to(new, 0, today - timedelta(days=1))
    return {
        "rounds": 2,
        "awarded": counts["awarded"],
        "revoked": revoked,
        "in_publicity": len(THIS_YEAR),
        "round_published": old,
        "round_in_publicity": new,
    }
