"""Comparing two runs of a model: who moved between grades, by how much, and why (the
indicators whose points changed, with the records that came or went)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from gongxin.analytics.evaluation import current_run, get_run
from gongxin.db.evaluation_tables import (
    evaluation_contributions,
    evaluation_results,
    evaluation_runs,
)
from gongxin.db.models import subjects
from gongxin.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class Reason:
    indicator: str
    before: Decimal
    after: Decimal
    records_added: list[int]
    records_removed: list[int]


@dataclass(frozen=True)
class Move:
    subject_id: int
    name: str
    grade_before: str | None
    grade_after: str | None
    score_before: Decimal | None
    score_after: Decimal | None
    reasons: list[Reason] = field(default_factory=list)


@dataclass(frozen=True)
class Comparison:
    model: str
    before: int
    after: int
    moves: list[Move]


def previous_run(conn: sa.Connection, run: sa.Row[Any]) -> sa.Row[Any] | None:
    """The complete run of the same model just before ``run``."""
    return conn.execute(
        sa.select(evaluation_runs)
        .where(
            evaluation_runs.c.model == run.model,
            evaluation_runs.c.status == "complete",
            sa.or_(
                evaluation_runs.c.as_of < run.as_of,
                sa.and_(evaluation_runs.c.as_of == run.as_of, evaluation_runs.c.id < run.id),
            ),
        )
        .order_by(evaluation_runs.c.as_of.desc(), evaluation_runs.c.id.desc())
        .limit(1)
    ).first()


def _contributions(conn: sa.Connection, run_id: int, ids: list[int]) -> dict[Any, Any]:
    found: dict[tuple[int, str], Any] = {}
    for start in range(0, len(ids), 500):
        rows = conn.execute(
            sa.select(evaluation_contributions).where(
                evaluation_contributions.c.run_id == run_id,
                evaluation_contributions.c.subject_id.in_(ids[start : start + 500]),
            )
        )
        found |= {(r.subject_id, r.indicator): r for r in rows}
    return found


def _reasons(subject_id: int, old: dict[Any, Any], new: dict[Any, Any]) -> list[Reason]:
    reasons = []
    indicators = sorted({i for s, i in old | new if s == subject_id})
    for indicator in indicators:
        a, b = old.get((subject_id, indicator)), new.get((subject_id, indicator))
        before_ids = set(a.record_ids) if a else set()
        after_ids = set(b.record_ids) if b else set()
        points_a = Decimal(a.points) if a else Decimal(0)
        points_b = Decimal(b.points) if b else Decimal(0)
        if points_a != points_b or before_ids != after_ids:
            reasons.append(
                Reason(
                    indicator,
                    points_a,
                    points_b,
                    sorted(after_ids - before_ids),
                    sorted(before_ids - after_ids),
                )
            )
    return reasons


def compare(
    conn: sa.Connection,
    model: str,
    *,
    run_id: int | None = None,
    against: int | None = None,
    limit: int = 1000,
) -> Comparison:
    """Subjects whose grade changed between ``against`` (default: the run before) and
    ``run_id`` (default: the current run), with the reasons."""
    run = get_run(conn, run_id) if run_id is not None else current_run(conn, model)
    if run is None:
        raise NotFound(f"评价模型 {model} 尚无已完成的评价", f"model {model} has no complete run")
    base = get_run(conn, against) if against is not None else previous_run(conn, run)
    if base is None:
        raise NotFound(
            f"评价 {run.id} 之前没有可比较的评价", f"no earlier run to compare run {run.id} with"
        )
    if base.model != run.model:
        raise InvalidInput(
            f"只能比较同一模型的两次评价（{base.model} 与 {run.model}）",
            f"runs of different models ({base.model}, {run.model}) cannot be compared",
        )
    r_old, r_new = evaluation_results.alias("old"), evaluation_results.alias("new")
    joined = r_new.join(
        r_old,
        sa.and_(r_old.c.subject_id == r_new.c.subject_id, r_old.c.run_id == base.id),
        full=True,
    )
    subject = sa.func.coalesce(r_new.c.subject_id, r_old.c.subject_id)
    query = (
        sa.select(
            subject.label("subject_id"),
            subjects.c.name,
            r_old.c.grade.label("grade_before"),
            r_new.c.grade.label("grade_after"),
            r_old.c.score.label("score_before"),
            r_new.c.score.label("score_after"),
        )
        .select_from(joined.join(subjects, subjects.c.id == subject))
        .where(
            sa.or_(r_new.c.run_id == run.id, r_new.c.run_id.is_(None)),
            sa.or_(
                r_new.c.grade.is_(None),
                r_old.c.grade.is_(None),
                r_new.c.grade != r_old.c.grade,
            ),
        )
        .order_by(subject)
        .limit(limit)
    )
    rows = conn.execute(query).all()
    ids = [r.subject_id for r in rows]
    old, new = _contributions(conn, base.id, ids), _contributions(conn, run.id, ids)
    moves = [
        Move(
            r.subject_id,
            r.name,
            r.grade_before,
            r.grade_after,
            r.score_before,
            r.score_after,
            _reasons(r.subject_id, old, new),
        )
        for r in rows
    ]
    return Comparison(run.model, base.id, run.id, moves)
